"""Issue 15: the limits role reads the host once for the ulimits ceiling and HD-5's report.

One shell read gives the limits containers inherit and the existing containers'
log settings; the report lists the containers without rotation from it, with
no read of its own. Counted on a rerun of the role alone (which reads
dockerd's state itself, as the role does outside the main job).
"""
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook  # noqa: E402
from task_outcomes import ran_tasks, outcome, task_outcomes  # noqa: E402

PLAYBOOK = Path(__file__).resolve().parents[1] / "playbooks" / "limits.yml"
READ = "Read the limits that containers inherit and the existing containers' log settings"
LIST = "HD-5 | AUDIT | Log rotation applies to new containers - list the containers without rotation"
REPORT = "HD-5 | AUDIT | Log rotation applies to new containers - report the containers without rotation"


def test_one_read_serves_the_ulimits_check_and_the_rotation_report(host):
    name = host_name(host)
    run = run_playbook(PLAYBOOK, name)
    assert run.returncode == 0, run.output[-3000:]
    tasks = task_outcomes(run.stdout, name)
    assert outcome(tasks, READ) == {"ok"}
    assert outcome(tasks, LIST) == {"ok"}
    # No other task of the role reads the containers.
    assert not [task for task in ran_tasks(tasks) if "read the containers" in task], ran_tasks(tasks)
    # The report still names the container prepare created without rotation, and not the one with it.
    # (The message may be folded over several lines: compared with its whitespace collapsed.)
    report = " ".join(run.stdout.split(REPORT + "]", 1)[1].split("TASK [", 1)[0].split())
    assert "log to json-file without rotation" in report and "legacy-unrotated" in report, report
    assert "legacy-rotated" not in report, report
    assert "changed=0" in run.stdout.split("PLAY RECAP", 1)[1].splitlines()[1], run.stdout[-1500:]
    assert json.loads(host.file("/var/tmp/hd-limits-unrotated.json").content_string) == ["legacy-unrotated"]
