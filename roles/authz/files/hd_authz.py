# -*- coding: utf-8 -*-
# Copyright: hardening.docker contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Docker authorization plugin of hardening.docker (CIS 2.12).

One file, Python 3 standard library only: the role copies it to the host and
systemd runs it. It speaks dockerd's authorization-plugin protocol
(``/Plugin.Activate``, ``/AuthZPlugin.AuthZReq``, ``/AuthZPlugin.AuthZRes``) on a
unix socket under ``/run/docker/plugins/`` and decides each API request against a
JSON policy file. In ``audit`` mode every request is allowed and the requests
the policy would deny are logged as ``would_deny``; in ``enforce`` mode they are
denied. One JSON line per decision goes to stdout (the journal).

The policy functions (``decide`` and its helpers) are pure apart from
``os.path.realpath`` on bind sources, so the unit tests import this same file.
"""

import base64
import binascii
import json
import os
import posixpath
import re
import signal
import socket
import socketserver
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler

ACTIVATE_REPLY = {'Implements': ['authz']}
CONTENT_TYPE = 'application/vnd.docker.plugins.v1.2+json'

# Rule names: what an exception per client certificate may lift.
PRIVILEGED = 'privileged'
SENSITIVE_MOUNT = 'sensitive_mount'
HOST_NAMESPACE = 'host_namespace'
CAPABILITY = 'capability'
UNCONFINED = 'unconfined'
DEVICE = 'device'
PLUGIN_INSTALL = 'plugin_install'
UNREADABLE_BODY = 'unreadable_body'
RULES = (PRIVILEGED, SENSITIVE_MOUNT, HOST_NAMESPACE, CAPABILITY, UNCONFINED, DEVICE,
         PLUGIN_INSTALL, UNREADABLE_BODY)

# Capabilities a container has unless dropped: adding one back
# (--cap-drop ALL --cap-add NET_BIND_SERVICE) grants nothing new.
DOCKER_DEFAULT_CAPABILITIES = (
    'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD',
    'NET_BIND_SERVICE', 'NET_RAW', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
)

DEFAULT_POLICY = {
    'mode': 'enforce',
    'plugin_name': 'hd-authz',
    'allowed_capabilities': list(DOCKER_DEFAULT_CAPABILITIES),
    'sensitive_paths': ['/', '/bin', '/boot', '/dev', '/etc', '/lib', '/lib32', '/lib64', '/proc',
                        '/root', '/run', '/sbin', '/sys', '/usr', '/var/lib/docker', '/var/lib/containerd'],
    'allowed_devices': [],
    'exceptions': {},
}

NAMESPACE_MODES = ('PidMode', 'IpcMode', 'UTSMode', 'UsernsMode', 'NetworkMode', 'CgroupnsMode')

_VERSION_PREFIX = re.compile(r'^/v[0-9]+(\.[0-9]+)?(?=/)')


# --------------------------------------------------------------------------
# reading the request
# --------------------------------------------------------------------------

class Obj(object):
    """A JSON object read the way Go's encoding/json reads it into a struct.

    Go matches keys case-insensitively (with Unicode folding: U+017F is "s",
    U+212A is "k") and the last matching key wins; ``{"privileged": true}`` and
    duplicate keys must therefore decide exactly as dockerd will read them.
    """

    def __init__(self, pairs):
        self.pairs = pairs

    def get(self, name, default=None):
        want = name.casefold()
        found = default
        for key, value in self.pairs:
            if key.casefold() == want:
                found = value
        return found

    def keys(self):
        return [key for key, _value in self.pairs]

    def has(self, name):
        want = name.casefold()
        return any(key.casefold() == want for key, _value in self.pairs)


def parse_json(raw):
    return json.loads(raw, object_pairs_hook=Obj)


def request_body(req):
    """The request body dockerd forwarded: ``('absent'|'invalid'|'object', Obj or None)``.

    dockerd sends it base64 encoded (a Go []byte), and only when the client sent
    ``Content-Type: application/json`` and less than 1 MiB. JSON ``null`` is no
    body for dockerd as well.
    """
    encoded = req.get('RequestBody')
    if not encoded:
        return 'absent', None
    try:
        data = parse_json(base64.b64decode(encoded, validate=True).decode('utf-8'))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return 'invalid', None
    if data is None:
        return 'absent', None
    return ('object', data) if isinstance(data, Obj) else ('invalid', None)


def normalise_uri(uri):
    """``/v1.41/containers//x%2Fy/start/?a=b`` -> (``/containers/x/y/start``, {'a': ['b']})."""
    path, _sep, query = (uri or '').partition('?')
    path = urllib.parse.unquote(path)
    path = '/' + path.lstrip('/')
    path = posixpath.normpath(path)
    path = _VERSION_PREFIX.sub('', path)
    path = posixpath.normpath('/' + path.lstrip('/'))
    return path, urllib.parse.parse_qs(query, keep_blank_values=True)


