"""Issue 13: one run of the main job, from the tarball, fixes the seeds' insecure host.

Every check looks from outside dockerd's own view: ports, the socket file, file
modes, the workload's process, the files the operator wrote."""
import json
import os
from pathlib import Path

import pytest

EPHEMERAL = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"])

PLAIN_HTTP = (
    "python3 -c \"import sys, urllib.request\n"
    "try:\n"
    "    body = urllib.request.urlopen('http://%s:%d/version', timeout=5).read()\n"
    "except Exception as exc:\n"
    "    print('no answer:', exc); sys.exit(3)\n"
    "print(body.decode()); sys.exit(0)\"")


def host_ip(host):
    return host.check_output("hostname -I").split()[0]


@pytest.mark.parametrize("port", [2375, 2377])
@pytest.mark.parametrize("where", ["loopback", "host address"])
def test_plaintext_listeners_are_closed(host, port, where):
    address = "127.0.0.1" if where == "loopback" else host_ip(host)
    out = host.run(PLAIN_HTTP % (address, port))
    assert out.rc == 3, f"plain HTTP on {address}:{port} still answers: {out.stdout}"


def test_tls_listener_requires_a_client_certificate(host):
    out = host.run(PLAIN_HTTP % ("127.0.0.1", 2376))
    assert out.rc != 0 and "ApiVersion" not in out.stdout


def socket_state(host):
    sock = host.file("/run/docker.sock")
    assert sock.is_socket
    return oct(sock.mode), sock.user, sock.group


def test_socket_is_0660_root_docker(host):
    assert socket_state(host) == ("0o660", "root", "docker")


def test_socket_stays_0660_after_restarting_socket_and_daemon(host):
    host.check_output("systemctl restart docker.socket docker")
    host.check_output("timeout 60 sh -c 'until docker info >/dev/null 2>&1; do sleep 1; done'")
    assert socket_state(host) == ("0o660", "root", "docker")
    # The operator's override.conf is kept as written: the role's later drop-in wins.
    assert "SocketMode=0666" in host.file("/etc/systemd/system/docker.socket.d/override.conf").content_string


def test_the_tls_key_is_0400(host):
    key = host.file("/etc/docker/tls/server-key.pem")
    assert oct(key.mode) == "0o400" and key.user == "root"


def test_daemon_json_keeps_operator_keys(host):
    daemon_json = host.file("/etc/docker/daemon.json")
    assert oct(daemon_json.mode) == "0o644" and daemon_json.user == "root"
    config = json.loads(daemon_json.content_string)
    assert config["max-concurrent-downloads"] == 5
    assert config["registry-mirrors"] == ["https://mirror.example.invalid"]
    assert config["data-root"] == "/var/lib/docker"
    assert config["icc"] is False


def test_docker_opts_keeps_the_other_option(host):
    text = host.file("/etc/default/docker").content_string
    assert "tcp://" not in text and "--max-concurrent-uploads 4" in text


def test_the_workload_kept_running(host):
    before = host.file("/var/tmp/hd-workload-pid").content_string.strip()
    state = host.check_output("docker inspect --format '{{.State.Running}} {{.State.Pid}}' hd-workload")
    assert state == f"true {before}", f"workload PID before the run {before}, now {state}"


def test_packages_the_roles_need_were_installed_by_the_roles(host):
    # The image has none of them (testbed/packages.txt): the roles installed them.
    for name in ("auditd", "apparmor", "python3-cryptography"):
        assert host.package(name).is_installed, name


def check_log():
    return (EPHEMERAL / "check-mode.log").read_text()


def test_check_mode_on_the_insecure_host_exits_0():
    assert check_log().startswith("rc=0\n"), check_log()[-3000:]


def test_check_mode_names_the_packages_and_overrides():
    log = " ".join(check_log().split())  # the YAML callback folds long lines
    for package in ("auditd", "apparmor", "python3-cryptography"):
        assert f"Would install {package} (the package lists are empty: would refresh them first)" in log, package
    assert "override.conf line 2: SocketMode was \"0666\", would be \"0660" in log


def test_check_mode_diff_never_shows_proxy_credentials():
    # prepare.yml put a proxy with credentials into /etc/default/docker, which the
    # main job edits (DOCKER_OPTS loses -H): its diff is in the log, redacted.
    log = check_log()
    assert 'http_proxy="http://***@proxy.invalid:3128"' in log
    assert "HTTPS_PROXY=http://***@proxy.invalid:3128" in log
    assert "hd-proxy-secret" not in log and "hd-proxy-user" not in log


def test_the_proxy_of_the_environment_file_is_kept(host):
    text = host.file("/etc/default/docker").content_string
    assert 'http_proxy="http://hd-proxy-user:hd-proxy-secret@proxy.invalid:3128"' in text.splitlines()


def test_check_mode_changed_nothing_on_the_host(host):
    before = host.file("/var/tmp/hd-fingerprint-before").content_string
    after = host.file("/var/tmp/hd-fingerprint-after").content_string
    assert before == after
