"""What a playbook run did per task, read from its output (issue 15: round trips on a rerun).

Each task prints one "TASK [role : name] ****" line, then one line per host and
item beginning with its outcome: ok, changed, skipping, failed, fatal. A task
that ran a module on the host shows ok or changed; a skipped one costs no round
trip. Scenario tests import it with:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
"""
import re

OUTCOME = re.compile(r"^(ok|changed|skipping|failed|fatal): \[([^\]]+)\]")


def task_outcomes(output, host):
    """[(task name without the role prefix, {outcomes of HOST})] in the order the run printed them."""
    tasks = []
    for line in output.splitlines():
        title = re.match(r"^TASK \[(.*)\] \**\s*$", line)
        if title:
            tasks.append((title.group(1).split(" : ", 1)[-1], set()))
            continue
        match = OUTCOME.match(line)
        if match and tasks and match.group(2).split(" ")[0] == host:
            tasks[-1][1].add(match.group(1))
    return tasks


def outcome(tasks, name):
    """The outcomes of the one task called NAME (it must have been printed exactly once)."""
    found = [outcomes for task, outcomes in tasks if task == name]
    assert len(found) == 1, "task %r printed %d times; tasks: %s" % (name, len(found), [task for task, dummy in tasks])
    return found[0]


def ran_tasks(tasks):
    """Names of the tasks that ran (a module on the host or a task on the controller; not skipped), in order."""
    return [task for task, outcomes in tasks if outcomes & {"ok", "changed"}]
