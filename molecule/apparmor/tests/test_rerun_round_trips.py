"""Issue 15: a rerun of the role makes one round trip to the host, the profiles' call.

Converge installed the AppArmor tools on the stock hosts (test_apparmor.py parses
the profiles with the apparmor_parser the role installed). On a rerun the first
call of apparmor_profiles finds them installed, reads the MAC state and applies
the profiles; neither the os_packages install, nor mac_facts, nor the second
profiles call runs.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name, run_playbook  # noqa: E402
from task_outcomes import outcome, task_outcomes  # noqa: E402

CONVERGE = Path(__file__).resolve().parents[1] / "converge.yml"
HD6 = "HD-6 | PATCH | AppArmor profiles are installed (and loaded where the kernel has AppArmor) | check, install, load, remove"
FIRST_CALL = HD6 + " (tools installed)"
INSTALL = "5.2 | PATCH | Ensure that, if applicable, an AppArmor Profile is enabled | install the AppArmor userspace tools"
MAC_READ = "Read which MAC the kernel enforces (AppArmor, SELinux or none)"
REPORT_READ = "Read the profiles' files and load state after the changes, and ask dockerd its security options"


def test_rerun_makes_one_round_trip_and_no_package_call(host):
    name = host_name(host)
    for check in (False, True):
        run = run_playbook(CONVERGE, name, check=check)
        assert run.returncode == 0, run.output[-3000:]
        tasks = task_outcomes(run.stdout, name)
        assert outcome(tasks, FIRST_CALL) == {"ok"}
        for skipped in (INSTALL, MAC_READ, HD6, REPORT_READ):
            assert outcome(tasks, skipped) == {"skipping"}, skipped
        assert "changed=0" in run.stdout.split("PLAY RECAP", 1)[1].splitlines()[1], run.stdout[-1500:]
