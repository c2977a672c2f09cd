"""One sharp test per rule of SPEC 5, through the same engine the CLI and service use."""

from __future__ import annotations

import datetime as dt

import pytest

from engine.rules import prorate
from tests.factories import company, office, preview, rows, settings, user

SF = office("San Francisco", "US", main=True, area_code="415",
            numbers=["+14155550100", "+14155550101"], voice=10, support=2)
NY = office("New York", "US", area_code="212", voice=3, sales=2)
LON = office("London", "GB", area_code="20", numbers=["+442079460001"], voice=2, support=1)
BER = office("Berlin", "DE", voice=1)
MUC = office("Munich", "DE", voice=3)


# --- 5.2 scope -------------------------------------------------------------------------------

def test_inactive_users_are_skipped_before_anything_else() -> None:
    (r,) = rows(company(SF), [user("ann@elsewhere.example", office="San Francisco", active=False)])
    assert (r.status, r.reason, r.office, r.license, r.seat, r.number) == \
        ("skip", "inactive", None, None, None, None)


def test_with_a_master_domain_every_company_domain_is_in_scope() -> None:
    rs = rows(company(SF), [user("a@acme.example"), user("b@ACME-EU.example"), user("c@gmail.example")])
    assert [r.status for r in rs] == ["create", "create", "skip"]
    assert rs[2].reason == "other_domain"


def test_without_a_master_domain_only_the_scope_domain_is_in_scope() -> None:
    comp = company(SF, master_domain=None)
    objs = [user("a@acme.example"), user("b@acme-eu.example")]
    assert [r.reason for r in rows(comp, objs)] == [None, "other_domain"]  # default: first domain
    only_eu = settings(scope={"domain": "acme-eu.example"})
    assert [r.reason for r in rows(comp, objs, only_eu)] == ["other_domain", None]


def test_a_user_without_any_domain_is_in_scope_and_email_gives_the_domain() -> None:
    no_domain = user("bob")
    no_domain["userName"] = "bob"
    by_email = user("carol")
    by_email["userName"] = "carol"
    by_email["emails"] = [{"value": "carol@other.example", "primary": True}]
    assert [r.status for r in rows(company(SF), [no_domain, by_email])] == ["create", "skip"]


# --- 5.3 license -----------------------------------------------------------------------------

GROUPS = {"groups": [{"group": "Contact  Center", "license": "Dialpad_Support"},
                     {"group": "Sales", "license": "Dialpad_Ai Sales"}]}


def test_first_matching_group_mapping_wins_over_the_attribute() -> None:
    s = settings(licenses=GROUPS)
    (r,) = rows(company(SF), [user("a", groups=["sales", " contact center "], license="Dialpad_Ai Voice")], s)
    assert (r.license, r.license_rule) == ("Dialpad_Support", "group")


def test_known_license_type_is_matched_after_normalisation() -> None:
    (r,) = rows(company(SF, NY), [user("a", office="New York", license="  dialpad_ai   SALES ")])
    assert (r.license, r.license_rule, r.warnings) == ("Dialpad_Ai Sales", "attribute", ())


def test_azure_ignores_license_type_with_a_warning() -> None:
    s = settings(licenses={"provider": "azure"})
    (r,) = rows(company(SF, NY), [user("a", office="New York", license="Dialpad_Ai Sales")], s)
    assert (r.license, r.license_rule) == ("Dialpad_Ai Voice", "default")
    assert r.warnings == ("license_type_unsupported",)


def test_unknown_license_type_falls_back_to_the_default_with_a_warning() -> None:
    (r,) = rows(company(SF), [user("a", license="Premium")],
                settings(licenses={"default": "Dialpad_Support"}))
    assert (r.license, r.license_rule, r.warnings) == ("Dialpad_Support", "default", ("unknown_license_type",))


def test_no_group_and_no_attribute_gives_the_default_rule() -> None:
    (r,) = rows(company(SF), [user("a")])
    assert (r.license, r.license_rule) == ("Dialpad_Ai Voice", "default")


# --- 5.4 office ------------------------------------------------------------------------------

