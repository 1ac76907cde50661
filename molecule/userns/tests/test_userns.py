"""Acceptance of the userns role on a real nested dockerd (issue 6).

The side_effect step switched remapping off and back on (both hosts in
parallel), each switch first WITHOUT the acknowledgement on a host holding
data, and recorded what it observed in /var/tmp/hd-userns-evidence.json. The
first tests read the live state (remapping on again); the others assert that
evidence.
"""
import json

import pytest

DAEMON_JSON = "/etc/docker/daemon.json"
EVIDENCE = "/var/tmp/hd-userns-evidence.json"
REMAP_USER = "dockremap"
ACK = "userns_acknowledge_data_hiding"


def subid_lines(host, path):
    """[(owner, start, count)] of a subordinate id file."""
    lines = []
    for line in host.file(path).content_string.splitlines():
        if line.strip():
            owner, start, count = line.strip().split(":")
            lines.append((owner, int(start), int(count)))
    return lines


def remap_range(host, path):
    mine = [(start, count) for owner, start, count in subid_lines(host, path) if owner == REMAP_USER]
    assert len(mine) == 1, f"{path} should give {REMAP_USER} exactly one range: {mine}"
    return mine[0]


def docker_info(host):
    return json.loads(host.check_output("docker info --format '{{json .}}'"))


def flat(text):
    """A failure message with its line breaks undone, for searching."""
    return " ".join(text.split())


def remapped_root(host):
    uid_start, _uid_count = remap_range(host, "/etc/subuid")
    gid_start, _gid_count = remap_range(host, "/etc/subgid")
    return f"/var/lib/docker/{uid_start}.{gid_start}"


# --- the live state: remapping on (converge, then side_effect switched it off and on) ---

def test_docker_info_reports_the_userns_security_option(host):
    info = docker_info(host)
    assert "name=userns" in info["SecurityOptions"], info["SecurityOptions"]
    assert json.loads(host.file(DAEMON_JSON).content_string)["userns-remap"] == "default"


def test_data_root_is_the_one_of_the_remap_ranges(host):
    assert docker_info(host)["DockerRootDir"] == remapped_root(host)


def test_remap_ranges_overlap_no_other_range(host):
    for path in ("/etc/subuid", "/etc/subgid"):
        lines = subid_lines(host, path)
        start, count = remap_range(host, path)
        others = [(o, s, c) for o, s, c in lines if o != REMAP_USER]
        assert others, f"prepare wrote operators' ranges into {path}"
        for owner, other_start, other_count in others:
            assert start + count <= other_start or other_start + other_count <= start, (
                f"{REMAP_USER}:{start}:{count} overlaps {owner}:{other_start}:{other_count} in {path}")
        assert count == 65536
    # the operators' lines are kept as prepare wrote them
    assert ("operator2", 231072, 65536) in subid_lines(host, "/etc/subuid")
    assert ("operator1", 100000, 100000) in subid_lines(host, "/etc/subgid")


def test_remap_user_is_a_system_account_without_login(host):
    user = host.user(REMAP_USER)
    assert user.exists
    assert user.uid < 1000
    assert user.shell in ("/usr/sbin/nologin", "/sbin/nologin", "/bin/false")
    assert user.group == REMAP_USER


def test_container_root_is_the_first_remapped_id_on_the_host(host):
    uid_start, uid_count = remap_range(host, "/etc/subuid")
    gid_start, _count = remap_range(host, "/etc/subgid")
    host.run("docker rm -f hd-userns-probe")
    host.check_output("docker run -d --name hd-userns-probe --network none busybox:latest sleep 300")
    try:
        assert host.check_output("docker exec hd-userns-probe id -u").strip() == "0"
        pid = host.check_output("docker inspect --format '{{.State.Pid}}' hd-userns-probe").strip()
        assert int(pid) > 0
        # read from the host side, not from inside the container
        uid, gid = (int(v) for v in host.check_output("ps -o uid=,gid= -p %s", pid).split())
        assert uid == uid_start and gid == gid_start
        assert uid != 0 and uid_start <= uid < uid_start + uid_count
    finally:
        host.run("docker rm -f hd-userns-probe")


def test_file_made_by_container_root_in_a_bind_mount_is_owned_by_the_remapped_id(host):
    uid_start, _uid_count = remap_range(host, "/etc/subuid")
    gid_start, _gid_count = remap_range(host, "/etc/subgid")
    workdir = host.check_output("mktemp -d /tmp/hd-userns-bind.XXXXXX").strip()
    try:
        host.check_output("chmod 1777 %s", workdir)
        host.check_output("docker run --rm --network none -v %s:/m busybox:latest sh -c 'touch /m/made-by-root'", workdir)
        made = host.file(f"{workdir}/made-by-root")
        assert made.exists
        assert (made.uid, made.gid) == (uid_start, gid_start)
        assert made.uid != 0
    finally:
        host.run("rm -rf %s", workdir)


