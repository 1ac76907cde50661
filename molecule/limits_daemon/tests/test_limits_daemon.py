"""Issue 8: daemon defaults and limits, observed on the nested dockerd.

Every container here is started without any limit, log or security flag, so
what is observed comes from the daemon defaults the roles wrote.
"""

import json
import time
import uuid

import pytest

IMAGE = "busybox:latest"
# converge.yml
NOFILE_SOFT, NOFILE_HARD = 2048, 16384
NPROC = 4096
PARENT = "hd_containers"
PARENT_MEMORY = 512 * 1024 * 1024
PARENT_CPU_PERCENT = 75
PARENT_PIDS = 2048
SHM_KB = 128 * 1024
ROTATION = {"max-size": "10m", "max-file": "5", "compress": "true"}


def run(host, cmd):
    out = host.run(cmd)
    assert out.rc == 0, f"{cmd}: rc={out.rc} {out.stderr}"
    return out.stdout.strip()


def info(host, field):
    return json.loads(run(host, "docker info --format '{{json .%s}}'" % field))


def inspect(host, cid, field):
    return json.loads(run(host, "docker inspect --format '{{json .%s}}' %s" % (field, cid)))


@pytest.fixture
def containers(host):
    """Start detached containers; remove them afterwards."""
    started = []

    def start(args="", command="sleep 600"):
        name = "t-" + uuid.uuid4().hex[:10]
        started.append(name)
        run(host, f"docker run -d --name {name} {args} {IMAGE} {command}")
        return name

    yield start
    for name in started:
        host.run(f"docker rm -f {name}")


def daemon_json(host):
    return json.loads(host.file("/etc/docker/daemon.json").content_string)


def is_debian13(host):
    return host.backend.get_hostname().endswith("debian13")


# ------------------------------------------------------------ operator keys

def test_operator_keys_survive(host):
    config = daemon_json(host)
    assert config["labels"] == ["site=lab", "owner=ops"]
    assert sorted(info(host, "Labels")) == ["owner=ops", "site=lab"]
    if is_debian13(host):
        assert config["exec-opts"] == ["native.cgroupdriver=systemd"]


def test_insecure_registry_is_gone(host):
    assert "insecure-registries" not in daemon_json(host)
    assert "registry.example.test:5000" not in info(host, "RegistryConfig.IndexConfigs")


def test_daemon_reports_the_defaults(host):
    assert info(host, "LiveRestoreEnabled") is True
    assert info(host, "ExperimentalBuild") is False
    assert info(host, "LoggingDriver") == "json-file"


def test_dockerd_logs_at_info(host):
    since = run(host, "systemctl show -p ActiveEnterTimestamp --value docker.service")
    levels = run(host, f"journalctl -u docker.service --since '{since}' -o cat --no-pager | grep -o 'level=[a-z]*' | sort -u")
    assert "level=info" in levels.split()
    assert "level=debug" not in levels.split()


def test_dockerd_manages_iptables(host):
    # icc=false is enforced by dockerd's own rule: docker0 to docker0 is dropped.
    assert host.run("iptables -t nat -n -L DOCKER").rc == 0
    forward = run(host, "iptables -n -v -L FORWARD")
    rules = [line.split() for line in forward.splitlines()[2:]]
    assert any(rule[2] == "DROP" and rule[5:7] == ["docker0", "docker0"] for rule in rules), forward


def test_each_host_exercises_its_own_cgroup_driver(host):
    # Debian 12 keeps cgroupfs, Debian 13 was switched to systemd in prepare:
    # both kinds of parent cgroup are tested.
    assert info(host, "CgroupDriver") == ("systemd" if is_debian13(host) else "cgroupfs")


# ------------------------------------------------------------------ limits

def test_default_ulimits_reach_containers(host):
    out = run(host, f"docker run --rm {IMAGE} sh -c 'ulimit -n; ulimit -Hn; ulimit -u'").split()
    assert [int(v) for v in out] == [NOFILE_SOFT, NOFILE_HARD, NPROC]


