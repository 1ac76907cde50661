"""Level 1 and Level 2 runs of the main job each pass their own profile; reports use v1.8.0 ids.

side_effect.yml audited the Level 1 host (converge's run), ran the main job at
Level 2 and audited again, both with benchmark_version "1.8".
"""
import json
import os
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import AUDIT_PLAYBOOK, host_name, run_playbook  # noqa: E402

COLLECTION = Path(__file__).resolve().parents[3]
REPORTS = Path(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/nonexistent"))


def report(kind):
    return json.loads((REPORTS / kind / "report.json").read_text())


def main_job_controls(level):
    """Catalog controls up to ``level`` that a role of the main job remediates with the defaults of that level."""
    # The one list of roles of the main job (playbooks/harden.yml and rollout.yml import it).
    tasks = yaml.safe_load((COLLECTION / "playbooks" / "tasks" / "harden_roles.yml").read_text())
    roles = {t["ansible.builtin.import_role"]["name"].split(".")[-1] for t in tasks}
    controls = yaml.safe_load((COLLECTION / "controls" / "catalog.yml").read_text())["controls"]
    chosen = []
    for control in controls:
        rem = control.get("remediation")
        if not rem or rem["role"] not in roles or control["level"] > level:
            continue
        defaults = yaml.safe_load((COLLECTION / "roles" / rem["role"] / "defaults" / "main.yml").read_text())
        if defaults.get(f"{rem['role']}_enabled", True) and defaults.get(rem["variable"], False):
            chosen.append(control)
    return chosen


def cells_by_uid(data, name):
    uid_of = {c["id"]: c["uid"] for c in data["controls"]}
    return {uid_of[cid]: dict(cell, id=cid) for cid, cell in data["results"][name].items()}


def failing(data, name, level):
    """Controls of the profile that the main job remediates and the audit failed."""
    cells = cells_by_uid(data, name)
    return {c["uid"]: cells[c["uid"]]["evidence"] for c in main_job_controls(level)
            if cells[c["uid"]]["status"] == "fail"}


def test_level_1_run_passes_level_1(host):
    assert main_job_controls(1), "the main job remediates no Level 1 control: this test would prove nothing"
    name = host_name(host)
    data = report("audit-level1")
    assert data["profile_level"] == 1 and data["benchmark_version"] == "1.8"
    assert not failing(data, name, 1), failing(data, name, 1)
    # Central logging is Level 2: shown with its status, never counted as a Level 1 failure.
    logging = cells_by_uid(data, name)["daemon-central-logging"]
    assert logging["id"] == "2.14" and logging["status"] == "fail" and logging["display"] == "not_in_profile"
    assert data["summary"]["not_in_profile"] > 0
    assert data["hosts"][name]["summary"]["fail"] == sum(
        1 for cell in data["results"][name].values() if cell["display"] == "fail")


def test_level_2_run_passes_level_2(host):
    assert "daemon-central-logging" in [c["uid"] for c in main_job_controls(2)]
    name = host_name(host)
    data = report("audit-level2")
    assert data["profile_level"] == 2 and data["summary"]["not_in_profile"] == 0
    assert not failing(data, name, 2), failing(data, name, 2)
    logging = cells_by_uid(data, name)["daemon-central-logging"]
    assert logging["status"] == "pass", logging["evidence"]
    assert host.check_output("docker info --format '{{.LoggingDriver}}'") == "journald"


def test_reports_use_the_chosen_benchmark_numbering(host):
    name = host_name(host)
    v18 = report("audit-level1")
    tls = cells_by_uid(v18, name)["daemon-tls"]
    assert (tls["id"], tls["status"]) == ("2.8", "pass")
    assert cells_by_uid(v18, name)["daemon-no-devicemapper"]["id"] == "2.7"
    assert '<span id="benchmark">CIS Docker Benchmark v1.8.0</span>' in \
        (REPORTS / "audit-level1" / "report.html").read_text()
    v16_dir = REPORTS / "audit-v16" / name
    run = run_playbook(AUDIT_PLAYBOOK, name, {"audit_report_dir": str(v16_dir), "benchmark_version": "1.6"})
    assert run.returncode == 0, run.output[-3000:]
    v16 = json.loads((v16_dir / "report.json").read_text())
    assert v16["results"][name]["2.7"]["status"] == "pass"
    assert cells_by_uid(v16, name)["daemon-tls"]["id"] == "2.7"
    assert "daemon-no-devicemapper" not in cells_by_uid(v16, name)
    assert '<span id="benchmark">CIS Docker Benchmark v1.6.0</span>' in (v16_dir / "report.html").read_text()
