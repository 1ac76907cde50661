"""Issue 16: our authorization plugin (CIS 2.12), observed through the nested dockerd.

Converged at level 2 (enforce). side_effect.yml switches to the level-1
default (audit) and back, and stops the plugin; these tests read what it saw.
"""

import json
import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook, sha256  # noqa: E402

SCENARIO = Path(__file__).resolve().parents[1]
APPLY = SCENARIO / "playbooks" / "apply.yml"
IMAGE = "busybox:latest"
UNIT = "hd-authz.service"
SOCKET = "/run/docker/plugins/hd-authz.sock"
POLICY = "/etc/hardening-docker/hd-authz.json"
REFUSAL = "authorization denied by plugin hd-authz: denied by the hardening.docker policy (CIS 2.12)"

# docker CLI arguments the policy refuses, and the words of its reason
REFUSED = {
    "privileged": ("--privileged", "HostConfig.Privileged"),
    "docker socket": ("-v /var/run/docker.sock:/s", "/var/run/docker.sock, which exposes /run/docker.sock"),
    "root bind mount": ("--mount type=bind,src=/,dst=/h", "Mounts (type bind) mounts host path /,"),
    "host pid": ("--pid host", "PidMode=host"),
    "symlinked parent": ("-v /srv/hd-link/docker.sock:/s", "/srv/hd-link/docker.sock, which exposes /run/docker.sock"),
}


def run(host, cmd):
    out = host.run(cmd)
    assert out.rc == 0, f"{cmd}: rc={out.rc} {out.stderr}"
    return out.stdout.strip()


def decisions(host, marker):
    """The plugin's decision lines that mention marker."""
    out = run(host, f"journalctl -u {UNIT} -o cat --no-pager -n 500")
    return [json.loads(line) for line in out.splitlines() if marker in line and line.startswith("{")]


@pytest.fixture(scope="module", autouse=True)
def symlinked_parent(host):
    """A host directory whose path hides /run behind a symlink."""
    run(host, "ln -sfn /run /srv/hd-link")
    yield
    host.run("rm -f /srv/hd-link")


def test_plugin_runs_hardened_before_dockerd(host):
    props = dict(line.split("=", 1) for line in run(host, (
        f"systemctl show {UNIT} -p ActiveState -p Restart -p NoNewPrivileges -p ProtectSystem "
        "-p CapabilityBoundingSet -p UnitFileState -p Before -p RestrictAddressFamilies -p WantedBy")).splitlines())
    assert props["ActiveState"] == "active"
    assert props["UnitFileState"] == "enabled"
    assert props["Restart"] == "on-failure"
    assert props["NoNewPrivileges"] == "yes"
    assert props["ProtectSystem"] == "strict"
    assert props["CapabilityBoundingSet"] == "cap_dac_read_search"
    assert props["RestrictAddressFamilies"] == "AF_UNIX"
    assert "docker.service" in props["Before"].split()
    assert "docker.service" in props["WantedBy"].split()
    sock = host.file(SOCKET)
    assert sock.is_socket and sock.user == "root" and sock.mode == 0o600


def test_daemon_json_names_the_plugin_and_keeps_the_operator_keys(host):
    config = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert config["authorization-plugins"] == ["hd-authz"]
    assert config["labels"] == ["site=lab"]
    assert json.loads(host.file(POLICY).content_string)["mode"] == "enforce"


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_with_the_policy_message(host, name):
    args, reason = REFUSED[name]
    label = "hd-authz-test=" + uuid.uuid4().hex[:8]
    out = host.run(f"docker run --rm --label {label} {args} {IMAGE} true")
    assert out.rc != 0, f"{name} was allowed"
    assert REFUSAL in out.stderr and reason in out.stderr, out.stderr
    assert run(host, f"docker ps -aq --filter label={label}") == "", "a refused container exists"


def test_ordinary_container_runs(host):
    assert run(host, f"docker run --rm -v hd-authz-data:/data --tmpfs /scratch {IMAGE} echo ordinary") == "ordinary"
    host.run("docker volume rm hd-authz-data")


def test_denials_are_logged_with_their_reason(host):
    name = "hd-authz-log-" + uuid.uuid4().hex[:8]
    host.run(f"docker create --name {name} --pid host {IMAGE} true")
    lines = decisions(host, name)
    assert lines, "no decision logged"
    assert lines[-1]["decision"] == "deny" and lines[-1]["mode"] == "enforce"
    assert lines[-1]["rules"] == ["host_namespace"] and lines[-1]["method"] == "POST"


def side_effect(host):
    return json.loads(host.file("/var/tmp/hd-authz-side-effect.json").content_string)


def flat(text):
    """Ansible's YAML callback wraps long messages: compare words, not line breaks."""
    return " ".join(text.split())


def test_level_1_default_audits_and_logs(host):
    seen = side_effect(host)["audit"]
    assert seen["mode"] == "audit"
    assert seen["rc"] == 0, seen["stderr"]
    lines = decisions(host, "hd-authz-audit-probe")
    assert lines, "the allowed request was not logged"
    assert [(line["decision"], line["mode"], line["rules"]) for line in lines if line["method"] == "POST"][0] == (
        "would_deny", "audit", ["privileged", "sensitive_mount"])


def test_enforce_again_and_no_dockerd_restart(host):
    seen = side_effect(host)
    assert seen["enforce"]["rc"] != 0 and REFUSAL in seen["enforce"]["stderr"], seen["enforce"]
    before, after = seen["dockerd_pids"]
    assert before == after, "a mode change restarted dockerd (it is a policy reload)"
    assert json.loads(host.file(POLICY).content_string)["mode"] == "enforce"


def test_stopped_plugin_refuses_requests_and_the_check_says_so(host):
    seen = side_effect(host)
    assert seen["stopped"]["rc"] not in (0, 124), seen["stopped"]
    assert "hd-authz" in seen["stopped"]["stderr"], seen["stopped"]
    check = seen["check"]
    assert check["failed"], "the check passed while the plugin was stopped"
    assert "does NOT answer on /run/docker/plugins/hd-authz.sock" in flat(check["msg"])
    assert "dockerd REFUSES EVERY API REQUEST" in flat(check["msg"])
    # started again by the side effect: requests pass again
    assert run(host, f"docker run --rm {IMAGE} echo back") == "back"


BAD_INPUT = {
    "mode": ({"authz_mode": "permissive"}, ["authz_mode", "audit, enforce"]),
    "lists": ({"authz_exceptions": {"ci-runner": ["everything"]}, "authz_allowed_capabilities": ["NET ADMIN"],
               "authz_sensitive_paths": ["etc"]},
              ["ci-runner: unknown rule everything",
               "authz_allowed_capabilities must hold capability names such as NET_ADMIN or CAP_NET_ADMIN (bad: NET ADMIN)",
               "authz_sensitive_paths must be a non-empty list of absolute paths (bad: etc)"]),
}
_bad_runs = {}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_stops_before_any_change(host, case):
    extra, words = BAD_INPUT[case]
    before = sha256(host, POLICY), sha256(host, "/etc/docker/daemon.json")
    if case not in _bad_runs:
        # input checks run before any change on any host: one run for both hosts
        _bad_runs[case] = run_playbook(APPLY, "testhosts", extra)
    bad = _bad_runs[case]
    assert bad.returncode != 0
    for word in words:
        assert word in flat(bad.output), bad.output[-2000:]
    assert f"{host_name(host)}" in bad.output and "Traceback" not in bad.output
    assert (sha256(host, POLICY), sha256(host, "/etc/docker/daemon.json")) == before
