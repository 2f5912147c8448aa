"""build_warehouse / query / format_table: building, refreshing, failing, documenting."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.warehouse import (
    DEFAULT_RATE_PROFILE,
    DEFAULT_RATES_CSV,
    SQL_DIR,
    WarehouseError,
    build_warehouse,
    discover_models,
    format_table,
    query,
)
from sql_testdata import usage_row, warehouse, write_usage  # noqa: F401 (warehouse is a fixture)

MODELS = ["stg_cost_rates", "stg_usage", "int_egress_blended_rate_monthly",
          "dim_client_class", "fct_cost_by_client_class_daily"]


def test_build_creates_every_model_in_dependency_order(tmp_path):
    write_usage(tmp_path / "out", [usage_row()])
    created = build_warehouse(str(tmp_path / "out"), str(tmp_path / "w.duckdb"))
    assert created[:2] == ["cost_rates", "regmeter_settings"]
    assert set(MODELS) <= set(created)
    assert "stg_run_manifests" not in created  # no manifest yet: the optional model is skipped
    pos = created.index
    assert pos("stg_usage") < pos("int_egress_blended_rate_monthly") < pos("fct_cost_by_client_class_daily")
    assert pos("stg_cost_rates") < pos("int_egress_blended_rate_monthly")
    views = {r[0] for r in query(str(tmp_path / "w.duckdb"), "select view_name from duckdb_views() where not internal")[1]}
    assert views == set(created) - {"cost_rates", "regmeter_settings"}


def test_missing_usage_data_raises(tmp_path):
    for root in (tmp_path / "nothing-here", tmp_path):
        with pytest.raises(WarehouseError, match=r"no usage data under .*/usage/; run `regmeter run daily` first"):
            build_warehouse(str(root), str(tmp_path / "w.duckdb"))
    (tmp_path / "usage" / "date=2026-03-30").mkdir(parents=True)  # a folder with no Parquet yet
    with pytest.raises(WarehouseError, match="no usage data"):
        build_warehouse(str(tmp_path), str(tmp_path / "w.duckdb"))


def test_unknown_profile_raises_and_names_the_known_ones(tmp_path):
    write_usage(tmp_path / "out", [usage_row()])
    with pytest.raises(WarehouseError, match="unknown rate profile 'akamai'.*cloudfront-list"):
        build_warehouse(str(tmp_path / "out"), str(tmp_path / "w.duckdb"), rate_profile="akamai")


def test_a_failed_rebuild_leaves_the_previous_warehouse(tmp_path):
    out, db = tmp_path / "out", tmp_path / "w.duckdb"
    write_usage(out, [usage_row(bytes_sent=10**9)])
    build_warehouse(str(out), str(db), rate_profile="fastly-list")
    cost = "select sum(cost_usd) from fct_cost_by_client_class_daily"
    before = query(str(db), cost)[1]
    broken = tmp_path / "rates.csv"
    with open(DEFAULT_RATES_CSV, newline="") as f:
        rows = [r for r in csv.DictReader(f) if not (r["profile"] == "cloudfront-list" and r["tier_start_units"] == "10240")]
    with open(broken, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with pytest.raises(WarehouseError, match="cloudfront-list/egress tier starts at 51200"):
        build_warehouse(str(out), str(db), rates_csv=str(broken))
    assert query(str(db), "select rate_profile from regmeter_settings")[1] == [("fastly-list",)]
    assert query(str(db), "select count(*) from fct_cost_by_client_class_daily")[1] == [(1,)]
    assert query(str(db), cost)[1] == before
    with open(DEFAULT_RATES_CSV, newline="") as f:
        assert query(str(db), "select count(*) from cost_rates")[1] == [(len(list(csv.DictReader(f))),)]


def test_output_root_with_a_quote_in_its_name(tmp_path):
    out = tmp_path / "it's out"
    write_usage(out, [usage_row(requests=42)])
    db = tmp_path / "w.duckdb"
    build_warehouse(str(out), str(db))
    assert query(str(db), "select sum(requests) from stg_usage")[1] == [(42,)]


def test_stg_usage_reads_the_files_own_date_not_the_folder(tmp_path):
    out = tmp_path / "out"
    # the folder says the 31st, the file's own column says the 30th: the column wins, and there
    # is exactly one `date` column, typed DATE (no clash with the Hive key of the same name)
    write_usage(out, [usage_row(date=dt.date(2026, 3, 30))], folder_date=dt.date(2026, 3, 31))
    db = tmp_path / "w.duckdb"
    build_warehouse(str(out), str(db))
    cols, rows = query(str(db), "select date, typeof(date), source_file from stg_usage")
    assert rows[0][:2] == (dt.date(2026, 3, 30), "DATE")
    assert rows[0][2].endswith("date=2026-03-31/part-00000.parquet")
    described = [c for c, *_ in query(str(db), "describe stg_usage")[1]]
    assert described.count("date") == 1


def test_files_of_an_older_schema_without_a_newer_column_still_read(tmp_path):
    out, db = tmp_path / "out", tmp_path / "w.duckdb"
    write_usage(out, [usage_row(date=dt.date(2026, 3, 31), requests=5, bytes_estimated=7)])
    old = pa.Table.from_pylist([usage_row(date=dt.date(2026, 3, 30), requests=3)]).drop_columns(["bytes_estimated"])
    (out / "usage" / "date=2026-03-30").mkdir(parents=True)
    pq.write_table(old, out / "usage" / "date=2026-03-30" / "part-00000.parquet")
    build_warehouse(str(out), str(db))
    rows = query(str(db), "select date, requests, bytes_estimated from stg_usage order by date")[1]
    assert rows == [(dt.date(2026, 3, 30), 3, None), (dt.date(2026, 3, 31), 5, 7)]


def test_a_day_published_after_the_build_shows_without_rebuilding(tmp_path):
    out, db = tmp_path / "out", tmp_path / "w.duckdb"
    write_usage(out, [usage_row(date=dt.date(2026, 3, 30))])
    build_warehouse(str(out), str(db))
    write_usage(out, [usage_row(date=dt.date(2026, 3, 31))])
    assert query(str(db), "select count(distinct date) from fct_cost_by_client_class_daily")[1] == [(2,)]
    assert build_warehouse(str(out), str(db))  # rebuilding over an existing file is fine too


def test_run_manifests_view(tmp_path):
    out, db = tmp_path / "out", tmp_path / "w.duckdb"
    write_usage(out, [usage_row()])
    (out / "manifests").mkdir()
    # the shape pipelines/io/publish.py writes, plus a key the view does not know
    manifest = {
        "manifest_schema_version": 1, "run_id": "r-1", "date": "2026-03-30", "format": "fastly-pypi",
        "registry": "pypi", "started_at": "2026-03-31T01:00:00+00:00", "options": {},
        "finished_at": "2026-03-31T01:02:00+00:00",
        "inputs": [{"path": "a.log.gz", "size": 100, "object_time": None}, {"path": "b.log.gz", "size": 50, "object_time": None}],
        "lines": {"read": 10, "parsed": 7, "dead_lettered": 2, "filtered": 1},
        "filtered": {"not_registry": 1},
        "usage": {"requests": 7, "bytes_sent": 700, "bytes_estimated": 0, "by_class": {}},
        "outputs": {"usage": [{"file": "part-00.parquet", "rows": 1}], "dead_letters": [], "events": []},
        "versions": {"regmeter": "0.1.0", "duckdb": "2.0.0"},
        "a_key_the_view_does_not_know": True,
    }
    (out / "manifests" / "date=2026-03-30.json").write_text(json.dumps(manifest))
    assert "stg_run_manifests" in build_warehouse(str(out), str(db))
    cols, rows = query(str(db), "select run_id, registry, pipeline_version, lines_read, lines_balance, input_files, "
                                "input_bytes, usage_requests, usage_bytes_sent from stg_run_manifests")
    assert rows == [("r-1", "pypi", "0.1.0", 10, 0, 2, 150, 7, 700)]
    # a manifest of another (older or newer) shape still reads: unknown keys NULL, nothing fails
    (out / "manifests" / "date=2026-03-29.json").write_text(json.dumps({"date": "2026-03-29", "run_id": "r-0"}))
    assert query(str(db), "select count(*), count(lines_read) from stg_run_manifests")[1] == [(2, 1)]


def test_mart_columns_and_views_are_documented(warehouse):
    _, db, _ = warehouse
    for view in ("fct_cost_by_client_class_daily", "dim_client_class", "int_egress_blended_rate_monthly"):
        cols = query(str(db), f"select column_name, comment from duckdb_columns() where table_name = '{view}'")[1]
        assert cols and all(comment for _, comment in cols), [c for c, comment in cols if not comment]
    comments = dict(query(str(db), "select view_name, comment from duckdb_views() where not internal")[1])
    assert all(c and c.startswith("Grain:") for c in comments.values()), comments


def test_settings_record_the_default_profile(warehouse):
    out, db, _ = warehouse
    cols, rows = query(str(db), "select rate_profile, output_root from regmeter_settings")
    assert DEFAULT_RATE_PROFILE == "cloudfront-list"
    assert rows == [("cloudfront-list", str(out.resolve()))]


def test_seed_rows_are_sourced():
    with open(DEFAULT_RATES_CSV, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["profile", "component", "region_group", "unit", "unit_bytes", "tier_start_units",
                             "tier_end_units", "price_usd", "price_per_units", "source_url", "as_of", "note"]
    assert {r["profile"] for r in rows} == {"cloudfront-list", "fastly-list", "gcp-cdn-list"}
    for r in rows:
        assert r["source_url"].startswith("https://"), r
        dt.date.fromisoformat(r["as_of"])


def test_models_follow_the_house_style():
    models = discover_models()
    assert {m.name for m in models} >= set(MODELS)
    for m in models:
        assert m.path.name == f"{m.name}.sql"
        assert re.search(r"^-- Grain: ", m.sql, re.MULTILINE), m.name
        last = m.body().splitlines()[-1]
        assert last == ("select * from renamed" if m.layer == "staging" else "select * from final"), m.name
    assert (SQL_DIR / "seeds" / "cost_rates.csv").is_file()


def test_query_is_read_only_and_reports_errors(warehouse, tmp_path):
    _, db, _ = warehouse
    with pytest.raises(WarehouseError):
        query(str(db), "create table x (a int)")
    with pytest.raises(WarehouseError, match="fct_nothing"):
        query(str(db), "select * from fct_nothing")
    with pytest.raises(WarehouseError, match="no warehouse"):
        query(str(tmp_path / "absent.duckdb"), "select 1")
    con = duckdb.connect(str(db), read_only=True)  # our connection was closed: others can open it
    con.close()


def test_format_table_aligns_numbers_right():
    text = format_table(
        ["class", "requests", "share", "cost_usd", "note"],
        [("human", 1234567, 0.123456, 1234.5678, None), ("ai_agent", 5, 1.0, 0.000012345, "x")],
    )
    lines = text.splitlines()
    assert lines[0].split() == ["class", "requests", "share", "cost_usd", "note"]
    assert set(lines[1]) <= {"-", " "}
    assert lines[2].split() == ["human", "1,234,567", "0.1235", "1,234.57", "NULL"]
    assert lines[3].split() == ["ai_agent", "5", "1.00", "1.23e-05", "x"]
    # right-aligned: numbers end in the same column as their header
    for col in ("requests", "share", "cost_usd"):
        end = lines[0].index(col) + len(col)
        assert all(line[end - 1] != " " for line in lines[2:])
    # text is left-aligned
    assert lines[2].index("human") == lines[3].index("ai_agent") == 0


@pytest.mark.parametrize(
    "header, row, message",
    [
        # columns are read by position: a reordered header must be refused, not misread
        ("component,profile,region_group,unit,unit_bytes,tier_start_units,tier_end_units,price_usd,price_per_units,source_url,as_of,note",
         "egress,p,na-eu,GB,1,0,,1,1,https://x,2026-01-01,", "columns must be"),
        ("profile,component,region_group,unit,unit_bytes,tier_start_units,tier_end_units,price_usd,price_per_units,source_url,as_of,note",
         "p,egress,na-eu,GB,1,0,,1,1,https://x,not-a-date,", "cannot read price list"),
        ("profile,component,region_group,unit,unit_bytes,tier_start_units,tier_end_units,price_usd,price_per_units,source_url,as_of,note",
         "p,bandwidth,na-eu,GB,1,0,,1,1,https://x,2026-01-01,", "unknown component 'bandwidth'"),
    ],
)
def test_bad_price_lists_are_refused_with_a_reason(tmp_path, header, row, message):
    write_usage(tmp_path / "out", [usage_row()])
    rates = tmp_path / "rates.csv"
    rates.write_text(f"{header}\n{row}\n")
    with pytest.raises(WarehouseError, match=message):
        build_warehouse(str(tmp_path / "out"), str(tmp_path / "w.duckdb"), rate_profile="p", rates_csv=str(rates))
