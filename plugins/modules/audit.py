#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: audit
short_description: Audit a Docker host against the hardening.docker control catalog
version_added: 0.1.0
description:
  - Reads the host's real state once (C(daemon.json), the effective C(ExecStart) of C(docker.service)
    and its drop-ins, C(docker info) through the unix socket, file and socket modes, C(docker.socket)
    properties, loaded audit rules, C(/etc/subuid) and C(/etc/subgid), AppArmor and SELinux state,
    the TLS server certificate, the C(docker) group and the mount table).
  - Then decides every control it is given with a pure function of that state and returns one
    result per control with status C(pass), C(fail), C(not_applicable), C(manual) or C(error)
    and its evidence.
  - Never changes the host. When C(docker info) is unavailable the controls that need it report
    C(error) with the reason and all other controls are still decided.
  - The effective configuration is C(daemon.json) merged with the flags of the unit's C(ExecStart)
    (C($VAR) and C(${VAR}) expanded from C(Environment=) and C(EnvironmentFile=)); a key set in both
    places is reported as a failure because dockerd refuses to start with it.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  controls:
    description:
      - The controls to decide, as returned by C(query('hardening.docker.control_catalog')).
      - Each entry needs at least C(id), C(title) and C(check); the whole list is validated against
        the catalog schema and the module fails on a malformed entry.
      - When omitted, the whole catalog of this collection (C(controls/catalog.yml)), which the module
        ships with it; give the list only to decide a subset or another catalog.
    type: list
    elements: dict
  tls_expiry_threshold_days:
    description:
      - Control HD-1 fails when the daemon's TLS server certificate expires in fewer days than this.
    type: int
    default: 30
  daemon_json:
    description:
      - Path of the daemon configuration file.
      - A C(--config-file) flag in the unit's C(ExecStart) takes precedence.
    type: path
    default: /etc/docker/daemon.json
  docker_bin:
    description:
      - Docker client used for C(docker info --format '{{json .}}') when the Engine API cannot be
        queried directly over the unix socket.
    type: str
    default: docker
  trusted_users:
    description:
      - Users allowed in the C(docker) group (control 1.1.2).
      - When omitted, a non-empty C(docker) group is reported as C(manual) with its members listed.
    type: list
    elements: str
  docker_group:
    description:
      - Name of the group that owns the Docker socket, where it is not C(docker) (the socket role's
        C(socket_docker_group)). Controls that name the C(docker) group (3.15, HD-3, 1.1.2) then check this one.
    type: str
  include_stopped:
    description:
      - Also audit containers that exist but do not run (created, exited, paused), as the CIS audit
        commands (C(docker ps --all)) do. By default only running containers are audited.
    type: bool
    default: false
  volume_scan_limit:
    description:
      - Most entries (files and directories) scanned under the named volumes' data directories for
        world-writable and world-readable files (controls HD-8, HD-9). The results say how many were
        scanned and whether the limit stopped the scan (C(truncated)).
    type: int
    default: 10000
  benchmark_version:
    description:
      - CIS Docker Benchmark version whose numbering the results use (C(id)); controls that version
        does not have are left out (v1.6.0 and v1.7.0 have no devicemapper control).
      - v1.8.0 moves the v1.6.0 ids 2.7 to 2.18 one up (TLS is 2.8 there). Every result also carries
        C(catalog_id), its stable C(uid) and its ids in every version (C(cis)).
    type: str
    choices: ["1.6", "1.7", "1.8"]
    default: "1.8"
  profile_level:
    description:
      - CIS profile level the host is held to. Controls of a higher level keep their status but are
        marked C(in_profile=false) and counted as C(not_in_profile), never as failures.
    type: int
    choices: [1, 2]
    default: 1
  return_state:
    description:
      - Also return the gathered host state (useful to record a fixture for the unit tests).
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    description: The module never changes the host; it runs the same way in check mode.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
  platform:
    support: full
    platforms: posix
    description: Debian 12 and 13 hosts with C(docker.io) or C(docker-ce); other Linux hosts mostly work.
notes:
  - Run it with privilege escalation; audit rules, AppArmor profiles and some files are readable by root only.
  - Section 5 controls with a C(container_rule) in the catalog are decided for every running container
    (one list call and the inspect of each container over one keep-alive connection to the unix socket;
    with no socket, one C(docker ps) and one C(docker inspect) of all containers). 5.2, 5.14, 5.22, 5.26
    and 5.31 are also decided from the daemon's defaults; a failing container makes their host-level result fail.
  - A host with no running containers gets C(not_applicable) (no running containers) for the
    per-container controls, never C(pass).
