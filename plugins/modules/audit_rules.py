#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: audit_rules
short_description: Write the audit watch rules of a list of controls in one call, and read the kernel's audit state
version_added: 0.2.0
description:
  - For every control of O(watches) listed in O(enabled), works out one C(-w PATH -p PERMS -k <prefix>_<id>) rule per
    candidate path that exists on the host, under its real path; an C(appear) path is also watched when only its
    parent exists. The data-root of daemon.json joins the paths of O(data_root_control).
  - Writes one marked block per enabled control into O(rules_file) (a control without existing paths has no block),
    keeping blocks of controls not enabled on this run as they are, and the tmpfiles.d entry O(tmpfiles) when its
    control has rules.
  - Reports whether the kernel accepts audit control here (C(auditctl -s)) and the rules it has loaded
    (C(auditctl -l)); it never loads or deletes rules itself.
  - Reports which of O(packages) are not installed, so that a run where the audit daemon is installed needs no
    call of its own to find that out.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  watches:
    description:
      - Control id (C(1.1.3)) to its watch, in the order the blocks are written.
      - C(kind) is the key of O(permissions) for its paths (V(binary), V(config) or V(data)); C(paths) are candidate
        paths watched where they exist; C(appear) paths are also watched when only their parent directory exists.
    type: dict
    required: true
  titles:
    description: Control id to the title shown with its result.
    type: dict
    default: {}
  enabled:
    description: Ids of the controls whose blocks this run writes.
    type: list
    elements: str
    required: true
  permissions:
    description: Access types recorded per kind (letters of C(rwxa)).
    type: dict
    required: true
  key_prefix:
    description: Rule keys are C(<key_prefix>_<id with _>).
    type: str
    required: true
  rules_file:
    description: The rules file in the distribution's C(rules.d) directory.
    type: path
    required: true
  daemon_json:
    description: dockerd's configuration file, read for C(data-root).
    type: path
    default: /etc/docker/daemon.json
  data_root_control:
    description: Control whose paths gain the daemon.json C(data-root).
    type: str
    default: 1.1.5
  tmpfiles:
    description: A tmpfiles.d entry that creates directories at boot, written when O(tmpfiles.control) has rules.
    type: dict
    suboptions:
      path: {description: The tmpfiles.d file., type: path, required: true}
      control: {description: Control the entry serves., type: str, required: true}
      dirs: {description: "Directories: C(path) and C(mode).", type: list, elements: dict, required: true}
  packages:
    description:
      - Distribution packages whose install state is returned in RV(packages_missing) (C(dpkg-query); on a host
        without dpkg every one counts as missing).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Write the rules of two controls
  hardening.docker.audit_rules:
    watches:
      "1.1.3": {kind: binary, paths: [/usr/sbin/dockerd, /usr/bin/dockerd]}
      "1.1.6": {kind: config, paths: [/etc/docker]}
    enabled: ["1.1.3", "1.1.6"]
    permissions: {binary: wxa, config: wa, data: wa}
    key_prefix: docker
    rules_file: /etc/audit/rules.d/50-hardening-docker.rules
"""

RETURN = r"""
results:
  description: One entry per enabled control (id, title, changed, lines).
  returned: always
  type: list
  elements: dict
lines:
  description: Rule lines of every control, enabled or not (id -> list), as the file has them after this run.
  returned: always
  type: dict
kernel:
  description: "ok (auditctl -s answered), locked (-e 2), error, loaded (auditctl -l lines, only when ok)."
  returned: always
  type: dict
files:
  description: The files this run wrote or fixed the owner or mode of (in check mode, would).
  returned: always
  type: list
  elements: str
packages_missing:
  description: The packages of O(packages) that are not installed, in the order given.
  returned: always
  type: list
  elements: str
  sample: [auditd]
