# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which benchmark numbering and which profile level an audit reports in.

The catalog keys controls by their v1.6 number (or their uid when v1.6 does
not have them); each entry maps its ids per benchmark version (``cis``). An
audit for version V decides the controls V has (plus the HD-* controls) and
shows V's ids. A control above the chosen profile level keeps its status but
is marked ``in_profile: false`` and is not counted as a failure.
"""

from __future__ import annotations

from ansible_collections.hardening.docker.plugins.module_utils._audit_catalog import BENCHMARK_VERSIONS

DEFAULT_BENCHMARK_VERSION = BENCHMARK_VERSIONS[-1]
LEVELS = (1, 2)


def benchmark_id(control, version):
    """The id ``control`` has in benchmark ``version``; HD-* keep theirs; None when it has none."""
    if control.get('profile') == 'hardening':
        return str(control['id'])
    return (control.get('cis') or {}).get(version)


def controls_in_version(controls, version):
    """The catalog entries benchmark ``version`` has (HD-* always)."""
    return [c for c in controls if benchmark_id(c, version) is not None]


def not_in_profile_text(level):
    return 'not in profile level %d' % level


def apply_profile(results, controls, version, level):
    """Rename results to ``version``'s ids and mark those above ``level``.

    ``results`` and ``controls`` are parallel lists (one result per control).
    """
    shaped = []
    for result, control in zip(results, controls):
        result = dict(result)
        result['catalog_id'] = str(control['id'])
        result['uid'] = control.get('uid')
        result['cis'] = dict(control.get('cis') or {})
        result['id'] = benchmark_id(control, version)
        result['in_profile'] = (control.get('level') or 1) <= level
        shaped.append(result)
    return shaped