def test_fields_are_tried_in_order_and_unmatched_values_warn() -> None:
    s = settings(office={"fields": ["officeName", "department"]})
    a, b = rows(company(SF, NY), [user("a", office="New York", department="San Francisco"),
                                  user("b", office="Londn", department="San Francisco")], s)
    assert (a.office, a.office_rule, a.office_detail) == ("New York", "field", "officeName = 'New York'")
    assert (b.office, b.office_rule, b.office_detail) == \
        ("San Francisco", "field", "department = 'San Francisco'")
    assert b.warnings == ("office_value_unmatched",)


def test_field_values_and_office_names_compare_after_nfkc_casefold_and_spaces() -> None:
    (r,) = rows(company(SF, NY), [user("a", office="  ＮＥＷ\u00a0  york ")])
    assert r.office == "New York" and r.office_rule == "field"


def test_only_the_chosen_fields_are_read_and_enterprise_wins_over_top_level() -> None:
    s = settings(office={"fields": ["physicalDeliveryOfficeName"]})
    u = user("a", office="New York", pdo="New York")
    u["physicalDeliveryOfficeName"] = "San Francisco"  # top level loses to the namespace
    top = user("b", pdo="New York", top_level=True)  # top level used when the namespace lacks it
    a, b = rows(company(SF, NY), [u, top], s)
    assert (a.office, a.office_detail) == ("New York", "physicalDeliveryOfficeName = 'New York'")
    assert b.office == "New York"


def test_country_with_one_office_takes_it() -> None:
    (r,) = rows(company(SF, LON), [user("a", office="Nowhere", country="gb")])
    assert (r.office, r.office_rule) == ("London", "country")


def test_country_with_several_offices_prefers_the_main_office() -> None:
    (r,) = rows(company(NY, SF), [user("a", country="US")])
    assert (r.office, r.office_rule) == ("San Francisco", "country")


def test_country_without_the_main_office_takes_most_seats_left_at_that_moment() -> None:
    rs = rows(company(SF, BER, MUC), [user(f"u{i}", country="DE") for i in range(4)])
    # Munich 3 seats vs Berlin 1: Munich, Munich, then 1 each -> tie by name: Berlin, then Munich.
    assert [r.office for r in rs] == ["Munich", "Munich", "Berlin", "Munich"]
    assert all(r.office_rule == "country" for r in rs)


def test_country_fallback_off_goes_to_the_mismatch_behaviour() -> None:
    s = settings(office={"country_fallback": False, "mismatch": "reject"})
    (r,) = rows(company(SF, LON), [user("a", country="GB")], s)
    assert (r.status, r.reason, r.office, r.license) == ("reject", "no_office_match", None, "Dialpad_Ai Voice")


def test_best_match_takes_the_closest_name_scoring_at_least_80() -> None:
    (r,) = rows(company(SF, LON), [user("a", office="Londn")])
    assert (r.office, r.office_rule) == ("London", "best_match")
    assert "WRatio" in r.office_detail


def test_best_match_without_a_close_name_takes_the_main_office() -> None:
    (r,) = rows(company(SF, LON), [user("a", office="Tokyo Hub")])
    assert (r.office, r.office_rule) == ("San Francisco", "best_match")


def test_best_match_skips_offices_that_cannot_add_when_seats_are_not_purchased() -> None:
    s = settings(licenses={"when_exhausted": "reject", "default": "Dialpad_Ai Sales"})
    # Only New York has Sales seats: London (close name) and the main office cannot add.
    (r,) = rows(company(SF, NY, LON), [user("a", office="Londn")], s)
    assert (r.office, r.office_rule) == ("New York", "best_match")


def test_best_match_rejects_when_no_office_can_add() -> None:
    s = settings(licenses={"when_exhausted": "reject", "default": "Dialpad_Ai Sales"})
    (r,) = rows(company(SF, LON), [user("a", office="Londn")], s)
    assert (r.status, r.reason, r.license, r.office, r.seat) == \
        ("reject", "no_office_can_add", "Dialpad_Ai Sales", None, None)


def test_default_office_catches_unmatched_users() -> None:
    s = settings(office={"mismatch": "default_office", "default_office": "london"})
    (r,) = rows(company(SF, LON), [user("a", office="Londn")], s)
    assert (r.office, r.office_rule) == ("London", "default_office")


