#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: daemon_config
short_description: Manage keys of the Docker daemon configuration file (daemon.json)
version_added: 0.1.0
description:
  - Treats C(/etc/docker/daemon.json) as a set of owned keys. The keys named in O(settings) are set,
    the keys named in O(absent) are removed, and every other key keeps its value and its position.
  - A key that changes value keeps its position; a new key is appended. Values compare by JSON
    equality, so setting a key to the value it already has is not a change. When nothing changes the
    file is not rewritten at all.
  - Before anything is written, the keys being set are validated against a schema of the known
    daemon options (types, choices, listener and path forms). Keys already in the file that the task
    does not name are never judged by the schema.
  - The effective C(ExecStart) of O(unit) (the unit file, its drop-ins and the variables of
    C(Environment=) and C(EnvironmentFile=)) is read, and setting a key that is also given there as a
    command-line flag is refused, because dockerd refuses to start when an option is specified both as
    a flag and in the configuration file. List the key in O(flags_removed) when the same run removes
    the flag (for example with M(hardening.docker.daemon_unit)).
  - When the engine is 23.0 or later, the resulting file is checked with C(dockerd --validate) before it
    replaces the current one (see O(validate)).
  - The file is replaced atomically (temporary file in the same directory, then rename). A file that is
    not valid JSON is never touched.
author:
  - hardening.docker maintainers (!UNKNOWN)
