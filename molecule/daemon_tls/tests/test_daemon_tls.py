"""Acceptance of the daemon_tls role (issue 4), observed inside each test host against 127.0.0.1."""
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook, sha256  # noqa: E402

APPLY = Path(__file__).resolve().parents[1] / "playbooks" / "apply_role.yml"
PKI = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "pki"
TLS_DIR = "/etc/docker/tls"
CA, CERT, KEY = (f"{TLS_DIR}/{name}" for name in ("ca.pem", "server-cert.pem", "server-key.pem"))
TCP = "tcp://127.0.0.1:2376"
URL = "https://127.0.0.1:2376/version"
OPERATOR = PKI / "clients" / "operator"
# Files whose content must not change when a run is refused.
WATCHED = [
    "/etc/docker/daemon.json",
    "/etc/systemd/system/docker.service.d/zz-hardening-docker-hosts.conf",
    "/etc/default/docker",
    CA,
    CERT,
    KEY,
]


def dockerd_pid(host):
    return host.check_output("systemctl show -p MainPID --value docker.service")


def served_cert(host):
    """The certificate dockerd presents on 127.0.0.1:2376 (handshake with the operator's client cert)."""
    out = host.run(
        "openssl s_client -connect 127.0.0.1:2376 -servername localhost -CAfile %s "
        "-cert /root/.docker/cert.pem -key /root/.docker/key.pem </dev/null 2>/dev/null | openssl x509",
        CA,
    )
    assert out.rc == 0, out.stderr
    return x509.load_pem_x509_certificate(out.stdout.encode())


def file_cert(host, path=CERT):
    return x509.load_pem_x509_certificate(host.file(path).content)


def days_left(cert):
    return (cert.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)).days


def state(host):
    return {path: sha256(host, path) for path in WATCHED} | {"pid": dockerd_pid(host)}


def flat(run):
    """The run's output with line wrapping undone (the YAML callback folds long messages)."""
    return " ".join(run.output.split())


def pki_state():
    return {str(p): p.read_bytes() for p in sorted(PKI.rglob("*")) if p.is_file()}


# --------------------------------------------------------------- clients that work


def test_docker_cli_with_client_certificate_over_tls(host):
    # root's ~/.docker holds the operator's ca.pem, cert.pem, key.pem (written by the role)
    tls = host.run("docker --tlsverify -H %s version --format '{{.Server.Version}}'", TCP)
    assert tls.rc == 0, tls.stderr
    unix = host.check_output("docker -H unix:///run/docker.sock version --format '{{.Server.Version}}'")
    assert tls.stdout.strip() == unix.strip()
    explicit = host.run(
        "docker --tlsverify --tlscacert %s --tlscert %s --tlskey %s -H %s info --format '{{.ID}}'",
        str(CA), "/root/.docker/cert.pem", "/root/.docker/key.pem", TCP,
    )
    assert explicit.rc == 0, explicit.stderr


def test_user_without_socket_access_gets_in_only_with_tls(host):
    over_tls = host.run("su alice -c \"docker --tlsverify -H %s version --format '{{.Server.Version}}'\"", TCP)
    assert over_tls.rc == 0, over_tls.stderr
    over_socket = host.run("su alice -c 'docker -H unix:///run/docker.sock version'")
    assert over_socket.rc != 0
    assert "permission denied" in over_socket.stderr.lower()


def test_community_docker_module_over_tls(host):
    result = host.ansible(
        "community.docker.docker_host_info",
        f"docker_host={TCP} tls=true validate_certs=true ca_path=/root/.docker/ca.pem "
        "client_cert=/root/.docker/cert.pem client_key=/root/.docker/key.pem tls_hostname=127.0.0.1",
        check=False,
    )
    assert not result.get("failed"), result.get("msg")
    assert result["can_talk_to_docker"] is True
    unix_id = host.check_output("docker info --format '{{.ID}}'")
    assert result["host_info"]["ID"] == unix_id.strip()
    assert "hd-operator=kept" in result["host_info"]["Labels"]


