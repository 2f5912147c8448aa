"""End to end: generate → run daily (real Beam pipeline) → warehouse → cost per class."""

import csv
import datetime as dt
import gzip
import json
import os
from collections import defaultdict
from pathlib import Path

import fastavro
import pyarrow.parquet as pq
import pytest

from conftest import REPO
from pipelines.cli import main
from pipelines.jobs.daily import DailyJobConfig, run_daily
from pipelines.synth import generate_day
from pipelines.warehouse import build_warehouse, query

DAY = dt.date(2026, 11, 20)
SECRET = b"e2e-test-secret-0123456789abcdef"
LINES = 40_000


def _config(data, out, **kw):
    return DailyJobConfig(date=DAY, input=str(data), output=str(out), secret=SECRET, file_sizes=str(Path(data) / "file_sizes.csv"), **kw)


@pytest.fixture(scope="module")
def day_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    data, out = root / "data", root / "out"
    generate_day(DAY, LINES, 11, data)
    manifest = run_daily(_config(data, out), show_progress=False)
    return data, out, manifest


def _usage_files(out):
    return sorted((out / "usage" / f"date={DAY}").glob("*.parquet"))


def test_manifest_accounts_for_every_line(day_run):
    data, out, manifest = day_run
    lines = manifest["lines"]
    assert lines["read"] == lines["parsed"] + lines["dead_lettered"] + lines["filtered"]
    assert lines["read"] == LINES
    assert lines["parsed"] > 0.98 * LINES
    assert manifest["filtered"].get("other_date", 0) > 0  # the generator's late lines from the previous day
    assert all(i["crc32c"] and i["size"] > 0 for i in manifest["inputs"])
    assert len(manifest["inputs"]) == len(list(data.rglob("*.log.gz")))
    assert manifest["usage"]["requests"] == lines["parsed"]
    written = json.loads((out / "manifests" / f"date={DAY}.json").read_text())
    assert written == manifest
    assert not (out / "_staging").exists() or not any((out / "_staging").iterdir())


def _expected_from_labels(data):
    """Requests, bytes and cost per TRUE class, from the labels and the rate seed only."""
    labels = pq.read_table(data / "labels" / f"date={DAY}" / "labels.parquet").to_pylist()
    sizes = {r["filename"]: int(r["size_bytes"]) for r in csv.DictReader(open(data / "file_sizes.csv"))}
    per_class = defaultdict(lambda: [0, 0])
    for row in labels:
        if row["timestamp"].date() != DAY:
            continue
        size = sizes[row["filename"]] if row["request_kind"] == "download" else 16_384
        per_class[row["client_class"]][0] += 1
        per_class[row["client_class"]][1] += size
    rates = [r for r in csv.DictReader(open(REPO / "sql" / "seeds" / "cost_rates.csv")) if r["profile"] == "cloudfront-list"]
    egress = sorted((r for r in rates if r["component"] == "egress"), key=lambda r: float(r["tier_start_units"]))
    unit = float(egress[0]["unit_bytes"])
    total_units = sum(b for _, b in per_class.values()) / unit
    egress_cost = 0.0
    for tier in egress:
        start, end = float(tier["tier_start_units"]), float(tier["tier_end_units"] or "inf")
        egress_cost += max(0.0, min(total_units, end) - start) * float(tier["price_usd"]) / float(tier["price_per_units"])
    blended_per_byte = egress_cost / (total_units * unit)
    (req,) = [r for r in rates if r["component"] == "requests"]
    per_request = float(req["price_usd"]) / float(req["price_per_units"])
    return {c: (n, b, b * blended_per_byte + n * per_request) for c, (n, b) in per_class.items()}


