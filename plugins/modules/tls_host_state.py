#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: tls_host_state
short_description: Read in one call what the daemon_tls role needs to know about a host
version_added: 0.4.0
description:
  - Read-only. Whether the Python library C(cryptography) imports in the module's Python, the load state
    of dockerd's socket unit, the main PID and command line of dockerd, whether some files exist, and
    the text of others (certificates).
  - With O(key), the public facts of the server's private key (never the key itself), and with O(modes), owner,
    group and mode of files, so that the role can tell, without a module per file, that its TLS files need no change.
  - With O(users), the listed users' home and the digests, owners and modes of their client files, so that the role
    can tell that their copies need no change.
  - One round trip instead of one per read.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  service:
    description: The dockerd service unit.
    type: str
    default: docker.service
  socket:
    description: The socket unit that activates dockerd.
    type: str
    default: docker.socket
  exists:
    description: Paths whose existence is reported (links are followed).
    type: list
    elements: path
    default: []
  read:
    description:
      - Files whose text is returned when they exist. The text is in the task's result, so never a private key.
    type: list
    elements: path
    default: []
  key:
    description:
      - A private key whose public facts are returned (RV(key)). Its bytes stay in the module.
    type: path
    default: ''
  modes:
    description: Paths whose kind, owner, group and mode are returned (links are followed).
    type: list
    elements: path
    default: []
  users:
    description:
      - Users whose C(~/.docker) and the client files C(ca.pem), C(cert.pem) and C(key.pem) in it are reported
        in RV(users), with the user's home, uid and gid, and for each file its owner, group, mode and SHA-256, never
        its content.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
"""

EXAMPLES = r"""
- name: Read the host's state for daemon_tls
  hardening.docker.tls_host_state:
    exists: [/etc/docker/tls/server-key.pem, /etc/docker/tls/server-cert.pem]
    read: [/etc/docker/tls/server-cert.pem, /etc/docker/tls/ca.pem]
    key: /etc/docker/tls/server-key.pem
    modes: [/etc/docker/tls, /etc/docker/tls/server-key.pem, /etc/docker/tls/server-cert.pem, /etc/docker/tls/ca.pem]
  register: tls_host
"""

RETURN = r"""
crypto_present:
  description: Whether C(import cryptography) works in the module's Python.
  returned: always
  type: bool
socket_load_state:
  description: C(LoadState) of O(socket) (V(loaded), V(not-found), ...).
  returned: always
  type: str
  sample: loaded
main_pid:
  description: C(MainPID) of O(service), V(0) when it does not run.
  returned: always
  type: str
  sample: "1234"
cmdline:
  description: Command line of the main PID split at NUL bytes (with the empty string after the last one); empty when it does not run.
  returned: always
  type: list
  elements: str
  sample: [/usr/bin/dockerd, -H, "fd://", ""]
exists:
  description: Path of O(exists) to whether it exists.
  returned: always
  type: dict
  sample: {/etc/docker/tls/server-key.pem: true}
texts:
  description: Path of O(read) to its text, for the files that exist.
  returned: always
  type: dict
key:
  description:
    - Public facts of O(key), empty without it. Never the private key.
    - V(loaded) is false (with V(problem)) when the key is missing, encrypted, broken or the library is missing.
  returned: always
  type: dict
  contains:
    exists:
      description: Whether the file exists.
      type: bool
    loaded:
      description: Whether it loaded as an unencrypted PEM private key.
      type: bool
    problem:
      description: Why it did not load.
      type: str
      returned: when not loaded
    type:
      description: V(RSA), V(ECC) or the library's class name of another kind.
      type: str
      returned: when loaded
    size:
      description: Bits of the key (of the curve for ECC).
      type: int
      returned: when loaded
    curve:
      description: Name of the curve (V(secp384r1)).
      type: str
      returned: when the key is ECC
    public_key_sha256:
      description: SHA-256 of the DER SubjectPublicKeyInfo, colon-separated hex, as the x509_facts filter gives it for a certificate.
      type: str
      returned: when loaded
users:
  description:
    - User of O(users) to V(exists), and when the user exists V(uid), V(gid), V(home), V(dir) (C(~/.docker)) and
      V(files) (C(ca.pem), C(cert.pem), C(key.pem) in it).
    - V(dir) and each file are V(exists), and when it exists V(kind) (V(file), V(directory), V(link), V(other); a link
      is not followed), V(mode), V(uid), V(gid), and for a regular file of at most 1 MiB V(sha256) (hex).
  returned: always
  type: dict
  sample: {alice: {exists: true, uid: 1000, gid: 1000, home: /home/alice, dir: {exists: true, kind: directory, mode: "0700",
           uid: 1000, gid: 1000}, files: {ca.pem: {exists: false}}}}
stats:
  description: Path of O(modes) to V(exists), and when it exists V(kind) (V(file), V(directory), V(other)), V(mode) (V(0750)), V(owner) and V(group) names.
  returned: always
  type: dict
  sample: {/etc/docker/tls: {exists: true, kind: directory, mode: "0750", owner: root, group: root}}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardening.docker.plugins.module_utils._tls_host_state import gather


def main():
    module = AnsibleModule(
        argument_spec=dict(
            service=dict(type='str', default='docker.service'),
            socket=dict(type='str', default='docker.socket'),
            exists=dict(type='list', elements='path', default=[]),
            read=dict(type='list', elements='path', default=[]),
            key=dict(type='path', default=''),
            modes=dict(type='list', elements='path', default=[]),
            users=dict(type='list', elements='str', default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    systemctl = module.get_bin_path('systemctl', required=True)
    try:
        result = gather(module.run_command, systemctl, params['socket'], params['service'], params['exists'], params['read'],
                        key=params['key'], mode_paths=params['modes'], users=params['users'])
    except (RuntimeError, OSError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