# --------------------------------------------------------------------------
# paths
# --------------------------------------------------------------------------

def _norm_path(path):
    path = posixpath.normpath('/' + str(path).lstrip('/'))
    if path == '/var/run' or path.startswith('/var/run/'):
        # Debian (and every systemd host) links /var/run to /run.
        path = '/run' + path[len('/var/run'):]
    return path


def path_forms(path, realpath=os.path.realpath):
    """Every spelling under which a host path may reach a sensitive one."""
    literal = _norm_path(path)
    forms = {literal}
    try:
        forms.add(_norm_path(realpath(literal)))
    except (OSError, ValueError):
        pass
    return forms


def _inside(path, parent):
    return path == parent or parent == '/' or path.startswith(parent + '/')


def sensitive_hit(path, sensitive, realpath=os.path.realpath):
    """The sensitive path a bind of ``path`` exposes, or None.

    A bind exposes a sensitive path when it is that path, lies below it, or
    contains it (binding ``/var`` exposes ``/var/lib/docker``).
    """
    sources = path_forms(path, realpath)
    for entry in sensitive:
        for target in path_forms(entry, realpath):
            for source in sources:
                if target == '/':
                    if source == '/':
                        return entry
                elif _inside(source, target) or _inside(target, source):
                    return entry
    return None


# --------------------------------------------------------------------------
# the checks, each returning a list of (rule, reason)
# --------------------------------------------------------------------------

def _items(value):
    if isinstance(value, list):
        return value
    if value in (None, '', False):
        return []
    return [value]


def _truthy(value):
    return value not in (None, False, 0, '', [])


def _text(value):
    return str(value).strip()


def _bind_source(spec):
    """``/src:/dst:ro`` -> ``/src``; a named volume (no leading slash) -> None."""
    source = _text(spec).split(':', 1)[0]
    return source if source.startswith('/') else None


def _check_bind(source, where, policy, realpath):
    hit = sensitive_hit(source, policy['sensitive_paths'], realpath)
    if hit is None:
        return []
    return [(SENSITIVE_MOUNT, '%s mounts host path %s, which exposes %s' % (where, source, hit))]


def _volume_driver_device(options):
    """A local-driver volume that binds a host path: ``o=bind`` or ``type=none`` with ``device=``."""
    if not isinstance(options, Obj):
        return None
    device = options.get('device')
    if not device:
        return None
    kinds = {_text(o).lower() for o in _text(options.get('o') or '').split(',')}
    if 'bind' in kinds or 'rbind' in kinds or _text(options.get('type') or '').lower() in ('none', 'bind'):
        return _text(device)
    return None


def check_mounts(mounts, where, policy, realpath):
    found = []
    for mount in _items(mounts):
        if not isinstance(mount, Obj):
            continue
        kind = _text(mount.get('Type') or '').lower()
        if kind == 'bind':
            found += _check_bind(_text(mount.get('Source') or ''), where + ' (type bind)', policy, realpath)
        elif kind == 'volume':
            options = mount.get('VolumeOptions')
            driver = options.get('DriverConfig') if isinstance(options, Obj) else None
            device = _volume_driver_device(driver.get('Options') if isinstance(driver, Obj) else None)
            if device:
                found += _check_bind(device, where + ' (volume with device=)', policy, realpath)
    return found


def check_capabilities(names, where, policy):
    allowed = {_cap(c) for c in policy['allowed_capabilities']}
    extra = [_text(c) for c in _items(names) if _cap(c) not in allowed]
    if not extra:
        return []
    return [(CAPABILITY, '%s adds %s beyond the allowed capabilities' % (where, ', '.join(extra)))]


def _cap(name):
    name = _text(name).upper()
    return name[4:] if name.startswith('CAP_') else name


