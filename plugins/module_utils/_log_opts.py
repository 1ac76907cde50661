# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Docker ``log-opts``: every value must be a JSON string.

dockerd reads ``log-opts`` into a string-to-string map and refuses to start on
``{"max-file": 3}`` ("cannot unmarshal number into Go struct field"). YAML
makes ``max-file: 3`` an int and ``compress: true`` a bool, so the filter
``hardening.docker.docker_log_opts`` turns them into strings and the module's
schema refuses anything else. Pure functions, no Ansible imports.
"""

from __future__ import annotations

import math

from ansible_collections.hardening.docker.plugins.module_utils._type_names import plain, type_name


class LogOptsError(ValueError):
    """A log-opts mapping that dockerd would refuse."""


def _describe(value):
    if value is None:
        return 'null'
    return '%s %r' % (type_name(value), plain(value))


def _check_key(key):
    if not isinstance(key, str) or not key.strip():
        raise LogOptsError('option names must be non-empty strings, got %s' % _describe(key))


def stringify_value(key, value):
    """One value as dockerd wants it: bools as true/false, numbers in decimal, strings unchanged."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise LogOptsError('option %r: %r is not a usable number' % (key, value))
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, str):
        return value
    if value is None:
        raise LogOptsError('option %r has no value (null); give a string, or leave the option out' % key)
    if isinstance(value, (list, tuple, dict, set)):
        raise LogOptsError(
            'option %r must be a single value, got %s; for several values give one '
            'comma-separated string (for example labels: "a,b")' % (key, _describe(value)))
    raise LogOptsError('option %r must be a string, number or boolean, got %s' % (key, _describe(value)))


def normalize_log_opts(opts):
    """Return a new dict whose values are all strings (order kept)."""
    if not isinstance(opts, dict):
        raise LogOptsError('expected a mapping of log option names to values, got %s' % _describe(opts))
    result = {}
    for key, value in opts.items():
        _check_key(key)
        result[key] = stringify_value(key, value)
    return result


def validate_daemon_log_opts(value):
    """Validate daemon.json's ``log-opts``: a mapping of string to string. Raise LogOptsError."""
    if not isinstance(value, dict):
        raise LogOptsError('expected a mapping of option name to string, got %s' % _describe(value))
    bad = []
    for key, item in value.items():
        _check_key(key)
        if not isinstance(item, str):
            bad.append('%s (%s)' % (key, _describe(item)))
    if bad:
        raise LogOptsError(
            'values must be strings, these are not: %s; quote them in YAML or pass the mapping '
            'through the hardening.docker.docker_log_opts filter' % ', '.join(bad))
    return value
