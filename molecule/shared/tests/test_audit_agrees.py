"""Every scenario: the audit agrees with what this scenario's verify observes.

Each scenario lists in `audit_expect.yml` the controls its own tests observe on
the host and the status the audit must give them. This test runs the real
audit playbook against the host and compares.
"""
import json
import os
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from hd_molecule import AUDIT_PLAYBOOK, host_name, run_playbook  # noqa: E402


def test_audit_agrees_with_observed_behaviour(host):
    scenario = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
    expected = yaml.safe_load((scenario / "audit_expect.yml").read_text())
    assert expected, "audit_expect.yml lists no control"
    name = host_name(host)
    reports = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "audit-verify" / name
    run = run_playbook(AUDIT_PLAYBOOK, name, {"audit_report_dir": str(reports)})
    assert run.returncode == 0, run.output[-3000:]
    cells = json.loads((reports / "report.json").read_text())["results"][name]
    disagreements = {
        cid: (status, cells.get(cid, {}).get("status"), cells.get(cid, {}).get("evidence"))
        for cid, status in expected.items()
        if cells.get(cid, {}).get("status") != status
    }
    assert not disagreements, f"expected vs audit (status, evidence): {disagreements}"