"""

import json
import os
import re
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardening.docker.plugins.module_utils._docker_paths import watch_targets
from ansible_collections.hardening.docker.plugins.module_utils._os_packages import missing_on_host

BEGIN = '# BEGIN hardening.docker CIS %s'
END = '# END hardening.docker CIS %s'


def rule_lines(control, permissions, key_prefix, extra_paths=()):
    perms = ''.join(letter for letter in 'rwxa' if letter in permissions[control['kind']])
    key = '%s_%s' % (key_prefix, control['id'].replace('.', '_'))
    targets = watch_targets(list(control['paths']) + list(extra_paths), control['appear'])
    return ['-w %s -p %s -k %s' % (path, perms, key) for path in targets]


def parse_blocks(text):
    """Lines of the file outside our blocks, and our blocks: {id: [lines]} with their order."""
    blocks = {}
    order = []
    current = None
    for line in text.splitlines():
        begin = re.match(r'^# BEGIN hardening\.docker CIS (\S+)$', line)
        end = re.match(r'^# END hardening\.docker CIS (\S+)$', line)
        if begin and current is None:
            current = begin.group(1)
            blocks[current] = []
            order.append(('block', current))
        elif end and current == end.group(1):
            current = None
        elif current is not None:
            blocks[current].append(line)
        else:
            order.append(('line', line))
    return order, blocks


def render(order, blocks, new_blocks):
    """The file with ``new_blocks`` (id -> lines; [] removes the block) replaced in place or appended."""
    out = []
    seen = set()
    for kind, value in order:
        if kind == 'line':
            out.append(value)
            continue
        seen.add(value)
        lines = new_blocks.get(value, blocks[value])
        if lines:
            out.extend([BEGIN % value] + lines + [END % value])
    for control_id, lines in new_blocks.items():
        if control_id not in seen and lines:
            out.extend([BEGIN % control_id] + lines + [END % control_id])
    return ''.join(line + '\n' for line in out)


def read_text(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8')
    except (IOError, OSError):
        return None


def write_file(module, path, content, mode):
    """Atomic write (temp file in the same directory, then rename), root:root and ``mode``."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o755)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix='.hardening-docker-')
    with os.fdopen(fd, 'wb') as handle:
        handle.write(content.encode('utf-8'))
    module.atomic_move(tmp, path)
    # atomic_move gives a new file the umask's mode: set ours after it.
    os.chown(path, 0, 0)
    os.chmod(path, mode)


def fix_attrs(module, path, mode):
    """Owner root:root and ``mode`` on an existing file; True when something changed (or would)."""
    st = os.stat(path)
    if (st.st_uid, st.st_gid, st.st_mode & 0o7777) == (0, 0, mode):
        return False
    if not module.check_mode:
        os.chown(path, 0, 0)
        os.chmod(path, mode)
    return True


def data_root(path):
    text = read_text(path)
    if not text or not text.strip():
        return None
    config = json.loads(text)
    value = config.get('data-root') if isinstance(config, dict) else None
    return value if isinstance(value, str) and value else None


def kernel_state(module):
    state = {'ok': False, 'locked': False, 'error': '', 'loaded': []}
    auditctl = module.get_bin_path('auditctl', opt_dirs=['/sbin', '/usr/sbin'])
    if not auditctl:
        state['error'] = 'auditctl not installed'
        return state
    rc, out, err = module.run_command([auditctl, '-s'])
    if rc != 0:
        lines = [line.strip() for line in (err or out).splitlines() if line.strip()]
        state['error'] = lines[0] if lines else 'auditctl -s failed (rc=%s)' % rc
        return state
    state['ok'] = True
    state['locked'] = bool(re.search(r'(?m)^enabled 2$', out))
    rc, out, err = module.run_command([auditctl, '-l'])
    if rc == 0:
        state['loaded'] = [line.strip() for line in out.splitlines() if line.strip() and line.strip() != 'No rules']
    else:
        state['error'] = (err or out).strip() or 'auditctl -l failed (rc=%s)' % rc
    return state


def watch_controls(module, watches, titles):
    """The watches as a list of controls (id, title, kind, paths, appear), checked."""
    controls = []
    for control_id, watch in watches.items():
        watch = watch if isinstance(watch, dict) else {}
        paths, appear = watch.get('paths') or [], watch.get('appear') or []
        if watch.get('kind') not in ('binary', 'config', 'data') or not isinstance(paths, list) \
                or not isinstance(appear, list):
            module.fail_json(msg='watches[%s] must be {kind: binary|config|data, paths: [...], appear: [...]}, got %r'
                                 % (control_id, watch))
        controls.append({'id': str(control_id), 'title': str(titles.get(control_id, '')), 'kind': watch['kind'],
                         'paths': [str(p) for p in paths], 'appear': [str(p) for p in appear]})
    return controls


