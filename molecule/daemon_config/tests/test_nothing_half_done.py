"""Nothing half-done (issue 14): an interrupted run is completed by the next run,
the audit names a daemon that does not run its configuration, a linked
daemon.json keeps its link."""
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import AUDIT_PLAYBOOK, host_name, run_playbook  # noqa: E402

APPLY = Path(__file__).resolve().parents[1] / "playbooks" / "apply_settings.yml"
DAEMON_JSON = "/etc/docker/daemon.json"
STALE_DROPIN = "/etc/systemd/system/docker.service.d/zz-stale-listener.conf"
# What an earlier configuration served and an interrupted run replaced on disk.
STALE_UNIT = (
    "[Service]\n"
    "ExecStart=\n"
    "ExecStart=/usr/sbin/dockerd -H fd:// -H tcp://127.0.0.1:2375 --containerd=/run/containerd/containerd.sock\n"
)
PROBE_2375 = "python3 -c \"import socket; socket.create_connection(('127.0.0.1', 2375), 3).close()\""


def dockerd_pid(host):
    return host.check_output("systemctl show --property=MainPID --value docker.service").strip()


def audit_hd10(host, tag):
    name = host_name(host)
    reports = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / ("audit-" + tag) / name
    run = run_playbook(AUDIT_PLAYBOOK, name, {"audit_report_dir": str(reports)})
    assert run.returncode == 0, run.output[-3000:]
    return json.loads((reports / "report.json").read_text())["results"][name]["HD-10"]


def starts_since(host, since):
    """How many times dockerd started since ``since`` (its own "Starting up" line)."""
    out = host.run("journalctl -t dockerd --since @%s --no-pager -o cat", str(int(since)))
    return out.stdout.count("Starting up")


def test_interrupted_run_is_completed_by_the_next_run(host):
    name = host_name(host)
    # 1. dockerd serves a plaintext listener from an earlier configuration ...
    host.check_output(
        "mkdir -p %s && printf '%%s' %s > %s && systemctl daemon-reload && "
        "systemctl reset-failed docker.service docker.socket; systemctl restart docker.socket docker.service",
        os.path.dirname(STALE_DROPIN), STALE_UNIT, STALE_DROPIN)
    for _attempt in range(30):
        if host.run(PROBE_2375).rc == 0:
            break
        time.sleep(1)
    assert host.run(PROBE_2375).rc == 0, "the stale plaintext listener never answered"
    time.sleep(2)  # the files below are written clearly after dockerd started
    # ... then a run put the hardened files back and was interrupted before its
    # handler: the drop-in is gone and daemon.json rewritten, nothing restarted.
    host.check_output("rm -f %s && cp -p %s %s.tmp && mv %s.tmp %s && touch %s",
                      STALE_DROPIN, DAEMON_JSON, DAEMON_JSON, DAEMON_JSON, DAEMON_JSON, DAEMON_JSON)
    stale_pid = dockerd_pid(host)

    # 2. the audit names the stale listener
    cell = audit_hd10(host, "interrupted")
    assert cell["status"] == "fail", cell
    assert "127.0.0.1:2375" in cell["evidence"] and "stale" in cell["evidence"]
    assert "daemon.json changed" in cell["evidence"]

    # 3. check mode reports the restart and does not do it
    check = run_playbook(APPLY, name, check=True)
    assert check.returncode == 0, check.output[-3000:]
    assert "HD-10 | PATCH" in check.output and "would be restarted" in check.output
    assert dockerd_pid(host) == stale_pid and host.run(PROBE_2375).rc == 0

    # 4. the next run (no key to change) restarts once and the listener is gone
    since = time.time() - 1
    run = run_playbook(APPLY, name)
    assert run.returncode == 0, run.output[-3000:]
    assert "127.0.0.1:2375" in run.output  # the reason is shown
    assert starts_since(host, since) == 1
    assert dockerd_pid(host) != stale_pid
    assert host.run(PROBE_2375).rc != 0
    assert audit_hd10(host, "completed")["status"] == "pass"

    # 5. and the run after it changes nothing and restarts nothing
    settled = dockerd_pid(host)
    rerun = run_playbook(APPLY, name)
    assert rerun.returncode == 0 and "changed=0" in rerun.output, rerun.output[-3000:]
    assert dockerd_pid(host) == settled


def test_linked_daemon_json_keeps_its_link(host):
    name = host_name(host)
    managed = "/etc/docker-managed/daemon.json"
    host.check_output("mkdir -p /etc/docker-managed && cp -p %s %s && ln -sfn %s %s",
                      DAEMON_JSON, managed, managed, DAEMON_JSON)
    pid = dockerd_pid(host)
    try:
        # a reload-only key: daemon.json changes, dockerd reloads instead of restarting
        run = run_playbook(APPLY, name, {"engine_settings": {"max-concurrent-uploads": 3}})
        assert run.returncode == 0, run.output[-3000:]
        assert host.file(DAEMON_JSON).is_symlink and host.file(DAEMON_JSON).linked_to == managed
        assert json.loads(host.file(managed).content_string)["max-concurrent-uploads"] == 3
        backups = host.check_output("ls /etc/docker-managed").split()
        assert any(b.startswith("daemon.json.") for b in backups), backups
        # the reload applied the newer daemon.json: the next run restarts nothing
        rerun = run_playbook(APPLY, name, {"engine_settings": {"max-concurrent-uploads": 3}})
        assert rerun.returncode == 0 and "changed=0" in rerun.output, rerun.output[-3000:]
        assert dockerd_pid(host) == pid
    finally:
        # a regular file again, with the target's time (it was applied by the reload)
        host.run("cp -p --remove-destination %s %s && rm -rf /etc/docker-managed", managed, DAEMON_JSON)