# --- 5.5 seats -------------------------------------------------------------------------------

def test_seats_are_used_then_purchased_at_the_prorated_price() -> None:
    rs = rows(company(office("Tiny", main=True, voice=1)), [user("a"), user("b")])
    assert [(r.seat, r.prorated_cost) for r in rs] == [("available", 0.0), ("purchased", 13.5)]


def test_out_of_licenses_rejects_but_keeps_office_and_license() -> None:
    s = settings(licenses={"when_exhausted": "reject"})
    rs = rows(company(office("Tiny", main=True, numbers=["+14155550100", "+14155550101"], voice=1)),
              [user("a", office="Tiny"), user("b", office="Tiny"), user("c", office="Tiny")], s)
    assert [r.status for r in rs] == ["create", "reject", "reject"]
    assert (rs[1].reason, rs[1].office, rs[1].license, rs[1].seat, rs[1].number) == \
        ("out_of_licenses", "Tiny", "Dialpad_Ai Voice", None, None)


@pytest.mark.parametrize(("price", "as_of", "expected"), [
    (27.0, dt.date(2026, 11, 16), 13.5),    # 15 of 30 days
    (0.15, dt.date(2026, 11, 16), 0.08),    # 0.075 -> half-even 0.08
    (0.05, dt.date(2026, 11, 16), 0.02),    # 0.025 -> half-even 0.02
    (27.0, dt.date(2026, 10, 1), 27.0),     # before the period: clamped to the whole period
    (27.0, dt.date(2026, 12, 5), 0.0),      # after the period: nothing left to pay
])
def test_prorated_cost_rounds_half_even_and_clamps(price: float, as_of: dt.date, expected: float) -> None:
    assert prorate(price, dt.date(2026, 11, 1), dt.date(2026, 12, 1), as_of) == expected


# --- 5.6 numbers -----------------------------------------------------------------------------

def test_reserved_numbers_in_order_then_office_area_code_then_company_area_code() -> None:
    no_area = office("Remote", "CA", voice=5)
    rs = rows(company(SF, no_area), [user("a"), user("b"), user("c"), user("d", office="Remote")])
    assert [(r.number, r.number_source, r.area_code) for r in rs] == [
        ("+14155550100", "reserved", None), ("+14155550101", "reserved", None),
        (None, "area_code", "415"), (None, "area_code", "415")]
    assert rs[3].office == "Remote"  # Remote has no area code: the company's 415


def test_contact_center_users_get_no_number_and_use_none_of_the_pool() -> None:
    s = settings(licenses={"groups": [{"group": "CC", "license": "Dialpad_Support"}]})
    a, b = rows(company(SF), [user("a", groups=["CC"]), user("b")], s)
    assert (a.number, a.number_source, a.area_code) == (None, "contact_center", None)
    assert b.number == "+14155550100"


def test_auto_assign_off_gives_no_number() -> None:
    (r,) = rows(company(SF), [user("a")], settings(numbers={"auto_assign": False}))
    assert (r.number, r.number_source, r.area_code) == (None, "auto_assign_off", None)


def test_rejected_users_consume_neither_seats_nor_numbers() -> None:
    s = settings(office={"mismatch": "reject", "country_fallback": False})
    rs = rows(company(SF), [user("a", office="Mars"), user("b", office="San Francisco")], s)
    assert rs[0].status == "reject" and rs[1].number == "+14155550100"


def test_summary_counts_create_rows_per_office_and_the_cost() -> None:
    comp = company(office("Tiny", main=True, numbers=["+14155550100"], voice=1))
    p = preview(comp, [user("a"), user("b"), user("c", active=False)])
    s = p.summary.to_dict()
    assert (s["create"], s["skip"], s["reject"], s["invalid"]) == (2, 1, 0, 0)
    assert s["offices"] == {"Tiny": {"users": 2, "licenses": {"Dialpad_Ai Voice": 2},
                                     "purchased": {"Dialpad_Ai Voice": 1}, "reserved_numbers": 1,
                                     "area_code_numbers": 1}}
    assert (s["purchased"], s["prorated_total"], s["currency"]) == ({"Dialpad_Ai Voice": 1}, 13.5, "USD")
