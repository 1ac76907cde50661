"""Issue 14, "All input first": the bad-input matrix of the main job on a real host.

Each row runs playbooks/harden.yml (the main job) with one bad input, given as
an -e @file written by the test, or with one bad host state set up by the test.
Every run must fail in the preflight with a message that names the input and
its fix, print no Python traceback, and leave the host byte-identical (files
under /etc and /usr/local, installed packages, package lists, dockerd's PID,
the socket's mode) to how it was before the run."""
import difflib
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[3]
MAIN_JOB = PROJECT / "playbooks" / "harden.yml"
EPHEMERAL = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])
# The table of the last run (input, message printed), for the closing note.
TABLE = Path(os.environ.get("HD_BAD_INPUT_TABLE", EPHEMERAL / "bad-input-matrix.md"))

# Everything a hardening run could change (the idea of insecure_host's
# fingerprint): files, modes and owners under /etc and /usr/local, installed
# packages, the package lists, the running dockerd and its socket.
FINGERPRINT = r"""set -eu -o pipefail
find /etc /usr/local -xdev \( -type f -o -type l -o -type d \) -printf '%p %m %U:%G %s %l\n' | sort
find /etc /usr/local -xdev -type f -print0 | sort -z | xargs -0 sha256sum
sha256sum /var/lib/dpkg/status
ls -la --time-style=full-iso /var/lib/apt/lists
systemctl show -p MainPID docker.service containerd.service
stat -c '%n %a %U:%G' /run/docker.sock"""

DAEMON_JSON = "/etc/docker/daemon.json"

