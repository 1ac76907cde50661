# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Type names for error messages that operators read.

ansible-core 2.19 hands filters lazy subclasses of dict and list (for example
``_AnsibleLazyTemplateDict``); an error message should say "dict", the type the
operator wrote. Pure functions, no Ansible imports.
"""

from __future__ import annotations

# bool before int: True is an int too.
_PLAIN_TYPES = (bool, int, float, str, bytes, dict, list, tuple, set)


def type_name(value):
    """The name of the plain Python type ``value`` is an instance of (``NoneType`` for None)."""
    for plain in _PLAIN_TYPES:
        if isinstance(value, plain):
            return plain.__name__
    return type(value).__name__


def plain(value):
    """``value`` as its plain type, so that repr() shows the data and not a wrapper."""
    for kind in (dict, list, tuple, set):
        if isinstance(value, kind) and value.__class__ is not kind:
            return kind(value)
    return value