def test_local_cli_over_unix_socket_still_works(host):
    out = host.run("docker -H unix:///run/docker.sock info --format '{{.ServerVersion}}'")
    assert out.rc == 0, out.stderr
    # fd:// keeps systemd's socket: docker.socket still owns /run/docker.sock
    assert host.check_output("systemctl show -p ActiveState --value docker.socket") == "active"
    assert json.loads(host.file("/etc/docker/daemon.json").content_string)["hosts"][0] == "fd://"


# --------------------------------------------------------------- clients that are refused


def test_curl_positive_control_with_client_certificate(host):
    # Same tool as the refusals below, so a refusal is not a broken probe.
    out = host.run("curl -sS --cacert %s --cert /root/.docker/cert.pem --key /root/.docker/key.pem %s", CA, URL)
    assert out.rc == 0, out.stderr
    assert "ApiVersion" in out.stdout


def assert_refused(host, curl_credentials, docker_command):
    """curl (with curl_credentials) and the docker CLI (docker_command) both get no API answer on 2376."""
    out = host.run(f"curl -sS --cacert {CA} {curl_credentials} {URL}")
    assert out.rc != 0
    assert "ApiVersion" not in out.stdout
    cli = host.run(f"{docker_command} --tlsverify --tlscacert {CA} -H {TCP} version --format '{{{{.Server.Version}}}}'")
    assert cli.rc != 0
    assert re.search(r"certificate|tls", cli.stderr, re.IGNORECASE), cli.stderr


def test_client_without_certificate_is_refused(host):
    assert_refused(host, "", "mkdir -p /tmp/hd-nocert && DOCKER_CERT_PATH=/tmp/hd-nocert docker")


def test_client_certificate_from_another_ca_is_refused(host):
    made = host.run(
        "set -e; d=/tmp/hd-rogue; rm -rf $d; mkdir -p $d; cd $d; "
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca-key.pem -out ca.pem -days 30 -subj /CN=rogue-ca 2>/dev/null; "
        "openssl req -newkey rsa:2048 -nodes -keyout key.pem -out req.csr -subj /CN=operator 2>/dev/null; "
        "printf 'extendedKeyUsage=clientAuth\\n' > ext.cnf; "
        "openssl x509 -req -in req.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -out cert.pem -days 30 "
        "-extfile ext.cnf 2>/dev/null"
    )
    assert made.rc == 0, made.stderr
    assert_refused(host, "--cert /tmp/hd-rogue/cert.pem --key /tmp/hd-rogue/key.pem",
                   "docker --tlscert /tmp/hd-rogue/cert.pem --tlskey /tmp/hd-rogue/key.pem")
    module = host.ansible(
        "community.docker.docker_host_info",
        f"docker_host={TCP} tls=true validate_certs=true ca_path={CA} "
        "client_cert=/tmp/hd-rogue/cert.pem client_key=/tmp/hd-rogue/key.pem tls_hostname=127.0.0.1",
        check=False,
    )
    # The module reports a daemon it cannot reach instead of failing.
    assert module["can_talk_to_docker"] is False, module
    assert "host_info" not in module


def test_plain_http_is_refused(host):
    out = host.run("curl -sS -w '\\n%{http_code}' http://127.0.0.1:2376/version")
    body, _newline, status = out.stdout.rpartition("\n")
    assert status == "400", out.stdout
    assert "Client sent an HTTP request to an HTTPS server" in body
    assert "ApiVersion" not in body


def test_former_plaintext_listener_is_gone(host):
    # prepare.yml opened tcp://127.0.0.1:2375 without TLS (a unit flag or daemon.json)
    out = host.run("curl -sS --max-time 5 http://127.0.0.1:2375/version")
    assert out.rc != 0
    assert "ApiVersion" not in out.stdout
    config = json.loads(host.file("/etc/docker/daemon.json").content_string)
    assert config["hosts"] == ["fd://", "tcp://0.0.0.0:2376"]
    assert config["tlsverify"] is True and config["tls"] is True
    assert config["labels"] == ["hd-operator=kept"]
    assert "-H" not in host.check_output("cat /proc/%s/cmdline | tr '\\0' ' '", dockerd_pid(host)).split()


