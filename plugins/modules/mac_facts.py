#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: mac_facts
short_description: Report which mandatory access control (AppArmor, SELinux) the host kernel enforces
version_added: 0.1.0
description:
  - Reads the kernel's own interfaces, never configuration files, and decides what a role can do about
    container confinement on this host.
  - AppArmor is V(enabled) when C(/sys/module/apparmor/parameters/enabled) is C(Y) and
    C(/sys/kernel/security/apparmor) exists; V(unreachable) when the parameter is C(Y) but that interface
    is missing (securityfs not mounted, for example inside a container); V(disabled) when the parameter is
    not C(Y); V(absent) when the parameter file does not exist.
  - SELinux is V(enforcing) or V(permissive) from C(/sys/fs/selinux/enforce), V(absent) when that file does
    not exist.
  - The action is V(load) when AppArmor is enabled, otherwise V(selinux) when SELinux is active, otherwise
    V(install_only) (profiles can be installed and syntax-checked, but nothing enforces them).
  - Read-only; it never changes the host.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  profiles:
    description:
      - Names of AppArmor profiles whose file and load state are reported in
        RV(ansible_facts.hardening_docker_mac.profiles).
    type: list
    elements: str
    default: []
  profile_dir:
    description:
      - Directory the files of O(profiles) are looked for in, as C(<profile_dir>/<name>).
    type: path
    default: /etc/apparmor.d
  header:
    description:
      - The line that marks a file as written by the apparmor role. When given, the files of O(profiles)
        that exist without such a line are listed in RV(ansible_facts.hardening_docker_mac.foreign_files).
    type: str
  security_options:
    description:
      - Also ask dockerd (C(docker info)) which security options it applies to containers, returned in
        RV(dockerd_security_options).
    type: bool
    default: false
  packages:
    description:
      - Distribution packages (the AppArmor tools) whose install state is returned in
        RV(ansible_facts.hardening_docker_mac.packages_missing) (C(dpkg-query); on a host without dpkg every
        one counts as missing).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - hardening.docker.attributes
  - hardening.docker.attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
notes:
  - Reading the list of loaded AppArmor profiles needs root.
seealso:
  - name: AppArmor security profiles for Docker
    description: How dockerd applies docker-default and C(--security-opt apparmor=<profile>).
    link: https://docs.docker.com/engine/security/apparmor/
"""

EXAMPLES = r"""
- name: Read the host's MAC state and the load state of two profiles
  hardening.docker.mac_facts:
    profiles:
      - docker-default
      - docker-hardened

- name: Say plainly when AppArmor cannot be enforced here
  ansible.builtin.debug:
    msg: "{{ ansible_facts['hardening_docker_mac']['summary'] }}"
  when: not ansible_facts['hardening_docker_mac']['apparmor_enforceable']
"""

RETURN = r"""
ansible_facts:
  description: Facts added to the host.
  returned: always
  type: complex
  contains:
    hardening_docker_mac:
      description: The MAC state of the host and the decision derived from it.
      returned: always
      type: complex
      contains:
        apparmor:
          description: AppArmor state of the kernel.
          returned: always
          type: str
          choices: [enabled, disabled, absent, unreachable]
          sample: absent
        apparmor_reason:
          description: Why AppArmor is in that state, naming the file that was read.
          returned: always
          type: str
          sample: "/sys/module/apparmor/parameters/enabled is missing: the kernel has no AppArmor"
        selinux:
          description: SELinux state of the kernel.
          returned: always
          type: str
          choices: [enforcing, permissive, absent]
          sample: absent
        action:
          description: What can be done about container confinement on this host.
          returned: always
          type: str
          choices: [load, install_only, selinux]
          sample: install_only
        apparmor_enforceable:
          description: True when AppArmor profiles can be loaded and enforced (RV(ansible_facts.hardening_docker_mac.action) is V(load)).
          returned: always
          type: bool
          sample: false
        summary:
          description: One sentence for operators about what is and is not enforced.
          returned: always
          type: str
        loaded_count:
          description: Number of AppArmor profiles loaded in the kernel (V(0) when nothing can be loaded).
          returned: always
          type: int
          sample: 0
        profiles:
          description:
            - One entry per name in O(profiles) with C(path) (its file), C(installed) (the file exists) and C(mode)
              (V(enforce), V(complain), ... as loaded in the kernel; V(null) when not loaded).
          returned: always
          type: dict
          sample: {docker-hardened: {path: /etc/apparmor.d/docker-hardened, installed: true, mode: null}}
        apparmor_parser:
          description: Path of C(apparmor_parser), V(null) when it is not installed.
          returned: always
          type: str
          sample: /usr/sbin/apparmor_parser
        packages_missing:
          description: The packages of O(packages) that are not installed, in the order given.
          returned: always
          type: list
          elements: str
          sample: [apparmor]
        foreign_files:
          description:
            - Files of O(profiles) that exist (of any type) but are not regular files carrying the line O(header),
              that is files the role did not write, which it must neither overwrite nor remove.
          returned: when O(header) is given
          type: list
          elements: str
          sample: [/etc/apparmor.d/lsb_release]
dockerd_security_options:
  description: The security options dockerd reports (C(docker info)), V(null) when dockerd does not answer.
  returned: when O(security_options) is true
  type: list
  elements: str
  sample: ["name=seccomp,profile=default", "name=cgroupns"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardening.docker.plugins.module_utils import _mac_state
from ansible_collections.hardening.docker.plugins.module_utils._os_packages import missing_on_host

# Tests point this at a fake /sys tree.
ROOT = '/'


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            profiles=dict(type='list', elements='str', default=[]),
            profile_dir=dict(type='path', default='/etc/apparmor.d'),
            header=dict(type='str'),
            security_options=dict(type='bool', default=False),
            packages=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        facts = _mac_state.gather(ROOT, params['profiles'], params['profile_dir'])
        if params['header'] is not None:
            facts['foreign_files'] = _mac_state.foreign_files(ROOT, params['profile_dir'], params['profiles'], params['header'])
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    facts['apparmor_parser'] = module.get_bin_path('apparmor_parser', opt_dirs=['/sbin', '/usr/sbin'])
    facts['packages_missing'] = missing_on_host(module.run_command, module.get_bin_path('dpkg-query'), params['packages'])
    result = {'changed': False, 'ansible_facts': {'hardening_docker_mac': facts}}
    if params['security_options']:
        result['dockerd_security_options'] = _mac_state.dockerd_security_options(
            module.run_command, module.get_bin_path('docker'))
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()
