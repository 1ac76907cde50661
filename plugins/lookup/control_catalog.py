# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: control_catalog
short_description: Return the hardening.docker control catalog
version_added: 0.1.0
author:
  - hardening.docker maintainers (!UNKNOWN)
description:
  - Reads C(controls/catalog.yml) of this collection (the one data file every role, the audit module
    and the generated documentation share) and returns its controls as a list of dicts.
  - The catalog is validated on every call; a malformed entry fails the lookup with the list of problems.
  - Use C(query()) (or C(lookup(..., wantlist=true))) so that a single matching control is still a list.
options:
  ids:
    description:
      - Only return the controls with these ids (for example V(2.2) or V(HD-1)).
      - An id that is not in the catalog is an error.
    type: list
    elements: str
  role:
    description:
      - Only return the controls remediated by this role (for example V(daemon) or V(auditd)).
    type: str
  profile:
    description:
      - Only return controls of this profile.
    type: str
    choices: [cis, hardening]
  max_level:
    description:
      - Only return controls whose CIS level is at most this.
    type: int
    choices: [1, 2]
  catalog_path:
    description:
      - Read another catalog file with the same schema instead of the collection's own.
    type: path
'''

EXAMPLES = r'''
- name: Audit against the whole catalog
  hardening.docker.audit:
    controls: "{{ query('hardening.docker.control_catalog') }}"

- name: Only what the daemon role remediates
  ansible.builtin.debug:
    msg: "{{ query('hardening.docker.control_catalog', role='daemon') | map(attribute='id') | list }}"

- name: Two controls, level 1 only
  ansible.builtin.debug:
    msg: "{{ query('hardening.docker.control_catalog', ids=['2.2', 'HD-1'], max_level=1) }}"
'''

RETURN = r'''
_raw:
  description:
    - The selected controls in catalog order.
    - Each has C(id), C(title), C(section), C(level), C(scored), C(profile), C(check) (a dict with
      C(type) and its parameters), C(remediation) (C(role), C(variable), C(tag), or null) and C(rationale).
  type: list
  elements: dict
'''

import os

from ansible.errors import AnsibleLookupError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.lookup import LookupBase

from ansible_collections.hardening.docker.plugins.module_utils._audit_catalog import (
    CatalogError,
    validate_catalog,
)

try:
    import yaml
except ImportError:  # pragma: no cover - ansible-core always ships PyYAML
    yaml = None

DEFAULT_CATALOG = os.path.normpath(os.path.join(os.path.dirname(__file__), '..', '..', 'controls', 'catalog.yml'))


def load_catalog(path=DEFAULT_CATALOG):
    """Read and validate a catalog file; return its list of controls."""
    if yaml is None:
        raise AnsibleLookupError('PyYAML is required to read %s' % path)
    try:
        with open(path, 'rb') as handle:
            data = yaml.safe_load(handle)
    except (IOError, OSError) as exc:
        raise AnsibleLookupError('cannot read control catalog %s: %s' % (path, to_native(exc)))
    except yaml.YAMLError as exc:
        raise AnsibleLookupError('control catalog %s is not valid YAML: %s' % (path, to_native(exc)))
    if not isinstance(data, dict) or 'controls' not in data:
        raise AnsibleLookupError('control catalog %s must be a mapping with a "controls" list' % path)
    try:
        return validate_catalog(data['controls'])
    except CatalogError as exc:
        raise AnsibleLookupError('%s: %s' % (path, to_native(exc)))


def select(controls, ids=None, role=None, profile=None, max_level=None):
    if ids:
        wanted = [str(i) for i in ids]
        known = set(c['id'] for c in controls)
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise AnsibleLookupError('unknown control ids: %s' % ', '.join(unknown))
        controls = [c for c in controls if c['id'] in wanted]
    if role:
        controls = [c for c in controls if (c.get('remediation') or {}).get('role') == role]
    if profile:
        controls = [c for c in controls if c.get('profile') == profile]
    if max_level:
        controls = [c for c in controls if c.get('level') <= max_level]
    return controls


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        if terms:
            raise AnsibleLookupError('control_catalog takes no terms, only options (ids, role, profile, max_level)')
        path = self.get_option('catalog_path') or DEFAULT_CATALOG
        controls = load_catalog(path)
        return select(
            controls,
            ids=self.get_option('ids'),
            role=self.get_option('role'),
            profile=self.get_option('profile'),
            max_level=self.get_option('max_level'),
        )
