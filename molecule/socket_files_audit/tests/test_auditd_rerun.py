"""Issue 15: a rerun of the auditd role makes one round trip to the host.

Converge installed auditd on the stock hosts (test_socket_files_audit.py runs
the auditctl the role installed). On a rerun the preflight's check-mode call of
audit_rules finds auditd installed and no file to write: neither the os_packages
check, nor the install, nor the role's own audit_rules call runs, in check mode
and without it.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook  # noqa: E402
from task_outcomes import outcome, task_outcomes  # noqa: E402

APPLY = Path(__file__).resolve().parents[1] / "playbooks" / "apply_auditd.yml"
READ = "Read the audit rules the role would write, the kernel's audit state and whether the audit daemon is installed"
PACKAGE_CHECK = "Check that the audit daemon is installed or can be installed"
INSTALL = "Install the audit daemon"
WRITE = "Write the audit rules of every enabled control, read the kernel's audit state (1.1.3-1.1.18)"


def test_rerun_makes_one_round_trip_and_no_package_call(host):
    name = host_name(host)
    # The scenario's per-host key prefix (molecule.yml), as converge used it.
    extra = {"auditd_key_prefix": host.ansible.get_variables()["auditd_key_prefix"]}
    for check in (False, True):
        run = run_playbook(APPLY, name, extra, check=check)
        assert run.returncode == 0, run.output[-3000:]
        tasks = task_outcomes(run.stdout, name)
        assert outcome(tasks, READ) == {"ok"}
        for skipped in (PACKAGE_CHECK, INSTALL, WRITE):
            assert outcome(tasks, skipped) == {"skipping"}, skipped
        # The controls are still shown, from the preflight's reading.
        shown = [task for task, outcomes in tasks if task == "Show each control"]
        assert shown and "1.1.3 | PATCH | Ensure auditing is configured for the Docker daemon" in run.stdout
        assert "changed=0" in run.stdout.split("PLAY RECAP", 1)[1].splitlines()[1], run.stdout[-1500:]
