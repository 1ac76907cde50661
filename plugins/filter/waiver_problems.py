# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""hardening.docker.waiver_problems: what is wrong with the text of a waivers file (the audit's rules)."""

from __future__ import annotations

import datetime

from ansible.errors import AnsibleFilterError
from ansible_collections.hardening.docker.plugins.module_utils._report_waivers import (
    WaiverError,
    normalize_waivers,
    parse_waivers_text,
)
from ansible_collections.hardening.docker.plugins.module_utils._type_names import type_name


def waiver_problems(text, source='waivers file'):
    """The problems the audit report would refuse the file for, one string each; [] when it is usable."""
    if not isinstance(text, str):
        raise AnsibleFilterError('waiver_problems: the input must be the text of the file, got %s' % type_name(text))
    try:
        normalize_waivers(parse_waivers_text(text, source), datetime.date.today())
    except WaiverError as exc:
        message = str(exc)
        if message.startswith('invalid waivers:'):
            # a heading, then one problem per line
            return [line.strip() for line in message.splitlines()[1:] if line.strip()]
        return [' '.join(message.split())]
    return []


class FilterModule(object):
    """Waivers file check."""

    def filters(self):
        return {'waiver_problems': waiver_problems}