seealso:
  - module: hardening.docker.audit_report
'''

EXAMPLES = r'''
- name: Audit the host against the whole catalog
  become: true
  hardening.docker.audit:
    tls_expiry_threshold_days: 45
    trusted_users: [deploy]
  register: audit_result

- name: Audit only the daemon role's controls
  become: true
  hardening.docker.audit:
    controls: "{{ query('hardening.docker.control_catalog', role='daemon') }}"
  register: audit_daemon

- name: Fail the play when a control fails
  ansible.builtin.assert:
    that: audit_result.summary.fail == 0
    fail_msg: "{{ audit_result.results | selectattr('status', 'equalto', 'fail') | map(attribute='id') | list }}"
'''

RETURN = r'''
results:
  description: One decision per control, in the order of O(controls).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Control id in the chosen O(benchmark_version), for example C(2.8) or C(HD-1).
      type: str
      sample: "2.8"
    catalog_id:
      description: Id of the control in the catalog (its v1.6 number; tasks are tagged C(rule_<catalog_id>)).
      type: str
      sample: "2.7"
    uid:
      description: Stable identifier of the control, the same in every benchmark version.
      type: str
      sample: daemon-tls
    cis:
      description: The control's id in each benchmark version that has it.
      type: dict
      sample: {"1.6": "2.7", "1.7": "2.7", "1.8": "2.8"}
    in_profile:
      description: Whether the control's level is within O(profile_level).
      type: bool
    title:
      description: Control title from the catalog.
      type: str
    section:
      description: Catalog section (C(1), C(2), C(3), C(5) or C(HD)).
      type: str
    level:
      description: CIS profile level.
      type: int
    scored:
      description: Whether the benchmark marks the control Automated.
      type: bool
    profile:
      description: C(cis) or C(hardening).
      type: str
    check_type:
      description: The check type that decided the control.
      type: str
      sample: daemon_key
    status:
      description: The decision.
      type: str
      choices: [pass, fail, not_applicable, manual, error]
    evidence:
      description: One short human sentence explaining the decision.
      type: str
      sample: icc is true (unset, default true), expected false
    details:
      description: Structured data behind the evidence (values, sources, paths, modes).
      type: dict
    remediation:
      description: Role, switch variable and tag that remediate the control, or null.
      type: dict
summary:
  description:
    - Number of results per status among the controls of the profile, C(not_in_profile) for the
      controls above O(profile_level) (whatever their status), and C(total).
  returned: always
  type: dict
  sample: {"pass": 40, "fail": 12, "not_applicable": 10, "manual": 4, "error": 0, "not_in_profile": 8, "total": 74}
benchmark_version:
  description: The benchmark version whose ids the results use.
  returned: always
  type: str
  sample: "1.8"
profile_level:
  description: The profile level the results were counted against.
  returned: always
  type: int
  sample: 1
host:
  description: Facts about the audited host.
  returned: always
  type: dict
  contains:
    hostname:
      description: Host name as the kernel reports it.
      type: str
    os:
      description: PRETTY_NAME of C(/etc/os-release).
      type: str
    os_id:
      description: ID of C(/etc/os-release).
      type: str
    os_version:
      description: VERSION_ID of C(/etc/os-release).
      type: str
    kernel:
      description: Kernel release.
      type: str
    engine_version:
      description: Docker Engine version (from C(docker info), else C(dockerd --version)).
      type: str
    docker_available:
      description: Whether C(docker info) answered.
      type: bool
    docker_error:
      description: Why C(docker info) did not answer, when it did not.
      type: str
collected_at:
  description: UTC time the state was read (ISO 8601).
  returned: always
  type: str
  sample: "2026-11-26T22:30:00Z"
gather_errors:
  description: Sources that could not be read at all, with the reason.
  returned: always
  type: dict
runtime:
  description: The containers audited and one result per container and per-container control.
  returned: always
  type: dict
  contains:
    available:
      description: Whether the containers could be listed.
      type: bool
    error:
      description: Why they could not, when they could not.
      type: str
    include_stopped:
      description: Whether containers that do not run were audited too.
      type: bool
    containers:
      description: The audited containers (C(id) short, C(name), C(image), C(state)).
      type: list
      elements: dict
    results:
      description: One result per container and control with C(id), C(title), C(container),
        C(container_id), C(image), C(state), C(status), C(evidence) (the offending mount or flag) and C(details).
      type: list
      elements: dict
    summary:
      description: Number of per-container results per status, and C(total).
      type: dict
    volumes:
      description: Owner and mode of the volumes root and of each local volume, and the bounded scan
        (C(scan.limit), C(scan.scanned), C(scan.truncated)).
      type: dict
