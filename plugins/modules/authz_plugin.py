#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: authz_plugin
short_description: Install, run and probe a Docker authorization plugin that systemd runs, in one call
version_added: 0.2.0
description:
  - The host side of the role M(hardening.docker.authz) in one round trip. In order, it
    asks the plugin on its socket what it implements (C(Plugin.Activate), read-only), checks that the
    interpreter the plugin runs on exists, creates the directories (mode V(0755)) and writes the files
    (program, policy, systemd unit; mode V(0644)), all owned by C(root:root), then has systemd re-read its
    units when the unit file changed, enable and start the service, restart it when its program or unit
    changed, or reload it (SIGHUP) when only a file marked O(files[].on_change=reload) changed. Last it asks
    the plugin again, every second for up to O(probe_timeout) seconds, and fails when it does not answer,
    so that a task after it may name the plugin in daemon.json.
  - Files are written atomically (temporary file, fsync, rename); a file whose content is right but whose mode
    or owner is not gets only its mode and owner fixed.
  - With O(install=false) only the first question is asked (a read-only check).
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  plugin_name:
    description: Name of the plugin, as dockerd knows it (used in messages).
    type: str
    required: true
  api:
    description: The API the plugin must list in its C(Implements) answer.
    type: str
    default: authz
  socket:
    description: The plugin's unix socket, C(/run/docker/plugins/<name>.sock).
    type: path
    required: true
  unit:
    description: The systemd service that runs the plugin.
    type: str
    required: true
  interpreter:
    description: The program the plugin runs on; the module stops before any change when it is missing.
    type: path
  directories:
    description: Directories the files go to, created when missing.
    type: list
    elements: path
    default: []
  files:
    description: The files of the plugin, written in this order.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: What the file is, shown with its result (for example C(plugin program)).
        type: str
        required: true
      path:
        description: Where the file goes.
        type: path
        required: true
      content:
        description: The whole content of the file.
        type: str
        required: true
      on_change:
        description: What the running service needs when this file changes, V(restart) or V(reload) (SIGHUP).
        type: str
        choices: [restart, reload]
        default: restart
      unit_file:
        description: The file is the service's unit; systemd re-reads its units when it changes.
        type: bool
        default: false
      backup:
        description: Keep a timestamped copy of the previous file when its content changes.
        type: bool
        default: false
  probe_timeout:
    description: Seconds to wait for the plugin to answer after the changes.
    type: int
    default: 30
  install:
    description: V(false) only asks the plugin, without checking, writing or starting anything.
    type: bool
    default: true
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
    details: The plugin is asked in check mode too (read-only); after the changes only when it answered before.
  diff_mode:
    support: full
notes:
  - The service is started in place of being restarted when it was not running; the policy of a running
    service is applied by a reload, which never leaves the socket without an answer.
seealso:
  - module: hardening.docker.daemon_config
"""

EXAMPLES = r"""
- name: Install, start and probe the authorization plugin
  hardening.docker.authz_plugin:
    plugin_name: hd-authz
    socket: /run/docker/plugins/hd-authz.sock
    unit: hd-authz.service
    interpreter: /usr/bin/python3
    directories: [/usr/local/lib/hardening-docker, /etc/hardening-docker]
    files:
      - name: plugin program
        path: /usr/local/lib/hardening-docker/hd_authz.py
        content: "{{ lookup('ansible.builtin.file', 'hd_authz.py', rstrip=false) }}"
      - name: policy
        path: /etc/hardening-docker/hd-authz.json
        content: "{{ policy | to_nice_json(indent=2) }}\n"
        on_change: reload
        backup: true
      - name: systemd unit
        path: /etc/systemd/system/hd-authz.service
        content: "{{ lookup('ansible.builtin.template', 'hd-authz.service.j2') }}"
        unit_file: true
  register: authz_plugin

- name: Only ask whether the plugin answers
  hardening.docker.authz_plugin:
    plugin_name: hd-authz
    socket: /run/docker/plugins/hd-authz.sock
    unit: hd-authz.service
    install: false
  register: authz_probe
"""

RETURN = r"""
before:
  description: The plugin's answer before any change.
  returned: always
  type: dict
  contains:
    answers:
      description: Whether the plugin listed O(api) in its answer.
      type: bool
    implements:
      description: The APIs it listed, or V(null) when it did not answer.
      type: list
      elements: str
    msg:
      description: What the request gave (the error when it failed).
      type: str
  sample: {answers: false, implements: null, msg: "Request failed: [Errno 2] No such file or directory"}
results:
  description:
    - One entry for the directories, one per file and one for the service, each with C(name), C(changed) and
      C(changes) (what differed, for example C(content) or C(mode 0600 -> 0644)); files also have C(path) and
      C(backup_file) when a backup was made; the service has C(actions), the systemctl verbs run (or that would
      run in check mode).
  returned: when O(install=true)
  type: list
  elements: dict
  sample: [{name: policy, path: /etc/hardening-docker/hd-authz.json, changed: true, changes: [content]},
           {name: service, changed: true, changes: [reload], actions: [reload]}]