options:
  path:
    description:
      - Path of the daemon configuration file.
      - Its directory is created (mode V(0755)) when missing.
      - When it is a symbolic link, the link is kept and its target is written (with the backup next to the
        target); a link whose target is a directory or lies in a missing directory is refused.
    type: path
    default: /etc/docker/daemon.json
  settings:
    description:
      - Keys that must be present, with their values, as they appear in daemon.json.
      - Values of C(log-opts) must be strings (use the P(hardening.docker.docker_log_opts#filter) filter);
        C(default-ulimits) maps each ulimit name to an object with C(Name), C(Soft) and C(Hard)
        (use the P(hardening.docker.docker_ulimits#filter) filter).
    type: dict
    default: {}
  absent:
    description:
      - Keys that must not be present. A key may not be in both O(settings) and O(absent).
    type: list
    elements: str
    default: []
  allow_unknown_keys:
    description:
      - Names of keys outside the module's schema that O(settings) may set. Such keys are written
        unchecked (C(dockerd --validate) still judges them when it runs).
      - Without this, an unknown key (usually a typo) is refused.
    type: list
    elements: str
    default: []
  flags_removed:
    description:
      - daemon.json keys whose command-line flag this same run removes from the unit, so that
        setting them is not refused as a flag conflict. Example V([hosts]) together with
        M(hardening.docker.daemon_unit), which drops C(-H fd://).
    type: list
    elements: str
    default: []
  unit:
    description:
      - The systemd unit whose C(ExecStart) (with drop-ins) is checked for flags that conflict with
        the keys being set.
    type: str
    default: docker.service
  unit_search_paths:
    description:
      - Directories searched for the unit and its C(<unit>.d/*.conf) drop-ins, highest priority first.
      - When the unit is found in none of them the flag check is skipped with a warning.
    type: list
    elements: path
    default:
      - /etc/systemd/system
      - /run/systemd/system
      - /usr/lib/systemd/system
      - /lib/systemd/system
  dockerd_path:
    description:
      - The dockerd binary used by O(validate). When it does not exist, C(dockerd) is looked up in
        C(PATH).
    type: path
    default: /usr/sbin/dockerd
  validate:
    description:
      - V(auto) runs C(dockerd --validate --config-file <temporary file>) on the resulting configuration
        when dockerd is found and its version (from C(dockerd --version)) is 23.0 or later; otherwise only
        the schema check is done.
      - V(always) does the same but fails when dockerd is missing or older than 23.0.
      - V(never) does only the schema check.
      - In check mode the temporary file is written to the module's private temporary directory, never
        next to O(path), and deleted afterwards.
      - In check mode dockerd is not run where its validation would change the host or judge files that
        an earlier task of the same run would create. That is C(userns-remap) V(default) while user
        C(dockremap) does not exist (C(dockerd --validate) creates it and its subordinate ids), or C(tls) or
        C(tlsverify) on while a C(tlscacert), C(tlscert) or C(tlskey) file does not exist yet. RV(validate_skipped)
        then says why.
    type: str
    choices: [auto, always, never]
    default: auto
  backup:
    description:
      - Keep a timestamped copy of the previous file next to it when it changes.
    type: bool
    default: true
extends_documentation_fragment:
  - hardening.docker.attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - The file is written with mode V(0644) when it is created; an existing file keeps its mode, less any
    bit beyond V(0644). Ownership is set to C(root:root) when the module runs as root.
  - Removing a key needs a restart to take effect even for reload-only options (a reload only applies
    options present in the file), so RV(restart_required) is true for any removal.
seealso:
  - module: hardening.docker.daemon_unit
  - name: dockerd reference, daemon configuration file
    description: Options, configuration reload behavior and --validate.
    link: https://docs.docker.com/reference/cli/dockerd/#daemon-configuration-file
"""

EXAMPLES = r"""
- name: Disable inter-container communication and set logging
  hardening.docker.daemon_config:
    settings:
      icc: false
      log-level: info
      log-driver: json-file
      log-opts: "{{ {'max-size': '10m', 'max-file': 3} | hardening.docker.docker_log_opts }}"
      default-ulimits: "{{ {'nofile': '1024:4096', 'nproc': 2048} | hardening.docker.docker_ulimits }}"
    absent:
      - insecure-registries
  register: daemon_json
  notify: "{{ 'hardening_docker_restart_dockerd' if daemon_json.restart_required else 'hardening_docker_reload_dockerd' }}"

- name: Move the listeners into daemon.json, the drop-in removes -H fd:// from the unit
  hardening.docker.daemon_config:
    settings:
      hosts:
        - unix:///var/run/docker.sock
        - tcp://0.0.0.0:2376
      tlsverify: true
      tlscacert: /etc/docker/tls/ca.pem
      tlscert: /etc/docker/tls/server-cert.pem
      tlskey: /etc/docker/tls/server-key.pem
    flags_removed:
      - hosts

- name: Set a key the schema does not know
  hardening.docker.daemon_config:
    settings:
      some-new-option: true
    allow_unknown_keys:
      - some-new-option
"""

RETURN = r"""
path:
  description: Path of the configuration file.
  returned: always
  type: str
  sample: /etc/docker/daemon.json
target:
  description: The file written when O(path) is a symbolic link (its final target; the link is kept).
  returned: when O(path) is a symbolic link
  type: str
  sample: /srv/config/docker/daemon.json
changed_keys:
  description: Keys added, modified or removed, sorted.
  returned: always
  type: list
  elements: str
  sample: [icc, log-opts]
added_keys:
  description: Keys that were not in the file and are now, sorted.
  returned: always
  type: list
  elements: str
  sample: [icc]
modified_keys:
  description: Keys whose value changed, sorted.
  returned: always
  type: list
  elements: str
  sample: [log-opts]
removed_keys:
  description: Keys removed from the file, sorted.
  returned: always
  type: list
  elements: str
  sample: [insecure-registries]
overrides:
  description:
    - The operator's values this run replaced or removed (keys that were in the file with another value), so
      a play can say what it overrode. URL credentials in values are replaced by C(***).
  returned: always
  type: list
  elements: dict
  sample: [{source: /etc/docker/daemon.json, setting: icc, was: true, now: false}]
restart_required:
  description: True when a change needs dockerd to be restarted (any changed key that is not reload-only, or any removal).
  returned: always
  type: bool
  sample: true
reload_required:
  description: True when there are changes and all of them take effect with a reload (SIGHUP).
  returned: always
  type: bool
  sample: false
backup_file:
  description: Path of the backup of the previous file.
  returned: when a backup was made
  type: str
  sample: /etc/docker/daemon.json.12345.2024-01-01@00:00:00~
config:
  description:
    - The resulting configuration (what the file holds, or would hold in check mode).
    - URL credentials in values (C(user:password@) of a proxy or mirror) are replaced by C(***), as in the diff.
  returned: always
  type: dict
  sample: {"icc": false, "log-level": "info"}
validate_skipped:
  description: Why C(dockerd --validate) was not run in check mode (see O(validate)), when it was not.
  returned: when dockerd validation was skipped in check mode
  type: str
  sample: userns-remap is "default" and user dockremap does not exist
validated_with:
  description: The checks the new configuration passed, V(schema) and V(dockerd) when C(dockerd --validate) ran.
  returned: always
  type: list
  elements: str
  sample: [schema, dockerd]
ansible_facts:
  description: Facts about the file as this call left it.
  returned: always
  type: dict
  contains:
    hardening_docker_daemon_json:
      description:
        - O(path) and the SHA-256 of its content as this call left it (V(absent) when there is no file).
        - The main job compares it with the value its preflight saw, to know whether a role may reuse that
          preflight's reading of the host instead of reading daemon.json and dockerd's state again.
      type: dict
      sample: {path: /etc/docker/daemon.json, sha256: 0f3c...}
"""

import os
import pwd
import re
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native

from ansible_collections.hardening.docker.plugins.module_utils._atomic_write import ensure_directory, write_atomically
from ansible_collections.hardening.docker.plugins.module_utils._daemon_json import (
    DaemonJsonError,
    content_digest,
    merge,
    overrides,
    redact,
    read_daemon_json,
    render,
)
from ansible_collections.hardening.docker.plugins.module_utils._daemon_schema import (
    classify,
    validate_settings,
)
from ansible_collections.hardening.docker.plugins.module_utils._unit_flags import (
    DEFAULT_UNIT_SEARCH_PATHS,
    UnitError,
    config_file_flags,
    flag_uses,
    load_service,
)

VALIDATE_MIN_VERSION = (23, 0)


def find_dockerd(module, dockerd_path):
    """The dockerd to use for validation, or None."""
    if dockerd_path and os.path.isfile(dockerd_path) and os.access(dockerd_path, os.X_OK):
        return dockerd_path
    return module.get_bin_path('dockerd', opt_dirs=['/usr/sbin', '/usr/bin', '/usr/local/bin'])


def dockerd_version(module, dockerd):
    """(major, minor) from `dockerd --version` ("Docker version 24.0.7, build ..."), or None."""
    rc, out, err = module.run_command([dockerd, '--version'])
    if rc != 0:
        return None, (err or out).strip()
    match = re.search(r'version\s+v?(\d+)\.(\d+)', out) or re.search(r'(\d+)\.(\d+)\.\d+', out)
    if not match:
        return None, out.strip()
    return (int(match.group(1)), int(match.group(2))), out.strip()


def check_mode_validate_skip(config):
    """Why `dockerd --validate` must not run in check mode on this configuration, or None.

    Engine 26 creates the dockremap user and its subordinate ids while
    validating "userns-remap": "default", and loads the TLS key pair: check mode
    must neither change the host nor fail on files an earlier task would create.
    """
    if config.get('userns-remap') == 'default':
        try:
            pwd.getpwnam('dockremap')
        except KeyError:
            return ('userns-remap is "default" and user dockremap does not exist: dockerd --validate would '
                    'create it and its subordinate ids')
    if config.get('tls') is True or config.get('tlsverify') is True:
        missing = [config[key] for key in ('tlscacert', 'tlscert', 'tlskey')
                   if isinstance(config.get(key), str) and not os.path.exists(config[key])]
        if missing:
            return 'TLS files do not exist yet (%s): dockerd --validate would fail on them' % ', '.join(missing)
    return None


def dockerd_validate(module, dockerd, config_path):
    """Run `dockerd --validate`; fail the module when the configuration is refused."""
    rc, out, err = module.run_command([dockerd, '--validate', '--config-file', config_path])
    if rc != 0:
        return (err or out).strip() or 'exit code %d' % rc
    return None


def read_existing(module, path):
    """(text or None, config dict, duplicate keys); fails naming the file when it cannot be used."""
    try:
        return read_daemon_json(path)
    except DaemonJsonError as exc:
        module.fail_json(msg=to_native(exc))


def check_flag_conflicts(module, params):
    """Fail when a key being set is also a flag of the unit (unless in flags_removed)."""
    try:
        service = load_service(params['unit'], params['unit_search_paths'])
    except UnitError as exc:
        module.fail_json(msg='cannot read unit %s: %s' % (params['unit'], to_native(exc)))
    if not service.found:
        module.warn('unit %s was not found in %s; the check for flags that conflict with daemon.json '
                    'keys was skipped' % (params['unit'], ', '.join(params['unit_search_paths'])))
        return
    for warning in service.warnings:
        module.warn(warning)
    for config_file in config_file_flags(service):
        if os.path.abspath(config_file) != os.path.abspath(params['path']):
            module.warn('%s starts dockerd with --config-file %s, not %s; this file may not be the one dockerd reads'
                        % (params['unit'], config_file, params['path']))
    exempt = set(params['flags_removed'])
    errors = []
    for use in flag_uses(service):
        if use.key in params['settings'] and use.key not in exempt:
            errors.append(
                "daemon.json key '%s' is also set by %s. dockerd refuses to start when an option is "
                "specified both as a flag and in the configuration file. Remove the flag from the unit "
                "(hardening.docker.daemon_unit does it for -H) and list '%s' in flags_removed, or do not "
                "set '%s'." % (use.key, use.describe(), use.key, use.key))
    if errors:
        module.fail_json(msg=' '.join(errors), errors=errors)


def write_temp(module, directory, text):
    fd, tmp_path = tempfile.mkstemp(prefix='.daemon.json.', suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(to_bytes(text, errors='surrogate_or_strict'))
            handle.flush()
            os.fsync(handle.fileno())
    except (IOError, OSError) as exc:
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        module.fail_json(msg='cannot write a temporary file in %s: %s' % (directory, to_native(exc)))
    return tmp_path


def write_target(module, path):
    """The file to write: ``path`` itself, or the final target when ``path`` is a symbolic link.

    Replacing the link with a file would cut the operator's configuration
    management (the link) off from dockerd; a link whose target directory does
    not exist is refused, naming both.
    """
    if not os.path.islink(path):
        return path
    target = os.path.realpath(path)
    if os.path.isdir(target) or not os.path.isdir(os.path.dirname(target)):
        module.fail_json(msg='%s is a symbolic link to %s, which is not a file in an existing directory; point the '
                         'link at the daemon.json file dockerd should read, or remove the link' % (path, target),
                         path=path, target=target)
    return target


def target_mode(path):
    """0644 for a new file; an existing file keeps its mode, never looser than 0644."""
    if os.path.exists(path):
        return stat.S_IMODE(os.stat(path).st_mode) & 0o644
    return 0o644


def run_module():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', default='/etc/docker/daemon.json'),
            settings=dict(type='dict', default={}),
            absent=dict(type='list', elements='str', default=[]),
            allow_unknown_keys=dict(type='list', elements='str', default=[], no_log=False),
            flags_removed=dict(type='list', elements='str', default=[]),
            unit=dict(type='str', default='docker.service'),
            unit_search_paths=dict(type='list', elements='path', default=list(DEFAULT_UNIT_SEARCH_PATHS)),
            dockerd_path=dict(type='path', default='/usr/sbin/dockerd'),
            validate=dict(type='str', default='auto', choices=['auto', 'always', 'never']),
            backup=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = params['path']
    settings = params['settings'] or {}
    absent = params['absent'] or []
    params['settings'] = settings

    overlap = sorted(set(settings) & set(absent))
    if overlap:
        module.fail_json(msg='keys both in settings and in absent: %s; keep each key in one of them'
                         % ', '.join(overlap))

    # 1. schema of the keys being set
    errors = validate_settings(settings, params['allow_unknown_keys'])
    if errors:
        module.fail_json(msg='invalid settings for %s: %s' % (path, ' | '.join(errors)), errors=errors)
    validated_with = ['schema']

    # 2. the current file (never touched when it is not valid JSON)
    before_text, current, duplicates = read_existing(module, path)
    if duplicates:
        module.warn('%s has duplicate keys %s; dockerd uses the last value of each'
                    % (path, ', '.join(duplicates)))

    # 3. flags of the unit
    if settings:
        check_flag_conflicts(module, params)

    # 4. merge
    result = merge(current, settings, absent)
    changed = result.changed
    after_text = render(result.config) if changed else before_text
    restart_required, reload_required = classify(result.added, result.modified, result.removed)

    # 5. dockerd --validate
    dockerd_needed = params['validate'] == 'always' or (params['validate'] == 'auto' and changed)
    dockerd = None
    if dockerd_needed:
        dockerd = find_dockerd(module, params['dockerd_path'])
        version = None
        if dockerd:
            version, version_text = dockerd_version(module, dockerd)
        if params['validate'] == 'always':
            if not dockerd:
                module.fail_json(msg='validate=always but dockerd was found neither at %s nor in PATH; '
                                 'install Docker Engine 23.0 or later, or set validate to auto'
                                 % params['dockerd_path'])
            if version is None or version < VALIDATE_MIN_VERSION:
                module.fail_json(msg='validate=always but %s (%s) has no --validate (needs Docker Engine 23.0 '
                                 'or later); set validate to auto or upgrade the engine'
                                 % (dockerd, version_text or 'unknown version'))
        elif dockerd and (version is None or version < VALIDATE_MIN_VERSION):
            dockerd = None

    res = dict(
        changed=changed,
        path=path,
        changed_keys=result.changed_keys,
        added_keys=sorted(result.added),
        modified_keys=sorted(result.modified),
        removed_keys=sorted(result.removed),
        overrides=overrides(current, result, path),
        restart_required=restart_required,
        reload_required=reload_required,
        # Proxy and mirror URLs may carry user:password@: never in output (-v, --diff).
        config=redact(result.config),
        validated_with=validated_with,
        ansible_facts=dict(hardening_docker_daemon_json=content_digest(
            path, after_text if changed and not module.check_mode else before_text)),
    )
    if module._diff:
        res['diff'] = dict(before=redact(before_text or ''), after=redact(after_text or ''),
                           before_header=path, after_header=path)

    # A daemon.json that is a link keeps its link: the file written (and
    # backed up) is its target, where dockerd reads the configuration.
    target = write_target(module, path)
    if target != path:
        res['target'] = target
    directory = os.path.dirname(target) or '.'
    if module.check_mode or not changed:
        skip = check_mode_validate_skip(result.config) if (dockerd and module.check_mode) else None
        if skip:
            res['validate_skipped'] = skip
            dockerd = None
        if dockerd:
            tmp_path = write_temp(module, module.tmpdir, after_text if changed else (before_text or '{}\n'))
            try:
                failure = dockerd_validate(module, dockerd, tmp_path)
            finally:
                os.unlink(tmp_path)
            if failure:
                module.fail_json(msg='dockerd --validate refused the new configuration of %s: %s'
                                 % (path, redact(failure)),
                                 validate_output=redact(failure), config=redact(result.config))
            validated_with.append('dockerd')
        module.exit_json(**res)

    ensure_directory(module, directory)

    def validate(tmp_path):
        if dockerd:
            failure = dockerd_validate(module, dockerd, tmp_path)
            if failure:
                module.fail_json(msg='dockerd --validate refused the new configuration of %s, the file was '
                                 'left untouched: %s' % (path, redact(failure)),
                                 validate_output=redact(failure), config=redact(result.config))
            validated_with.append('dockerd')

    backup_file = write_atomically(module, target, to_bytes(after_text, errors='surrogate_or_strict'),
                                   target_mode(target), check=validate,
                                   backup=params['backup'] and before_text is not None)
    if backup_file:
        res['backup_file'] = backup_file
    module.exit_json(**res)


def main():
    run_module()


if __name__ == '__main__':
    main()
