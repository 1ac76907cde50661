#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: apparmor_profiles
short_description: Check, install and load AppArmor container profiles in one call
version_added: 0.1.0
description:
  - Checks every present profile's text with C(apparmor_parser -QTK) (no kernel needed) and that it defines a
    profile of its own name (C(apparmor_parser --names)). One refusal fails the module with the parser's words
    before any file is written.
  - Writes the files that differ as C(<profile_dir>/<name>), root-owned C(0644), the line O(header) first,
    each replaced atomically.
  - Where the kernel has AppArmor (M(hardening.docker.mac_facts) action V(load)), loads with
    C(apparmor_parser --replace) the profiles written, those not loaded, and those loaded in another mode than
    their O(profiles[].mode).
  - Profiles with O(profiles[].state=absent) are unloaded (when loaded and written by this collection) and
    their files removed.
  - Never overwrites or removes a file without the line O(header).
  - Returns the host's MAC state after the changes as the fact C(hardening_docker_mac), as
    M(hardening.docker.mac_facts) does (with the install state of O(packages)), and optionally dockerd's
    security options.
  - With O(only_when_ready), a call on a host where the profiles cannot be applied yet changes nothing and
    returns RV(deferred), on an SELinux host (AppArmor profiles are not managed there) or while
    O(parser) or one of O(packages) is missing (the refusal of files the role did not write still applies).
    One call then reads the host and applies the profiles where everything is installed.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  profiles:
    description: The profiles to manage.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Name of the profile the text must define, and of its file.
        type: str
        required: true
      origin:
        description: The variable the profile comes from, named in messages.
        type: str
        default: apparmor_profiles
      state:
        description: V(absent) unloads the profile and removes its file.
        type: str
        choices: [present, absent]
        default: present
      text:
        description: The profile text (without O(header)); required with O(profiles[].state=present).
        type: str
      mode:
        description: The mode the profile must be loaded in; a profile loaded in another one is loaded again.
        type: str
  header:
    description: First line of every file written; a file without it is never overwritten or removed.
    type: str
    required: true
  profile_dir:
    description: Directory of the profile files.
    type: path
    default: /etc/apparmor.d
  parser:
    description: Path of C(apparmor_parser).
    type: path
    required: true
  packages:
    description: The packages that provide O(parser), named in the message when it is missing.
    type: list
    elements: str
    default: []
  security_options:
    description: Also ask dockerd (C(docker info)) which security options it applies to containers.
    type: bool
    default: false
  only_when_ready:
    description:
      - Change nothing and return RV(deferred=true) when the host's MAC action is V(selinux), or when O(parser)
        or one of O(packages) is not installed (files the role did not write are still refused, except on an
        SELinux host).
    type: bool
    default: false
extends_documentation_fragment:
  - hardening.docker.attributes
  - hardening.docker.attributes.facts
attributes:
  check_mode:
    support: full
    details: Without O(parser) (not installed yet) the syntax is not checked in check mode; RV(syntax_checked) says so.
  diff_mode:
    support: full
notes:
  - Loading profiles needs root.
seealso:
  - module: hardening.docker.mac_facts
"""

EXAMPLES = r"""
- name: Install and load a container profile
  hardening.docker.apparmor_profiles:
    parser: /usr/sbin/apparmor_parser
    header: "# Managed by hardening.docker"
    profiles:
      - name: docker-web
        text: "profile docker-web {\n  file,\n}\n"
    security_options: true
  register: profiles
"""

RETURN = r"""
profiles:
  description: One entry per profile, in the order given.
  returned: always
  type: list
  elements: dict
  sample:
    - name: docker-web
      origin: apparmor_profiles
      state: present
      path: /etc/apparmor.d/docker-web
      written: true
      loaded: false
      unloaded: false
      removed: false
      changed: true
loaded:
  description: The profiles loaded into the kernel (in check mode, those that would be).
  returned: always
  type: list
  elements: str
syntax_checked:
  description: False when O(parser) is missing (possible in check mode only), so the texts were not checked.
  returned: always
  type: bool
deferred:
  description:
    - True when O(only_when_ready) left the profiles alone (RV(profiles) and RV(loaded) are then empty).
      V(selinux) or V(tools_missing) in RV(deferred_reason).
  returned: always
  type: bool
deferred_reason:
  description: Why the call deferred (V(selinux), V(tools_missing)); V(null) when it did not.
  returned: always
  type: str
ansible_facts:
  description:
    - The facts of M(hardening.docker.mac_facts) for the names of O(profiles), read after the changes, with
      C(packages_missing), the packages of O(packages) that are not installed.
  returned: always
  type: dict
dockerd_security_options:
  description: The security options dockerd reports (C(docker info)), V(null) when dockerd does not answer.
  returned: when O(security_options) is true
  type: list
  elements: str
