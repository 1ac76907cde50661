"""Issue 15: a rerun of the main job reads daemon.json and dockerd's state once per host.

The main job's preflight reads both for every role (hardening.docker.dockerd_facts);
every other place that used to read them itself (the roles' preflights, the
live-restore step, authz) finds that reading current and skips its own read.
Counted from the run's output: one TASK block per task, with ok/skipping per host.
"""
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook  # noqa: E402

HARDEN = Path(__file__).resolve().parents[3] / "playbooks" / "harden.yml"
PREFLIGHT_READ = "Read dockerd's state and daemon.json once for every role"
OWN_READ = "(unless this run's reading is current)"
# Where each role read dockerd's state or daemon.json itself before the reading was shared.
READERS = {"daemon", "limits", "socket", "userns", "daemon_tls", "authz"}


def task_blocks(output):
    """(task name, the lines printed under it) for every task of the run."""
    blocks = []
    for line in output.splitlines():
        match = re.match(r"^TASK \[(.*)\] \*+\s*$", line)
        if match:
            blocks.append((match.group(1), []))
        elif blocks:
            blocks[-1][1].append(line)
    return blocks


def ran(lines, name):
    return any(line.startswith(("ok: [%s]" % name, "changed: [%s]" % name)) for line in lines)


def skipped(lines, name):
    return any(line.startswith("skipping: [%s]" % name) for line in lines)


_RERUNS = {}


def rerun(host):
    """The main job once more on this host with the scenario's last inputs: (run, seconds), run once per host."""
    name = host_name(host)
    if name not in _RERUNS:
        started = time.monotonic()
        # The same inputs as the last run of the scenario (side_effect, Level 2): a rerun that changes nothing.
        run = run_playbook(HARDEN, name, {
            "hardening_docker_level": 2,
            "daemon_tls_pki_dir": os.path.join(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"], "pki"),
            "userns_acknowledge_data_hiding": True,
        })
        _RERUNS[name] = (run, time.monotonic() - started)
    return _RERUNS[name]


def test_a_rerun_reads_dockerd_and_daemon_json_once(host):
    name = host_name(host)
    run, seconds = rerun(host)
    assert run.returncode == 0, run.output[-3000:]
    blocks = task_blocks(run.stdout)
    reads = [(task, lines) for task, lines in blocks if task.endswith(PREFLIGHT_READ) or OWN_READ in task]
    executed = [task for task, lines in reads if ran(lines, name)]
    reused = {task.split(" : ")[0].split(".")[-1] for task, lines in reads if skipped(lines, name)}
    summary = {"host": name, "task_executions": len(blocks), "seconds": round(seconds, 1), "reads": executed,
               "reused_by": sorted(reused)}
    print(json.dumps(summary))
    # Kept next to the scenario's other evidence, for the bench comparison (make molecule prints no stdout of tests).
    out_dir = Path(os.environ.get("HD_READ_ONCE_DIR", os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]))
    (out_dir / ("read-once-%s.json" % name)).write_text(json.dumps(summary) + "\n")
    assert executed == [PREFLIGHT_READ], executed
    # Every role that reads the host reached its own read and used the preflight's reading instead.
    assert reused == READERS, reused


# daemon.json writes whose check-mode plan already ran in the preflight: on a
# rerun the plan finds nothing to change and the write is not made again.
PLANNED_WRITES = ["hardening.docker.userns : 2.9 | PATCH | Enable user namespace support"]


def test_a_rerun_skips_the_daemon_json_writes_its_preflight_planned_as_unchanged(host):
    name = host_name(host)
    run, _seconds = rerun(host)
    assert run.returncode == 0, run.output[-3000:]
    blocks = dict(task_blocks(run.stdout))
    for task in PLANNED_WRITES:
        assert task in blocks, "%s is not in the run's output" % task
        assert skipped(blocks[task], name), (task, blocks[task])
    assert re.search(r"%s\s+:.*changed=0 " % re.escape(name), run.stdout), run.stdout[-1500:]
