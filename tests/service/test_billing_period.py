"""The service bills each create for the billing period that contains the day of the create
(SPEC 5.5), not the directory's period once it has passed. `serve --as-of` sets that day."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from tests.service.conftest import start_server
from tests.service.test_placement import placement, user

COMPANY = """
[company]
name = "Acme"
domains = ["acme.example"]
master_domain = "acme.example"
area_code = "415"

[billing]
currency = "USD"
period_start = 2026-11-01
period_end = 2026-12-01
monthly_price = { "Dialpad_Ai Voice" = 27.0, "Dialpad_Support" = 80.0, "Dialpad_Ai Sales" = 39.0 }

[[offices]]
name = "San Francisco"
country = "US"
main = true
reserved_numbers = []
available_licenses = { "Dialpad_Ai Voice" = 0 }
"""


def test_a_create_after_the_directorys_period_is_billed_for_the_current_one(tmp_path: Path) -> None:
    company = tmp_path / "company.toml"
    company.write_text(COMPANY)
    # 2027-01-16: the directory's November has passed; January has 16 of its 31 days left.
    server = start_server(tmp_path / "service.sqlite3", company=company, as_of="2027-01-16")
    try:
        with server.client() as http:
            billing = http.get("/api/v1/company").json()["billing"]
            assert billing["current_period"] == {"start": "2027-01-01", "end": "2027-02-01"}
            assert (billing["period_start"], billing["period_end"]) == ("2026-11-01", "2026-12-01")
            got = placement(http.post("/scim/v2/Users", json=user("ann@acme.example", "San Francisco")))
            assert (got["seat"], got["proratedCost"]) == ("purchased", 13.94)  # 27 x 16 / 31
            purchases = http.get("/api/v1/company").json()["purchases"]
            assert [p["prorated_cost"] for p in purchases] == [13.94]
            # The preview endpoint bills the same day by default.
            doc = http.post("/api/v1/preview", content=b'{"userName": "bob@acme.example"}',
                       headers={"Content-Type": "application/json"}).json()
            assert doc["as_of"] == "2027-01-16"
            assert doc["summary"]["billing_period"] == {"start": "2027-01-01", "end": "2027-02-01"}
            assert doc["users"][0]["prorated_cost"] == 13.94
    finally:
        server.stop()


def test_serve_refuses_a_bad_as_of(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--db", str(tmp_path / "s.sqlite3"), "--as-of", "2027-02-30"]) == 2
    assert "--as-of: '2027-02-30' is not a date" in capsys.readouterr().err