def test_cost_per_class_matches_an_independent_computation_from_labels(day_run, tmp_path):
    data, out, _ = day_run
    db = tmp_path / "w.duckdb"
    build_warehouse(str(out), str(db))
    cols, rows = query(str(db), "select client_class, sum(requests), sum(bytes_sent), sum(cost_usd) from fct_cost_by_client_class_daily group by 1")
    got = {r[0]: r[1:] for r in rows}
    expected = _expected_from_labels(data)
    assert set(got) == set(expected)
    total_cost = sum(c for _, _, c in expected.values())
    assert sum(float(v[2]) for v in got.values()) == pytest.approx(total_cost, rel=1e-6)
    assert sum(v[0] for v in got.values()) == sum(n for n, _, _ in expected.values())
    for cls, (n, b, cost) in expected.items():
        # classification is not perfect on purpose-built ambiguous clients; totals above are exact
        assert got[cls][0] == pytest.approx(n, rel=0.03), cls
        assert float(got[cls][2]) == pytest.approx(cost, rel=0.05), cls


def test_rerun_replaces_the_day_with_identical_aggregates(day_run):
    data, out, first = day_run
    before = {p.name: p.read_bytes() for p in _usage_files(out)}
    second = run_daily(_config(data, out), show_progress=False)
    after = {p.name: p.read_bytes() for p in _usage_files(out)}
    assert second["run_id"] != first["run_id"]
    assert after == before  # same input → byte-identical aggregates, no duplicates
    assert second["lines"] == first["lines"]


def test_failed_run_leaves_previous_output_readable(day_run, tmp_path):
    data, out, _ = day_run
    before = {p.name: p.read_bytes() for p in _usage_files(out)}
    manifest_before = (out / "manifests" / f"date={DAY}.json").read_text()
    bad_sizes = tmp_path / "sizes.csv"
    bad_sizes.write_text("name,bytes\nx,1\n")
    with pytest.raises(Exception):
        run_daily(DailyJobConfig(date=DAY, input=str(data), output=str(out), secret=SECRET, file_sizes=str(bad_sizes)), show_progress=False)
    assert {p.name: p.read_bytes() for p in _usage_files(out)} == before
    assert (out / "manifests" / f"date={DAY}.json").read_text() == manifest_before


def _pypi_line(ts="Fri, 20 Nov 2026 10:00:00 GMT", ua="pip/24.2"):
    return f"download|{ts}|US|/packages/a/b/c/x-1.0.tar.gz|TLSv1.3|C|x|1.0|sdist|{ua}\n".encode()


def test_bad_inputs_finish_counted_and_dead_lettered(tmp_path):
    logs, out = tmp_path / "logs", tmp_path / "out"
    logs.mkdir()
    good = _pypi_line() * 50
    (logs / "truncated.log.gz").write_bytes(gzip.compress(_pypi_line() * 5000)[:-300])
    (logs / "empty.log").write_bytes(b"")
    (logs / "invalid-utf8.log").write_bytes(good + b"download|\xff\xfe|broken\n" + good)
    (logs / "long-line.log").write_bytes(good + _pypi_line(ua="x" * 1_000_000) + good)
    (logs / "not-a-log.txt").write_bytes(b"hello world\nthis is not a CDN log\n")
    manifest = run_daily(DailyJobConfig(date=DAY, input=str(logs), output=str(out), secret=SECRET), show_progress=False)
    lines = manifest["lines"]
    assert lines["read"] == lines["parsed"] + lines["dead_lettered"] + lines["filtered"]
    assert manifest["input_errors"].get("empty_input") == 1
    # a stream cut at a line boundary is an object-level error; cut mid-line, the partial line is dead-lettered
    assert manifest["input_errors"].get("truncated_input", 0) + manifest["dead_letters"].get("truncated_input", 0) == 1
    for kind in ("invalid_utf8", "line_too_long", "unknown_format"):
        assert manifest["dead_letters"].get(kind, 0) >= 1, kind
    records = []
    for path in (out / "dead_letters" / f"date={DAY}").glob("*.avro"):
        with open(path, "rb") as f:
            records += list(fastavro.reader(f))
    assert {r["error_kind"] for r in records} >= {"truncated_input", "invalid_utf8", "line_too_long", "unknown_format", "empty_input"}
    assert all(len(r["raw"].encode()) <= 4096 * 3 for r in records)
    assert lines["parsed"] >= 200


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "daily", "--date", "2026-11-20", "--input", "/nonexistent/logs", "--output", "OUT"], "does not exist"),
        (["run", "daily", "--date", "2026-13-45", "--input", ".", "--output", "OUT"], "is not a date"),
        (["run", "daily", "--date", "2026-11-20", "--input", ".", "--output", "OUT", "--format", "nginx-ish"], "unknown log format"),
        (["warehouse", "query", "--db", "/nonexistent/x.duckdb", "select 1"], "no warehouse"),
    ],
)
def test_user_mistakes_get_one_readable_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) if "2026-13-45" in args else _no_raise():
        code = main(args)
        assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) <= 3 and message in err[-1] and "Traceback" not in "\n".join(err)


