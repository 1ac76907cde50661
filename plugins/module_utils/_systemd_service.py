# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""What systemd must do for a service after its files changed, and doing it.

The plan is a pure function of the unit's state and of what changed, so a
check run reports the same actions a real run takes. The order is systemd's
own: re-read the units, enable, then start a stopped service, or restart a
running one whose program or unit changed, or only reload it (SIGHUP) when
only its configuration changed, which never leaves its socket unanswered.
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hardening.docker.plugins.module_utils._docker_paths import parse_systemctl_show

# States in which "start" has nothing to do (as ansible.builtin.systemd_service judges it).
RUNNING = ('active', 'activating', 'reloading')
# UnitFileState values for which `systemctl is-enabled` succeeds.
ENABLED = ('enabled', 'enabled-runtime', 'static', 'alias', 'indirect', 'generated', 'transient')


def parse_show(text):
    """The key=value lines of `systemctl show` for one unit, as a dict."""
    blocks = parse_systemctl_show(text)
    return blocks[0] if blocks else {}


def read_state(module, systemctl, unit):
    """ActiveState, UnitFileState and LoadState of ``unit`` (read-only, also for a unit systemd does not know)."""
    rc, out, err = module.run_command([systemctl, 'show', unit, '--property=ActiveState,UnitFileState,LoadState'])
    if rc != 0:
        module.fail_json(msg='cannot ask systemd about %s: %s' % (unit, to_native(err or out).strip()))
    return parse_show(out)


def plan(state, unit_file_changed, restart_needed, reload_needed):
    """The systemctl verbs to run, in order, for a service that must be enabled and running."""
    actions = []
    if unit_file_changed:
        actions.append('daemon-reload')
    if state.get('UnitFileState') not in ENABLED:
        actions.append('enable')
    if state.get('ActiveState') not in RUNNING:
        actions.append('start')
    elif restart_needed or unit_file_changed:
        actions.append('restart')
    elif reload_needed:
        actions.append('reload')
    return actions


def apply(module, systemctl, unit, actions):
    """Run the planned verbs; fail naming the one systemd refused."""
    for action in actions:
        command = [systemctl, action] if action == 'daemon-reload' else [systemctl, action, unit]
        rc, out, err = module.run_command(command)
        if rc != 0:
            module.fail_json(msg='systemctl %s failed: %s; see journalctl -u %s'
                             % (' '.join(command[1:]), to_native(err or out).strip(), unit), actions=actions)
