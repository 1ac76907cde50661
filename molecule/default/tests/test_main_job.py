"""The main job leaves a working engine behind."""


def test_dockerd_is_active(host):
    assert host.service("docker").is_running
