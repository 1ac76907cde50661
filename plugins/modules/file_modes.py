#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: file_modes
short_description: Owner and maximum mode of Docker's files, for a list of controls in one call
version_added: 0.2.0
description:
  - Finds the files of every control in O(controls) that is listed in O(enabled) (unit files and drop-ins as
    systemd reports them plus drop-ins not loaded yet, C(/etc/docker), daemon.json, registry certificates, the
    TLS files daemon.json names, the environment files, containerd's socket), resolves links, and sets the owner
    and clears the mode bits outside the control's maximum on the real files that exist.
  - A mode that is already stricter is kept. Returns one result per enabled control.
  - Stops before any change when daemon.json is not valid JSON (its TLS paths cannot be read).
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  controls:
    description: The controls this module knows, with their target sets.
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: Control id, e.g. C(3.1).
        type: str
        required: true
      title:
        description: Title shown with the result.
        type: str
        default: ''
      area:
        description: Name of the role's area switch of the control (read by the role, not used here).
        type: str
      owner:
        description: Owner to set on every target; omit to leave owners alone.
        type: str
      group:
        description: Group to set on every target; omit to leave groups alone.
        type: str
      targets:
        description:
          - Target sets and the maximum mode of each (V(null) when the control sets only the owner).
          - Sets are C(service), C(socket) (unit file and drop-ins), C(service_dirs), C(socket_dirs) (drop-in
            directories), C(config_dir), C(daemon_json), C(env_default), C(env_sysconfig), C(registry_certs),
            C(tlscacert), C(tlscert), C(tlskey), C(containerd_socket).
        type: dict
        required: true
  enabled:
    description: Ids of the controls to apply on this run; the others are neither read nor changed.
    type: list
    elements: str
    required: true
  paths:
    description: Where the files are on this distribution.
    type: dict
    required: true
    suboptions:
      service_unit:
        description: The dockerd service unit.
        type: str
        default: docker.service
      socket_unit:
        description: The socket unit.
        type: str
        default: docker.socket
      dropin_roots:
        description: Directories whose C(<unit>.d/*.conf) are taken as drop-ins even before systemd loaded them.
        type: list
        elements: path
        default: [/etc/systemd/system, /run/systemd/system]
      config_dir:
        description: dockerd's configuration directory.
        type: path
        default: /etc/docker
      daemon_json:
        description: dockerd's configuration file; its C(tlscacert), C(tlscert) and C(tlskey) name the TLS files.
        type: path
        default: /etc/docker/daemon.json
      certs_dir:
        description: Registry certificate directory (searched recursively).
        type: path
        default: /etc/docker/certs.d
      env_default:
        description: Debian's environment file of dockerd.
        type: path
        default: /etc/default/docker
      env_sysconfig:
        description: Red Hat's environment file of dockerd.
        type: path
        default: /etc/sysconfig/docker
      containerd_socket:
        description: containerd's socket.
        type: path
        default: /run/containerd/containerd.sock
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
"""

EXAMPLES = r"""
- name: Apply 3.5 and 3.6 to /etc/docker
  hardening.docker.file_modes:
    controls:
      - {id: "3.5", title: /etc/docker owned by root, owner: root, group: root, targets: {config_dir: null}}
      - {id: "3.6", title: /etc/docker at most 0755, targets: {config_dir: "0755"}}
    enabled: ["3.5", "3.6"]
    paths: {}
"""

RETURN = r"""
results:
  description: One entry per enabled control, in the order of O(controls).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Control id.
      type: str
      returned: always
    title:
      description: Control title.
      type: str
      returned: always
    changed:
      description: Whether any target of the control changed, or would change in check mode.
      type: bool
      returned: always
    targets:
      description: Real paths the control applies to on this host.
      type: list
      elements: str
      returned: always
    changes:
      description: Per changed path, its C(path), C(before) and C(after) (owner:group mode).
      type: list
      elements: dict
      returned: always
"""

import grp
import json
import os
import pwd

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.hardening.docker.plugins.module_utils._docker_paths import (
    clear_mode,
    files_below,
    parse_systemctl_show,
    real_targets,
    tls_paths,
    unit_files,
)

KIND = {'service': 'f', 'socket': 'f', 'service_dirs': 'd', 'socket_dirs': 'd', 'config_dir': 'd',
        'daemon_json': 'f', 'env_default': 'f', 'env_sysconfig': 'f', 'registry_certs': 'f',
        'tlscacert': 'f', 'tlscert': 'f', 'tlskey': 'f', 'containerd_socket': 's'}


def read_daemon_json(path):
    """The parsed daemon.json ({} when absent or empty); ValueError when it is not a JSON object."""
    try:
        with open(path, 'rb') as handle:
            text = handle.read().decode('utf-8')
    except (IOError, OSError):
        return {}
    if not text.strip():
        return {}
    config = json.loads(text)
    if not isinstance(config, dict):
        raise ValueError('not a JSON object')
    return config


def systemd_units(module, units):
    """systemd's FragmentPath/DropInPaths per unit, or None per unit when systemd cannot be asked."""
    systemctl = module.get_bin_path('systemctl')
    if systemctl and os.path.isdir('/run/systemd/system'):
        rc, out, _err = module.run_command([systemctl, 'show', '--property=FragmentPath', '--property=DropInPaths',
                                            '--'] + list(units))
        blocks = parse_systemctl_show(out) if rc == 0 else []
        if len(blocks) == len(units):
            return blocks
    return [None] * len(units)


def candidate_sets(module, paths, wanted_sets):
    """Candidate paths of every target set that an enabled control uses."""
    sets = {}
    if wanted_sets & {'service', 'socket', 'service_dirs', 'socket_dirs'}:
        props = systemd_units(module, [paths['service_unit'], paths['socket_unit']])
        for name, unit, unit_props in (('service', paths['service_unit'], props[0]),
                                       ('socket', paths['socket_unit'], props[1])):
            files, dirs = unit_files(unit, unit_props, paths['dropin_roots'])
            sets[name], sets[name + '_dirs'] = files, dirs
    sets['config_dir'] = [paths['config_dir']]
    sets['daemon_json'] = [paths['daemon_json']]
    sets['env_default'] = [paths['env_default']]
    sets['env_sysconfig'] = [paths['env_sysconfig']]
    sets['containerd_socket'] = [paths['containerd_socket']]
    if 'registry_certs' in wanted_sets:
        sets['registry_certs'] = files_below(paths['certs_dir']) if os.path.isdir(paths['certs_dir']) else []
    tls_sets = wanted_sets & {'tlscacert', 'tlscert', 'tlskey'}
    if tls_sets:
        try:
            config = read_daemon_json(paths['daemon_json'])
        except ValueError as exc:
            module.fail_json(msg='%s is not valid JSON (%s), so dockerd cannot start with it and the TLS file paths '
                                 'cannot be read. Fix the file (python3 -m json.tool %s) and run again.'
                                 % (paths['daemon_json'], exc, paths['daemon_json']))
        for key in tls_sets:
            sets[key] = tls_paths(config, key)
    return sets


def describe(st):
    return '%s:%s %04o' % (name_of(pwd.getpwuid, st.st_uid), name_of(grp.getgrgid, st.st_gid), st.st_mode & 0o7777)


def name_of(getter, num):
    try:
        return getter(num)[0]
    except KeyError:
        return str(num)


def apply_control(module, control, targets, ids):
    """Owner and mode of one control on its targets: list of changes (path, before, after)."""
    changes = []
    for set_name, maximum in control['targets'].items():
        for path in targets.get(set_name, []):
            st = os.stat(path)
            uid = ids['user'] if ids['user'] is not None else st.st_uid
            gid = ids['group'] if ids['group'] is not None else st.st_gid
            mode = st.st_mode & 0o7777
            new_mode = clear_mode(mode, int(maximum, 8)) if maximum else mode
            if (uid, gid, new_mode) == (st.st_uid, st.st_gid, mode):
                continue
            before = describe(st)
            after = '%s:%s %04o' % (name_of(pwd.getpwuid, uid), name_of(grp.getgrgid, gid), new_mode)
            if not module.check_mode:
                if (uid, gid) != (st.st_uid, st.st_gid):
                    os.chown(path, uid, gid)
                if new_mode != (os.stat(path).st_mode & 0o7777):
                    # chown clears setuid/setgid bits on some file systems: set the mode after it.
                    os.chmod(path, new_mode)
            changes.append({'path': path, 'before': before, 'after': after})
    return changes


def owner_ids(module, control):
    ids = {'user': None, 'group': None}
    try:
        if control.get('owner'):
            ids['user'] = pwd.getpwnam(control['owner']).pw_uid
        if control.get('group'):
            ids['group'] = grp.getgrnam(control['group']).gr_gid
    except KeyError as exc:
        module.fail_json(msg='control %s: unknown owner or group %s' % (control['id'], exc))
    return ids


def main():
    module = AnsibleModule(
        argument_spec=dict(
            controls=dict(type='list', elements='dict', required=True, options=dict(
                id=dict(type='str', required=True),
                title=dict(type='str', default=''),
                area=dict(type='str'),
                owner=dict(type='str'),
                group=dict(type='str'),
                targets=dict(type='dict', required=True),
            )),
            enabled=dict(type='list', elements='str', required=True),
            paths=dict(type='dict', required=True, options=dict(
                service_unit=dict(type='str', default='docker.service'),
                socket_unit=dict(type='str', default='docker.socket'),
                dropin_roots=dict(type='list', elements='path', default=['/etc/systemd/system', '/run/systemd/system']),
                config_dir=dict(type='path', default='/etc/docker'),
                daemon_json=dict(type='path', default='/etc/docker/daemon.json'),
                certs_dir=dict(type='path', default='/etc/docker/certs.d'),
                env_default=dict(type='path', default='/etc/default/docker'),
                env_sysconfig=dict(type='path', default='/etc/sysconfig/docker'),
                containerd_socket=dict(type='path', default='/run/containerd/containerd.sock'),
            )),
        ),
        supports_check_mode=True,
    )
    enabled = set(module.params['enabled'])
    controls = [c for c in module.params['controls'] if c['id'] in enabled]
    for control in controls:
        unknown = sorted(set(control['targets']) - set(KIND))
        bad_modes = [m for m in control['targets'].values() if m is not None and not _is_octal(m)]
        if unknown or bad_modes:
            module.fail_json(msg='control %s: unknown target sets %s or modes %s (sets: %s; modes like "0644")'
                                 % (control['id'], unknown, bad_modes, ', '.join(sorted(KIND))))
    wanted = set()
    for control in controls:
        wanted.update(control['targets'])
    sets = candidate_sets(module, module.params['paths'], wanted)
    targets = dict((name, real_targets(sets.get(name, []), KIND[name])) for name in wanted)

    results = []
    before_lines, after_lines = [], []
    for control in controls:
        changes = apply_control(module, control, targets, owner_ids(module, control))
        applied = []
        for name in control['targets']:
            applied.extend(p for p in targets[name] if p not in applied)
        results.append({'id': control['id'], 'title': control['title'], 'changed': bool(changes),
                        'targets': applied, 'changes': changes})
        for change in changes:
            before_lines.append('%s %s %s\n' % (control['id'], change['path'], change['before']))
            after_lines.append('%s %s %s\n' % (control['id'], change['path'], change['after']))
    changed = any(r['changed'] for r in results)
    result = {'changed': changed, 'results': results}
    if module._diff and changed:
        result['diff'] = {'before': ''.join(before_lines), 'after': ''.join(after_lines),
                          'before_header': 'owner and mode', 'after_header': 'owner and mode'}
    module.exit_json(**result)


def _is_octal(text):
    try:
        return 0 <= int(str(text), 8) <= 0o7777
    except ValueError:
        return False


if __name__ == '__main__':
    main()
