# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Which controls of a role run: its switches and the run's --tags / --skip-tags.

A role that applies many controls in one module call still honours the per
control interface: ``<role>_rule_<id>`` switches a control off, ``--tags
rule_<id>`` (or its ``ctl_<uid>`` tag, or its ``level1``/``level2`` tag)
narrows the run to it and ``--skip-tags`` with any of them leaves it out.
"""

from __future__ import annotations

# Tags that select every tagged task (ansible-playbook's own special tags).
SELECT_ALL = frozenset(('all', 'tagged'))


def rule_tag(control_id):
    """'3.1' -> 'rule_3_1', 'HD-1' -> 'rule_hd_1'."""
    return 'rule_' + control_id.lower().replace('.', '_').replace('-', '_')


def control_tags(control):
    """A catalog entry's three tags: rule_<id>, ctl_<uid>, level<n> (task tags and run selection)."""
    return [rule_tag(str(control['id'])), 'ctl_' + str(control['uid']).lower().replace('.', '_').replace('-', '_'),
            'level%d' % control['level']]


def switch_name(prefix, control_id):
    """'file_permissions', '3.1' -> 'file_permissions_rule_3_1'."""
    return prefix + '_' + rule_tag(control_id)


def is_control_tag(tag):
    """A tag that belongs to single controls: rule_<id>, ctl_<uid>, level1, level2."""
    return tag.startswith(('rule_', 'ctl_')) or tag in ('level1', 'level2')


def select_controls(ids, switches, run_tags=('all',), skip_tags=(), control_tags=None):
    """The ids (in order) whose switch is on and that the tags select.

    ``switches`` maps an id to its effective switch (rule and area switch
    combined). ``control_tags`` maps an id to its other tags (``ctl_<uid>``,
    ``level<n>``); its ``rule_<id>`` tag is always one. A run tag that is not
    a control tag (``all``, a tag the role was included with, ...) selects
    every control: the task holding the controls only runs when such a tag
    selected it.
    """
    run_tags = set(run_tags or ('all',))
    skip_tags = set(skip_tags or ())
    control_tags = control_tags or {}
    every = bool(run_tags & SELECT_ALL) or any(not is_control_tag(tag) for tag in run_tags if tag != 'always')
    chosen = []
    for control_id in ids:
        tags = {rule_tag(control_id)} | set(control_tags.get(control_id, ()))
        if not switches.get(control_id, False) or tags & skip_tags:
            continue
        if every or tags & run_tags:
            chosen.append(control_id)
    return chosen
