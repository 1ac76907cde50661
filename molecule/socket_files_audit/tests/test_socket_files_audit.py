"""Issue 5: socket, file permissions and audit rules, observed on each test host.

Expected owners, groups, maximum modes and audited paths come from
controls/catalog.yml (the same data the audit judges with), not from the roles.
"""

import os
import posixpath
import re
import shlex
import sys
import time
from pathlib import Path

import pytest
import testinfra
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook  # noqa: E402

CATALOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "controls", "catalog.yml")
RULES_FILE = "/etc/audit/rules.d/50-hardening-docker.rules"
REGISTRY = "/etc/docker/certs.d/registry.example:5000"


def _controls():
    with open(CATALOG, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["controls"]


def _norm(control_id):
    return control_id.replace(".", "_").replace("-", "_").lower()


def _run_ok(host, command):
    out = host.run(command)
    assert out.rc == 0, f"{command}: rc {out.rc}, {out.stderr}"
    return out.stdout


def _realpath(host, path):
    return _run_ok(host, f"realpath -m -- {shlex.quote(path)}").strip()


def _exists(host, path):
    return host.run(f"test -e {shlex.quote(path)}").rc == 0


def _stat(host, path):
    """Mode, owner, group of the file a path resolves to."""
    mode, owner, group = _run_ok(host, f"stat -L -c '%a %U %G' -- {shlex.quote(path)}").split()
    return int(mode, 8), owner, group


def _unit_files(host, unit):
    """The unit file and its drop-ins as systemd reports them."""
    out = _run_ok(host, f"systemctl show --property=FragmentPath --property=DropInPaths {unit}")
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return [p for p in [props.get("FragmentPath", "")] + props.get("DropInPaths", "").split() if p]


def _wait_for_dockerd(host):
    for _attempt in range(60):
        if host.run("docker info --format '{{.ServerVersion}}'").rc == 0:
            return
        time.sleep(1)
    pytest.fail("dockerd did not answer within 60 s")


# --------------------------------------------------------------- socket role


def _assert_socket(host):
    sock = host.file("/run/docker.sock")
    assert sock.is_socket
    assert (oct(sock.mode), sock.user, sock.group) == (oct(0o660), "root", "docker")


def test_socket_is_0660_root_docker(host):
    _assert_socket(host)


def test_socket_drop_ins_override_the_loose_one(host):
    # prepare's 50-operator.conf (SocketMode=0666, SocketGroup=root) is still there ...
    assert "SocketMode=0666" in host.file("/etc/systemd/system/docker.socket.d/50-operator.conf").content_string
    # ... and systemd's effective values are the role's.
    out = _run_ok(host, "systemctl show --property=SocketMode --property=SocketUser --property=SocketGroup docker.socket")
    props = dict(line.split("=", 1) for line in out.splitlines())
    assert props == {"SocketMode": "0660", "SocketUser": "root", "SocketGroup": "docker"}


def test_socket_stays_0660_root_docker_after_a_restart(host):
    host.run("systemctl reset-failed docker.socket docker.service")
    _run_ok(host, "systemctl restart docker.socket docker.service")
    _wait_for_dockerd(host)
    _assert_socket(host)


def test_allowed_user_runs_docker(host):
    out = host.run("runuser -u alice -- docker ps")
    assert out.rc == 0, out.stderr


def test_user_not_on_the_allow_list_is_out_of_the_group_and_denied(host):
    assert host.user("mallory").exists, "the role must not delete users"
    assert "docker" not in host.user("mallory").groups
    members = _run_ok(host, "getent group docker").strip().split(":")[3].split(",")
    assert "mallory" not in members
    assert "alice" in members
    out = host.run("runuser -u mallory -- docker ps")
    assert out.rc != 0
    assert "permission denied" in out.stderr.lower(), out.stderr


APPLY_SOCKET = Path(__file__).resolve().parents[1] / "playbooks" / "apply_socket.yml"


def test_enforcement_never_removes_the_user_the_run_connects_as(host):
    # An operator who logs in as carol (in the docker group, not on the
    # allow-list [alice]) and becomes root with su, as on hosts without sudo.
    # dave is in the same position without being the connection's user.
    root_hash = _run_ok(host, "getent shadow root").split(":")[1]
    _run_ok(host, "for u in carol dave; do id -u $u >/dev/null 2>&1 || useradd -m -s /bin/sh $u; done")
    _run_ok(host, "usermod -aG docker carol && usermod -aG docker dave && echo 'root:hd-su-test' | chpasswd")
    try:
        run = run_playbook(APPLY_SOCKET, host_name(host), {
            "ansible_user": "carol", "ansible_become": True, "ansible_become_method": "su",
            "ansible_become_user": "root", "ansible_become_password": "hd-su-test"})
        members = _run_ok(host, "getent group docker").strip().split(":")[3].split(",")
        assert run.returncode == 0, run.output[-3000:]
        assert "carol" in members, "the connection's user was removed from the docker group"
        assert "dave" not in members, "enforcement no longer removes users off the allow-list"
        flat = " ".join(run.output.split())
        assert "Kept in group docker although not on socket_docker_group_members: carol" in flat
        assert re.search(r"this run connects as or becomes [a-z, ]*\bcarol\b", flat), flat[-3000:]
        assert "Removing from group docker (not on socket_docker_group_members): dave" in flat
    finally:
        _run_ok(host, "gpasswd -d carol docker >/dev/null 2>&1; userdel -r carol; userdel -r dave; true")
        _run_ok(host, f"usermod -p {shlex.quote(root_hash)} root")


# ----------------------------------------------------- file_permissions role

# What prepare loosened, and the exact result: a maximum never loosens a
# stricter mode (client.key 0600 -> 0400, not 0444).
FIXED = {
    "/etc/docker": 0o755,
    "/etc/docker/daemon.json": 0o644,
    "/etc/docker/tls/ca.pem": 0o444,
    "/etc/docker/tls/server-cert.pem": 0o444,
    "/etc/docker/tls/server-key.pem": 0o400,
    f"{REGISTRY}/ca.crt": 0o444,
    f"{REGISTRY}/client.cert": 0o444,
    f"{REGISTRY}/client.key": 0o400,
    "/etc/systemd/system/docker.service.d": 0o755,
    "/etc/systemd/system/docker.service.d/50-operator.conf": 0o644,
    "/etc/systemd/system/docker.socket.d/50-operator.conf": 0o644,
    "/usr/lib/systemd/system/docker.service": 0o644,
    "/etc/default/docker": 0o644,
    "/run/containerd/containerd.sock": 0o660,
}


@pytest.mark.parametrize("path", sorted(FIXED))
def test_loosened_path_is_fixed(host, path):
    assert _stat(host, path) == (FIXED[path], "root", "root")


def _file_mode_targets(host, check):
    """Existing paths a catalog file_mode check applies to on this host."""
    paths = list(check.get("paths") or [])
    if check.get("unit"):
        paths += _unit_files(host, check["unit"])
    for pattern in check.get("globs") or []:
        out = host.run(f"for f in {pattern}; do [ -e \"$f\" ] && echo \"$f\"; done")
        paths += out.stdout.split("\n")
    if check.get("from_key"):
        settings = host.file("/etc/docker/daemon.json").content_string
        value = yaml.safe_load(settings).get(check["from_key"])
        paths += [value] if value else []
    return sorted({_realpath(host, p) for p in paths if p and _exists(host, p)})


SECTION3 = [c for c in _controls() if c["section"] == "3" and c["check"]["type"] == "file_mode"]


@pytest.mark.parametrize("control", SECTION3, ids=[c["id"] for c in SECTION3])
def test_section3_control_holds(host, control):
    check = control["check"]
    targets = _file_mode_targets(host, check)
    if not targets:
        # /etc/sysconfig/docker does not exist on Debian; everything else must.
        assert control["id"] in ("3.21", "3.22"), f"{control['id']}: no target found"
        return
    max_mode = int(check["max_mode"], 8) if check.get("max_mode") else None
    for path in targets:
        mode, owner, group = _stat(host, path)
        if check.get("owner"):
            assert owner == check["owner"], f"{control['id']} {path}"
        if check.get("group"):
            assert group == check["group"], f"{control['id']} {path}"
        if max_mode is not None:
            assert mode & ~max_mode == 0, f"{control['id']} {path}: {oct(mode)} exceeds {oct(max_mode)}"


def test_registry_dir_link_target_is_restricted(host):
    # prepare linked the system CA bundle into certs.d: the audit reads the
    # target, so the role restricts the target (root can still rewrite it).
    assert host.file(f"{REGISTRY}/system-ca.crt").is_symlink
    assert _stat(host, f"{REGISTRY}/system-ca.crt")[0] & ~0o444 == 0


# --------------------------------------------------------------- auditd role

AUDIT = [c for c in _controls() if c["check"]["type"] == "audit_rule"]
RULE = re.compile(r"^-w (\S+) -p ([rwxa]+) -k (\S+)$")


def _rule_lines(host):
    content = host.file(RULES_FILE).content_string
    return [line for line in content.splitlines() if line.strip() and not line.startswith("#")]


def _key(host, control):
    """The rule key of a control on this host: <auditd_key_prefix>_<control>."""
    return f"{host.ansible.get_variables()['auditd_key_prefix']}_{_norm(control['id'])}"


def _expected_rules(host):
    """(key, real path) for each catalog audit path that exists on this host."""
    expected = set()
    for control in AUDIT:
        for path in control["check"]["paths"]:
            if _exists(host, path):
                expected.add((_key(host, control), _realpath(host, path)))
    return expected


def test_rules_file_is_root_only(host):
    rules = host.file(RULES_FILE)
    assert rules.exists
    assert (oct(rules.mode), rules.user, rules.group) == (oct(0o640), "root", "root")


def test_rules_file_has_a_rule_for_every_existing_path(host):
    lines = _rule_lines(host)
    assert all(RULE.match(line) for line in lines), lines
    assert len(lines) == len(set(lines)), "duplicate rules make the load fail (Rule exists)"
    written = {(m.group(3), m.group(1)) for m in map(RULE.match, lines)}
    missing = _expected_rules(host) - written
    assert not missing, f"no rule for {sorted(missing)}"


def test_no_rule_for_controls_without_paths_here(host):
    keys = {RULE.match(line).group(3) for line in _rule_lines(host)}
    for control in AUDIT:
        if not any(_exists(host, p) for p in control["check"]["paths"]):
            assert _key(host, control) not in keys, control["id"]


def test_every_rule_can_be_loaded(host):
    # The kernel refuses a watch whose directory does not exist, and auditctl
    # then stops at that line.
    for line in _rule_lines(host):
        path = RULE.match(line).group(1)
        assert _exists(host, path) or _exists(host, posixpath.dirname(path)), line
        assert _realpath(host, path) == path, f"{line}: not a real path (a symlink would be watched instead)"


def test_run_containerd_exists_at_boot_with_containerd_s_mode(host):
    entry = host.file("/etc/tmpfiles.d/hardening-docker-audit.conf").content_string
    assert "d /run/containerd 0711 root root -" in entry.splitlines()
    # The mode tmpfiles applies at boot is the one containerd itself uses.
    assert _stat(host, "/run/containerd") == (0o711, "root", "root")


def test_the_test_host_itself_cannot_configure_auditing(host):
    # Measured on this test bed: the kernel accepts audit control only from its
    # initial PID namespace, so auditctl and auditd fail inside the test hosts.
    # This is why the scenario loads the rules through a kernel view.
    status = host.run("auditctl -s")
    assert status.rc != 0 and "Operation not permitted" in status.stderr, status.stderr
    assert not host.service("auditd").is_running


def _kernel_view(host):
    """The test host seen from the kernel's initial PID namespace (../shared/kernel_views.yml)."""
    return testinfra.get_host(f"docker://{host_name(host)}-kernel")


def _loaded(host):
    return set(_run_ok(_kernel_view(host), "auditctl -l").splitlines())


def test_kernel_view_is_this_host_and_may_configure_auditing(host):
    view = _kernel_view(host)
    assert view.file("/etc/hostname").content_string == host.file("/etc/hostname").content_string
    assert view.file(RULES_FILE).sha256sum == host.file(RULES_FILE).sha256sum
    assert view.run("auditctl -s").rc == 0


def test_auditctl_lists_a_rule_for_each_existing_audited_path(host):
    loaded_paths = {}
    for line in _loaded(host):
        match = RULE.match(line.strip())
        if match:
            loaded_paths.setdefault(match.group(3), set()).add(match.group(1))
    expected = _expected_rules(host)
    assert expected, "no audited path exists on this host?"
    missing = sorted((key, path) for key, path in expected if path not in loaded_paths.get(key, set()))
    assert not missing, f"auditctl -l has no rule (by this host's key) for {missing}"


def test_every_rule_of_the_file_is_loaded_as_written(host):
    loaded = {line.strip() for line in _loaded(host)}
    missing = [line for line in _rule_lines(host) if line not in loaded]
    assert not missing, missing


def test_no_other_rule_of_this_host_s_keys_is_loaded(host):
    # prepare loaded /etc/motd under this host's 1.1.6 key: the role deletes
    # rules with its keys that its file does not have.
    prefix = host.ansible.get_variables()["auditd_key_prefix"]
    ours = {line.strip() for line in _loaded(host) if re.search(rf" -k {re.escape(prefix)}_1_1_[0-9]+$", line)}
    assert ours == set(_rule_lines(host))
    assert not any(line.startswith("-w /etc/motd ") for line in ours)


def test_an_operator_s_rule_is_left_loaded(host):
    # prepare loaded it with another key; the role never flushes the kernel's rules.
    prefix = host.ansible.get_variables()["auditd_key_prefix"]
    assert f"-w /etc/issue -p wa -k {prefix}-operator" in {line.strip() for line in _loaded(host)}
