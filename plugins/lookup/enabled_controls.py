# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r'''
name: enabled_controls
short_description: The controls of a role that this run applies
version_added: 0.2.0
author:
  - hardening.docker maintainers (!UNKNOWN)
description:
  - Returns the given control ids whose switch C(<prefix>_rule_<id>) is true, whose area switch (when O(areas)
    names one) is true, and that C(--tags) / C(--skip-tags) select by one of their tags, C(rule_<id>),
    C(ctl_<uid>) or C(level1)/C(level2), as the catalog (C(controls/catalog.yml)) gives them.
  - A run tag that is not a C(rule_*) tag (C(all), a tag the role was applied with) selects every switched-on control.
  - Use C(query()) so that the answer is always a list.
options:
  _terms:
    description: Control ids, for example V(3.1) or V(HD-1).
    required: true
    type: list
    elements: str
  prefix:
    description: Variable prefix of the role, for example V(file_permissions).
    required: true
    type: str
  areas:
    description: Control id to the name of its area switch variable (for example V(file_permissions_units_enabled)).
    type: dict
    default: {}
'''

EXAMPLES = r'''
- name: Apply the enabled controls of the role in one call
  hardening.docker.file_modes:
    controls: "{{ file_permissions_controls }}"
    enabled: "{{ query('hardening.docker.enabled_controls', *ids, prefix='file_permissions') }}"
    paths: {}
'''

RETURN = r'''
_raw:
  description: The selected control ids, in the order given.
  type: list
  elements: str
'''

from ansible.errors import AnsibleLookupError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.lookup import LookupBase

from ansible_collections.hardening.docker.plugins.lookup.control_catalog import load_catalog
from ansible_collections.hardening.docker.plugins.module_utils._control_selection import (
    control_tags,
    select_controls,
    switch_name,
)


def catalog_tags():
    """Control id -> its ctl_<uid> and level<n> tags, as the control tasks carry them."""
    return dict((str(control['id']), control_tags(control)[1:]) for control in load_catalog())


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        variables = variables or {}
        prefix = self.get_option('prefix')
        areas = self.get_option('areas') or {}

        def flag(name):
            if name not in variables:
                raise AnsibleLookupError('enabled_controls: variable %s is not defined (set it to true or false)' % name)
            value = self._templar.template(variables[name])
            try:
                return boolean(value, strict=True)
            except TypeError:
                raise AnsibleLookupError('%s must be a boolean, got %r' % (name, value))

        ids = [str(term) for term in terms]
        switches = {}
        for control_id in ids:
            on = flag(switch_name(prefix, control_id))
            if on and control_id in areas:
                on = flag(areas[control_id])
            switches[control_id] = on
        run_tags = self._templar.template(variables.get('ansible_run_tags', ['all']))
        skip_tags = self._templar.template(variables.get('ansible_skip_tags', []))
        return select_controls(ids, switches, run_tags, skip_tags, catalog_tags())
