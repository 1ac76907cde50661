"""The fleet rollout (playbooks/rollout.yml) on four test hosts.

Converge rolled the hardening out to a healthy fleet: its JSON report and the
hosts show the batches, the outcome and the workload container. A second
rollout, run here, changes a setting on every host and gives the canary (a
Debian 12 host) a log option Engine 20.10 accepts in daemon.json but refuses
at start: the canary is rolled back, the budget (0) stops the run, the later
batches are never touched, and the summary names every host's outcome.
(A failing second batch would show the same at twice the time: each batch is
a full hardening run, about ten minutes on the busy test machine.)
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name  # noqa: E402

COLLECTION = Path(__file__).resolve().parents[3]
ROLLOUT = COLLECTION / "playbooks" / "rollout.yml"
EPHEMERAL = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"))
# Rollout order = inventory order (Molecule writes the hosts sorted by name).
ORDER = ["hd-fleet-debian12-a", "hd-fleet-debian12-b", "hd-fleet-debian13-a", "hd-fleet-debian13-b"]
CANARY, SECOND, LAST_BATCH = ORDER[0], ORDER[1], ORDER[2:]
FAILING, UNTOUCHED = CANARY, ORDER[1:]
# Valid JSON of the right type for the schema, but not an option of json-file:
# Engine 20.10 (no `dockerd --validate`) writes it and then refuses to start.
BAD_LOG_OPTS = {"max-buffer": "4m"}
# What every host would get from the failing run: one rotated log file less.
NEW_MAX_FILE = 4
# The failing run is about the restart path, the budget and the summary: the
# roles that do not touch daemon.json are switched off to keep it short.
QUIET_ROLES = {f"{role}_enabled": False for role in ("file_permissions", "auditd", "socket", "apparmor", "daemon_tls")}
CONFIG_FILES = ["/etc/docker/daemon.json"]
DROPIN_DIRS = ["/etc/systemd/system/docker.service.d", "/etc/systemd/system/docker.socket.d"]


def docker_exec(name, script):
    """Run a shell script inside a test host, from the controller."""
    return subprocess.run(["docker", "exec", name, "sh", "-c", script],
                          capture_output=True, text=True, timeout=120, check=False)


def fingerprint(name):
    """Content hashes of daemon.json and of every docker drop-in of a host."""
    listing = docker_exec(name, "sha256sum %s 2>/dev/null; find %s -type f -exec sha256sum {} + 2>/dev/null; true"
                          % (" ".join(CONFIG_FILES), " ".join(DROPIN_DIRS)))
    return sorted(listing.stdout.splitlines())


def workload(name):
    """(recorded PID from prepare, current PID, running) of the workload container."""
    recorded = docker_exec(name, "cat /var/tmp/hd-fleet-workload-pid").stdout.strip()
    state = docker_exec(name, "docker inspect --format '{{.State.Pid}} {{.State.Running}}' hd-fleet-workload").stdout.split()
    return recorded, state[0] if state else None, state[1] == "true" if len(state) > 1 else False


def daemon_json(name):
    out = docker_exec(name, "cat /etc/docker/daemon.json")
    return json.loads(out.stdout) if out.returncode == 0 else None


# ---------------------------------------------------------------- converge run

@pytest.fixture(scope="module")
def converge_report():
    return json.loads((EPHEMERAL / "rollout-converge.json").read_text())


def test_converge_ran_the_canary_alone_then_larger_batches(converge_report):
    rows = {r["host"]: r for r in converge_report["hosts"]}
    assert [r["host"] for r in converge_report["hosts"]] == ORDER
    batches = {}
    for row in converge_report["hosts"]:
        batches.setdefault(int(row["batch"]), []).append(row["host"])
    assert batches == {1: [CANARY], 2: [SECOND], 3: LAST_BATCH}, batches
    # Sequential batches: the canary had finished before any other host began.
    canary_end = float(rows[CANARY]["finished"])
    for host in ORDER[1:]:
        assert float(rows[host]["started"]) >= canary_end, (host, rows[host], rows[CANARY])


def test_converge_hardened_every_host(converge_report):
    assert {r["host"]: r["outcome"] for r in converge_report["hosts"]} == {h: "done" for h in ORDER}
    assert converge_report["batches"] == ["1", "25%", "100%"]
    assert converge_report["max_fail_percentage"] == 0


def test_workload_kept_its_pid_through_the_rollout(host):
    """Both engines: the container started by prepare was never stopped."""
    recorded, now, running = workload(host_name(host))
    assert running and recorded and now == recorded, (recorded, now, running)


def test_dockerd_was_restarted_after_the_workload_started(host):
    """The PID test above means something only if dockerd restarted under the workload."""
    info = json.loads(host.check_output("docker info --format '{{json .}}'"))
    assert info["LiveRestoreEnabled"] is True
    dockerd_started = int(host.check_output("stat -c %Y /proc/$(systemctl show -p MainPID --value docker)"))
    workload_recorded = int(host.check_output("stat -c %Y /var/tmp/hd-fleet-workload-pid"))
    assert dockerd_started > workload_recorded, (dockerd_started, workload_recorded)


# ----------------------------------------------------------------- failing run

@pytest.fixture(scope="module")
def failing_rollout(tmp_path_factory):
    """Run the failing rollout once and return (run, fingerprints before, after, report)."""
    workdir = tmp_path_factory.mktemp("fleet")
    extra_inventory = workdir / "failing.yml"
    extra_inventory.write_text(json.dumps({"all": {"hosts": {FAILING: {"limits_log_opts": BAD_LOG_OPTS}}}}))
    report = workdir / "rollout-failing.json"
    before = {h: fingerprint(h) for h in ORDER}
    config_before = {h: daemon_json(h) for h in ORDER}
    command = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "-i", str(extra_inventory),
               str(ROLLOUT), "--extra-vars",
               json.dumps({"limits_log_max_file": NEW_MAX_FILE, "rollout_report_file": str(report), **QUIET_ROLES})]
    run = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    run.output = run.stdout + run.stderr
    after = {h: fingerprint(h) for h in ORDER}
    return {"run": run, "before": before, "after": after, "config_before": config_before,
            "report": json.loads(report.read_text()) if report.exists() else None}


def test_failing_run_fails(failing_rollout):
    run = failing_rollout["run"]
    assert run.returncode != 0, run.output[-3000:]


def test_failing_run_summary_names_each_hosts_outcome(failing_rollout):
    report = failing_rollout["report"]
    assert report is not None, failing_rollout["run"].output[-3000:]
    outcomes = {r["host"]: r["outcome"] for r in report["hosts"]}
    assert outcomes == {FAILING: "failed", **{h: "not started" for h in UNTOUCHED}}
    reason = next(r["reason"] for r in report["hosts"] if r["host"] == FAILING)
    assert "unknown log opt 'max-buffer'" in reason and "restored" in reason, reason
    # The same outcome is printed at the end of the run.
    output = failing_rollout["run"].output
    assert f"{FAILING}: failed in batch 1: " in output
    for host in UNTOUCHED:
        assert f"{host}: not started" in output


def test_failed_host_is_back_on_its_old_configuration(failing_rollout):
    assert failing_rollout["after"][FAILING] == failing_rollout["before"][FAILING]
    assert daemon_json(FAILING) == failing_rollout["config_before"][FAILING]
    assert docker_exec(FAILING, "docker info >/dev/null").returncode == 0
    recorded, now, running = workload(FAILING)
    assert running and now == recorded, (recorded, now, running)


def test_later_batches_were_never_touched(failing_rollout):
    for host in UNTOUCHED:
        assert failing_rollout["after"][host] == failing_rollout["before"][host], host
        # The run's input would have changed them: converge left another value.
        assert daemon_json(host)["log-opts"]["max-file"] != str(NEW_MAX_FILE)
    rows = {r["host"]: r for r in failing_rollout["report"]["hosts"]}
    for host in UNTOUCHED:
        assert rows[host]["started"] is None and rows[host]["batch"] is None, rows[host]


# ------------------------------------------------------------------- bad input

@pytest.mark.parametrize("extra_vars", [{"rollout_batches": [0, "100%"]},
                                        {"rollout_batches": "1"},
                                        {"rollout_max_fail_percentage": 150}])
def test_bad_rollout_input_stops_before_any_change(extra_vars):
    before = {h: fingerprint(h) for h in ORDER}
    run = subprocess.run(["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], str(ROLLOUT),
                          "--extra-vars", json.dumps(extra_vars)],
                         capture_output=True, text=True, timeout=300, check=False)
    output = run.stdout + run.stderr
    assert run.returncode != 0, output[-2000:]
    assert "rollout_batches must be a non-empty list" in output and "rollout_max_fail_percentage" in output
    assert "Traceback" not in output
    assert "Harden Docker hosts in batches" not in output, "the batched play started"
    assert {h: fingerprint(h) for h in ORDER} == before
