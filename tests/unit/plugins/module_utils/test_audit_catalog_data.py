# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The audit module's copy of the catalog is controls/catalog.yml, as the control_catalog lookup returns it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from ansible_collections.hardening.docker.plugins.lookup.control_catalog import load_catalog
from ansible_collections.hardening.docker.plugins.module_utils._audit_catalog import validate_catalog
from ansible_collections.hardening.docker.plugins.module_utils._audit_catalog_data import catalog_controls

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))


def test_copy_is_current():
    # Fails after an edit of controls/catalog.yml until scripts/gen_audit_catalog_data.py is rerun.
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'gen_audit_catalog_data.py'), '--check'],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_copy_equals_the_lookup():
    # Same entries, same order, same key order as the list the playbook used to pass as an argument.
    assert json.dumps(catalog_controls()) == json.dumps(load_catalog())


def test_copy_is_valid_and_fresh_each_call():
    controls = catalog_controls()
    assert validate_catalog(controls) is controls
    controls[0]['title'] = 'changed'
    assert catalog_controls()[0]['title'] != 'changed'
