"""The cost models: grain, shares, and costs checked against prices computed here in Python.

The expected numbers are computed from the published list prices written out below, not from
the seed file or the SQL, so a wrong tier, unit or allocation in either fails a test.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections import defaultdict

import duckdb
import pytest

from pipelines.warehouse import DEFAULT_RATES_CSV, build_warehouse, query
from sql_testdata import CLASSES, TIB, usage_row, warehouse, write_usage  # noqa: F401 (warehouse is a fixture)

GIB = 2**30
# (tier width in billing units, USD per unit); the last tier is open-ended
CLOUDFRONT_EGRESS = [(10 * 1024, 0.085), (40 * 1024, 0.080), (100 * 1024, 0.060), (350 * 1024, 0.040),
                     (524 * 1024, 0.030), (4 * 1024 * 1024, 0.025), (math.inf, 0.020)]  # AWS GB = 2^30 bytes
CLOUDFRONT_USD_PER_REQUEST = 0.0100 / 10_000
GCP_EGRESS = [(10 * 1024, 0.08), (140 * 1024, 0.055), (math.inf, 0.03)]  # GiB
GCP_USD_PER_REQUEST = 0.0075 / 10_000
GCP_FILL_USD_PER_GIB = 0.01


def tiered(units: float, tiers) -> float:
    cost, left = 0.0, units
    for width, price in tiers:
        used = min(left, width)
        cost += used * price
        left -= used
        if left <= 0:
            break
    return cost


def month_bytes(rows) -> dict:
    totals: dict = defaultdict(int)
    for r in rows:
        totals[(r["date"].year, r["date"].month)] += r["bytes_sent"]
    return totals


def mart(db, sql="select * from fct_cost_by_client_class_daily"):
    cols, rows = query(str(db), sql)
    return [dict(zip(cols, r)) for r in rows]


def test_grain_is_unique_and_complete(warehouse):
    _, db, rows = warehouse
    got = mart(db)
    keys = [(r["date"], r["registry"], r["client_class"]) for r in got]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(r["date"], r["registry"], r["client_class"]) for r in rows}


def test_mart_keeps_every_request_and_byte(warehouse):
    _, db, rows = warehouse
    got = mart(db)
    assert sum(r["requests"] for r in got) == sum(r["requests"] for r in rows)
    assert sum(r["bytes_sent"] for r in got) == sum(r["bytes_sent"] for r in rows)
    assert sum(r["cache_miss_bytes"] for r in got) == sum(r["cache_miss_bytes"] for r in rows)
    mirror = next(r for r in got if r["client_class"] == "mirror")
    assert mirror["bytes_estimated_share"] == pytest.approx(0.1, rel=1e-6)
    assert mirror["gb_served"] == pytest.approx(mirror["bytes_sent"] / 1e9)


def test_shares_sum_to_one_per_date_and_registry(warehouse):
    _, db, _ = warehouse
    groups = defaultdict(list)
    for r in mart(db):
        groups[(r["date"], r["registry"])].append(r)
    assert len(groups) == 4
    for group in groups.values():
        assert len(group) == len(CLASSES)
        for share in ("request_share", "byte_share", "cost_share"):
            assert math.fsum(r[share] for r in group) == pytest.approx(1.0, abs=1e-12)
        for r in group:
            conf = r["declared_request_share"] + r["behavioural_request_share"]
            assert conf == pytest.approx(1.0, abs=1e-12)
            assert r["fingerprint_request_share"] == 0 and r["default_request_share"] == 0


def test_total_cost_equals_tiered_list_price(warehouse):
    _, db, rows = warehouse
    egress = sum(tiered(b / GIB, CLOUDFRONT_EGRESS) for b in month_bytes(rows).values())
    requests = sum(r["requests"] for r in rows) * CLOUDFRONT_USD_PER_REQUEST
    got = mart(db)
    assert math.fsum(r["egress_cost_usd"] for r in got) == pytest.approx(egress, rel=1e-9)
    assert math.fsum(r["request_cost_usd"] for r in got) == pytest.approx(requests, rel=1e-9)
    assert math.fsum(r["cache_fill_cost_usd"] for r in got) == 0  # free from an AWS origin
    assert math.fsum(r["cost_usd"] for r in got) == pytest.approx(egress + requests, rel=1e-9)
    for r in got:
        parts = r["egress_cost_usd"] + r["request_cost_usd"] + r["cache_fill_cost_usd"]
        assert r["cost_usd"] == pytest.approx(parts, rel=1e-12)
        assert r["rate_profile"] == "cloudfront-list"


def test_egress_is_allocated_pro_rata_to_bytes(warehouse):
    _, db, rows = warehouse
    (total_bytes,) = month_bytes(rows).values()
    blended = tiered(total_bytes / GIB, CLOUDFRONT_EGRESS) / total_bytes
    for r in mart(db):
        assert r["egress_cost_usd"] == pytest.approx(r["bytes_sent"] * blended, rel=1e-9)
        assert r["egress_usd_per_gb"] == pytest.approx(blended * 1e9, rel=1e-9)


def test_blended_rate_across_a_tier_boundary(tmp_path):
    # 15 TB in one month, in two days: 10 TB at 0.085 and 5 TB at 0.080
    out = tmp_path / "out"
    write_usage(out, [usage_row(date=dt.date(2026, 5, d), bytes_sent=int(7.5 * TIB)) for d in (1, 2)])
    db = tmp_path / "w.duckdb"
    build_warehouse(str(out), str(db))
    (rate,) = mart(db, "select * from int_egress_blended_rate_monthly where rate_profile = 'cloudfront-list'")
    expected_per_gb = (10 * 0.085 + 5 * 0.080) / 15
    assert rate["usd_per_billed_unit"] == pytest.approx(expected_per_gb, rel=1e-12)
    assert rate["usd_per_byte"] == pytest.approx(expected_per_gb / GIB, rel=1e-12)
    assert rate["egress_cost_usd"] == pytest.approx((10 * 0.085 + 5 * 0.080) * 1024, rel=1e-12)
    assert (rate["month"], rate["days_with_data"], rate["days_in_month"]) == (dt.date(2026, 5, 1), 2, 31)
    days = mart(db)
    assert [r["egress_cost_usd"] for r in days] == pytest.approx([rate["egress_cost_usd"] / 2] * 2, rel=1e-12)


def test_each_month_is_tiered_on_its_own(tmp_path):
    # 8 TB on Jan 31 and 8 TB on Feb 1: each month stays in the first tier
    out = tmp_path / "out"
    write_usage(out, [usage_row(date=dt.date(2026, 1, 31), bytes_sent=8 * TIB),
                      usage_row(date=dt.date(2026, 2, 1), bytes_sent=8 * TIB)])
    db = tmp_path / "w.duckdb"
    build_warehouse(str(out), str(db))
    costs = [r["egress_cost_usd"] for r in mart(db, "select * from fct_cost_by_client_class_daily order by date")]
    assert costs == pytest.approx([8 * 1024 * 0.085] * 2, rel=1e-12)


def test_gcp_profile_prices_requests_and_cache_fill(warehouse, tmp_path):
    out, _, rows = warehouse
    db = tmp_path / "gcp.duckdb"
    build_warehouse(str(out), str(db), rate_profile="gcp-cdn-list")
    egress = sum(tiered(b / GIB, GCP_EGRESS) for b in month_bytes(rows).values())
    requests = sum(r["requests"] for r in rows) * GCP_USD_PER_REQUEST
    fill = sum(r["cache_miss_bytes"] for r in rows) / GIB * GCP_FILL_USD_PER_GIB
    got = mart(db)
    assert math.fsum(r["cache_fill_cost_usd"] for r in got) == pytest.approx(fill, rel=1e-9)
    assert math.fsum(r["cost_usd"] for r in got) == pytest.approx(egress + requests + fill, rel=1e-9)
    assert {r["rate_profile"] for r in got} == {"gcp-cdn-list"}


def test_rates_csv_override_changes_the_cost(warehouse, tmp_path):
    out, db, _ = warehouse
    with open(DEFAULT_RATES_CSV, newline="") as f:
        seed = list(csv.DictReader(f))
    for row in seed:
        if row["profile"] == "cloudfront-list" and row["component"] == "egress":
            row["price_usd"] = str(float(row["price_usd"]) * 2)
    override = tmp_path / "rates.csv"
    with open(override, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(seed[0]))
        writer.writeheader()
        writer.writerows(seed)
    db2 = tmp_path / "override.duckdb"
    build_warehouse(str(out), str(db2), rates_csv=str(override))
    total = "select sum(egress_cost_usd), sum(request_cost_usd) from fct_cost_by_client_class_daily"
    (base_egress, base_requests), = query(str(db), total)[1]
    (new_egress, new_requests), = query(str(db2), total)[1]
    assert new_egress == pytest.approx(2 * base_egress, rel=1e-12)
    assert new_requests == pytest.approx(base_requests, rel=1e-12)


def test_fastly_profile_uses_si_gigabytes(tmp_path):
    out = tmp_path / "out"
    write_usage(out, [usage_row(bytes_sent=5 * 10**12, requests=20_000)])
    db = tmp_path / "w.duckdb"
    build_warehouse(str(out), str(db), rate_profile="fastly-list")
    (row,) = mart(db)
    assert row["egress_cost_usd"] == pytest.approx(5000 * 0.12, rel=1e-12)
    assert row["request_cost_usd"] == pytest.approx(2 * 0.0075, rel=1e-12)


def test_mart_opens_in_plain_duckdb_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_usage(tmp_path / "out", [usage_row(client_class="ci", bytes_sent=10**9)])
    build_warehouse("out", "w.duckdb")  # relative paths: the views must still hold absolute ones
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    try:
        assert con.sql("select client_class, bytes_sent from fct_cost_by_client_class_daily").fetchall() == [("ci", 10**9)]
        assert con.sql("select rate_profile from regmeter_settings").fetchall() == [("cloudfront-list",)]
    finally:
        con.close()


def test_dim_client_class_describes_the_six_classes(warehouse):
    _, db, _ = warehouse
    dim = mart(db, "select * from dim_client_class order by sort_order")
    assert [r["client_class"] for r in dim] == list(CLASSES)
    assert all(r["description"] and r["label"] for r in dim)
    assert {r["client_class"] for r in dim if r["is_cost_focus"]} == {"human", "ci", "ai_agent"}
    orphans = query(str(db), "select distinct client_class from fct_cost_by_client_class_daily "
                             "anti join dim_client_class using (client_class)")[1]
    assert orphans == []
