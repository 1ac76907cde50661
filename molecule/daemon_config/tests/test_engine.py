"""Acceptance of the daemon-config engine on a real dockerd (issue 3)."""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook, sha256  # noqa: E402

APPLY = Path(__file__).resolve().parents[1] / "playbooks" / "apply_settings.yml"
DAEMON_JSON = "/etc/docker/daemon.json"
ENV_FILE = "/etc/default/docker"


def daemon_json(host):
    return json.loads(host.file(DAEMON_JSON).content_string)


def test_unmanaged_keys_survive_in_their_order(host):
    config = daemon_json(host)
    keys = list(config)
    assert config["labels"] == ["team=ops"]
    assert config["max-concurrent-downloads"] == 2
    # operator keys first, as they were; managed keys appended after them
    assert keys[:2] == ["labels", "max-concurrent-downloads"]
    assert "experimental" not in config


def test_managed_keys_are_live_in_the_daemon(host):
    config = daemon_json(host)
    assert config["icc"] is False
    assert config["log-opts"] == {"max-size": "10m", "max-file": "3"}
    assert config["default-ulimits"]["nofile"] == {"Name": "nofile", "Soft": 1024, "Hard": 4096}
    info = json.loads(host.check_output("docker info --format '{{json .}}'"))
    assert info["LiveRestoreEnabled"] is True
    assert info["ExperimentalBuild"] is False
    nofile = host.check_output("docker run --rm --network none busybox:latest sh -c 'ulimit -n'")
    assert nofile.strip() == "1024"


def test_file_is_root_owned_0644(host):
    f = host.file(DAEMON_JSON)
    assert (f.user, f.group, f.mode) == ("root", "root", 0o644)


def test_invalid_value_is_refused_and_file_untouched(host):
    before = sha256(host, DAEMON_JSON)
    run = run_playbook(APPLY, host_name(host), {"engine_settings": {"icc": "no", "log-opts": {"max-size": 10}}})
    assert run.returncode != 0
    assert "icc" in run.output
    assert sha256(host, DAEMON_JSON) == before


def test_unknown_key_is_refused(host):
    before = sha256(host, DAEMON_JSON)
    run = run_playbook(APPLY, host_name(host), {"engine_settings": {"live-restor": True}})
    assert run.returncode != 0
    assert "live-restor" in run.output and "allow_unknown_keys" in run.output
    assert sha256(host, DAEMON_JSON) == before


def test_key_given_as_unit_flag_is_refused(host):
    before = sha256(host, DAEMON_JSON)
    run = run_playbook(APPLY, host_name(host), {"engine_settings": {"hosts": ["unix:///run/docker.sock"]}})
    assert run.returncode != 0
    assert "hosts" in run.output and "docker.service" in run.output
    assert sha256(host, DAEMON_JSON) == before


def test_daemon_that_cannot_start_is_rolled_back(host):
    before = sha256(host, DAEMON_JSON)
    # the environment file as the operator keeps it: its own content and mode
    host.check_output("printf '# operator options\\n' > %s && chmod 0640 %s", ENV_FILE, ENV_FILE)
    env_before = sha256(host, ENV_FILE)
    driver_before = host.check_output("docker info --format '{{.Driver}}'")
    # Valid JSON and a valid value, but no btrfs below /var/lib/docker: dockerd refuses to start.
    # The same play also rewrites /etc/default/docker: the rollback must restore both.
    run = run_playbook(APPLY, host_name(host), {"engine_settings": {"storage-driver": "btrfs"},
                                                "engine_env_file": "DOCKER_OPTS=\"\"\n"})
    assert run.returncode != 0
    assert "previous configuration was restored" in run.output
    assert "is running again" in run.output
    assert "failed to start daemon" in run.output  # dockerd's own error line is quoted
    assert sha256(host, DAEMON_JSON) == before
    env = host.file(ENV_FILE)
    assert sha256(host, ENV_FILE) == env_before and (env.user, env.group, env.mode) == ("root", "root", 0o640)
    assert host.service("docker").is_running
    assert host.check_output("docker info --format '{{.Driver}}'") == driver_before
    # Nothing stale left: the backup of the failed write is the only trace.
    assert "storage-driver" not in daemon_json(host)
