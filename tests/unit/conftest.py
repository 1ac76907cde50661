# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Shared helpers: run a module's main() with arguments and catch its exit_json/fail_json."""

from __future__ import annotations

import contextlib
import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.common.text.converters import to_bytes

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core < 2.19 (make matrix): modules read their arguments from basic._ANSIBLE_ARGS
    @contextlib.contextmanager
    def patch_module_args(args):
        previous = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({'ANSIBLE_MODULE_ARGS': args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = previous

# module.warn() goes to the controller's Display once controller code (filters) is
# imported in the same process, so warnings are recorded here instead.
_WARNINGS = []


class AnsibleExitJson(Exception):
    """exit_json was called; ``result`` holds its arguments."""

    def __init__(self, result):
        super(AnsibleExitJson, self).__init__(result)
        self.result = result


class AnsibleFailJson(Exception):
    """fail_json was called; ``result`` holds msg and the other arguments."""

    def __init__(self, result):
        super(AnsibleFailJson, self).__init__(result)
        self.result = result


def _warnings():
    return list(_WARNINGS)


def _warn(self, warning, **kwargs):
    _WARNINGS.append(warning)


def _exit_json(self, **kwargs):
    kwargs.setdefault('changed', False)
    kwargs['warnings'] = _warnings()
    raise AnsibleExitJson(kwargs)


def _fail_json(self, msg, **kwargs):
    kwargs['msg'] = msg
    kwargs['failed'] = True
    kwargs['warnings'] = _warnings()
    raise AnsibleFailJson(kwargs)


@pytest.fixture(autouse=True)
def _clean_warnings():
    del _WARNINGS[:]
    yield
    del _WARNINGS[:]


def _module_runner(monkeypatch, tmp_path, outcome):
    """A runner that calls a module's main() and returns the result it ends with (``outcome``)."""
    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', _exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', _fail_json)
    monkeypatch.setattr(basic.AnsibleModule, 'warn', _warn)
    module_tmp = tmp_path / ('_module_tmp_' + outcome.__name__)
    module_tmp.mkdir()

    def runner(main, args, check=False, diff=False):
        full = dict(args)
        full['_ansible_check_mode'] = check
        full['_ansible_diff'] = diff
        full['_ansible_tmpdir'] = str(module_tmp)
        del _WARNINGS[:]
        with patch_module_args(full):
            with pytest.raises(outcome) as exc:
                main()
        return exc.value.result

    return runner


@pytest.fixture
def run_module(monkeypatch, tmp_path):
    """``run_module(main, args, check=False, diff=False)`` -> result dict; a failure raises AnsibleFailJson."""
    return _module_runner(monkeypatch, tmp_path, AnsibleExitJson)


@pytest.fixture
def fail_module(monkeypatch, tmp_path):
    """``fail_module(main, args, check=False)`` -> the fail_json result (the test fails if it exits)."""
    return _module_runner(monkeypatch, tmp_path, AnsibleFailJson)