def _seccomp_allows_all(value):
    """A seccomp profile given inline whose default action allows every syscall."""
    try:
        profile = parse_json(value)
    except ValueError:
        return False
    action = profile.get('defaultAction') if isinstance(profile, Obj) else None
    return _text(action or '').upper() in ('SCMP_ACT_ALLOW', 'SCMP_ACT_LOG')


def check_security_opt(options, policy):
    found = []
    for option in _items(options):
        text = _text(option)
        if '=' in text:
            key, value = text.split('=', 1)
        else:
            key, _sep, value = text.partition(':')  # the old spelling seccomp:unconfined
        key, value = key.strip().lower(), value.strip()
        if key in ('seccomp', 'apparmor', 'systempaths') and value.lower() == 'unconfined':
            found.append((UNCONFINED, 'SecurityOpt %s=unconfined' % key))
        elif key == 'label' and value.lower() in ('disable', 'disabled', 'type:spc_t'):
            found.append((UNCONFINED, 'SecurityOpt label=%s disables SELinux separation' % value))
        elif key == 'seccomp' and _seccomp_allows_all(value):
            found.append((UNCONFINED, 'SecurityOpt seccomp profile allows every system call'))
    return found


def check_host_config(hc, where, policy, realpath):
    """HostConfig of a container (create, old-style start, or top-level fields)."""
    if not isinstance(hc, Obj):
        return []
    found = []
    if _truthy(hc.get('Privileged')):
        found.append((PRIVILEGED, '%s.Privileged: privileged container' % where))
    for bind in _items(hc.get('Binds')):
        source = _bind_source(bind)
        if source:
            found += _check_bind(source, '%s.Binds %s' % (where, _text(bind)), policy, realpath)
    found += check_mounts(hc.get('Mounts'), where + '.Mounts', policy, realpath)
    for field in NAMESPACE_MODES:
        if _text(hc.get(field) or '').lower() == 'host':
            found.append((HOST_NAMESPACE, '%s.%s=host shares the host\'s namespace' % (where, field)))
    found += check_capabilities(hc.get('CapAdd'), where + '.CapAdd', policy)
    found += check_capabilities(hc.get('Capabilities'), where + '.Capabilities', policy)
    found += check_security_opt(hc.get('SecurityOpt'), policy)
    for field in ('MaskedPaths', 'ReadonlyPaths'):
        if hc.has(field) and hc.get(field) == []:
            found.append((UNCONFINED, '%s.%s is empty: /proc and /sys are not masked' % (where, field)))
    found += check_devices(hc, where, policy)
    return found


def check_devices(hc, where, policy):
    found = []
    allowed = {_norm_path(d) for d in policy['allowed_devices']}
    for device in _items(hc.get('Devices')):
        host = device.get('PathOnHost') if isinstance(device, Obj) else _text(device).split(':', 1)[0]
        if _norm_path(host or '/') not in allowed:
            found.append((DEVICE, '%s.Devices gives host device %s' % (where, host)))
    if _items(hc.get('DeviceCgroupRules')):
        found.append((DEVICE, '%s.DeviceCgroupRules %s' % (where, ', '.join(_text(r) for r in _items(hc.get('DeviceCgroupRules'))))))
    if _items(hc.get('DeviceRequests')):
        found.append((DEVICE, '%s.DeviceRequests asks for host devices (GPUs)' % where))
    return found


def check_container_create(body, policy, realpath):
    found = check_host_config(body.get('HostConfig'), 'HostConfig', policy, realpath)
    # Engine 20.10 still reads HostConfig fields given at the top level of the
    # body (a deprecated form of the API): judge them as well.
    found += check_host_config(body, 'body', policy, realpath)
    volumes = body.get('Volumes')
    for spec in (volumes.keys() if isinstance(volumes, Obj) else _items(volumes)):
        if ':' in _text(spec) and _bind_source(spec):
            found += _check_bind(_bind_source(spec), 'Volumes %s' % _text(spec), policy, realpath)
    networking = body.get('NetworkingConfig')
    endpoints = networking.get('EndpointsConfig') if isinstance(networking, Obj) else None
    if isinstance(endpoints, Obj) and any(_text(name).lower() == 'host' for name in endpoints.keys()):
        found.append((HOST_NAMESPACE, 'NetworkingConfig joins the host network'))
    return found


