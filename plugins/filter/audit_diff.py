# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""audit_diff: the controls whose status differs between two audits of one host."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.hardening.docker.plugins.module_utils._type_names import type_name


def _statuses(audit, which):
    if not isinstance(audit, dict) or not isinstance(audit.get('results'), list):
        raise AnsibleFilterError(
            'audit_diff: the %s audit must be the registered result of hardening.docker.audit '
            '(a dict with a "results" list), got %r' % (which, type_name(audit)))
    return dict((result['id'], result) for result in audit['results'])


def audit_diff(before, after):
    """Return one entry per control whose status changed, in the order of the after audit."""
    old = _statuses(before, 'before')
    new = _statuses(after, 'after')
    changes = []
    for control_id, result in new.items():
        previous = old.get(control_id, {}).get('status', 'absent')
        if previous != result['status']:
            changes.append({
                'id': control_id,
                'title': result.get('title', ''),
                'before': previous,
                'after': result['status'],
                'evidence': result.get('evidence', ''),
            })
    return changes


class FilterModule(object):
    def filters(self):
        return {'audit_diff': audit_diff}