def test_docker_opts_lost_its_listener_and_kept_its_option(host):
    if "debian12" not in host.ansible.get_variables()["group_names"]:
        pytest.skip("prepare.yml puts a listener in DOCKER_OPTS on Debian 12 only")
    out = host.run("curl -sS --max-time 5 http://127.0.0.1:2377/version")
    assert out.rc != 0 and "ApiVersion" not in out.stdout
    assert 'DOCKER_OPTS="--max-concurrent-uploads 4"' in host.file("/etc/default/docker").content_string.splitlines()
    backups = host.run("ls /etc/default/ | grep '^docker\\..*~$'").stdout.split()
    assert backups, "no backup of /etc/default/docker"
    assert "-H tcp://127.0.0.1:2377" in host.file("/etc/default/" + backups[0]).content_string
    cmdline = host.check_output("cat /proc/%s/cmdline | tr '\\0' ' '", dockerd_pid(host)).split()
    assert "--max-concurrent-uploads" in cmdline and "-H" not in cmdline


def test_operator_override_is_kept_and_applied_before_the_managed_drop_in(host):
    # prepare.yml wrote override.conf, as `systemctl edit docker` would: the file
    # stays the operator's, and the managed drop-in, applied after it, keeps its
    # other arguments less -H.
    override = "/etc/systemd/system/docker.service.d/override.conf"
    assert "--containerd=/run/containerd/containerd.sock" in host.file(override).content_string
    dropins = host.check_output("systemctl show -p DropInPaths --value docker.service").split()
    names = [path.rsplit("/", 1)[-1] for path in dropins]
    assert names.index("override.conf") < names.index("zz-hardening-docker-hosts.conf"), names
    exec_start = host.check_output("systemctl show -p ExecStart --value docker.service")
    assert "--containerd=/run/containerd/containerd.sock" in exec_start and "-H" not in exec_start.split()


# --------------------------------------------------------------- files, keys, certificates


def test_server_files_owner_and_mode(host):
    expected = {TLS_DIR: 0o750, CA: 0o444, CERT: 0o444, KEY: 0o400}
    for path, mode in expected.items():
        f = host.file(path)
        assert (f.user, f.group, f.mode) == ("root", "root", mode), path


def test_user_files_owner_and_mode(host):
    for user, home in (("root", "/root"), ("alice", "/home/alice")):
        for name, mode in (("ca.pem", 0o444), ("cert.pem", 0o444), ("key.pem", 0o400)):
            f = host.file(f"{home}/.docker/{name}")
            assert (f.user, f.mode) == (user, mode), f.path
        assert host.file(f"{home}/.docker").mode == 0o700


def test_controller_keys_are_private():
    assert (PKI.stat().st_mode & 0o777) == 0o700
    keys = [PKI / "ca" / "ca-key.pem"] + sorted((PKI / "clients").glob("*/key.pem"))
    assert len(keys) == 3
    for key in keys:
        assert (key.stat().st_mode & 0o777) == 0o400, key


def test_ca_key_is_not_on_the_host(host):
    ca_key = serialization.load_pem_private_key((PKI / "ca" / "ca-key.pem").read_bytes(), None)
    ca_pub = ca_key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    key_files = host.run("grep -rlI -e 'PRIVATE KEY-----' /etc /root /home /usr/local /opt /var/tmp /srv 2>/dev/null")
    found = key_files.stdout.split()
    assert KEY in found  # the search does find keys
    for path in found:
        pub = host.run("openssl pkey -in %s -pubout", path)
        assert pub.stdout.strip() != ca_pub.decode().strip(), f"CA key found on the host at {path}"
    body_line = (PKI / "ca" / "ca-key.pem").read_text().splitlines()[1]
    assert host.run("grep -rqF -- %s /etc /root /home /usr/local /opt /var/tmp /srv", body_line).rc == 1