state:
  description: The gathered host state the decisions were made on.
  returned: when O(return_state=true)
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.hardening.docker.plugins.module_utils._audit_catalog import (
    CatalogError,
    validate_catalog,
)
from ansible_collections.hardening.docker.plugins.module_utils._audit_catalog_data import catalog_controls
from ansible_collections.hardening.docker.plugins.module_utils._audit_checks import evaluate_with_runtime
from ansible_collections.hardening.docker.plugins.module_utils._audit_gather import Gatherer
from ansible_collections.hardening.docker.plugins.module_utils._audit_model import summarize
from ansible_collections.hardening.docker.plugins.module_utils._audit_profile import (
    apply_profile,
    controls_in_version,
)


def host_facts(state):
    info = state.get('docker_info') or {}
    os_data = state.get('os') or {}
    host = state.get('host') or {}
    return {
        'hostname': host.get('hostname'),
        'os': os_data.get('pretty_name'),
        'os_id': os_data.get('id'),
        'os_version': os_data.get('version_id'),
        'kernel': host.get('kernel'),
        'engine_version': host.get('engine_version'),
        'docker_available': bool(info.get('available')),
        'docker_error': info.get('error'),
    }


def runtime_output(state, per_container):
    runtime = state.get('runtime') or {}
    containers = [{'id': (c.get('id') or '')[:12], 'name': c.get('name'), 'image': c.get('image'),
                   'state': c.get('state')} for c in runtime.get('containers') or []]
    return {
        'available': bool(runtime.get('available')),
        'error': runtime.get('error') if runtime else 'not gathered: no control of the list needs it',
        'include_stopped': bool(runtime.get('include_stopped')),
        'containers': sorted(containers, key=lambda c: (c['name'] or '', c['id'])),
        'results': per_container,
        'summary': summarize(per_container),
        'volumes': runtime.get('volumes'),
    }


def main():
    module = AnsibleModule(
        argument_spec=dict(
            controls=dict(type='list', elements='dict'),
            tls_expiry_threshold_days=dict(type='int', default=30),
            daemon_json=dict(type='path', default='/etc/docker/daemon.json'),
            docker_bin=dict(type='str', default='docker'),
            trusted_users=dict(type='list', elements='str'),
            docker_group=dict(type='str'),
            include_stopped=dict(type='bool', default=False),
            volume_scan_limit=dict(type='int', default=10000),
            benchmark_version=dict(type='str', default='1.8', choices=['1.6', '1.7', '1.8']),
            profile_level=dict(type='int', default=1, choices=[1, 2]),
            return_state=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    # The module's own copy of the catalog by default: the controller then neither reads the
    # catalog nor templates and sends it (about 50 kB) once per host.
    controls = module.params['controls']
    if controls is None:
        controls = catalog_controls()
    if module.params['volume_scan_limit'] < 1:
        module.fail_json(msg='volume_scan_limit must be a positive number of entries (got %d): set '
                             'audit_volume_scan_limit to 1 or more' % module.params['volume_scan_limit'])
    try:
        validate_catalog(controls)
    except CatalogError as exc:
        module.fail_json(msg=str(exc))

    def runner(argv):
        return module.run_command(argv, environ_update={'LC_ALL': 'C', 'LANG': 'C'})

    def which(name):
        return module.get_bin_path(name)

    gatherer = Gatherer(
        runner=runner,
        which=which,
        daemon_json=module.params['daemon_json'],
        docker_bin=module.params['docker_bin'],
        tls_expiry_threshold_days=module.params['tls_expiry_threshold_days'],
        trusted_users=module.params['trusted_users'],
        docker_group=module.params['docker_group'],
        include_stopped=module.params['include_stopped'],
        volume_scan_limit=module.params['volume_scan_limit'],
    )
    version = module.params['benchmark_version']
    controls = controls_in_version(controls, version)
    state = gatherer.gather(controls)
    results, per_container = evaluate_with_runtime(state, controls)
    results = apply_profile(results, controls, version, module.params['profile_level'])
    output = dict(
        changed=False,
        results=results,
        summary=summarize(results),
        benchmark_version=version,
        profile_level=module.params['profile_level'],
        host=host_facts(state),
        collected_at=state.get('collected_at'),
        gather_errors=state.get('errors') or {},
        runtime=runtime_output(state, per_container),
    )
    if module.params['return_state']:
        output['state'] = state
    module.exit_json(**output)


if __name__ == '__main__':
    main()
