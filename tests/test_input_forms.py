"""Every rule path gives the same result whatever form the users come in (JSON, NDJSON, Bulk, CSV)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from app.cli import main
from engine.demo import demo_bytes
from engine.names import ENTERPRISE_NS

RESOURCES = json.loads(demo_bytes("users"))["Resources"]


def _as_csv(resources: list[dict]) -> str:
    out = io.StringIO()
    cols = ["userName", "displayName", "active", "officeName", "physicalDeliveryOfficeName",
            "department", "country", "licenseType", "groups"]
    writer = csv.DictWriter(out, cols)
    writer.writeheader()
    for u in resources:
        ent = u.get(ENTERPRISE_NS, {})
        addresses = u.get("addresses") or [{}]
        writer.writerow({"userName": u.get("userName", ""), "displayName": u.get("displayName", ""),
                         "active": str(u.get("active", True)).lower(),
                         **{k: ent.get(k, "") for k in ("officeName", "physicalDeliveryOfficeName",
                                                        "department", "licenseType")},
                         "country": addresses[0].get("country", ""),
                         "groups": ";".join(g["display"] for g in u.get("groups", []))})
    return out.getvalue()


FORMS = {
    "list-response": lambda: demo_bytes("users").decode(),
    "array": lambda: json.dumps(RESOURCES),
    "ndjson": lambda: "\n".join(json.dumps(u) for u in RESOURCES),
    "bulk": lambda: json.dumps({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                                "Operations": [{"method": "POST", "path": "/Users", "bulkId": str(i),
                                                "data": u} for i, u in enumerate(RESOURCES)]}),
    "csv": lambda: _as_csv(RESOURCES),
}


def _preview(capsys: pytest.CaptureFixture[str], tmp_path: Path, form: str) -> dict:
    company, users, settings = tmp_path / "c.toml", tmp_path / f"users.{form}", tmp_path / "s.toml"
    company.write_bytes(demo_bytes("company"))
    settings.write_bytes(demo_bytes("settings"))
    users.write_text(FORMS[form]())
    assert main(["preview", "--company", str(company), "--users", str(users), "--settings",
                 str(settings), "--as-of", "2026-11-28", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("form", ["array", "ndjson", "bulk", "csv"])
def test_every_input_form_previews_like_the_list_response(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, form: str) -> None:
    expected = _preview(capsys, tmp_path, "list-response")
    got = _preview(capsys, tmp_path, form)
    # Invalid rows say where they sit in their own form (line 60, Resources[59], ...).
    for doc in (expected, got):
        for row in doc["users"]:
            if row["status"] == "invalid" and row["reason"] != "duplicate_user":
                row["reason"] = row["reason"].split(":")[0]
    if form == "csv":  # a Group resource has no CSV form: it reads as a row without a userName
        assert got["users"][-1]["reason"] == "missing_userName"
        got["users"][-1]["reason"] = expected["users"][-1]["reason"]
    assert got == expected
    assert {r["office_rule"] for r in got["users"]} >= {"field", "country", "best_match"}
