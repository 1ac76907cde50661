"""Every scenario: the test host's own dockerd runs containers."""


def test_nested_dockerd_runs_a_container(host):
    out = host.run("docker run --rm --network none busybox:latest echo hello-from-nested")
    assert out.rc == 0, out.stderr
    assert out.stdout.strip() == "hello-from-nested"


def test_unix_socket_still_answers(host):
    out = host.run("docker -H unix:///run/docker.sock version --format '{{.Server.Version}}'")
    assert out.rc == 0, out.stderr
    assert out.stdout.strip()[0].isdigit()