def check_service(body, policy, realpath):
    """Swarm services: dockerd creates their containers itself, past this plugin."""
    template = body.get('TaskTemplate')
    spec = template.get('ContainerSpec') if isinstance(template, Obj) else None
    found = []
    if isinstance(spec, Obj):
        found += check_mounts(spec.get('Mounts'), 'ContainerSpec.Mounts', policy, realpath)
        found += check_capabilities(spec.get('CapabilityAdd'), 'ContainerSpec.CapabilityAdd', policy)
    for network in _items(template.get('Networks') if isinstance(template, Obj) else None):
        target = network.get('Target') if isinstance(network, Obj) else network
        if _text(target or '').lower() == 'host':
            found.append((HOST_NAMESPACE, 'TaskTemplate.Networks joins the host network'))
    return found


def check_volume_create(body, policy, realpath):
    device = _volume_driver_device(body.get('DriverOpts'))
    return _check_bind(device, 'volume driver option device=', policy, realpath) if device else []


# (method, path pattern, needs a body, check)
ENDPOINTS = (
    ('POST', re.compile(r'^/containers/create$'), True, check_container_create),
    ('POST', re.compile(r'^/containers/[^/]+/start$'), False,
     lambda body, policy, realpath: check_host_config(body, 'HostConfig', policy, realpath)),
    ('POST', re.compile(r'^/containers/[^/]+/exec$'), True,
     lambda body, policy, realpath: ([(PRIVILEGED, 'exec with Privileged')] if _truthy(body.get('Privileged')) else [])),
    ('POST', re.compile(r'^/containers/[^/]+/update$'), True,
     lambda body, policy, realpath: check_devices(body, 'update', policy)),
    ('POST', re.compile(r'^/volumes/create$'), True, check_volume_create),
    ('POST', re.compile(r'^/services/create$'), True, check_service),
    ('POST', re.compile(r'^/services/[^/]+/update$'), True, check_service),
)

PLUGIN_INSTALL_PATHS = re.compile(r'^/plugins/(pull|create|[^/]+/upgrade|[^/]+/set)$')


def findings(req, policy, realpath=os.path.realpath):
    """Every (rule, reason) the policy has against one AuthZReq."""
    method = _text(req.get('RequestMethod') or '').upper()
    path, query = normalise_uri(req.get('RequestUri') or req.get('RequestURI') or '')
    found = []
    if method == 'POST' and PLUGIN_INSTALL_PATHS.match(path):
        found.append((PLUGIN_INSTALL, 'managed plugins may ask for host privileges (%s)' % path))
    if method == 'POST' and path == '/build':
        for mode in query.get('networkmode', []):
            if mode.strip().lower() == 'host':
                found.append((HOST_NAMESPACE, 'build with networkmode=host'))
    for want, pattern, needs_body, check in ENDPOINTS:
        if method != want or not pattern.match(path):
            continue
        state, body = request_body(req)
        if state == 'invalid':
            found.append((UNREADABLE_BODY, 'request body of %s is not a JSON object' % path))
        elif state == 'absent' and needs_body:
            found.append((UNREADABLE_BODY, 'request body of %s was not passed to the plugin '
                          '(Content-Type other than application/json, or larger than 1 MiB)' % path))
        elif state == 'object':
            found += check(body, policy, realpath)
    return found


def decide(req, policy, realpath=os.path.realpath):
    """The decision on one AuthZReq: a dict with allow, decision, rules, reason, msg."""
    user = _text(req.get('User') or '')
    lifted = set()
    if user and _text(req.get('UserAuthNMethod') or '').upper() == 'TLS':
        lifted = set(policy['exceptions'].get(user, []))
    found = [(rule, reason) for rule, reason in findings(req, policy, realpath) if rule not in lifted]
    enforce = policy['mode'] == 'enforce'
    if not found:
        decision = 'allow'
    else:
        decision = 'deny' if enforce else 'would_deny'
    reason = '; '.join(reason for _rule, reason in found)
    msg = ''
    if decision == 'deny':
        msg = 'denied by the hardening.docker policy (CIS 2.12): %s' % reason
    return {
        'allow': decision != 'deny',
        'decision': decision,
        'rules': sorted({rule for rule, _reason in found}),
        'reason': reason,
        'msg': msg,
    }


def load_policy(path):
    with open(path, encoding='utf-8') as handle:
        data = json.load(handle)
    policy = dict(DEFAULT_POLICY)
    policy.update(data)
    if policy['mode'] not in ('audit', 'enforce'):
        raise ValueError('mode must be audit or enforce, not %r' % (policy['mode'],))
    for user, rules in policy['exceptions'].items():
        unknown = sorted(set(rules) - set(RULES))
        if unknown:
            raise ValueError('exceptions of %s name unknown rules %s (known: %s)' % (user, unknown, ', '.join(RULES)))
    return policy