"""

import os
import stat

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hardening.docker.plugins.module_utils import _apparmor_profiles, _mac_state
from ansible_collections.hardening.docker.plugins.module_utils._os_packages import missing_on_host
from ansible_collections.hardening.docker.plugins.module_utils._atomic_write import write_atomically

# Tests point this at a fake tree.
ROOT = '/'


def _on_disk(path):
    return os.path.join(ROOT, path.lstrip('/'))


class Host(object):
    """The host as _apparmor_profiles.apply reaches it."""

    def __init__(self, module):
        self.module = module
        self.check_mode = module.check_mode
        self.parser = module.params['parser']
        self.packages = module.params['packages']

    def parser_present(self):
        return os.path.exists(_on_disk(self.parser))

    def parse(self, args, text):
        return self.module.run_command([_on_disk(self.parser)] + args, data=text, binary_data=True)

    def exists(self, path):
        return os.path.lexists(_on_disk(path))

    def managed(self, path):
        return _mac_state.is_managed(_on_disk(path), self.module.params['header'])

    def read(self, path):
        target = _on_disk(path)
        if not os.path.lexists(target):
            return None
        info = os.lstat(target)
        with open(target, 'rb') as handle:
            return handle.read(), stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid

    def write(self, path, data):
        target = _on_disk(path)
        if not os.path.isdir(os.path.dirname(target)):
            self.module.fail_json(msg='%s does not exist: install %s first (apparmor_rule_5_2).'
                                  % (os.path.dirname(path), ', '.join(self.packages) or 'AppArmor'))
        write_atomically(self.module, target, data, _apparmor_profiles.FILE_MODE)

    def load(self, args, name):
        rc, out, err = self.module.run_command([_on_disk(self.parser)] + args)
        if rc != 0:
            self.module.fail_json(msg='apparmor_parser %s failed for profile %s (rc %d): %s'
                                  % (args[0], name, rc, (err or out).strip()), rc=rc, stdout=out, stderr=err)

    def remove(self, path):
        try:
            os.unlink(_on_disk(path))
        except OSError as exc:
            self.module.fail_json(msg='cannot remove %s: %s' % (path, to_native(exc)))


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            profiles=dict(type='list', elements='dict', required=True, options=dict(
                name=dict(type='str', required=True),
                origin=dict(type='str', default='apparmor_profiles'),
                state=dict(type='str', choices=['present', 'absent'], default='present'),
                text=dict(type='str'),
                mode=dict(type='str'),
            ), required_if=[('state', 'present', ['text'])]),
            header=dict(type='str', required=True),
            profile_dir=dict(type='path', default='/etc/apparmor.d'),
            parser=dict(type='path', required=True),
            packages=dict(type='list', elements='str', default=[]),
            security_options=dict(type='bool', default=False),
            only_when_ready=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    names = [p['name'] for p in params['profiles']]
    host = Host(module)
    packages_missing = missing_on_host(module.run_command, module.get_bin_path('dpkg-query'), params['packages'])
    deferred = None
    try:
        before = _mac_state.gather(ROOT, names, params['profile_dir'])
        if params['only_when_ready']:
            deferred = _apparmor_profiles.defer_reason(before['action'], host.parser_present(), packages_missing)
        if deferred is None:
            loaded_modes = dict((name, entry['mode']) for name, entry in before['profiles'].items())
            changed, results, loaded, syntax_checked, diffs = _apparmor_profiles.apply(
                host, params['profiles'], params['header'], params['profile_dir'], before['action'], loaded_modes)
            after = _mac_state.gather(ROOT, names, params['profile_dir'])
        else:
            # What the role refuses before it installs anything.
            if deferred != 'selinux':
                _apparmor_profiles.refuse_foreign(host, params['profiles'], params['header'], params['profile_dir'])
            changed, results, loaded, syntax_checked, diffs, after = False, [], [], False, [], before
    except _apparmor_profiles.Refused as exc:
        module.fail_json(msg=str(exc))
    except RuntimeError as exc:
        module.fail_json(msg=str(exc))
    after['apparmor_parser'] = module.get_bin_path('apparmor_parser', opt_dirs=['/sbin', '/usr/sbin'])
    after['packages_missing'] = packages_missing
    result = dict(changed=changed, profiles=results, loaded=loaded, syntax_checked=syntax_checked,
                  deferred=deferred is not None, deferred_reason=deferred,
                  ansible_facts={'hardening_docker_mac': after})
    if module._diff:
        result['diff'] = diffs
    if params['security_options']:
        result['dockerd_security_options'] = _mac_state.dockerd_security_options(
            module.run_command, module.get_bin_path('docker'))
    module.exit_json(**result)


def main():
    run_module()


if __name__ == '__main__':
    main()
