# -*- coding: utf-8 -*-
# Copyright (c) hardening.docker maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The authz role's plugin (roles/authz/files/hd_authz.py): its policy decisions.

The file under test is the one the role installs on hosts. Recorded requests:
what dockerd of Engine 20.10 (API 1.41, Debian 12) and Engine 26 (API 1.45,
Debian 13) sent the plugin for docker CLI commands (fixtures/<engine>/<name>.json,
recorded with HD_AUTHZ_RECORD_DIR on the Molecule test hosts). Bypass attempts:
request bodies a client can send that the CLI never does.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
PLUGIN = os.path.join(ROOT, 'roles', 'authz', 'files', 'hd_authz.py')
FIXTURES = os.path.join(os.path.dirname(__file__), 'fixtures')


def _load_plugin():
    spec = importlib.util.spec_from_file_location('hd_authz', PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


authz = _load_plugin()

# The test hosts' /srv/hd-link is a symlink to /run (recording script); here
# realpath is replaced so the decision does not depend on this machine's files.
LINKS = {'/srv/hd-link': '/run', '/srv/evil': '/'}


def fake_realpath(path):
    for link, target in LINKS.items():
        if path == link or path.startswith(link + '/'):
            return target.rstrip('/') + path[len(link):] if target != '/' else (path[len(link):] or '/')
    return path


def policy(mode='enforce', **overrides):
    data = dict(authz.DEFAULT_POLICY, mode=mode)
    data['sensitive_paths'] = ['/run/docker.sock'] + list(authz.DEFAULT_POLICY['sensitive_paths'])
    data.update(overrides)
    return data


def request(body=None, uri='/v1.45/containers/create', method='POST', raw=None, **extra):
    req = {'RequestMethod': method, 'RequestUri': uri, 'RequestHeaders': {'Content-Type': 'application/json'}}
    if raw is not None:
        req['RequestBody'] = base64.b64encode(raw).decode('ascii')
    elif body is not None:
        req['RequestBody'] = base64.b64encode(json.dumps(body).encode('utf-8')).decode('ascii')
    req.update(extra)
    return req


def decide(req, mode='enforce', **overrides):
    return authz.decide(req, policy(mode, **overrides), realpath=fake_realpath)


def recorded(engine, name):
    with open(os.path.join(FIXTURES, engine, name + '.json'), encoding='utf-8') as handle:
        return json.load(handle)


# --------------------------------------------------------------------------
# recorded requests of both engines
# --------------------------------------------------------------------------

# fixture name -> rules the policy must find (empty: allowed)
RECORDED = {
    'ps': [],
    'ordinary': [],
    'bind-data': [],
    'named-volume': [],
    'cap-drop-all-add-default': [],
    'volume-plain': [],
    'exec-plain': [],
    'privileged': ['privileged'],
    'exec-privileged': ['privileged'],
    'docker-sock': ['sensitive_mount'],
    'mount-root': ['sensitive_mount'],
    'bind-etc-ro': ['sensitive_mount'],
    'symlinked-parent': ['sensitive_mount'],
    'volume-bind-etc': ['sensitive_mount'],
    'pid-host': ['host_namespace'],
    'net-host': ['host_namespace'],
    'ipc-host': ['host_namespace'],
    'uts-host': ['host_namespace'],
    'userns-host': ['host_namespace'],
    'cap-sys-admin': ['capability'],
    'cap-all': ['capability'],
    'seccomp-unconfined': ['unconfined'],
    'apparmor-unconfined': ['unconfined'],
    'device': ['device'],
    'device-cgroup-rule': ['device'],
}
ENGINES = ('engine-20.10', 'engine-26')


def test_every_recording_has_an_expectation():
    for engine in ENGINES:
        names = sorted(f[:-5] for f in os.listdir(os.path.join(FIXTURES, engine)))
        assert names == sorted(RECORDED), engine


def test_recordings_are_of_the_engine_they_name():
    assert recorded('engine-20.10', 'privileged')['RequestUri'].startswith('/v1.41/')
    assert recorded('engine-26', 'privileged')['RequestUri'].startswith('/v1.45/')


@pytest.mark.parametrize('engine', ENGINES)
@pytest.mark.parametrize('name', sorted(RECORDED))
def test_recorded_request_enforce(engine, name):
    result = decide(recorded(engine, name))
    assert result['rules'] == RECORDED[name], result['reason']
    assert result['allow'] is (not RECORDED[name])
    assert result['decision'] == ('deny' if RECORDED[name] else 'allow')
    if RECORDED[name]:
        assert result['msg'].startswith('denied by the hardening.docker policy (CIS 2.12): ')


@pytest.mark.parametrize('engine', ENGINES)
@pytest.mark.parametrize('name', sorted(RECORDED))
def test_recorded_request_audit_allows_and_says_would_deny(engine, name):
    result = decide(recorded(engine, name), mode='audit')
    assert result['allow'] is True
    assert result['msg'] == ''
    assert result['rules'] == RECORDED[name]
    assert result['decision'] == ('would_deny' if RECORDED[name] else 'allow')


def test_symlinked_parent_is_resolved_not_guessed():
    # Without resolving /srv/hd-link the same request passes: the link is the point.
    req = recorded('engine-26', 'symlinked-parent')
    assert authz.decide(req, policy(), realpath=lambda p: p)['allow'] is True
    assert decide(req)['allow'] is False


# --------------------------------------------------------------------------
# bypass attempts
# --------------------------------------------------------------------------

def create(host_config=None, **top):
    body = {'Image': 'busybox', 'Cmd': ['true']}
    if host_config is not None:
        body['HostConfig'] = host_config
    body.update(top)
    return request(body)


BYPASSES = [
    # Go's encoding/json matches keys case-insensitively; dockerd reads these.
    ('lower-case keys', create(**{'hostconfig': {'privileged': True}}), ['privileged']),
    ('upper-case keys', request(raw=b'{"Image":"busybox","HOSTCONFIG":{"PRIVILEGED":true}}'), ['privileged']),
    ('long s folds to s', request(raw='{"Image":"b","HostConfig":{"\u017fecurityOpt":["seccomp=unconfined"]}}'.encode()),
     ['unconfined']),
    ('last duplicate key wins', request(raw=b'{"HostConfig":{"Privileged":false,"privileged":true}}'), ['privileged']),
    # Engine 20.10 still reads HostConfig fields at the top level of the body.
    ('top-level Privileged', create(Privileged=True), ['privileged']),
    ('top-level Binds', create(Binds=['/:/host']), ['sensitive_mount']),
    ('top-level PidMode', create(PidMode='host'), ['host_namespace']),
    # the socket and sensitive paths in every spelling
    ('run instead of var/run', create({'Binds': ['/run/docker.sock:/s']}), ['sensitive_mount']),
    ('trailing slash', create({'Binds': ['/var/run/docker.sock/:/s']}), ['sensitive_mount']),
    ('double slashes and dot', create({'Binds': ['//var//run/./docker.sock:/s']}), ['sensitive_mount']),
    ('dot-dot', create({'Binds': ['/tmp/../var/run/docker.sock:/s:ro']}), ['sensitive_mount']),
    ('parent of the socket', create({'Binds': ['/var/run:/r']}), ['sensitive_mount']),
    ('parent of docker state', create({'Binds': ['/var:/v']}), ['sensitive_mount']),
    ('file below /etc', create({'Binds': ['/etc/shadow:/s:ro']}), ['sensitive_mount']),
    ('symlink to root', create({'Binds': ['/srv/evil/etc:/e']}), ['sensitive_mount']),
    ('mount of the socket', create({'Mounts': [{'Type': 'bind', 'Source': '/var/run/docker.sock', 'Target': '/s'}]}),
     ['sensitive_mount']),
    ('mount type in capitals', create({'Mounts': [{'Type': 'BIND', 'Source': '/', 'Target': '/h'}]}), ['sensitive_mount']),
    ('inline volume that binds /etc', create({'Mounts': [{'Type': 'volume', 'Target': '/e', 'VolumeOptions': {
        'DriverConfig': {'Name': 'local', 'Options': {'type': 'none', 'o': 'bind', 'device': '/etc'}}}}]}),
     ['sensitive_mount']),
    ('host path in Config.Volumes', create(Volumes={'/var/run/docker.sock:/s': {}}), ['sensitive_mount']),
    # the body the plugin never sees (Content-Type with parameters, > 1 MiB) or cannot read
    ('body not passed', request(None), ['unreadable_body']),
    ('body not JSON', request(raw=b'{"HostConfig": '), ['unreadable_body']),
    ('body not an object', request(raw=b'["Privileged"]'), ['unreadable_body']),
    ('body not base64', dict(request(None), RequestBody='%%%'), ['unreadable_body']),
    ('exec body not passed', request(None, uri='/v1.41/containers/x/exec'), ['unreadable_body']),
    # URIs
    ('unversioned', request({'HostConfig': {'Privileged': True}}, uri='/containers/create'), ['privileged']),
    ('query string', request({'HostConfig': {'Privileged': True}}, uri='/v1.41/containers/create?name=a'), ['privileged']),
    ('encoded slash', request({'HostConfig': {'Privileged': True}}, uri='/v1.45/containers%2Fcreate'), ['privileged']),
    ('extra slashes', request({'HostConfig': {'Privileged': True}}, uri='//v1.45//containers/create/'), ['privileged']),
    ('lower-case method', request({'HostConfig': {'Privileged': True}}, method='post'), ['privileged']),
    # the old start endpoint that still takes a HostConfig
    ('HostConfig at start', request({'Privileged': True}, uri='/v1.23/containers/abc/start'), ['privileged']),
    ('Binds at start', request({'Binds': ['/:/h']}, uri='/v1.23/containers/abc/start'), ['sensitive_mount']),
    # namespaces
    ('PidMode in capitals', create({'PidMode': 'HOST'}), ['host_namespace']),
    ('cgroup namespace', create({'CgroupnsMode': 'host'}), ['host_namespace']),
    ('host network endpoint', create(NetworkingConfig={'EndpointsConfig': {'host': {}}}), ['host_namespace']),
    ('build on the host network', request(None, uri='/v1.45/build?networkmode=host&t=x'), ['host_namespace']),
    # capabilities
    ('cap_ prefix lower case', create({'CapAdd': ['cap_sys_admin']}), ['capability']),
    ('CAP_ prefix', create({'CapAdd': ['CAP_SYS_PTRACE']}), ['capability']),
    ('all lower case', create({'CapAdd': ['all']}), ['capability']),
    ('Capabilities list', create({'Capabilities': ['CAP_SYS_ADMIN']}), ['capability']),
    # confinement
    ('old seccomp spelling', create({'SecurityOpt': ['seccomp:unconfined']}), ['unconfined']),
    ('old apparmor spelling', create({'SecurityOpt': ['apparmor:unconfined']}), ['unconfined']),
    ('systempaths', create({'SecurityOpt': ['systempaths=unconfined']}), ['unconfined']),
    ('label disable', create({'SecurityOpt': ['label=disable']}), ['unconfined']),
    ('seccomp profile that allows all', create({'SecurityOpt': ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']}),
     ['unconfined']),
    ('empty MaskedPaths', create({'MaskedPaths': []}), ['unconfined']),
    # devices
    ('device as a string', create({'Devices': ['/dev/sda:/dev/sda']}), ['device']),
    ('GPU device request', create({'DeviceRequests': [{'Count': -1, 'Capabilities': [['gpu']]}]}), ['device']),
    ('device on update', request({'Devices': [{'PathOnHost': '/dev/mem'}]}, uri='/v1.45/containers/x/update'), ['device']),
    # paths past the container create endpoint
    ('volume that binds root', request({'Name': 'v', 'DriverOpts': {'o': 'bind', 'device': '/'}}, uri='/volumes/create'),
     ['sensitive_mount']),
    ('service that binds the socket', request({'TaskTemplate': {'ContainerSpec': {'Image': 'b', 'Mounts': [
        {'Type': 'bind', 'Source': '/var/run/docker.sock', 'Target': '/s'}]}}}, uri='/v1.45/services/create'),
     ['sensitive_mount']),
    ('service update that adds a capability', request({'TaskTemplate': {'ContainerSpec': {'CapabilityAdd': ['CAP_SYS_ADMIN']}}},
                                                      uri='/v1.45/services/abc/update?version=3'), ['capability']),
    ('service on the host network', request({'TaskTemplate': {'Networks': [{'Target': 'host'}]}}, uri='/services/create'),
     ['host_namespace']),
    ('managed plugin install', request(None, uri='/v1.45/plugins/pull?remote=evil/plugin'), ['plugin_install']),
    ('managed plugin settings', request(['mountsource=/'], uri='/v1.45/plugins/evil/set'), ['plugin_install']),
    # several findings at once are all named
    ('everything at once', create({'Privileged': True, 'Binds': ['/:/h'], 'PidMode': 'host'}),
     ['host_namespace', 'privileged', 'sensitive_mount']),
]

ALLOWED = [
    ('named volume', create({'Binds': ['data:/data']})),
    ('data directory', create({'Binds': ['/srv/app/data:/data:rw']})),
    ('sibling of a sensitive path', create({'Binds': ['/etcetera:/e', '/running:/r']})),
    ('tmpfs mount', create({'Mounts': [{'Type': 'tmpfs', 'Target': '/t'}]})),
    ('plain volume mount', create({'Mounts': [{'Type': 'volume', 'Source': 'v', 'Target': '/v'}]})),
    ('default capability added back', create({'CapDrop': ['ALL'], 'CapAdd': ['cap_net_bind_service', 'CHOWN']})),
    ('own seccomp profile', create({'SecurityOpt': ['seccomp={"defaultAction":"SCMP_ACT_ERRNO"}', 'no-new-privileges']})),
    ('network of another container', create({'NetworkMode': 'container:web'})),
    ('start without a body', request(None, uri='/v1.45/containers/abc/start')),
    ('start with a null body', request(raw=b'null', uri='/v1.41/containers/abc/start')),
    ('GET is never judged', request(None, uri='/v1.45/containers/json?all=1', method='GET')),
    ('inspect of a container named create', request(None, uri='/v1.45/containers/create/json', method='GET')),
    ('exec without privileges', request({'Cmd': ['sh']}, uri='/v1.45/containers/abc/exec')),
    ('plugin list', request(None, uri='/v1.45/plugins', method='GET')),
    ('build on the default network', request(None, uri='/v1.45/build?t=x')),
    ('volume on a data path', request({'Name': 'v', 'DriverOpts': {'type': 'none', 'o': 'bind', 'device': '/srv/v'}},
                                      uri='/volumes/create')),
]


@pytest.mark.parametrize('name, req, rules', BYPASSES, ids=[b[0] for b in BYPASSES])
def test_bypass_attempt_is_denied(name, req, rules):
    result = decide(req)
    assert result['rules'] == rules, (name, result['reason'])
    assert result['allow'] is False
    audit = decide(req, mode='audit')
    assert audit['allow'] is True and audit['decision'] == 'would_deny'


@pytest.mark.parametrize('name, req', ALLOWED, ids=[a[0] for a in ALLOWED])
def test_ordinary_request_is_allowed(name, req):
    result = decide(req)
    assert result == {'allow': True, 'decision': 'allow', 'rules': [], 'reason': '', 'msg': ''}, name


def test_first_duplicate_loses_like_in_go():
    # {"privileged": true, "Privileged": false}: Go keeps the last value, false.
    req = request(raw=b'{"HostConfig":{"privileged":true,"Privileged":false}}')
    assert decide(req)['allow'] is True


# --------------------------------------------------------------------------
# policy knobs and exceptions per client certificate
# --------------------------------------------------------------------------

def test_allowed_capability_and_device():
    req = create({'CapAdd': ['CAP_NET_ADMIN'], 'Devices': [{'PathOnHost': '/dev/fuse'}]})
    assert decide(req)['rules'] == ['capability', 'device']
    loose = decide(req, allowed_capabilities=['NET_ADMIN'], allowed_devices=['/dev/fuse'])
    assert loose['allow'] is True


def test_sensitive_paths_come_from_the_policy():
    req = create({'Binds': ['/srv/secrets:/s']})
    assert decide(req)['allow'] is True
    assert decide(req, sensitive_paths=['/srv/secrets'])['rules'] == ['sensitive_mount']


TLS_CI = {'User': 'ci-runner', 'UserAuthNMethod': 'TLS'}


def test_exception_lifts_only_its_rules_for_its_tls_client():
    exceptions = {'ci-runner': ['privileged']}
    privileged = create({'Privileged': True})
    assert decide(dict(privileged, **TLS_CI), exceptions=exceptions)['allow'] is True
    # another certificate, or a name without TLS (unix socket), gets nothing
    assert decide(dict(privileged, User='other', UserAuthNMethod='TLS'), exceptions=exceptions)['allow'] is False
    assert decide(dict(privileged, User='ci-runner'), exceptions=exceptions)['allow'] is False
    # a rule not lifted still denies
    both = create({'Privileged': True, 'Binds': ['/var/run/docker.sock:/s']})
    result = decide(dict(both, **TLS_CI), exceptions=exceptions)
    assert result['rules'] == ['sensitive_mount'] and result['allow'] is False


def test_load_policy_refuses_bad_files(tmp_path):
    good = tmp_path / 'good.json'
    good.write_text(json.dumps({'mode': 'audit', 'exceptions': {'ci': ['privileged']}}))
    loaded = authz.load_policy(str(good))
    assert loaded['mode'] == 'audit' and loaded['allowed_capabilities'] == list(authz.DOCKER_DEFAULT_CAPABILITIES)
    bad_mode = tmp_path / 'mode.json'
    bad_mode.write_text(json.dumps({'mode': 'permissive'}))
    with pytest.raises(ValueError, match='mode must be audit or enforce'):
        authz.load_policy(str(bad_mode))
    bad_rule = tmp_path / 'rule.json'
    bad_rule.write_text(json.dumps({'exceptions': {'ci': ['everything']}}))
    with pytest.raises(ValueError, match='unknown rules'):
        authz.load_policy(str(bad_rule))


def test_rules_of_the_role_match_the_plugin():
    with open(os.path.join(ROOT, 'roles', 'authz', 'vars', 'main.yml'), encoding='utf-8') as handle:
        text = handle.read()
    line = [ln for ln in text.splitlines() if ln.startswith('__authz_rules:')][0]
    assert [r.strip() for r in line.split('[', 1)[1].rstrip(']').split(',')] == list(authz.RULES)
