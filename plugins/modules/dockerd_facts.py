#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: dockerd_facts
short_description: Read daemon.json and the running dockerd's state (docker info) in one call
version_added: 0.4.0
description:
  - What the roles' preflights read before they decide anything, the daemon configuration file as
    M(hardening.docker.daemon_config) reads it, and the running daemon's own view (C(docker info)).
    One call instead of one round trip for each, and one reading for all roles. The result is kept in the
    host's facts, and the P(hardening.docker.dockerd_facts_current#test) test says whether a later task may
    use it instead of reading again (daemon.json unchanged since).
  - daemon.json is read by the same code as M(hardening.docker.daemon_config), with the same refusal, naming
    the file and the position, of a file that is not UTF-8 text holding a JSON object. The module then fails.
  - A daemon that does not answer C(docker info) is not a failure of the module. The reading says why
    (RV(ansible_facts.hardening_docker_dockerd.docker_info_error)), and each role says what it needs dockerd for.
  - Read-only; it never changes the host.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  path:
    description: Path of the daemon configuration file.
    type: path
    default: /etc/docker/daemon.json
  docker_info:
    description:
      - Also ask the running dockerd (C(docker info)).
      - V(false) where only daemon.json is needed, for example while an authorization plugin that daemon.json
        names may not answer (dockerd then waits for it on every request).
    type: bool
    default: true
  docker:
    description: The docker command line client; a name is looked up in C(PATH).
    type: str
    default: docker
extends_documentation_fragment:
  - hardening.docker.attributes
  - hardening.docker.attributes.facts
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  facts:
    support: full
seealso:
  - module: hardening.docker.daemon_config
"""

EXAMPLES = r"""
- name: Read dockerd's state and daemon.json, unless this run's reading is current
  hardening.docker.dockerd_facts:
    path: /etc/docker/daemon.json
  when: ansible_facts is not hardening.docker.dockerd_facts_current('/etc/docker/daemon.json')

- name: Check that dockerd answers
  ansible.builtin.assert:
    that: ansible_facts.hardening_docker_dockerd.docker_info_error | length == 0
    fail_msg: "dockerd did not answer `docker info` ({{ ansible_facts.hardening_docker_dockerd.docker_info_error }})"
"""

RETURN = r"""
ansible_facts:
  description: The reading, and the digest of daemon.json as it was read.
  returned: always
  type: dict
  contains:
    hardening_docker_dockerd:
      description: What was read.
      type: dict
      contains:
        daemon_json:
          description:
            - The file (C(path), C(exists), C(sha256), C(duplicate_keys)) and its C(config), URL credentials in
              values replaced by C(***) as in the result of M(hardening.docker.daemon_config).
          type: dict
          sample: {path: /etc/docker/daemon.json, exists: true, sha256: 0f3c..., duplicate_keys: [], config: {icc: false}}
        docker_info_read:
          description: Whether dockerd was asked (O(docker_info)).
          type: bool
          sample: true
        docker_info:
          description:
            - The daemon's answer to C(docker info --format '{{json .}}'), URL credentials replaced by C(***);
              V({}) when it did not answer or was not asked.
          type: dict
          sample: {ServerVersion: 26.1.5, DockerRootDir: /var/lib/docker, LiveRestoreEnabled: true}
        docker_info_error:
          description: Why dockerd gave no answer (the client's error, the server's errors); empty when it answered.
          type: str
          sample: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
    hardening_docker_daemon_json:
      description:
        - O(path) and the SHA-256 of its content (V(absent) when there is no file), the same fact
          M(hardening.docker.daemon_config) leaves after each call.
      type: dict
      sample: {path: /etc/docker/daemon.json, sha256: 0f3c...}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.hardening.docker.plugins.module_utils._daemon_json import (
    DaemonJsonError,
    content_digest,
    read_daemon_json,
    redact,
)
from ansible_collections.hardening.docker.plugins.module_utils._docker_info import read_docker_info


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', default='/etc/docker/daemon.json'),
            docker_info=dict(type='bool', default=True),
            docker=dict(type='str', default='docker'),
        ),
        supports_check_mode=True,
    )
    path = module.params['path']
    try:
        text, config, duplicates = read_daemon_json(path)
    except DaemonJsonError as exc:
        module.fail_json(msg=to_native(exc))
    if duplicates:
        module.warn('%s has duplicate keys %s; dockerd uses the last value of each' % (path, ', '.join(duplicates)))
    digest = content_digest(path, text)

    info, error = {}, ''
    if module.params['docker_info']:
        docker = module.get_bin_path(module.params['docker'], opt_dirs=['/usr/bin', '/usr/local/bin'])
        info, error = read_docker_info(module.run_command, docker)

    reading = dict(
        daemon_json=dict(digest, exists=text is not None, duplicate_keys=duplicates, config=redact(config)),
        docker_info_read=module.params['docker_info'],
        docker_info=redact(info),
        docker_info_error=redact(error),
    )
    module.exit_json(changed=False, ansible_facts=dict(hardening_docker_dockerd=reading,
                                                       hardening_docker_daemon_json=digest))


if __name__ == '__main__':
    main()
