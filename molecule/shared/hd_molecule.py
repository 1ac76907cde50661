"""Helpers for verify steps that run a playbook against one test host.

Some acceptance checks need a run that must FAIL (bad input, a daemon that does
not come back). Molecule's converge cannot express that, so the verify step
runs ansible-playbook itself against Molecule's inventory and inspects both
the run's outcome and the host afterwards.

Scenario tests import it with:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
"""
import json
import os
import subprocess
from pathlib import Path

AUDIT_PLAYBOOK = Path(__file__).resolve().parents[2] / "playbooks" / "audit.yml"


def run_playbook(playbook, limit, extra_vars=None, check=False):
    """Run a playbook against one Molecule host; return the CompletedProcess (+ .output)."""
    inventory = os.environ["MOLECULE_INVENTORY_FILE"]
    command = ["ansible-playbook", "-i", inventory, "--limit", limit, str(playbook)]
    if extra_vars:
        command += ["--extra-vars", json.dumps(extra_vars)]
    if check:
        command += ["--check", "--diff"]
    run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    # ansible-core prints failures on stderr: tests read both streams as one.
    run.output = run.stdout + run.stderr
    return run


def host_name(host):
    """The inventory name of a testinfra host."""
    return host.backend.get_hostname()


def sha256(host, path):
    """sha256 of a file on the host, or None when it does not exist."""
    out = host.run("sha256sum %s", path)
    return out.stdout.split()[0] if out.rc == 0 else None
