"""Role apparmor: profiles installed and valid, refused input changes nothing,
the report tells the truth about this kernel, enforcement where it exists."""

import json
import os

import pytest
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
PROFILE_DIR = "/etc/apparmor.d"
PARSER = "/usr/sbin/apparmor_parser"
HEADER = "# Managed by hardening.docker (role apparmor): local changes are overwritten."
AA_ENABLED = "/sys/module/apparmor/parameters/enabled"
AA_FS = "/sys/kernel/security/apparmor"


def scenario_input():
    with open(os.path.join(HERE, "..", "vars", "input.yml")) as handle:
        return yaml.safe_load(handle)


def expected_profiles():
    # The role's default name plus the scenario's own profiles (input, not results).
    return ["docker-hardened"] + [p["name"] for p in scenario_input()["apparmor_profiles"]]


def evidence(host):
    record = host.file("/var/tmp/hd-apparmor-evidence.json")
    assert record.exists, "side_effect.yml did not run"
    return json.loads(record.content_string)


def kernel_apparmor(host):
    """(usable, why) as read from the test host's kernel interfaces."""
    flag = host.file(AA_ENABLED)
    if not flag.exists:
        return False, f"{AA_ENABLED} is missing on {host.backend.hostname}: the kernel has no AppArmor"
    value = flag.content_string.strip()
    if not value.upper().startswith("Y"):
        return False, f"{AA_ENABLED} is {value!r} on {host.backend.hostname}: AppArmor is disabled"
    if not host.file(AA_FS).is_directory:
        return False, f"{AA_FS} is missing on {host.backend.hostname}: profiles cannot be loaded"
    return True, "AppArmor is enabled"


@pytest.mark.parametrize("name", expected_profiles())
def test_profile_installed_root_owned_0644(host, name):
    f = host.file(f"{PROFILE_DIR}/{name}")
    assert f.is_file
    assert (f.user, f.group, f.mode) == ("root", "root", 0o644)
    assert f.content_string.splitlines()[0] == HEADER


@pytest.mark.parametrize("name", expected_profiles())
def test_profile_parses_cleanly_and_defines_its_name(host, name):
    path = f"{PROFILE_DIR}/{name}"
    check = host.run(f"{PARSER} -QTK {path}")
    assert check.rc == 0, check.stderr
    names = host.run(f"{PARSER} --names {path}")
    assert names.rc == 0, names.stderr
    assert name in names.stdout.split("\n")


def test_hardened_profile_carries_the_extra_rules(host):
    content = host.file(f"{PROFILE_DIR}/docker-hardened").content_string
    for rule in scenario_input()["apparmor_default_profile_extra_rules"]:
        assert f"\n  {rule}\n" in content


def test_report_matches_the_kernel(host):
    report = evidence(host)["report"]
    usable, why = kernel_apparmor(host)
    if usable:
        assert report["action"] == "load"
        assert report["apparmor_enforceable"] is True
        modes = {name: report["profiles"][name]["mode"] for name in expected_profiles()}
        assert all(modes.values()), modes
    else:
        assert report["action"] == "install_only", why
        assert report["apparmor_enforceable"] is False
        assert report["summary"].startswith("AppArmor enforcement is NOT available on this host")
        # The role names the same interface the test found missing or off.
        assert why.split(" ", maxsplit=1)[0] in report["summary"]
        for name in expected_profiles():
            assert report["profiles"][name] == {
                "path": f"{PROFILE_DIR}/{name}", "installed": True, "mode": None}


def test_report_quotes_dockerd_as_it_is(host):
    report = evidence(host)["report"]
    out = host.run("docker info --format '{{json .SecurityOptions}}'")
    assert out.rc == 0, out.stderr
    assert report["dockerd_security_options"] == json.loads(out.stdout)


def test_broken_profile_is_refused_with_the_parser_message(host):
    broken = evidence(host)["broken"]
    assert broken["failed"] is True
    assert "docker-broken (from apparmor_profiles)" in broken["msg"]
    # apparmor_parser's own words, e.g. "AppArmor parser error at line 3: syntax error, ..."
    assert "AppArmor parser error at line 3" in broken["msg"]
    assert "docker-new-good" not in broken["msg"]


def test_foreign_file_is_refused(host):
    foreign = evidence(host)["foreign"]
    assert foreign["failed"] is True
    assert f"{PROFILE_DIR}/lsb_release: present already and not written by this role" in foreign["msg"]


def test_refused_runs_left_apparmor_d_unchanged(host):
    snapshots = evidence(host)["snapshots"]
    assert snapshots["before"], "empty snapshot"
    assert snapshots["after"] == snapshots["before"]
    assert f"{PROFILE_DIR}/docker-new-good" not in snapshots["after"]
    assert not host.file(f"{PROFILE_DIR}/docker-new-good").exists


def test_container_is_confined_by_the_hardened_profile(host):
    usable, why = kernel_apparmor(host)
    if not usable:
        pytest.skip(f"enforcement cannot be observed: {why}")
    out = host.run("docker run --rm --network none --security-opt apparmor=docker-hardened "
                   "busybox:latest cat /proc/self/attr/current")
    assert out.rc == 0, out.stderr
    assert out.stdout.strip() == "docker-hardened (enforce)"


def test_check_mode_predicts_a_new_profile_and_writes_nothing(host):
    check = evidence(host)["check"]
    assert check["rc"] == 0, check["stderr"]
    assert check["stats"]["failures"] == 0
    # the new file, plus the "would load" notice where the kernel can load it
    assert check["stats"]["changed"] == 1 + kernel_apparmor(host)[0], "check mode hid or invented a change"
    assert f"{PROFILE_DIR}/docker-check-only" not in evidence(host)["snapshots"]["after"]
    assert not host.file(f"{PROFILE_DIR}/docker-check-only").exists