def test_new_container_gets_rotation(host, containers):
    name = containers()
    log = inspect(host, name, "HostConfig.LogConfig")
    assert log == {"Type": "json-file", "Config": ROTATION}


def test_role_listed_the_existing_container_without_rotation(host):
    # Written from the role's limits_unrotated_containers fact by converge.yml;
    # prepare created legacy-unrotated (no options) and legacy-rotated (max-size).
    listed = json.loads(host.file("/var/tmp/hd-limits-unrotated.json").content_string)
    assert listed == ["legacy-unrotated"]
    # ...and those containers really kept their old settings.
    assert inspect(host, "legacy-unrotated", "HostConfig.LogConfig")["Config"] == {}
    assert inspect(host, "legacy-rotated", "HostConfig.LogConfig")["Config"] == {"max-size": "1m"}


def test_per_container_defaults(host, containers):
    out = run(host, f"docker run --rm {IMAGE} sh -c \"cat /proc/1/comm; df -k /dev/shm | tail -1\"").splitlines()
    assert out[0] == "docker-init"
    assert int(out[1].split()[1]) == SHM_KB
    name = containers()
    assert inspect(host, name, "HostConfig.IpcMode") == "private"
    assert inspect(host, name, "HostConfig.CgroupnsMode") == "private"


def _container_cgroup(host, name, controller):
    cid = inspect(host, name, "Id")
    if info(host, "CgroupDriver") == "systemd":
        parent = f"/sys/fs/cgroup/{controller}/{PARENT}.slice"
        return parent, f"{parent}/docker-{cid}.scope"
    parent = f"/sys/fs/cgroup/{controller}/{PARENT}"
    return parent, f"{parent}/{cid}"


def _stat(host, path, key):
    for line in host.file(path).content_string.splitlines():
        name, value = line.split()
        if name == key:
            return int(value)
    raise AssertionError(f"{key} not in {path}")


def test_container_lands_under_the_capped_parent(host, containers):
    name = containers()
    parent, own = _container_cgroup(host, name, "memory")
    pid = inspect(host, name, "State.Pid")
    assert str(pid) in host.file(f"{own}/cgroup.procs").content_string.split()
    # The kernel's own view of the limit that applies to the container.
    assert _stat(host, f"{own}/memory.stat", "hierarchical_memory_limit") == PARENT_MEMORY
    assert int(host.file(f"{parent}/memory.limit_in_bytes").content_string) == PARENT_MEMORY
    cpus = int(run(host, "getconf _NPROCESSORS_ONLN"))
    cpu_parent, _cpu_leaf = _container_cgroup(host, name, "cpu")
    assert int(host.file(f"{cpu_parent}/cpu.cfs_quota_us").content_string) == cpus * PARENT_CPU_PERCENT * 1000
    pids_parent, _pids_leaf = _container_cgroup(host, name, "pids")
    assert host.file(f"{pids_parent}/pids.max").content_string.strip() == str(PARENT_PIDS)


def test_parent_memory_cap_is_enforced(host):
    # The container may use 1 GiB on its own; the parent stops it at 512 MiB.
    parent = f"/sys/fs/cgroup/memory/{PARENT}" + (".slice" if info(host, "CgroupDriver") == "systemd" else "")
    before = int(host.file(f"{parent}/memory.failcnt").content_string)
    out = host.run(f"docker run --rm --memory 1g {IMAGE} sh -c 'tail /dev/zero'")
    assert out.rc == 137, (out.rc, out.stderr)  # killed by the OOM killer
    assert int(host.file(f"{parent}/memory.failcnt").content_string) > before
    assert int(host.file(f"{parent}/memory.max_usage_in_bytes").content_string) <= PARENT_MEMORY