# input (extra vars, or a host state), the variable the message must name, and
# a fragment of the fix it must give. "waivers" and "pki" values are filled in
# by the test (files on the controller).
MATRIX = [
    ("ulimit soft > hard", {"limits_default_ulimits": {"nofile": {"soft": 9000, "hard": 1024}}},
     "limits_default_ulimits", "soft limit must be less than or equal to hard limit"),
    ("nofile: 0", {"limits_default_ulimits": {"nofile": 0}}, "limits_default_ulimits", "nofile must be at least 3"),
    ("log driver typo", {"limits_log_driver": "jsonfile"}, "limits_log_driver", "must be one of"),
    ("log rotation size not a size", {"limits_log_max_size": "ten"}, "limits_log_max_size", '"10m"'),
    ("log rotation max-file 0", {"limits_log_max_file": 0}, "limits_log_max_file", "1 or more"),
    ("shm size not a size", {"limits_default_shm_size": "lots"}, "limits_default_shm_size", '"64M"'),
    ("scalar for a list: daemon_tls_clients: alice", {"daemon_tls_clients": "alice"}, "daemon_tls_clients",
     'daemon_tls_clients: ["alice"]'),
    ("scalar for a list: socket_docker_group_members", {"socket_docker_group_members": "alice"},
     "socket_docker_group_members", "must be a list"),
    ("scalar for a list: authz_sensitive_paths", {"authz_sensitive_paths": "/etc"}, "authz_sensitive_paths",
     "must be a list"),
    ("scalar for a mapping: limits_log_opts", {"limits_log_opts": "tag=x"}, "limits_log_opts", "must be a mapping"),
    ("TLS port out of range", {"daemon_tls_port": 70000}, "daemon_tls_port", "must be 1-65535"),
    ("SAN neither IP nor name", {"daemon_tls_server_sans": ["https://host.example.com:2376"]},
     "daemon_tls_server_sans", "Give plain names"),
    ("renewal threshold >= validity", {"daemon_tls_renew_threshold_days": 400}, "daemon_tls_renew_threshold_days",
     "must be larger than"),
    ("RSA key too short", {"daemon_tls_key_type": "RSA", "daemon_tls_key_size": 1024}, "daemon_tls_key_size",
     ">= 2048"),
    ("CA dir inside an installed collection", {"daemon_tls_pki_dir": "pki:in-collection"}, "daemon_tls_pki_dir",
     "Set daemon_tls_pki_dir to a private directory"),
    ("CA dir not writable (under a file)", {"daemon_tls_pki_dir": "pki:under-a-file"}, "daemon_tls_pki_dir",
     "Set daemon_tls_pki_dir to a directory of the controller that you can write"),
    ("remap user root", {"userns_enabled": True, "userns_remap_user": "root"}, "userns_remap_user",
     "other than root"),
    ("subordinate range too small", {"userns_enabled": True, "userns_subid_count": 1000}, "userns_subid_count",
     "at least 65536"),
    ("AppArmor rule that does not parse", {"apparmor_default_profile_extra_rules": ["deny /etc/shadow"]},
     "apparmor_default_profile_extra_rules", "ending in a comma"),
    ("AppArmor profile named docker-default", {"apparmor_profiles": [{"name": "docker-default", "content": "x"}]},
     "apparmor_profiles", "none of docker-default"),
    ("waiver with an impossible date", {"audit_waivers_file": "waivers:2026-02-30"}, "audit_waivers_file",
     "expires must be a date YYYY-MM-DD"),
    ("profile level 3", {"hardening_docker_level": 3}, "hardening_docker_level", "set hardening_docker_level to 1 or 2"),
    ("benchmark version 1.9", {"benchmark_version": "1.9"}, "benchmark_version", '"1.6", "1.7" or "1.8"'),
    ("socket group name with a space", {"socket_docker_group": "Docker Users"}, "socket_docker_group",
     "use lower-case letters"),
    ("audit rules file not *.rules", {"auditd_rules_filename": "docker.txt"}, "auditd_rules_filename",
     "ending in .rules"),
    ("audit key prefix too long", {"auditd_key_prefix": "a-very-long-prefix-for-keys"}, "auditd_key_prefix",
     "1-20 letters"),
    ("authz mode typo", {"authz_mode": "deny"}, "authz_mode", "must be one of"),
    ("relative daemon.json path", {"file_permissions_daemon_json": "etc/docker/daemon.json"},
     "file_permissions_daemon_json", "absolute path"),
    ("allow-listed user missing on the host", {"socket_docker_group_members": ["nosuchuser"]},
     "socket_docker_group_members", "nosuchuser"),
    ("daemon.json that does not parse", {"host_state": "daemon.json:not-json"}, DAEMON_JSON,
     "fix or remove the file"),
    ("daemon.json nested too deep", {"host_state": "daemon.json:too-deep"}, DAEMON_JSON,
     "fix or remove the file"),
]

# Variables a check covers but that are fine in the row: its message must not
# name them (an operator who mistyped one value reads about that value only).
NOT_NAMED = {
    "TLS port out of range": ["daemon_tls_renew_threshold_days", "daemon_tls_key_size", "daemon_tls_pki_dir"],
    "renewal threshold >= validity": ["daemon_tls_port", "daemon_tls_key_size"],
    "RSA key too short": ["daemon_tls_port", "daemon_tls_renew_threshold_days", "daemon_tls_dir"],
    "remap user root": ["userns_subid_count", "userns_subid_min", "userns_subid_max"],
    "subordinate range too small": ["userns_remap_user", "userns_subid_max"],
}

HOST_STATES = {
    "daemon.json:not-json": '{"log-level": "info",}\n',
    "daemon.json:too-deep": '{"log-opts": ' + "[" * 5000 + "]" * 5000 + "}\n",
}

RESULTS = []


def fingerprint(host):
    return host.run_expect([0], "bash -c %s", FINGERPRINT).stdout


def assert_same(before, after, label):
    if before != after:
        diff = "\n".join(list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm=""))[:40])
        pytest.fail("the host changed (%s):\n%s" % (label, diff))