answers:
  description: Whether the plugin answered at the end (the first answer with O(install=false)).
  returned: always
  type: bool
probed:
  description: Whether the plugin was asked after the changes (not in check mode when it did not answer before).
  returned: when O(install=true)
  type: bool
msg:
  description: What the last request gave.
  returned: always
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes

from ansible_collections.hardening.docker.plugins.module_utils import _managed_file, _plugin_probe, _systemd_service

FILE_MODE = 0o644
DIRECTORY_MODE = 0o755


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            plugin_name=dict(type='str', required=True),
            api=dict(type='str', default='authz'),
            socket=dict(type='path', required=True),
            unit=dict(type='str', required=True),
            interpreter=dict(type='path'),
            directories=dict(type='list', elements='path', default=[]),
            files=dict(type='list', elements='dict', default=[], options=dict(
                name=dict(type='str', required=True),
                path=dict(type='path', required=True),
                content=dict(type='str', required=True),
                on_change=dict(type='str', choices=['restart', 'reload'], default='restart'),
                unit_file=dict(type='bool', default=False),
                backup=dict(type='bool', default=False),
            )),
            probe_timeout=dict(type='int', default=30),
            install=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    api, socket, unit = params['api'], params['socket'], params['unit']

    implements, said = _plugin_probe.activate(socket)
    before = dict(answers=implements is not None and api in implements, implements=implements, msg=said)
    if not params['install']:
        module.exit_json(changed=False, before=before, answers=before['answers'], msg=said)

    interpreter = params['interpreter']
    if interpreter and not os.path.exists(interpreter):
        module.fail_json(msg="authz: the plugin runs on the host's own %s, which is missing. Install Debian's python3 "
                         "package (apt-get install python3) or set authz_enabled: false." % interpreter, before=before)

    # Plan everything first: check mode reports the same changes a real run makes.
    directories = [(path, _managed_file.plan_directory(module, path, DIRECTORY_MODE)) for path in params['directories']]
    files = []
    for spec in params['files']:
        data = to_bytes(spec['content'], errors='surrogate_or_strict')
        changes, current = _managed_file.plan_file(module, spec['path'], data, FILE_MODE)
        files.append((spec, data, changes, current))
    changed_files = [spec for spec, _data, changes, _current in files if changes]
    content_changed = [spec for spec, _data, changes, _current in files if set(changes) & {'created', 'content'}]
    systemctl = module.get_bin_path('systemctl', required=True)
    # Read-only, and systemd answers for a unit it does not know yet (LoadState=not-found).
    state = _systemd_service.read_state(module, systemctl, unit)
    actions = _systemd_service.plan(
        state,
        unit_file_changed=any(spec['unit_file'] for spec in changed_files),
        restart_needed=any(spec['on_change'] == 'restart' for spec in content_changed),
        reload_needed=any(spec['on_change'] == 'reload' for spec in content_changed))

    results = [dict(name='directories', paths=[path for path, _changes in directories],
                    changed=any(changes for _path, changes in directories),
                    changes=['%s: %s' % (path, ', '.join(changes)) for path, changes in directories if changes])]
    diffs = []
    for spec, data, changes, current in files:
        results.append(dict(name=spec['name'], path=spec['path'], changed=bool(changes), changes=changes))
        if set(changes) & {'created', 'content'}:
            diffs.append(dict(before_header=spec['path'], after_header=spec['path'],
                              before=_text(current), after=spec['content']))
    results.append(dict(name='service', changed=bool(actions), changes=actions, actions=actions))
    res = dict(changed=any(item['changed'] for item in results), before=before, results=results)
    if module._diff:
        res['diff'] = diffs

    if not module.check_mode:
        for path, changes in directories:
            _managed_file.apply_directory(module, path, DIRECTORY_MODE, changes)
        for (spec, data, changes, _current), item in zip(files, results[1:]):
            backup_file = _managed_file.apply_file(module, spec['path'], data, FILE_MODE, changes, backup=spec['backup'])
            if backup_file:
                item['backup_file'] = backup_file
        _systemd_service.apply(module, systemctl, unit, actions)

    # In check mode a plugin that did not answer was not started either: nothing to wait for.
    res['probed'] = not module.check_mode or before['answers']
    if not res['probed']:
        res.update(answers=False, msg='check mode: %s would be installed and started' % unit)
        module.exit_json(**res)
    answers, _implements, said = _plugin_probe.wait_for(socket, api, params['probe_timeout'])
    res.update(answers=answers, msg=said)
    if not answers:
        res['msg'] = ('authz: the plugin %s did not answer Plugin.Activate on %s with "%s" within %d s (%s); '
                      'daemon.json was not changed. See journalctl -u %s.'
                      % (params['plugin_name'], socket, api, params['probe_timeout'], said, unit))
        module.fail_json(**res)
    module.exit_json(**res)


def _text(data):
    return '' if data is None else data.decode('utf-8', errors='replace')


def main():
    run_module()


if __name__ == '__main__':
    main()
