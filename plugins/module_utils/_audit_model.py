# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Result shapes shared by the audit module and the report writer.

A control result is a plain dict (JSON friendly, stable key order)::

    {
      "id": "2.2", "title": "...", "section": "2", "level": 1, "scored": True,
      "profile": "cis", "check_type": "daemon_key",
      "status": "fail",                      # one of STATUSES
      "evidence": "icc is true (default)",   # one short human sentence
      "details": {...},                      # structured data behind the sentence
      "remediation": {"role": ..., "variable": ..., "tag": ...} or None,
    }
"""

from __future__ import annotations

PASS = 'pass'
FAIL = 'fail'
NOT_APPLICABLE = 'not_applicable'
MANUAL = 'manual'
ERROR = 'error'

# Order matters: it is the display order and the "worst first" order of reports.
STATUSES = (FAIL, ERROR, MANUAL, NOT_APPLICABLE, PASS)

STATUS_LABELS = {
    PASS: 'pass',
    FAIL: 'fail',
    NOT_APPLICABLE: 'not applicable',
    MANUAL: 'manual',
    ERROR: 'error',
}


def id_norm(control_id):
    """'2.2' -> '2_2', 'HD-1' -> 'hd_1' (the form used in tags and switches)."""
    return str(control_id).replace('.', '_').replace('-', '_').lower()


def make_result(control, status, evidence, details=None):
    """Build one result dict for ``control`` (a catalog entry)."""
    if status not in STATUSES:
        raise ValueError('unknown status %r' % (status,))
    check = control.get('check') or {}
    return {
        'id': str(control.get('id')),
        'title': control.get('title', ''),
        'section': str(control.get('section', '')),
        'level': control.get('level'),
        'scored': control.get('scored'),
        'profile': control.get('profile'),
        'check_type': check.get('type'),
        'status': status,
        'evidence': evidence,
        'details': details or {},
        'remediation': control.get('remediation'),
    }


def empty_summary():
    summary = dict((status, 0) for status in STATUSES)
    summary['not_in_profile'] = 0
    summary['total'] = 0
    return summary


def summarize(results):
    """Count results per status; ``total`` is the number of results.

    A result outside the chosen profile level (``in_profile`` false) is counted
    as ``not_in_profile`` only, so a Level 2 failure never fails a Level 1 audit.
    """
    summary = empty_summary()
    for result in results:
        key = result['status'] if result.get('in_profile', True) else 'not_in_profile'
        summary[key] = summary.get(key, 0) + 1
        summary['total'] += 1
    return summary


def sort_key(control_id):
    """Natural order: 1.1.2 < 1.1.10 < 2.1 < 5.26 < HD-1 < HD-10.

    Here and not in _audit_catalog, so that the report writer sorts ids without
    importing (and, as a module, shipping and compiling) the check code.
    """
    text = str(control_id)
    if text.startswith('HD-'):
        return (1, [int(text[3:])] if text[3:].isdigit() else [0])
    return (0, [int(p) if p.isdigit() else 0 for p in text.split('.')])