def test_unwritable_output_is_one_line(tmp_path, capsys):
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "a.log").write_bytes(_pypi_line())
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    code = main(["run", "daily", "--date", "2026-11-20", "--input", str(logs), "--output", str(blocker / "out"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "cannot write to output" in err[0]


class _no_raise:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_emit_events_writes_classified_events_without_ips(tmp_path):
    logs, out = tmp_path / "logs", tmp_path / "out"
    generate_day(DAY, 3_000, 5, logs)
    manifest = run_daily(_config(logs, out, emit_events=True), show_progress=False)
    table = pq.read_table(out / "events" / f"date={DAY}")
    from pipelines.events import EVENT_SCHEMA

    assert table.num_rows == manifest["lines"]["parsed"]
    assert set(EVENT_SCHEMA.names) <= set(table.column_names) and "ip_key" not in table.column_names
    assert set(table.column("client_class").to_pylist()) <= {"human", "ci", "ai_agent", "mirror", "bot", "unknown"}
    assert all(f.endswith(".log.gz") for f in table.column("source_file").unique().to_pylist())
    assert table.column("bytes_estimated").to_pylist() == [True] * table.num_rows
    # against the generator's ground truth, line by line
    labels = pq.read_table(logs / "labels" / f"date={DAY}" / "labels.parquet")
    truth = {(f, n): (c, s) for f, n, c, s in zip(*(labels.column(k).to_pylist() for k in ("source_file", "source_line", "client_class", "client_subclass")))}
    got = [
        ((os.path.relpath(f, logs), n), (c, s))
        for f, n, c, s in zip(*(table.column(k).to_pylist() for k in ("source_file", "source_line", "client_class", "client_subclass")))
    ]
    class_agree = sum(truth[k][0] == v[0] for k, v in got) / len(got)
    subclass_agree = sum(truth[k][1] == v[1] for k, v in got) / len(got)
    assert class_agree >= 0.98 and subclass_agree >= 0.98, (class_agree, subclass_agree)


def test_explain_ua_json_lines(capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)\npip/24.2 {\"ci\":true,\"installer\":{\"name\":\"pip\",\"version\":\"24.2\"}}\n"))
    assert main(["explain-ua", "--json", "-"]) == 0
    bot, ci = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (bot["client_class"], bot["client_subclass"]) == ("bot", "bot/ai-crawler")
    assert (ci["client_class"], ci["confidence"], ci["installer"]["name"], ci["installer"]["version"]) == ("ci", "declared", "pip", "24.2")
    assert ci["evidence"] in ci["matched_rules"]


def test_manifest_lists_the_top_unknown_user_agents(day_run):
    _, out, manifest = day_run
    top = manifest["top_unknown_user_agents"]
    assert top and len(top) <= 25
    assert [t["requests"] for t in top] == sorted((t["requests"] for t in top), reverse=True)
    from pipelines.classify import Classifier

    classifier = Classifier()
    for entry in top:
        ua = None if entry["user_agent"] == "(no user agent)" else entry["user_agent"]
        assert classifier.classify(ua)[1].client_class == "unknown", entry