def test_server_key_never_left_the_host(host):
    server_pub = file_cert(host).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    for path in PKI.rglob("*.pem"):
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), None)
        except ValueError:
            continue
        assert key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo) != server_pub, path
    assert host.run("openssl pkey -in %s -pubout", KEY).stdout.strip() == server_pub.decode().strip()


def test_server_certificate_names_usage_and_issuer(host):
    cert = file_cert(host)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    names = set(sans.get_values_for_type(x509.DNSName))
    addresses = {str(a) for a in sans.get_values_for_type(x509.IPAddress)}
    assert {"localhost", host_name(host)} <= names
    assert "127.0.0.1" in addresses
    eth0 = host.interface("eth0").addresses
    assert set(a for a in eth0 if ":" not in a) <= addresses
    # addresses of the nested dockerd's own bridge stay out (they change with Docker's networks)
    assert not set(host.interface("docker0").addresses) & addresses
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]
    assert host.run("openssl verify -CAfile %s %s", CA, CERT).rc == 0
    assert host.file(CA).content == (PKI / "ca" / "ca.pem").read_bytes()


def test_client_certificates_are_client_auth_only():
    ca = x509.load_pem_x509_certificate((PKI / "ca" / "ca.pem").read_bytes())
    for name in ("operator", "alice"):
        cert = x509.load_pem_x509_certificate((PKI / "clients" / name / "cert.pem").read_bytes())
        assert cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == name
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert list(eku) == [x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]
        cert.verify_directly_issued_by(ca)
        assert 360 <= days_left(cert) <= 365


def test_dockerd_serves_the_certificate_on_disk(host):
    assert served_cert(host).serial_number == file_cert(host).serial_number


# --------------------------------------------------------------- bad input, refused before any change

