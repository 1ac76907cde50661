"""Issue 8: the parent cgroup and its caps come back after a reboot.

Runs after test_limits_daemon.py (file order). The test host is restarted from
the controller: a new boot of its systemd with a fresh cgroup tree.
"""

import json
import subprocess
import time

PARENT = "hd_containers"
PARENT_MEMORY = 512 * 1024 * 1024


def _wait_for_docker(host):
    for _attempt in range(60):
        # `docker info --format` exits 0 even when the daemon is down.
        if host.run("docker version --format '{{.Server.Version}}'").rc == 0:
            return
        time.sleep(1)
    raise AssertionError("dockerd did not answer after the reboot")


def test_parent_cgroup_caps_survive_a_reboot(host):
    name = host.backend.get_hostname()
    subprocess.run(["docker", "restart", "--time", "30", name], check=True, capture_output=True)
    host.run("systemctl is-system-running --wait")
    _wait_for_docker(host)
    driver = json.loads(host.check_output("docker info --format '{{json .CgroupDriver}}'"))
    if driver == "cgroupfs":
        # Before any container exists: only the boot unit can have written the cap
        # (runc would create the cgroup without one).
        parent = f"/sys/fs/cgroup/memory/{PARENT}"
        assert host.run(f"ls {parent} | grep -c '^[0-9a-f]\\{{64\\}}$'").stdout.strip() == "0"
        assert int(host.file(f"{parent}/memory.limit_in_bytes").content_string) == PARENT_MEMORY
    else:
        parent = f"/sys/fs/cgroup/memory/{PARENT}.slice"
    cid = host.check_output("docker run -d busybox:latest sleep 60")
    try:
        own = f"{parent}/{cid}" if driver == "cgroupfs" else f"{parent}/docker-{cid}.scope"
        stat = dict(line.split() for line in host.file(f"{own}/memory.stat").content_string.splitlines())
        assert int(stat["hierarchical_memory_limit"]) == PARENT_MEMORY
    finally:
        host.run(f"docker rm -f {cid}")
