"""audit_diff lists exactly the controls whose status changed."""
import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.hardening.docker.plugins.filter.audit_diff import audit_diff


def audit(**statuses):
    return {"results": [{"id": i, "title": "t" + i, "status": s, "evidence": "e" + i} for i, s in statuses.items()]}


def test_reports_changed_controls_only():
    before = audit(a="fail", b="pass", c="manual")
    after = audit(a="pass", b="pass", c="fail")
    changes = audit_diff(before, after)
    assert [(c["id"], c["before"], c["after"]) for c in changes] == [("a", "fail", "pass"), ("c", "manual", "fail")]
    assert changes[0]["evidence"] == "ea"


def test_new_control_counts_as_changed_from_absent():
    assert audit_diff(audit(), audit(x="pass")) == [
        {"id": "x", "title": "tx", "before": "absent", "after": "pass", "evidence": "ex"}]


def test_identical_audits_have_no_difference():
    assert audit_diff(audit(a="fail"), audit(a="fail")) == []


@pytest.mark.parametrize("bad", [None, [], {"summary": {}}])
def test_rejects_what_is_not_an_audit_result(bad):
    with pytest.raises(AnsibleFilterError, match="audit_diff: the before audit"):
        audit_diff(bad, audit(a="pass"))