def test_cgroupfs_parent_is_recreated_at_boot(host):
    if info(host, "CgroupDriver") != "cgroupfs":
        pytest.skip("systemd driver: the slice unit file persists the caps")
    assert run(host, "systemctl is-enabled docker-cgroup-parent.service") == "enabled"
    assert run(host, "systemctl show -p Before --value docker-cgroup-parent.service").split().count("docker.service") == 1


# ------------------------------------------------------------------ daemon

HTTPD = "sh -c 'mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 8080 -h /www'"


def _ip(host, name, network="bridge"):
    return run(host, "docker inspect --format '{{(index .NetworkSettings.Networks \"%s\").IPAddress}}' %s" % (network, name))


def _fetch(host, address, port, network=""):
    """HTTP GET from a fresh container (busybox wget crashes on Debian 12's busybox, nc does not)."""
    request = "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 %s %s" % (address, port)
    out = host.run(f'docker run --rm {network} {IMAGE} sh -c "{request}"')
    return out.rc == 0 and "hello-from-httpd" in out.stdout.splitlines(), out


def _fetch_eventually(host, address, port, network=""):
    """The server needs a moment to listen."""
    for _attempt in range(20):
        ok, out = _fetch(host, address, port, network)
        if ok:
            break
        time.sleep(0.5)
    return ok, out


def test_icc_off_on_the_default_bridge(host, containers):
    server = containers(command=HTTPD)
    address = _ip(host, server)
    # The server answers the host itself: the listener works...
    ok, out = _fetch_eventually(host, address, 8080, "--network host")
    assert ok, (out.rc, out.stdout, out.stderr)
    # ...but not another container on docker0.
    ok, out = _fetch(host, address, 8080)
    assert not ok, out.stdout


def test_user_defined_network_keeps_its_own_icc(host, containers):
    # Documented: icc=false covers docker0 only.
    net = "t-net-" + uuid.uuid4().hex[:8]
    run(host, f"docker network create {net}")
    try:
        server = containers(args=f"--network {net}", command=HTTPD)
        ok, out = _fetch_eventually(host, _ip(host, server, net), 8080, f"--network {net}")
        assert ok, (out.rc, out.stdout, out.stderr)
    finally:
        host.run(f"docker rm -f $(docker ps -aq --filter network={net})")
        host.run(f"docker network rm {net}")


def test_no_new_privileges_by_default_with_opt_out(host):
    assert run(host, f"docker run --rm {IMAGE} grep NoNewPrivs /proc/self/status").split() == ["NoNewPrivs:", "1"]
    opt_out = run(host, f"docker run --rm --security-opt no-new-privileges=false {IMAGE} grep NoNewPrivs /proc/self/status")
    assert opt_out.split() == ["NoNewPrivs:", "0"]


def test_loopback_port_answers_without_userland_proxy(host, containers):
    containers(args="-p 127.0.0.1:18080:8080", command=HTTPD)
    ok, out = _fetch_eventually(host, "127.0.0.1", 18080, "--network host")
    assert ok, (out.rc, out.stdout, out.stderr)
    # Served by NAT rules, not by a docker-proxy process.
    assert host.run("pgrep -x docker-proxy").rc == 1


def test_container_keeps_its_pid_across_a_daemon_restart(host, containers):
    name = containers()
    pid = inspect(host, name, "State.Pid")
    dockerd = run(host, "systemctl show -p MainPID --value docker.service")
    run(host, "systemctl reset-failed docker.service docker.socket; systemctl restart docker.socket docker.service")
    # `docker info --format` exits 0 even when the daemon is down.
    for _attempt in range(30):
        if host.run("docker version --format '{{.Server.Version}}'").rc == 0:
            break
        time.sleep(1)
    assert run(host, "systemctl show -p MainPID --value docker.service") != dockerd
    assert inspect(host, name, "State.Running") is True
    assert inspect(host, name, "State.Pid") == pid
