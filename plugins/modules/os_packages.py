#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: os_packages
short_description: Install the distribution packages a role needs, on hosts with empty or old package lists
version_added: 0.1.0
description:
  - Installs the packages of O(name) that are not installed yet, with C(apt-get).
  - Minimal and container images ship with empty package lists. The lists are refreshed (C(apt-get update))
    only when a package is missing and the lists are empty or older than O(cache_valid_time); a host where
    everything is installed is not touched.
  - Needs neither C(python3-apt) nor C(sudo), as it runs C(dpkg-query) and C(apt-get) directly, so it works on
    a stock minimal host and in check mode there.
  - In check mode it changes nothing (the lists are not refreshed either) and returns in RV(would_install)
    the packages it would install, with their dependencies when the lists allow a simulation.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  name:
    description:
      - Names of the distribution packages that must be installed.
    type: list
    elements: str
    required: true
  cache_valid_time:
    description:
      - Package lists older than this many seconds are refreshed before an install.
    type: int
    default: 86400
  install_recommends:
    description:
      - Whether recommended packages are installed too. Off by default, to add no more than the role needs.
    type: bool
    default: false
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - Supports hosts with C(apt-get) (Debian and its derivatives). Elsewhere it fails, naming the packages to
    install by other means.
"""

EXAMPLES = r"""
- name: Install the audit daemon
  hardening.docker.os_packages:
    name: [auditd]
  register: packages

- name: Say what check mode would install
  ansible.builtin.debug:
    msg: "would install {{ packages.would_install | join(', ') }}"
  when: ansible_check_mode and packages is changed
"""

RETURN = r"""
missing:
  description: Packages of O(name) that were not installed when the module started.
  returned: always
  type: list
  elements: str
installed:
  description: Packages of O(name) this run installed (empty in check mode).
  returned: always
  type: list
  elements: str
would_install:
  description:
    - In check mode, every package the install would unpack (dependencies included) when the package lists
      allow a simulation, otherwise the missing packages of O(name).
  returned: always
  type: list
  elements: str
cache_refresh:
  description: Why the package lists were (or in check mode would be) refreshed; empty when they were not.
  returned: always
  type: str
"""

import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardening.docker.plugins.module_utils import _os_packages

APT_LISTS = '/var/lib/apt/lists'
# No prompt, keep any configuration file an operator changed, no pager.
APT_ENV = {'DEBIAN_FRONTEND': 'noninteractive', 'APT_LISTCHANGES_FRONTEND': 'none', 'NEEDRESTART_MODE': 'l'}
APT_OPTIONS = ['-q', '-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold']


def _fail_apt(module, step, rc, out, err, missing):
    unknown = _os_packages.unknown_packages(err)
    if unknown:
        module.fail_json(
            msg='os_packages: no package list of this host offers %s. Check the package name for this distribution '
                'release, or the host\'s apt sources (/etc/apt/sources.list*).' % ', '.join(unknown),
            missing=missing, rc=rc, stderr=err)
    module.fail_json(msg='os_packages: apt-get %s failed (rc %d): %s' % (step, rc, (err or out).strip()[-2000:]),
                     missing=missing, rc=rc, stdout=out, stderr=err)


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type='list', elements='str', required=True),
            cache_valid_time=dict(type='int', default=86400),
            install_recommends=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    names = [n.strip() for n in module.params['name'] if n and n.strip()]
    result = dict(changed=False, missing=[], installed=[], would_install=[], cache_refresh='')
    apt_get = module.get_bin_path('apt-get')
    dpkg_query = module.get_bin_path('dpkg-query')
    if not names:
        module.exit_json(**result)
    if not apt_get or not dpkg_query:
        module.fail_json(msg='os_packages: this host has no apt-get; install %s with its own package manager, then '
                             'run again.' % ', '.join(names), **result)

    missing = _os_packages.missing_on_host(module.run_command, dpkg_query, names)
    result['missing'] = missing
    if not missing:
        module.exit_json(**result)

    result['changed'] = True
    reason = _os_packages.refresh_reason(_os_packages.lists_age(APT_LISTS, time.time()),
                                         module.params['cache_valid_time'])
    result['cache_refresh'] = reason or ''
    recommends = [] if module.params['install_recommends'] else ['--no-install-recommends']
    module.run_command_environ_update = APT_ENV

    if module.check_mode:
        would = list(missing)
        if reason is None:
            # Lists present: a simulation names the dependencies too, and changes nothing.
            rc, out, err = module.run_command([apt_get, '-s'] + APT_OPTIONS + recommends + ['install', '--'] + missing)
            if rc == 0:
                would = _os_packages.simulated_installs(out) or would
        result['would_install'] = would
        module.exit_json(**result)

    if reason is not None:
        rc, out, err = module.run_command([apt_get] + APT_OPTIONS + ['update'])
        if rc != 0:
            _fail_apt(module, 'update', rc, out, err, missing)
    rc, out, err = module.run_command([apt_get] + APT_OPTIONS + recommends + ['install', '--'] + missing)
    if rc != 0:
        _fail_apt(module, 'install', rc, out, err, missing)
    still = _os_packages.missing_on_host(module.run_command, dpkg_query, missing)
    if still:
        module.fail_json(msg='os_packages: apt-get reported success but %s is still not installed.' % ', '.join(still),
                         **result)
    result['installed'] = missing
    result['would_install'] = missing
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()