def main():
    module = AnsibleModule(
        argument_spec=dict(
            watches=dict(type='dict', required=True),
            titles=dict(type='dict', default={}),
            enabled=dict(type='list', elements='str', required=True),
            permissions=dict(type='dict', required=True),
            key_prefix=dict(type='str', required=True, no_log=False),
            rules_file=dict(type='path', required=True),
            daemon_json=dict(type='path', default='/etc/docker/daemon.json'),
            data_root_control=dict(type='str', default='1.1.5'),
            tmpfiles=dict(type='dict', options=dict(
                path=dict(type='path', required=True),
                control=dict(type='str', required=True),
                dirs=dict(type='list', elements='dict', required=True),
            )),
            packages=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    for kind in ('binary', 'config', 'data'):
        if not re.match(r'^[rwxa]{1,4}$', str(params['permissions'].get(kind, ''))):
            module.fail_json(msg='permissions.%s must be letters of "rwxa" (auditctl -p), got %r'
                                 % (kind, params['permissions'].get(kind)))
    controls = watch_controls(module, params['watches'], params['titles'])
    enabled = set(params['enabled'])
    extra = {}
    if params['data_root_control'] in enabled:
        try:
            root = data_root(params['daemon_json'])
        except ValueError as exc:
            module.fail_json(msg='%s is not valid JSON (%s), so dockerd cannot start with it and its data-root cannot '
                                 'be read. Fix the file (python3 -m json.tool %s) and run again.'
                                 % (params['daemon_json'], exc, params['daemon_json']))
        extra[params['data_root_control']] = [root] if root else []

    path = params['rules_file']
    before = read_text(path)
    order, blocks = parse_blocks(before or '')
    new_blocks = {}
    results = []
    for control in controls:
        if control['id'] not in enabled:
            continue
        lines = rule_lines(control, params['permissions'], params['key_prefix'], extra.get(control['id'], ()))
        new_blocks[control['id']] = lines
        results.append({'id': control['id'], 'title': control['title'], 'lines': lines,
                        'changed': lines != blocks.get(control['id'], [])})
    after = render(order, blocks, new_blocks)
    result = {'changed': False, 'results': results, 'files': []}
    if results and after != (before or ''):
        result['changed'] = True
        result['files'].append(path)
        if not module.check_mode:
            write_file(module, path, after, 0o640)
    elif before is not None and fix_attrs(module, path, 0o640):
        result['changed'] = True
        result['files'].append(path)
    if module._diff and result['changed']:
        result['diff'] = [{'before': before or '', 'after': after, 'before_header': path, 'after_header': path}]

    tmp = params['tmpfiles']
    if tmp and tmp['control'] in enabled and new_blocks.get(tmp['control']):
        content = ('# Managed by Ansible (hardening.docker role auditd, CIS %s).\n'
                   '# auditd loads its rules before containerd starts; a watch below a missing directory would fail to load.\n'
                   % tmp['control'])
        content += ''.join('d %s %s root root -\n' % (d['path'], d['mode']) for d in tmp['dirs'])
        current = read_text(tmp['path'])
        if current != content:
            result['changed'] = True
            result['files'].append(tmp['path'])
            for entry in results:
                if entry['id'] == tmp['control']:
                    entry['changed'] = True
            if not module.check_mode:
                write_file(module, tmp['path'], content, 0o644)
        elif fix_attrs(module, tmp['path'], 0o644):
            result['changed'] = True
            result['files'].append(tmp['path'])

    _final_order, final_blocks = parse_blocks(after)
    result['lines'] = dict((c['id'], final_blocks.get(c['id'], [])) for c in controls)
    result['kernel'] = kernel_state(module)
    result['packages_missing'] = missing_on_host(module.run_command, module.get_bin_path('dpkg-query'), params['packages'])
    module.exit_json(**result)


if __name__ == '__main__':
    main()
