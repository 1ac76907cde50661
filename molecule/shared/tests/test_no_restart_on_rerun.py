"""Every scenario: reruns (idempotence, check) do not restart dockerd."""


def test_reruns_did_not_restart_dockerd(host):
    recorded = host.file("/var/tmp/hd-dockerd-pids")
    assert recorded.exists, "converge.yml must include molecule/shared/record_dockerd_pid.yml"
    pids = recorded.content_string.split()
    # converge, idempotence and check each appended one line
    assert len(pids) >= 3, pids
    assert len(set(pids)) == 1, f"dockerd restarted on a rerun: PIDs {pids}"
    assert pids[0] != "0", "dockerd was not running after converge"
