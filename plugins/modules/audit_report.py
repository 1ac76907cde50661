#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
---
module: audit_report
short_description: Write JSON, JUnit and HTML evidence from hardening.docker audit results
version_added: 0.1.0
description:
  - Takes the registered results of M(hardening.docker.audit) for several hosts and writes
    C(report.json), C(junit.xml) and C(report.html) into one directory.
  - Applies waivers (accepted deviations with a reason and an optional expiry date). A waived result
    is shown as waived, never as pass; an expired waiver does not apply and is listed as expired.
  - Per-container results (the C(runtime) of M(hardening.docker.audit)) go into C(report.json) under C(runtime),
    into one JUnit testsuite C(<host> containers) with a testcase per container and control, and into an HTML
    section that gives, per host and control, the number of failing containers and a collapsed list of them
    with their evidence. A waiver of a control on a host also shows that host's failing containers as waived.
  - 'Meant to run once on the controller: C(delegate_to: localhost) and C(run_once: true).'
  - Files are replaced atomically and only when their content changes, so a second run with the
    same results reports no change.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  results:
    description:
      - Audit results keyed by inventory host name; each value is the registered result of
        M(hardening.docker.audit) on that host.
      - A value without C(results) (failed or unreachable host) is reported as a host error.
    type: dict
    required: true
  waivers_file:
    description:
      - YAML (or JSON) file with a list of waivers, each with C(id) (quoted string), C(reason),
        optional C(expires) (C(YYYY-MM-DD)) and optional C(hosts) (list of host names or fnmatch patterns).
      - A waiver applies to C(fail) and C(manual) results; it stops applying after its C(expires) day.
    type: path
  dest:
    description:
      - Directory to write the reports into; created when missing.
    type: path
    required: true
  formats:
    description:
      - Which reports to write.
    type: list
    elements: str
    choices: [json, junit, html]
    default: [json, junit, html]
  benchmark_version:
    description:
      - CIS Docker Benchmark version the reports name; the results must have been audited with it
        (M(hardening.docker.audit) option C(benchmark_version)), otherwise the module fails before writing.
      - When omitted, the version the results carry is named.
    type: str
    choices: ["1.6", "1.7", "1.8"]
  title:
    description:
      - Title of the reports.
    type: str
    default: Docker host hardening audit
attributes:
  check_mode:
    support: full
    description: In check mode nothing is written; C(changed) tells whether a file would change.
  diff_mode:
    support: none
    description: No diff is produced.
  platform:
    support: full
    platforms: posix
    description: Runs on the controller.
seealso:
  - module: hardening.docker.audit
'''

EXAMPLES = r'''
- name: Audit every host
  become: true
  hardening.docker.audit:
    controls: "{{ query('hardening.docker.control_catalog') }}"
  register: audit_result

- name: Write the evidence once, on the controller
  hardening.docker.audit_report:
    results: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'audit_result'))) }}"
    waivers_file: "{{ playbook_dir }}/waivers.yml"
    dest: "{{ playbook_dir }}/reports"
  delegate_to: localhost
  run_once: true
'''

RETURN = r'''
paths:
  description: Written (or, in check mode, would-be) report files by format.
  returned: always
  type: dict
  sample: {"json": "/srv/reports/report.json", "junit": "/srv/reports/junit.xml", "html": "/srv/reports/report.html"}
changed_files:
  description: Report files whose content changed.
  returned: always
  type: list
  elements: str
summary:
  description: Counts over all hosts per displayed status (C(fail), C(error), C(waived), C(manual),
    C(not_in_profile), C(not_applicable), C(pass)) and C(total). A control above the audit's profile
    level counts as C(not_in_profile) whatever its status.
  returned: always
  type: dict
benchmark_version:
  description: The benchmark version whose ids the reports use.
  returned: always
  type: str
  sample: "1.8"
profile_level:
  description: The profile level the reports count against.
  returned: always
  type: int
hosts:
  description: Per host counts, facts and audit error.
  returned: always
  type: dict
waivers:
  description: Every waiver with its state (C(active) or C(expired)) and the hosts it matched.
  returned: always
  type: list
  elements: dict
'''

import datetime
import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.hardening.docker.plugins.module_utils._report_build import build_report, render_json
from ansible_collections.hardening.docker.plugins.module_utils._report_html import render_html
from ansible_collections.hardening.docker.plugins.module_utils._report_junit import render_junit
from ansible_collections.hardening.docker.plugins.module_utils._report_waivers import WaiverError, load_waivers

FILES = {'json': 'report.json', 'junit': 'junit.xml', 'html': 'report.html'}
RENDERERS = {'json': render_json, 'junit': render_junit, 'html': render_html}


def _current(path):
    try:
        with open(path, 'rb') as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def _write_atomic(module, path, data):
    directory = os.path.dirname(path)
    fd, tmp = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        module.atomic_move(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            results=dict(type='dict', required=True),
            waivers_file=dict(type='path'),
            dest=dict(type='path', required=True),
            formats=dict(type='list', elements='str', choices=list(FILES), default=list(FILES)),
            benchmark_version=dict(type='str', choices=['1.6', '1.7', '1.8']),
            title=dict(type='str', default='Docker host hardening audit'),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        waivers = load_waivers(params['waivers_file'], datetime.date.today())
    except WaiverError as exc:
        module.fail_json(msg=to_native(exc))

    wanted = params['benchmark_version']
    audited = sorted(set(str(r.get('benchmark_version')) for r in params['results'].values()
                         if isinstance(r, dict) and r.get('benchmark_version')))
    if wanted and audited and audited != [wanted]:
        module.fail_json(msg='benchmark_version is %s but the results were audited with %s: pass the same '
                             'benchmark_version to hardening.docker.audit and audit_report' % (wanted, ', '.join(audited)))
    report = build_report(params['results'], waivers, title=params['title'])
    dest = params['dest']
    changed_files = []
    paths = {}
    if not os.path.isdir(dest):
        if os.path.exists(dest):
            module.fail_json(msg='dest %s exists and is not a directory' % dest)
        if not module.check_mode:
            try:
                os.makedirs(dest, 0o755)
            except OSError as exc:
                module.fail_json(msg='cannot create %s: %s' % (dest, to_native(exc)))
    for fmt in params['formats']:
        path = os.path.join(dest, FILES[fmt])
        paths[fmt] = path
        data = to_bytes(RENDERERS[fmt](report))
        if _current(path) == data:
            continue
        changed_files.append(path)
        if not module.check_mode:
            try:
                _write_atomic(module, path, data)
            except (IOError, OSError) as exc:
                module.fail_json(msg='cannot write %s: %s' % (path, to_native(exc)))

    module.exit_json(
        changed=bool(changed_files),
        changed_files=changed_files,
        paths=paths,
        summary=report['summary'],
        hosts=dict((h, {'summary': e['summary'], 'facts': e['facts'], 'error': e['error']}) for h, e in report['hosts'].items()),
        waivers=report['waivers'],
        benchmark_version=report['benchmark_version'],
        profile_level=report['profile_level'],
    )


if __name__ == '__main__':
    main()