BAD_INPUT = {
    "port": ({"daemon_tls_port": 70000}, "daemon_tls_port"),
    "san": ({"daemon_tls_server_sans": ["not a name!"]}, "daemon_tls_server_sans"),
    "foreign_address": ({"daemon_tls_bind_addresses": ["192.0.2.77"]}, "daemon_tls_bind_addresses"),
    "no_address": ({"daemon_tls_bind_addresses": []}, "no usable address"),
    "unreadable_ca": (
        {"daemon_tls_ca_cert": "/nonexistent/ca.pem", "daemon_tls_ca_key": "/nonexistent/ca-key.pem"},
        "daemon_tls_ca_cert",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_fails_before_any_change(host, case):
    if is_debian12(host):
        # The checks read the input and the host's addresses, the same on both
        # releases: one host is enough (the bad_input scenario has them too).
        pytest.skip("bad input is refused the same way on Debian 13's host")
    extra, expected = BAD_INPUT[case]
    before, pki_before = state(host), pki_state()
    run = run_playbook(APPLY, host_name(host), extra)
    assert run.returncode != 0
    assert expected in flat(run)
    assert "changed=0" in run.output
    assert state(host) == before
    assert pki_state() == pki_before


# --------------------------------------------------------------- renewal (HD-1), through the shared restart path


def renewal_steps(host):
    """What side_effect.yml recorded after each of its three role runs."""
    steps = {}
    for line in host.file("/var/tmp/hd-tls-renewal.jsonl").content_string.splitlines():
        record = json.loads(line)
        served = dict(item.split("=", 1) for item in record["served"])
        record["serial"] = served["serial"]
        record["not_after"] = datetime.datetime.strptime(served["notAfter"], "%b %d %H:%M:%S %Y %Z").replace(
            tzinfo=datetime.timezone.utc)
        steps[record["step"]] = record
    assert set(steps) == {"short", "renewed", "steady"}, steps
    return steps


def test_expiring_server_certificate_is_renewed(host):
    steps = renewal_steps(host)
    now = datetime.datetime.now(datetime.timezone.utc)
    short, renewed = steps["short"], steps["renewed"]
    assert short["action"] == "issued"
    assert (short["not_after"] - now).days <= 2
    # 2 days left < 30-day threshold: a new certificate, served after one restart, same key
    assert renewed["action"] == "renewed"
    assert renewed["serial"] != short["serial"]
    assert 360 <= (renewed["not_after"] - now).days <= 365
    assert renewed["pid"] != short["pid"]
    assert renewed["key_sha1"] == short["key_sha1"]


def test_renewed_certificate_is_kept_without_restart(host):
    steps = renewal_steps(host)
    renewed, steady = steps["renewed"], steps["steady"]
    assert steady["action"] == "kept"
    assert steady["serial"] == renewed["serial"]
    assert steady["pid"] == renewed["pid"]
    # and it is the certificate on disk
    assert int(steady["serial"], 16) == file_cert(host).serial_number


# --------------------------------------------------------------- no lockout: plaintext listeners (converge.yml)


def is_debian12(host):
    return "debian12" in host.ansible.get_variables()["group_names"]


def test_plaintext_listeners_are_not_cut_without_acknowledgement(host):
    # converge.yml ran the role without daemon_tls_ack_plaintext_removal, in check
    # mode and for real, on the host prepare.yml left; then with it (the tests
    # above show the listeners gone after that run).
    record_file = host.file("/var/tmp/hd-tls-ack.json")
    assert record_file.exists, "converge.yml recorded no refusal"
    record = json.loads(record_file.content_string)
    listeners = ["tcp://127.0.0.1:2375"] + (["tcp://127.0.0.1:2377"] if is_debian12(host) else [])
    assert [refusal["check_mode"] for refusal in record["refusals"]] == [True, False]
    for refusal in record["refusals"]:
        message = " ".join(refusal["msg"].split())
        assert "daemon_tls_ack_plaintext_removal: true" in message, message
        for listener in listeners:
            assert listener in message, message
    # nothing changed, dockerd kept running, and the clients still get in
    assert record["after"] == record["before"]
    assert any(line.endswith("/etc/docker/daemon.json") for line in record["before"]), record["before"]
    assert record["plaintext_status"] == [200] * len(listeners)


# --------------------------------------------------------------- proxy credentials never in output


def test_proxy_credentials_never_in_diff_or_verbose_output(host):
    if is_debian12(host):
        pytest.skip("prepare.yml gives the proxy with credentials to Debian 13's daemon.json (Engine 26 knows proxies)")
    assert "hd-proxy-secret" in host.file("/etc/docker/daemon.json").content_string
    before = state(host)
    # Another port changes daemon.json "hosts": check mode prints its diff, with the proxy in it.
    command = ["ansible-playbook", "-i", os.environ["MOLECULE_INVENTORY_FILE"], "--limit", host_name(host),
               str(APPLY), "--check", "--diff", "-v", "--extra-vars", json.dumps({"daemon_tls_port": 2378})]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    assert "tcp://0.0.0.0:2378" in output  # the diff was shown
    assert "http://***@proxy.invalid:3128" in output
    assert "hd-proxy-secret" not in output and "hd-proxy-user" not in output
    assert state(host) == before


# --------------------------------------------------------------- reruns: no key, request or signing when current

# The tasks a run that changes nothing must not run: each forks a module (host or controller).
SIGNING_CHAIN = ("Server key on the host", "Make the server's signing request on the host",
                 "Sign the server certificate on the controller", "Server certificate on the host",
                 "CA certificate on the host", "Directory of the server's TLS files")
ISSUE_INCLUDE = "Issue the server key and certificates on the host (2.7, HD-1), unless they are current"


def ran_tasks(run):
    """Names of the role's tasks the run printed (each run or skipped task prints one TASK line)."""
    return re.findall(r"TASK \[hardening\.docker\.daemon_tls : ([^\]]+)\]", run.output)


def signed(run):
    """Whether the run signed a server certificate (the task's name carries its control id first)."""
    return any(task.endswith("Sign the server certificate on the controller") for task in ran_tasks(run))


def sans_of(cert):
    return set(cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName))


def public_key(cert):
    return cert.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_changed_names_reissue_the_certificate_with_the_same_key(host):
    if is_debian12(host):
        # The decision to reissue is the controller's (tls_server_current), the same for both releases; both hosts
        # make keys and signing requests in converge and renew with the same key in side_effect.yml.
        pytest.skip("names are compared on the controller: Debian 13's host is enough")
    name, before = host_name(host), file_cert(host)
    added = run_playbook(APPLY, name, {"daemon_tls_server_sans": ["rotated.example.test"]})
    assert added.returncode == 0, added.output[-3000:]
    assert signed(added)
    assert "reissued: its names, key or CA changed (its names" in flat(added)
    renamed = file_cert(host)
    assert sans_of(renamed) == sans_of(before) | {"rotated.example.test"}
    assert public_key(renamed) == public_key(before)
    assert served_cert(host).serial_number == renamed.serial_number

    # Back to the inventory's names: reissued again, without the extra name.
    back = run_playbook(APPLY, name, {})
    assert back.returncode == 0, back.output[-3000:]
    assert signed(back)
    assert sans_of(file_cert(host)) == sans_of(before)
    assert served_cert(host).serial_number == file_cert(host).serial_number


# The clients' chain on the controller and the users' copies on the host: each forks a module per client or file.
CLIENT_CHAIN = ("Client directories on the controller", "Client keys on the controller",
                "Read the client certificates' validity", "Make the clients' signing requests",
                "Client certificates on the controller", "CA certificate next to each client's",
                "~/.docker of the listed users", "Users' CA and client certificates", "Users' client keys")
CLIENT_INCLUDES = ("Issue the client certificates on the controller (2.7), unless they are current",
                   "Copy client certificates into the listed users' ~/.docker, unless they are current")
# The listener writes, skipped when the preview of the same call found nothing to do.
LISTENER_WRITES = ("2.7 | PATCH | Ensure TLS authentication for Docker daemon is configured | Drop -H from dockerd's unit",
                   "2.7 | PATCH | Ensure TLS authentication for Docker daemon is configured | "
                   "Listen on the local socket and on TCP with tlsverify")
USER_COPIES = {"root": ("/root", "operator"), "alice": ("/home/alice", "alice")}


def task_block(run, task):
    """What the run printed for the role's task (empty when it did not print it)."""
    marker = "TASK [hardening.docker.daemon_tls : %s]" % task
    return run.output.split(marker, 1)[1].split("TASK [", 1)[0].split("PLAY RECAP", 1)[0] if marker in run.output else ""


def skipped(run, task, name):
    block = task_block(run, task)
    return bool(re.search(r"skipping: \[%s\]" % re.escape(name), block)) and not re.search(
        r"(ok|changed): \[%s\]" % re.escape(name), block)


def assert_nothing_forked(run, name):
    """A run with nothing to do: no server, client or copy task, no listener write; only their skipped includes."""
    assert run.returncode == 0, run.output[-3000:]
    tasks = ran_tasks(run)
    assert ISSUE_INCLUDE in tasks and skipped(run, ISSUE_INCLUDE, name)
    assert not [task for task in tasks if task.endswith(SIGNING_CHAIN + CLIENT_CHAIN)], tasks
    for task in CLIENT_INCLUDES + LISTENER_WRITES:
        assert skipped(run, task, name), (task, task_block(run, task))
    assert "kept, nothing to renew" in flat(run)
    assert re.search(r"%s\s*:\s*ok=\d+\s+changed=0\s" % re.escape(name), run.output), run.output[-1500:]
    return len(tasks)


def test_removed_client_files_are_restored_by_the_next_run(host):
    if is_debian12(host):
        # The controller's PKI serves both hosts: a run that reissues a client on one host leaves the other host's
        # copies behind. Testinfra runs every test of Debian 12's host first, so Debian 13's host gets this one.
        pytest.skip("the controller's client files are shared: checked on Debian 13's host")
    name, before = host_name(host), state(host)
    operator_cert = OPERATOR / "cert.pem"
    old_serial = x509.load_pem_x509_certificate(operator_cert.read_bytes()).serial_number
    alice = (PKI / "clients" / "alice").glob("*.pem")
    alice_before = {path.name: path.read_bytes() for path in alice}
    operator_cert.chmod(0o600)
    operator_cert.unlink()
    assert host.run("rm -f /home/alice/.docker/cert.pem && chmod 0644 /root/.docker/key.pem").rc == 0

    run = run_playbook(APPLY, name, {})
    assert run.returncode == 0, run.output[-3000:]
    # Only the operator's chain ran: its directory is the only client one the run looked at.
    dirs = task_block(run, "2.7 | PATCH | Ensure TLS authentication for Docker daemon is configured | "
                           "Client directories on the controller")
    assert f"{PKI}/clients/operator" in dirs and f"{PKI}/clients/alice" not in dirs, dirs
    renewed = x509.load_pem_x509_certificate(operator_cert.read_bytes())
    assert renewed.serial_number != old_serial and (operator_cert.stat().st_mode & 0o777) == 0o444
    assert {path.name: path.read_bytes() for path in (PKI / "clients" / "alice").glob("*.pem")} == alice_before
    for user, (home, client) in USER_COPIES.items():
        for file_name, mode in (("ca.pem", 0o444), ("cert.pem", 0o444), ("key.pem", 0o400)):
            copy = host.file(f"{home}/.docker/{file_name}")
            assert (copy.user, copy.mode) == (user, mode), copy.path
            assert copy.sha256sum == hashlib.sha256((PKI / "clients" / client / file_name).read_bytes()).hexdigest()
    # No key material in the output, though keys were copied.
    assert "PRIVATE KEY" not in run.output
    assert state(host) == before, "client files alone must not restart dockerd"
    # test_rerun_that_changes_nothing_runs_no_key_or_signing_task, next on this host, shows the restored state steady.


def test_rerun_that_changes_nothing_runs_no_key_or_signing_task(host):
    name, before = host_name(host), state(host)
    for check in (True, False):
        assert_nothing_forked(run_playbook(APPLY, name, {}, check=check), name)
    assert state(host) == before


# --------------------------------------------------------------- no lockout: a server certificate of another CA


def fingerprint(cert):
    return cert.fingerprint(hashes.SHA256()).hex(":")


def key_id(cert, extension):
    return cert.extensions.get_extension_for_class(extension).value


def test_certificate_of_another_ca_stops_the_run_until_replacement_is_asked(host, tmp_path):
    name, other = host_name(host), tmp_path / "other-pki"
    host_ca, run_ca = file_cert(host, CA), x509.load_pem_x509_certificate((PKI / "ca" / "ca.pem").read_bytes())
    assert fingerprint(host_ca) == fingerprint(run_ca)

    # A run from "another place": its PKI directory holds no CA yet.
    before = state(host)
    refused = run_playbook(APPLY, name, {"daemon_tls_pki_dir": str(other)})
    message = flat(refused)
    assert refused.returncode != 0
    assert "signed by another CA" in message and "daemon_tls_replace_ca: true" in message
    assert fingerprint(host_ca) in message.lower() and "hardening.docker CA" in message
    assert f"none yet, the run would create a new one (subject CN=hardening.docker CA) in {other}/ca" in message
    assert state(host) == before, "a refused run changed the host or restarted dockerd"
    assert not other.exists(), "a refused run created a CA"

    # Asked for: the new CA signs the server certificate, dockerd serves it.
    replaced = run_playbook(APPLY, name, {"daemon_tls_pki_dir": str(other), "daemon_tls_replace_ca": True})
    assert replaced.returncode == 0, replaced.output[-3000:]
    new_ca = x509.load_pem_x509_certificate((other / "ca" / "ca.pem").read_bytes())
    served = served_cert(host)
    assert key_id(served, x509.AuthorityKeyIdentifier).key_identifier == key_id(new_ca, x509.SubjectKeyIdentifier).digest
    assert fingerprint(file_cert(host, CA)) == fingerprint(new_ca)
    assert dockerd_pid(host) != before["pid"]

    # The first CA is now the other one: a run with it stops, naming both.
    before = state(host)
    back = run_playbook(APPLY, name, {})
    message = flat(back).lower()
    assert back.returncode != 0
    assert fingerprint(new_ca) in message and fingerprint(run_ca) in message
    assert state(host) == before
