#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: daemon_unit
short_description: Manage the docker.service drop-in that removes -H from dockerd's command line
version_added: 0.1.0
description:
  - Distribution units start dockerd with C(-H fd://), which forbids the C(hosts) key of daemon.json
    (dockerd refuses an option given both as a flag and in the file). This module writes one drop-in
    that resets C(ExecStart) and starts dockerd with the same arguments less the C(-H)/C(--host)
    flags, so that the listeners come from daemon.json C(hosts) (set with
    M(hardening.docker.daemon_config) and O(hardening.docker.daemon_config#module:flags_removed)).
  - The arguments are those of the unit's effective C(ExecStart) computed from the unit file and all
    its drop-ins B(except the managed one), so running the module again changes nothing. Other
    arguments, such as C(--containerd=/run/containerd/containerd.sock), are kept as written.
  - The drop-in is written to C(<first of unit_search_paths>/<unit>.d/<dropin_name>) atomically.
    Run C(systemctl daemon-reload) when RV(daemon_reload_required) is true.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  unit:
    description:
      - The systemd unit to override.
    type: str
    default: docker.service
  dropin_name:
    description:
      - File name of the managed drop-in. Must end with C(.conf) and contain no C(/).
      - Drop-ins apply in lexical order of their names; one sorting after this name that sets
        C(ExecStart) would override it (the module warns about it). The default sorts after the
        C(override.conf) that C(systemctl edit) writes and after numbered names, so an operator's
        C(ExecStart) there is read, kept less its C(-H) flags, and overridden.
    type: str
    default: zz-hardening-docker-hosts.conf
  unit_search_paths:
    description:
      - Directories searched for the unit and its C(<unit>.d/*.conf) drop-ins, highest priority first.
        The managed drop-in goes below the first one.
    type: list
    elements: path
    default:
      - /etc/systemd/system
      - /run/systemd/system
      - /usr/lib/systemd/system
      - /lib/systemd/system
  state:
    description:
      - V(present) writes the drop-in, V(absent) removes it (and nothing else).
    type: str
    choices: [present, absent]
    default: present
  keep_env_args:
    description:
      - Keep words that are only a variable reference, such as C($DOCKER_OPTS), verbatim in the new
        C(ExecStart). With V(false) they are dropped.
      - The module warns when such a variable currently expands to a C(-H) flag.
    type: bool
    default: true
  env_host_flags:
    description:
      - What to do when a kept variable, such as C($DOCKER_OPTS), expands to C(-H) flags.
      - V(warn) leaves it and warns (dockerd would then refuse daemon.json C(hosts)).
      - V(remove) removes the C(-H) flags from the variable in the C(EnvironmentFile) that sets it (for
        example C(/etc/default/docker)), keeps its other options, and keeps a backup of that file.
        A variable set with C(Environment=) in a unit file is only warned about.
    type: str
    choices: [warn, remove]
    default: warn
  backup:
    description:
      - Keep a timestamped copy of the previous drop-in next to it when it changes (the copy does not
        end with C(.conf), so systemd ignores it).
      - An environment file changed by O(env_host_flags=remove) is always backed up.
    type: bool
    default: false
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - Without C(-H) and without C(hosts) in daemon.json, dockerd listens on C(unix:///var/run/docker.sock).
seealso:
  - module: hardening.docker.daemon_config
"""

EXAMPLES = r"""
- name: Let daemon.json own the listeners
  hardening.docker.daemon_unit:
    state: present
  register: docker_dropin

- name: Reload systemd when the drop-in changed
  ansible.builtin.systemd_service:
    daemon_reload: true
  when: docker_dropin.daemon_reload_required

- name: Set the listeners, the -H flag being removed by the drop-in above
  hardening.docker.daemon_config:
    settings:
      hosts: [unix:///var/run/docker.sock]
    flags_removed: [hosts]

- name: Go back to the distribution's ExecStart
  hardening.docker.daemon_unit:
    state: absent
"""

RETURN = r"""
path:
  description: Path of the managed drop-in.
  returned: always
  type: str
  sample: /etc/systemd/system/docker.service.d/zz-hardening-docker-hosts.conf
exec_start:
  description:
    - With O(state=present), the command line of the managed C(ExecStart).
    - With O(state=absent), the effective command line without the managed drop-in (empty when the unit has none).
  returned: always
  type: str
  sample: /usr/bin/dockerd --containerd=/run/containerd/containerd.sock
env_files_changed:
  description: Environment files whose variables lost C(-H) flags (O(env_host_flags=remove)).
  returned: always
  type: list
  elements: dict
  sample: [{path: /etc/default/docker, variable: DOCKER_OPTS, removed: ["-H tcp://0.0.0.0:2375"],
            backup_file: /etc/default/docker.1234.2024-01-01@00:00:00~}]
overrides:
  description:
    - The operator's listeners this module takes away with O(state=present), so a play can say what it overrode
      - C(-H) flags of the effective C(ExecStart) other than C(fd://), wherever it is set (the unit or a drop-in such
      as C(override.conf), which is not edited), and the C(-H) flags removed from environment files.
    - Reported on every run while the operator's line still carries them, since the managed drop-in keeps
      overriding it.
  returned: always
  type: list
  elements: dict
  sample: [{source: /etc/systemd/system/docker.service.d/override.conf line 3, setting: "ExecStart -H tcp://0.0.0.0:2375",
            was: "-H tcp://0.0.0.0:2375", now: "removed by /etc/systemd/system/docker.service.d/zz-hardening-docker-hosts.conf"}]
daemon_reload_required:
  description: True when the drop-in changed and systemd must re-read its units (C(systemctl daemon-reload)).
  returned: always
  type: bool
  sample: true
backup_file:
  description: Path of the backup of the previous drop-in.
  returned: when a backup was made
  type: str
  sample: /etc/systemd/system/docker.service.d/zz-hardening-docker-hosts.conf.1234.2024-01-01@00:00:00~
"""

import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.hardening.docker.plugins.module_utils._atomic_write import ensure_directory, write_atomically
from ansible_collections.hardening.docker.plugins.module_utils._daemon_json import redact
from ansible_collections.hardening.docker.plugins.module_utils._env_file import strip_env_host_flags
from ansible_collections.hardening.docker.plugins.module_utils._unit_flags import (
    DEFAULT_UNIT_SEARCH_PATHS,
    UnitError,
    load_service,
    parse_flags,
    parse_unit_text,
    strip_host_args,
)

HEADER = '# Managed by hardening.docker: listeners come from daemon.json "hosts".\n'


def render_dropin(exec_line):
    return HEADER + '[Service]\nExecStart=\nExecStart=%s\n' % exec_line


def read_text(module, path):
    if not os.path.exists(path):
        return None
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', errors='replace')
    except (IOError, OSError) as exc:
        module.fail_json(msg='cannot read %s: %s' % (path, to_native(exc)))


def listener_overrides(entry, dropin_path, env_edits):
    """The operator's listeners this drop-in and the environment edits take away, one entry each."""
    out = []
    flags = [flag.text for flag in parse_flags([token.value for token in entry.args])
             if flag.name == 'host' and not (flag.value or '').startswith('fd://')]
    if flags:
        out.append(dict(source=entry.where, setting=redact('ExecStart ' + ' '.join(flags)),
                        was=redact(' '.join(flags)), now='removed by %s (listeners come from daemon.json "hosts")' % dropin_path))
    for edit in env_edits:
        out.append(dict(source=edit['path'], setting=edit['variable'], was=redact(' '.join(edit['removed'])),
                        now='removed (the other options are kept)'))
    return out


def later_exec_start_dropins(service, dropin_name):
    """Drop-ins applied after the managed one that set ExecStart (they would override it)."""
    result = []
    for path in service.dropins:
        if os.path.basename(path) <= dropin_name:
            continue
        text = read_text_quiet(path)
        for section, key, _value, _lineno in parse_unit_text(text):
            if section == 'Service' and key == 'ExecStart':
                result.append(path)
                break
    return result


def read_text_quiet(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', errors='replace')
    except (IOError, OSError):
        return ''


def env_host_flags(service, entry, skip=()):
    """-H flags that come from a variable of the ExecStart entry (variables in ``skip`` aside)."""
    expanded = service.expand(entry)
    found = []
    for flag in parse_flags([arg for arg, _origin in expanded]):
        if flag.name != 'host':
            continue
        for index in range(flag.start, flag.end):
            origin = expanded[index][1]
            if origin and origin[0] not in skip:
                found.append('%s (from $%s, set in %s)' % (flag.text, origin[0], origin[1]))
                break
    return found


def plan_env_edits(module, service, entry):
    """The EnvironmentFile rewrites that take -H flags out of the entry's variables."""
    edits = []
    names = []
    for _arg, origin in service.expand(entry):
        if origin and origin[0] not in names:
            names.append(origin[0])
    for name in names:
        env_path = service.environment_files.get(name)
        if not env_path:
            continue
        text = read_text(module, env_path)
        try:
            after, removed = strip_env_host_flags(text, name)
        except UnitError as exc:
            module.warn('%s: %s' % (env_path, to_native(exc)))
            continue
        if removed:
            edits.append(dict(path=env_path, variable=name, removed=removed, before=text, after=after,
                              mode=stat.S_IMODE(os.stat(env_path).st_mode)))
    return edits


def write_atomic(module, path, text, mode=0o644):
    ensure_directory(module, os.path.dirname(path))
    write_atomically(module, path, to_bytes(text, errors='surrogate_or_strict'), mode)


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            unit=dict(type='str', default='docker.service'),
            dropin_name=dict(type='str', default='zz-hardening-docker-hosts.conf'),
            unit_search_paths=dict(type='list', elements='path', default=list(DEFAULT_UNIT_SEARCH_PATHS)),
            state=dict(type='str', default='present', choices=['present', 'absent']),
            keep_env_args=dict(type='bool', default=True),
            env_host_flags=dict(type='str', default='warn', choices=['warn', 'remove']),
            backup=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    unit = params['unit']
    dropin_name = params['dropin_name']
    search_paths = params['unit_search_paths']
    if '/' in dropin_name or not dropin_name.endswith('.conf') or dropin_name == '.conf':
        module.fail_json(msg='dropin_name must be a file name ending with .conf (systemd ignores other '
                         'names), got %r' % dropin_name)
    if not search_paths:
        module.fail_json(msg='unit_search_paths must name at least one directory')
    path = os.path.join(search_paths[0], unit + '.d', dropin_name)

    try:
        service = load_service(unit, search_paths, exclude=[path])
    except UnitError as exc:
        module.fail_json(msg='cannot read unit %s: %s' % (unit, to_native(exc)), path=path)

    before = read_text(module, path)
    res = dict(path=path, changed=False, daemon_reload_required=False, env_files_changed=[], overrides=[])
    env_edits = []

    if params['state'] == 'absent':
        after = None
        res['exec_start'] = redact(service.exec_start[0].render()) if service.exec_start else ''
    else:
        if not service.found:
            module.fail_json(msg='unit %s was not found in %s; install Docker Engine first or set '
                             'unit_search_paths' % (unit, ', '.join(search_paths)), path=path)
        if not service.exec_start:
            module.fail_json(msg='unit %s (%s) has no ExecStart once its drop-ins are applied; nothing to '
                             'override' % (unit, service.unit_path), path=path)
        if len(service.exec_start) > 1:
            module.fail_json(msg='unit %s has %d ExecStart lines (%s); expected one for dockerd'
                             % (unit, len(service.exec_start), ', '.join(e.where for e in service.exec_start)),
                             path=path)
        for warning in service.warnings:
            module.warn(warning)
        entry = service.exec_start[0]
        if params['keep_env_args'] and params['env_host_flags'] == 'remove':
            env_edits = plan_env_edits(module, service, entry)
        if params['keep_env_args']:
            for text in env_host_flags(service, entry, skip=[edit['variable'] for edit in env_edits]):
                module.warn('the kept variable arguments of %s contain %s; remove it from there, or set '
                            'keep_env_args to false' % (unit, text))
        for other in later_exec_start_dropins(service, dropin_name):
            module.warn('%s sorts after %s and sets ExecStart, so it overrides the managed drop-in; '
                        'remove it or choose a later dropin_name' % (other, dropin_name))
        exec_line = entry.render(strip_host_args(entry, keep_env_args=params['keep_env_args']))
        res['exec_start'] = redact(exec_line)
        res['overrides'] = listener_overrides(entry, path, env_edits)
        after = render_dropin(exec_line)

    changed = before != after
    res['changed'] = changed or bool(env_edits)
    res['daemon_reload_required'] = changed
    res['env_files_changed'] = [dict(path=edit['path'], variable=edit['variable'], removed=redact(edit['removed']))
                                for edit in env_edits]
    if module._diff:
        # An environment file may hold http_proxy=http://user:password@...: never in a diff.
        diffs = [dict(before=redact(before or ''), after=redact(after or ''), before_header=path, after_header=path)]
        diffs.extend(dict(before=redact(edit['before']), after=redact(edit['after']), before_header=edit['path'],
                          after_header=edit['path']) for edit in env_edits)
        # One file: a plain diff, as before; with environment files, Ansible's list of diffs.
        res['diff'] = diffs if env_edits else diffs[0]

    if not res['changed'] or module.check_mode:
        module.exit_json(**res)

    for edit, report in zip(env_edits, res['env_files_changed']):
        report['backup_file'] = module.backup_local(edit['path'])
        write_atomic(module, edit['path'], edit['after'], mode=edit['mode'])
    if not changed:
        module.exit_json(**res)

    if params['backup'] and before is not None:
        res['backup_file'] = module.backup_local(path)
    if after is None:
        try:
            os.unlink(path)
        except OSError as exc:
            module.fail_json(msg='cannot remove %s: %s' % (path, to_native(exc)))
    else:
        write_atomic(module, path, after)
    module.exit_json(**res)


def main():
    run_module()


if __name__ == '__main__':
    main()
