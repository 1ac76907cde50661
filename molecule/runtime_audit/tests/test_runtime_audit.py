"""The runtime audit finds every risky container prepare started (issue 16).

Converge and side_effect ran playbooks/audit.yml with the containers that do
not run included; the report they wrote is in Molecule's ephemeral directory.
"""
import json
import os
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "shared"))
from hd_molecule import host_name  # noqa: E402

REPORT = Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "runtime-report"

# container -> {control: a piece of the evidence (the offending flag or mount)}
RISKY = {
    "rt-privileged": {"5.5": "--privileged", "5.4": "every capability", "5.18": "every host device",
                      "5.22": "no seccomp filter"},
    "rt-socket": {"5.32": "/var/run/docker.sock:/s"},
    "rt-rootfs": {"5.6": "/:/h", "5.32": "/:/h (holds /run/docker.sock)"},
    "rt-etc": {"5.6": "/etc:/x (read-only)"},
    "rt-hostpid": {"5.16": "--pid=host"},
    "rt-hostnet": {"5.10": "--network=host"},
    "rt-hostipc": {"5.17": "--ipc=host"},
    "rt-hostuts": {"5.21": "--uts=host"},
    "rt-userns": {"5.31": "--userns=host"},
    "rt-sysadmin": {"5.4": "SYS_ADMIN"},
    "rt-seccomp": {"5.22": "seccomp=unconfined"},
    "rt-nnp-off": {"5.26": "no-new-privileges=false"},
    "rt-device": {"5.18": "/dev/null:/dev/xnull"},
    "rt-shared": {"5.20": "/srv/rt-shared:/m (shared)"},
    "rt-ports": {"5.8": "80 -> 8080/tcp", "5.14": "0.0.0.0:80 -> 8080/tcp"},
}
RISK_CONTROLS = sorted({cid for controls in RISKY.values() for cid in controls})


@pytest.fixture(scope="module")
def report():
    return json.loads((REPORT / "report.json").read_text())


@pytest.fixture()
def runtime(host, report):
    return report["runtime"][host_name(host)]


def _containers_on_host(host):
    out = host.check_output("docker ps --all --format '{{.ID}} {{.Names}} {{.State}}'")
    return dict((name, (cid, state)) for cid, name, state in (line.split() for line in out.splitlines()))


def test_every_container_is_audited_by_name_and_id(host, runtime):
    on_host = _containers_on_host(host)
    audited = dict((c["name"], (c["id"], c["state"])) for c in runtime["containers"])
    assert set(audited) == set(on_host)
    for name, (short_id, state) in on_host.items():
        assert audited[name][0].startswith(short_id) and audited[name][1] == state
    assert on_host["rt-privileged"][1] == "created"   # it cannot start here (see prepare.yml)
    assert runtime["include_stopped"] is True


@pytest.mark.parametrize("container", sorted(RISKY))
def test_risky_container_found_with_evidence(runtime, container):
    results = dict((r["id"], r) for r in runtime["results"] if r["container"] == container)
    for cid, piece in RISKY[container].items():
        assert results[cid]["status"] == "fail", (cid, results[cid])
        assert piece in results[cid]["evidence"], (cid, results[cid]["evidence"])
        assert results[cid]["image"] == "busybox:latest" and len(results[cid]["container_id"]) == 12


def test_ordinary_container_passes_the_risk_controls(runtime):
    results = dict((r["id"], r) for r in runtime["results"] if r["container"] == "rt-ordinary")
    for cid in RISK_CONTROLS + ["5.11", "5.13", "5.29"]:
        assert results[cid]["status"] == "pass", (cid, results[cid]["evidence"])
    assert results["5.2"]["status"] == "not_applicable"   # no AppArmor in this kernel


def test_host_level_results_name_the_failing_containers(host, report):
    cells = report["results"][host_name(host)]
    assert cells["5.5"]["status"] == "fail" and "rt-privileged" in cells["5.5"]["evidence"]
    assert cells["5.32"]["evidence"].startswith("2 of 17 containers fail")
    assert "open-to-all (0666)" in cells["HD-9"]["evidence"]
    assert cells["HD-9"]["details"]["limit"] == 10000 and cells["HD-9"]["details"]["truncated"] is False


def test_volume_finding_matches_the_host(host, report):
    path = "/var/lib/docker/volumes/rt-open/_data/open-to-all"
    assert host.file(path).mode == 0o666
    volumes = report["runtime"][host_name(host)]["volumes"]
    assert volumes["root"]["path"] == "/var/lib/docker/volumes"
    assert oct(host.file("/var/lib/docker/volumes").mode) == "0o%s" % volumes["root"]["mode"].lstrip("0")
    found = [v for v in volumes["volumes"] if v["name"] == "rt-open"][0]
    assert found["scan"]["world_writable_paths"] == [path + " (0666)"]


class _Html(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self)
        self.rows = {}
        self.listed = set()
        self.index = set()
        self._row = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and "runtime-control" in (attrs.get("class") or ""):
            self._row = (attrs["data-host"], attrs["data-control"])
            self.rows[self._row] = int(attrs["data-fail"])
        elif tag == "li" and "data-container" in attrs and attrs.get("data-status") == "fail":
            self.listed.add(self._row + (attrs["data-container"],))
        elif tag == "tr" and "data-container" in attrs:
            self.index.add(attrs["data-container"])


def test_html_report_shows_the_risky_containers(host):
    name = host_name(host)
    html = (REPORT / "report.html").read_text()
    parsed = _Html()
    parsed.feed(html)
    for container, controls in RISKY.items():
        for cid in controls:
            assert (name, cid, container) in parsed.listed, (cid, container)
    assert not [entry for entry in parsed.listed if entry[0] == name and entry[2] == "rt-ordinary"]
    assert parsed.rows[(name, "5.5")] == 1 and parsed.rows[(name, "5.32")] == 2
    assert {"rt-ordinary", "rt-privileged"} <= parsed.index
    assert "<script" not in html and "http://" not in html and "https://" not in html


def test_junit_has_a_case_per_container_and_control(host):
    import xml.etree.ElementTree as ET
    name = host_name(host)
    root = ET.parse(str(REPORT / "junit.xml")).getroot()
    suite = [s for s in root.findall("testsuite") if s.get("name") == "%s containers" % name][0]
    failing = suite.findall("testcase[@classname='hardening.docker.%s.rt-socket']/failure" % name)
    assert [f.get("message") for f in failing if "/var/run/docker.sock:/s" in f.get("message")]


def test_the_audit_changed_no_container(host, runtime):
    # the audit only reads: the containers prepare started still run, with the same ids
    on_host = _containers_on_host(host)
    for container in runtime["containers"]:
        assert on_host[container["name"]][0] == container["id"][:12]
    assert host.file("/var/lib/docker/volumes/rt-open/_data/open-to-all").exists
