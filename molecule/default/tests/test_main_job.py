"""The main job on a stock host: what the audit failed before now passes."""
import json
import os
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import AUDIT_PLAYBOOK, host_name, run_playbook  # noqa: E402

COLLECTION = Path(__file__).resolve().parents[3]
# Controls a role remediates only on an operator's choice, not with its defaults.
OPERATOR_CHOICE = {
    "2.13": "Level 2, central logging: limits_log_driver journald or syslog; the default is json-file with rotation",
}
REPORTS = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"))


def roles_in_main_playbook():
    # One list of roles, imported by playbooks/harden.yml and playbooks/rollout.yml.
    tasks = yaml.safe_load((COLLECTION / "playbooks" / "tasks" / "harden_roles.yml").read_text())
    return [t["ansible.builtin.import_role"]["name"].split(".")[-1] for t in tasks]


def switched_on_by_default(remediation):
    """Is this control's role enabled and its rule switch on, with the role defaults?"""
    defaults = yaml.safe_load((COLLECTION / "roles" / remediation["role"] / "defaults" / "main.yml").read_text())
    return bool(defaults.get(f"{remediation['role']}_enabled", True)) and bool(defaults.get(remediation["variable"], False))


def statuses(report_dir, name):
    return json.loads((report_dir / "report.json").read_text())["results"][name]


def test_dockerd_is_active(host):
    assert host.service("docker").is_running


def test_controls_failing_on_the_stock_host_pass_after_hardening(host):
    name = host_name(host)
    hardened_dir = REPORTS / "audit-hardened" / name
    run = run_playbook(AUDIT_PLAYBOOK, name, {"audit_report_dir": str(hardened_dir)})
    assert run.returncode == 0, run.output[-3000:]
    stock = statuses(REPORTS / "audit-stock", name)
    hardened = statuses(hardened_dir, name)
    roles = set(roles_in_main_playbook()) - {"daemon_restart"}
    catalog = yaml.safe_load((COLLECTION / "controls" / "catalog.yml").read_text())
    controls = catalog["controls"] if isinstance(catalog, dict) else catalog
    remediated = [c for c in controls
                  if c.get("remediation") and c["remediation"]["role"] in roles
                  and switched_on_by_default(c["remediation"])]
    fixed = [c["id"] for c in remediated if stock[c["id"]]["status"] == "fail" and c["id"] not in OPERATOR_CHOICE]
    still_failing = {c["id"]: hardened[c["id"]]["evidence"] for c in remediated
                     if hardened[c["id"]]["status"] == "fail" and c["id"] not in OPERATOR_CHOICE}
    assert not still_failing, f"remediated controls still failing after hardening: {still_failing}"
    if roles:
        # A stock host fails some of what the main job remediates; otherwise this proves nothing.
        assert fixed, "the stock audit failed none of the controls the main job remediates"
        assert all(hardened[cid]["status"] == "pass" for cid in fixed)


def test_remapping_is_active(host):
    options = host.check_output("docker info --format '{{json .SecurityOptions}}'")
    assert "name=userns" in options


def test_socket_mode(host):
    sock = host.file("/run/docker.sock")
    assert sock.is_socket
    assert (sock.user, sock.group, sock.mode) == ("root", "docker", 0o660)


def test_tls_listener(host):
    # The server certificate verifies against the collection's CA ...
    handshake = host.run("openssl s_client -connect 127.0.0.1:2376 -CAfile /etc/docker/tls/ca.pem "
                         "-verify_return_error </dev/null 2>&1")
    assert "Verify return code: 0 (ok)" in handshake.stdout, handshake.stdout[-2000:]
    # ... and a client without a certificate gets nothing.
    plain = host.run("docker -H tcp://127.0.0.1:2376 version")
    assert plain.rc != 0