def controller_input(value, tmp_path):
    """Files the test makes on the controller for the rows that name one."""
    if value == "pki:in-collection":
        path = tmp_path / "collections" / "ansible_collections" / "acme" / "tools" / "pki"
        path.mkdir(parents=True)
        return str(path)
    if value == "pki:under-a-file":
        blocker = tmp_path / "a-file"
        blocker.write_text("not a directory\n")
        return str(blocker / "pki")
    if isinstance(value, str) and value.startswith("waivers:"):
        waivers = tmp_path / "waivers.yml"
        waivers.write_text('- id: "2.2"\n  reason: accepted by the platform team\n  expires: %s\n'
                           % value.split(":", 1)[1])
        return str(waivers)
    return value


def run_main_job(extra_vars, tmp_path):
    vars_file = tmp_path / "bad-input.json"
    vars_file.write_text(json.dumps(extra_vars))
    command = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], str(MAIN_JOB),
               "-e", "@%s" % vars_file]
    started = time.monotonic()
    # One JSON result per line, whatever the scenario's ansible.cfg prefers: the message is read from it.
    env = dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_NOCOLOR="1")
    run = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False, env=env)
    return run, run.stdout + run.stderr, time.monotonic() - started


def failure_message(output):
    """The msg of the failed task, as printed."""
    found = re.findall(r'^(?:fatal: \[[^\]]+\]: FAILED! =>|failed: \[[^\]]+\] \(item=.*?\) =>) (\{.*\})$',
                       output, re.MULTILINE)
    if found:
        try:
            return json.loads(found[-1]).get("msg", found[-1])
        except ValueError:
            return found[-1]
    return output.strip().splitlines()[-1] if output.strip() else ""


@pytest.fixture(scope="module")
def clean_fingerprint(host):
    return fingerprint(host)


@pytest.mark.parametrize("label, bad_input, variable, fix", MATRIX, ids=[row[0] for row in MATRIX])
def test_bad_input_stops_the_main_job_before_any_change(host, clean_fingerprint, tmp_path, label, bad_input,
                                                        variable, fix):
    state = bad_input.get("host_state")
    saved = None
    if state:
        saved = host.run("cat %s", DAEMON_JSON)
        host.run_expect([0], "mkdir -p /etc/docker && printf '%%s' %s > %s", HOST_STATES[state], DAEMON_JSON)
        before = fingerprint(host)
        extra_vars = {}
    else:
        before = clean_fingerprint
        extra_vars = {name: controller_input(value, tmp_path) for name, value in bad_input.items()}
    try:
        run, output, seconds = run_main_job(extra_vars, tmp_path)
        message = failure_message(output)
        RESULTS.append((label, json.dumps(bad_input), message, seconds))
        assert run.returncode != 0, "the main job accepted %s:\n%s" % (label, output[-3000:])
        assert "Traceback" not in output, output[-5000:]
        assert variable in message, "the message does not name %s: %s" % (variable, message)
        assert fix in message, "the message does not give the fix (%r): %s" % (fix, message)
        named = [name for name in NOT_NAMED.get(label, []) if name in message]
        assert not named, "the message names %s, which are fine: %s" % (named, message)
        # The first change of the main job is live-restore, after the preflight.
        assert "Turn on live-restore" not in output and "Audit before hardening" not in output, output[-3000:]
        assert_same(before, fingerprint(host), label)
    finally:
        if state:
            if saved.rc == 0:
                host.run_expect([0], "printf '%%s' %s > %s", saved.stdout, DAEMON_JSON)
            else:
                host.run_expect([0], "rm -f %s", DAEMON_JSON)
    if state:
        assert_same(clean_fingerprint, fingerprint(host), "after restoring " + DAEMON_JSON)


def test_the_matrix_is_large_enough_and_its_table_is_written():
    assert len(MATRIX) >= 25
    lines = ["| input | given as | message printed | seconds |", "| --- | --- | --- | --- |"]
    for label, given, message, seconds in RESULTS:
        cells = [label, "`%s`" % given, message, "%.0f" % seconds]
        lines.append("| %s |" % " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells))
    TABLE.write_text("\n".join(lines) + "\n")
    assert len(RESULTS) == len(MATRIX)