# --------------------------------------------------------------------------
# the service
# --------------------------------------------------------------------------

def log_line(record):
    sys.stdout.write(json.dumps(record, sort_keys=True) + '\n')
    sys.stdout.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'  # dockerd keeps its connections to plugins alive

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Unix peers have no address; decisions are logged by do_POST."""

    def _reply(self, code, payload):
        data = json.dumps(payload).encode('utf-8')
        self.send_response(code)
        self.send_header('Content-Type', CONTENT_TYPE)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # pylint: disable=invalid-name
        length = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(length) if length > 0 else b''
        if self.path == '/Plugin.Activate':
            self._reply(200, ACTIVATE_REPLY)
            return
        if self.path == '/AuthZPlugin.AuthZRes':
            # Responses are never filtered: allow without logging.
            self._reply(200, {'Allow': True})
            return
        if self.path != '/AuthZPlugin.AuthZReq':
            self._reply(404, {'Err': 'unknown method %s' % self.path})
            return
        policy = self.server.policy
        if self.server.record_dir:
            self.server.record(raw)
        req = {}
        try:
            req = json.loads(raw.decode('utf-8') or '{}')
            result = decide(req, policy)
        except Exception as exc:  # pylint: disable=broad-except
            # Fail closed in enforce mode: an error is a denial, never a pass.
            req = req if isinstance(req, dict) else {}
            result = {'allow': policy['mode'] != 'enforce', 'rules': ['error'], 'reason': 'plugin error: %s' % exc,
                      'decision': 'deny' if policy['mode'] == 'enforce' else 'would_deny',
                      'msg': 'denied: the authorization plugin could not judge the request (%s)' % exc}
        log_line({
            'plugin': policy['plugin_name'], 'mode': policy['mode'], 'decision': result['decision'],
            'user': req.get('User', ''), 'method': req.get('RequestMethod', ''), 'uri': req.get('RequestUri', ''),
            'rules': result['rules'], 'reason': result['reason'],
        })
        reply = {'Allow': result['allow']}
        if result['msg']:
            reply['Msg'] = result['msg']
        self._reply(200, reply)


class UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, path, policy_path, record_dir=None):
        self.policy_path = policy_path
        # Test fixtures: HD_AUTHZ_RECORD_DIR keeps every AuthZReq body as dockerd sent it.
        self.record_dir = record_dir
        self.recorded = 0
        self.record_lock = threading.Lock()
        self.policy = load_policy(policy_path)
        if os.path.exists(path):
            os.unlink(path)  # a socket left by a crash; systemd runs one instance
        old_umask = os.umask(0o177)
        try:
            socketserver.UnixStreamServer.__init__(self, path, Handler)
        finally:
            os.umask(old_umask)

    def record(self, raw):
        with self.record_lock:
            self.recorded += 1
            name = os.path.join(self.record_dir, '%04d.json' % self.recorded)
        with open(name, 'wb') as handle:
            handle.write(raw)

    def reload(self):
        try:
            self.policy = load_policy(self.policy_path)
            log_line({'event': 'policy reloaded', 'mode': self.policy['mode'], 'path': self.policy_path})
        except (OSError, ValueError) as exc:
            log_line({'event': 'policy reload failed, previous policy kept', 'error': str(exc)})


def notify_systemd(message):
    address = os.environ.get('NOTIFY_SOCKET')
    if not address:
        return
    if address.startswith('@'):
        address = '\0' + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto(message.encode('ascii'), address)


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        sys.stderr.write('usage: hd_authz.py SOCKET POLICY_JSON\n')
        return 2
    socket_path, policy_path = args
    try:
        server = UnixHTTPServer(socket_path, policy_path, os.environ.get('HD_AUTHZ_RECORD_DIR'))
    except (OSError, ValueError) as exc:
        sys.stderr.write('cannot start: %s\n' % exc)
        return 1
    signal.signal(signal.SIGHUP, lambda _sig, _frame: threading.Thread(target=server.reload).start())
    signal.signal(signal.SIGTERM, lambda _sig, _frame: threading.Thread(target=server.shutdown).start())
    log_line({'event': 'listening', 'socket': socket_path, 'mode': server.policy['mode'],
              'plugin': server.policy['plugin_name']})
    notify_systemd('READY=1')
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
