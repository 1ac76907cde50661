#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: host_lookup
short_description: Read users, groups and small text files of the host in one call
version_added: 0.4.0
description:
  - A role's preflight reads several small things before it decides anything (a user, a group, the
    subordinate id files). Each C(getent), C(stat) or C(slurp) task is a round trip to the host; this
    module reads them all in one.
  - Users and groups come from the system's name service (the C(pwd) and C(grp) databases, as C(getent)
    sees them), files are read as UTF-8 text.
  - Read-only; it never changes the host.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  users:
    description: Names of the users to look up.
    type: list
    elements: str
    default: []
  groups:
    description: Names of the groups to look up.
    type: list
    elements: str
    default: []
  files:
    description:
      - Paths of the text files to read. A file that does not exist is reported as missing, not as an error.
      - Meant for small configuration files; a file larger than O(max_file_size) fails the module.
    type: list
    elements: path
    default: []
  max_file_size:
    description: The largest file, in bytes, that O(files) may name.
    type: int
    default: 1048576
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Read the remap user, its group and the subordinate id files
  hardening.docker.host_lookup:
    users: [dockremap]
    groups: [dockremap]
    files: [/etc/subuid, /etc/subgid]
  register: lookup
"""

RETURN = r"""
users:
  description: Each user of O(users), with its entry, or V(null) when the host has no such user.
  returned: always
  type: dict
  sample: {dockremap: {uid: 999, gid: 994, home: /nonexistent, shell: /usr/sbin/nologin}}
groups:
  description: Each group of O(groups), with its entry, or V(null) when the host has no such group.
  returned: always
  type: dict
  sample: {dockremap: {gid: 994, members: []}}
files:
  description: Each file of O(files) with C(exists) and, when it exists, C(content) (text).
  returned: always
  type: dict
  sample: {/etc/subuid: {exists: true, content: "dockremap:165536:65536\n"}}
"""

import grp
import pwd

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native


def user_entry(name):
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    return dict(uid=entry.pw_uid, gid=entry.pw_gid, home=entry.pw_dir, shell=entry.pw_shell)


def group_entry(name):
    try:
        entry = grp.getgrnam(name)
    except KeyError:
        return None
    return dict(gid=entry.gr_gid, members=list(entry.gr_mem))


def read_text(module, path, limit):
    try:
        with open(path, 'rb') as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        return dict(exists=False)
    except (IOError, OSError) as exc:
        module.fail_json(msg='cannot read %s: %s' % (path, to_native(exc)))
    if len(data) > limit:
        module.fail_json(msg='%s is larger than %d bytes (max_file_size); it is not a small text file' % (path, limit))
    try:
        return dict(exists=True, content=data.decode('utf-8'))
    except UnicodeDecodeError as exc:
        module.fail_json(msg='%s is not UTF-8 text (byte %d)' % (path, exc.start))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            users=dict(type='list', elements='str', default=[]),
            groups=dict(type='list', elements='str', default=[]),
            files=dict(type='list', elements='path', default=[]),
            max_file_size=dict(type='int', default=1048576),
        ),
        supports_check_mode=True,
    )
    params = module.params
    module.exit_json(
        changed=False,
        users=dict((name, user_entry(name)) for name in params['users']),
        groups=dict((name, group_entry(name)) for name in params['groups']),
        files=dict((path, read_text(module, path, params['max_file_size']))
                   for path in params['files']),
    )


if __name__ == '__main__':
    main()
