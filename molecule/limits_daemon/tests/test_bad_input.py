"""Issue 8: bad input is refused before any change, naming the variable and the fix."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook, sha256  # noqa: E402

PLAYBOOK = Path(__file__).resolve().parents[1] / "playbooks" / "limits.yml"
WATCHED = ["/etc/docker/daemon.json", "/etc/systemd/system/docker-cgroup-parent.service",
           "/etc/systemd/system/hd_containers.slice"]


@pytest.mark.parametrize("extra, message", [
    # Above the hard limit containerd has (20000 here, without CAP_SYS_RESOURCE):
    # dockerd would accept it and every container would fail to start.
    ({"limits_default_ulimits": {"nofile": "1024:30000"}},
     "limits_default_ulimits: nofile hard limit 30000 cannot be given to containers on this host"),
    ({"limits_cgroup_parent_name": "my-parent"},
     "limits_cgroup_parent_name (letters, digits and _ only"),
], ids=["nofile-above-host-ceiling", "parent-name-with-dash"])
def test_bad_input_is_refused_before_any_change(host, extra, message):
    before = {path: sha256(host, path) for path in WATCHED}
    dockerd = host.check_output("systemctl show -p MainPID --value docker.service")
    run = run_playbook(PLAYBOOK, host_name(host), extra)
    assert run.returncode != 0, run.output[-2000:]
    assert message in " ".join(run.output.split()), run.output[-3000:]
    assert {path: sha256(host, path) for path in WATCHED} == before
    assert host.check_output("systemctl show -p MainPID --value docker.service") == dockerd