@pytest.fixture
def evidence(host):
    found = host.file(EVIDENCE)
    assert found.exists, "side_effect.yml writes the evidence: run the side_effect step before verify"
    return json.loads(found.content_string)


def container(picture, name):
    """(id, running, pid) as observed, or None when dockerd did not list the container."""
    fields = picture["containers"][name].split()
    if len(fields) != 3:
        return None
    return fields[0], fields[1] == "true", int(fields[2])


def assert_nothing_changed(before, after, name):
    assert after["daemon_json_sha256"] == before["daemon_json_sha256"], "daemon.json changed"
    assert after["dockerd_pid"] == before["dockerd_pid"], "dockerd restarted"
    assert after["data_root"] == before["data_root"]
    assert container(after, name) == container(before, name), f"{name} did not keep running"
    assert container(before, name)[1], f"{name} was not running to begin with"


# --- switching off ------------------------------------------------------------

def test_switching_off_is_refused_without_acknowledgement(evidence):
    refusal = evidence["off_refusal"]
    assert refusal["failed"], "the role switched remapping off without the acknowledgement"
    text = flat(refusal["msg"])
    assert "Switching user-namespace remapping off" in text
    assert "hd-userns-under-remap" in text and "busybox:latest" in text
    assert ACK in text and "Nothing was changed" in text
    assert_nothing_changed(evidence["off_before"], evidence["off_refused"], "hd-userns-under-remap")


def test_check_mode_predicts_the_switch_and_makes_none(evidence):
    assert evidence["off_check"] == {"changed": True, "removed_keys": ["userns-remap"]}
    assert_nothing_changed(evidence["off_before"], evidence["off_checked"], "hd-userns-under-remap")


def test_switching_off_with_acknowledgement_hides_the_remapped_data(host, evidence):
    before, done = evidence["off_before"], evidence["off_done"]
    assert "name=userns" in before["security_options"]
    assert "name=userns" not in done["security_options"]
    assert done["data_root"] == "/var/lib/docker"
    assert done["dockerd_pid"] != before["dockerd_pid"]
    # hidden, not deleted: the container's files are still in the remapped root
    assert container(done, "hd-userns-under-remap") is None
    container_id = container(before, "hd-userns-under-remap")[0]
    assert host.file(f"{before['data_root']}/containers/{container_id}").is_directory


# --- switching on -------------------------------------------------------------

@pytest.mark.parametrize("which", ["on_refusal", "on_2_9_refusal", "preflight_refusal"])
def test_switching_on_is_refused_on_a_host_with_containers(evidence, which):
    refusal = evidence[which]
    assert refusal["failed"], f"{which}: remapping was switched on without the acknowledgement"
    text = flat(refusal["msg"])
    assert "Switching user-namespace remapping on" in text
    assert "images: busybox:latest" in text
    assert "hd-userns-resident (busybox:latest, Up" in text
    hostns = text.split("unless run with --userns=host:", 1)[1].split("Nothing was changed", 1)[0]
    assert "hd-userns-hostnet (--network=host running)" in hostns
    assert "hd-userns-hostpid (--pid=host running)" in hostns
    assert "hd-userns-priv (--privileged created)" in hostns
    assert "hd-userns-resident" not in hostns
    assert ACK in text
    assert_nothing_changed(evidence["on_before"], evidence["on_refused"], "hd-userns-resident")
    assert "name=userns" not in evidence["on_refused"]["security_options"]


def test_bad_input_is_refused_before_any_change(evidence):
    refusal = evidence["bad_input_refusal"]
    assert refusal["failed"], "the role accepted root as the remap user"
    text = flat(refusal["msg"])
    assert "userns_remap_user" in text and "'root'" in text and "nothing was changed" in text
    # the picture after all refusals of this play (acknowledged, yet nothing changed)
    assert_nothing_changed(evidence["on_before"], evidence["on_refused"], "hd-userns-resident")


def test_switching_on_with_acknowledgement_proceeds(host, evidence):
    before, done = evidence["on_before"], evidence["on_done"]
    assert "name=userns" in done["security_options"]
    assert done["data_root"] == remapped_root(host)
    assert done["dockerd_pid"] != before["dockerd_pid"]
    # the containers made without remapping are hidden (and were stopped by the
    # restart), not deleted
    assert container(done, "hd-userns-resident") is None
    container_id = container(before, "hd-userns-resident")[0]
    assert host.file(f"/var/lib/docker/containers/{container_id}").is_directory
