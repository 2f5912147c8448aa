"""pipelines.synth: deterministic synthetic PyPI Fastly logs with ground-truth labels."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipelines.synth import GenerationSummary, generate_day
from pipelines.synth.traffic import CLASS_SHARES

DAY = dt.date(2025, 3, 4)
LINES = 50_000
OBJECT_RE = re.compile(
    r"^(?P<kind>downloads|simple)/(?P<Y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})/(?P<H>\d{2})/(?P<M>\d{2})/"
    r"(?P=kind)-(?P=Y)-(?P=m)-(?P=d)-(?P=H)-(?P=M)-(?P=Y)-(?P=m)-(?P=d)T(?P=H)-(?P=M)-00\.000-[A-Za-z0-9_-]{20}\.log\.gz$"
)
TIME_FORMAT = "%a, %d %b %Y %H:%M:%S GMT"
SUBCLASSES = {
    "human/pip", "human/uv", "human/poetry", "human/pdm", "human/conda", "human/browser",
    "ci/unspecified", "ci/cloud-azure", "ci/cloud-aws", "ci/cloud-gcp",
    "mirror/bandersnatch", "mirror/devpi", "mirror/artifactory", "mirror/nexus", "mirror/z3c-pypimirror",
    "bot/ai-crawler", "bot/search-engine", "bot/monitor", "bot/scanner",
    "ai_agent/claude-code", "ai_agent/chatgpt-user", "ai_agent/perplexity-user", "ai_agent/cursor",
    "unknown/script", "unknown/empty", "unknown/build-tool",
}
BOT_TOKENS = ("GPTBot", "ClaudeBot", "CCBot", "Bytespider", "OAI-SearchBot", "PerplexityBot", "meta-externalagent")
AGENT_MARKERS = ("Claude-User", "ChatGPT-User", "Perplexity-User", "agent/", "(agent=")


def _all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def day(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth")
    summary = generate_day(DAY, LINES, seed=7, output=out)
    labels = pq.read_table(out / summary.labels_path).to_pylist()
    lines = {f: gzip.decompress((out / f).read_bytes()).decode("utf-8").splitlines() for f in summary.files}
    return out, summary, labels, lines


def test_unknown_format_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"^unknown format 'x'; known: fastly-pypi$"):
        generate_day(DAY, 10, seed=1, output=tmp_path, format="x")


def test_same_seed_gives_identical_bytes_different_seed_does_not(tmp_path):
    a = generate_day(DAY, 10_000, seed=11, output=tmp_path / "a")
    b = generate_day(DAY, 10_000, seed=11, output=tmp_path / "b")
    c = generate_day(DAY, 10_000, seed=12, output=tmp_path / "c")
    files_a, files_b, files_c = _all_files(tmp_path / "a"), _all_files(tmp_path / "b"), _all_files(tmp_path / "c")
    assert a.files == b.files and files_a == files_b  # logs (with their random suffixes), labels, sizes
    assert set(files_a) != set(files_c)
    assert files_a["labels/date=2025-03-04/labels.parquet"] != files_c["labels/date=2025-03-04/labels.parquet"]


def test_summary(day):
    out, summary, labels, lines = day
    assert isinstance(summary, GenerationSummary)
    assert summary.date == DAY and summary.lines == LINES == len(labels)
    assert summary.labels_path == "labels/date=2025-03-04/labels.parquet"
    assert summary.sizes_path == "file_sizes.csv"
    on_disk = sum((out / f).stat().st_size for f in [*summary.files, summary.labels_path, summary.sizes_path])
    assert summary.bytes_written == on_disk
    assert summary.seconds > 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.log.gz")) == sorted(summary.files)


def test_layout_and_line_format(day):
    out, summary, labels, lines = day
    kinds = Counter()
    for f in summary.files:
        m = OBJECT_RE.match(f)
        assert m, f
        assert int(m["M"]) % 2 == 0  # one object per 120 s period
        assert (m["Y"], m["m"], m["d"]) == ("2025", "03", "04")
        record = "download" if m["kind"] == "downloads" else "simple"
        assert lines[f], f"empty object {f}"
        for line in lines[f]:
            fields = line.split("|")
            assert len(fields) >= 10 and fields[0] == record
            dt.datetime.strptime(fields[1], TIME_FORMAT)
            if record == "download":
                assert re.match(r"^/packages/[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{60}/[^/]+$", fields[3]), line
                assert fields[8] in ("bdist_wheel", "sdist", "bdist_egg")
            else:
                assert re.match(r"^/simple/[a-z0-9-]+/$", fields[3]) and fields[6:9] == ["", "", ""], line
            assert fields[4] in ("TLSv1.2", "TLSv1.3")
        kinds[m["kind"]] += 1
    assert kinds["downloads"] > 300 and kinds["simple"] > 300
    # The same file always has the same blake2 path segment.
    paths = {}
    for f in summary.files:
        for line in lines[f]:
            if line.startswith("download|"):
                path = line.split("|")[3]
                assert paths.setdefault(path.rsplit("/", 1)[1], path) == path


def test_labels_align_one_to_one(day):
    out, summary, labels, lines = day
    per_file = Counter(r["source_file"] for r in labels)
    assert per_file == {f: len(v) for f, v in lines.items()}
    assert {(r["source_file"], r["source_line"]) for r in labels} == {(f, i + 1) for f, v in lines.items() for i in range(len(v))}
    seen_bot = seen_agent = 0
    for r in labels:
        line = lines[r["source_file"]][r["source_line"] - 1]
        fields = line.split("|", 9)
        ua = fields[9]
        assert r["client_subclass"] in SUBCLASSES and r["client_subclass"].startswith(r["client_class"] + "/")
        assert dt.datetime.strptime(fields[1], TIME_FORMAT).replace(tzinfo=dt.timezone.utc) == r["timestamp"]
        if r["request_kind"] == "download":
            assert (fields[6], fields[3].rsplit("/", 1)[1]) == (r["project"], r["filename"])
        else:
            assert fields[3] == f"/simple/{r['project']}/" and r["filename"] is None
        if r["client_subclass"] == "bot/ai-crawler":
            assert any(tok in ua for tok in BOT_TOKENS), ua
            seen_bot += 1
        if r["client_class"] == "ai_agent":
            assert r["agent_marked"] and any(m in ua for m in AGENT_MARKERS), ua
            seen_agent += 1
        else:
            assert not r["agent_marked"]
        if r["client_subclass"] == "unknown/empty":
            assert ua == "(null)"
        if r["client_subclass"] == "ci/unspecified" and ua.startswith(("pip/", "uv/")):
            assert json.loads(ua.split(" ", 1)[1])["ci"] is True
        if r["client_subclass"].startswith("ci/cloud-"):
            assert r["client_subclass"].removeprefix("ci/cloud-") in ua and '"ci":true' not in ua
        if r["client_class"] == "human" and ua.startswith(("pip/", "uv/")):
            assert json.loads(ua.split(" ", 1)[1]).get("ci") is None
    assert seen_bot > 100 and seen_agent > 100


def test_ground_truth_is_not_in_the_logs(day):
    out, summary, labels, lines = day
    text = "\n".join(lines[summary.files[len(summary.files) // 2]])
    for word in ("client_class", "ai_agent/", "mirror/", "human/"):
        assert word not in text


def test_user_agent_formats(day):
    out, summary, labels, lines = day
    uas = {line.split("|", 9)[9] for v in lines.values() for line in v}
    pip = [u for u in uas if u.startswith("pip/")]
    uv = [u for u in uas if u.startswith("uv/")]
    assert len(pip) > 50 and len(uv) > 20
    for u in pip:
        version, payload = u[4:].split(" ", 1)
        data = json.loads(payload)
        assert payload == json.dumps(data, separators=(",", ":"), sort_keys=True)
        assert data["installer"] == {"name": "pip", "version": version}
        assert data.get("ci", None) in (True, None)
    for u in uv:
        data = json.loads(u.split(" ", 1)[1])
        assert list(data) == ["installer", "python", "implementation", "distro", "system", "cpu",
                              "openssl_version", "setuptools_version", "rustc_version", "ci"]
        assert data["ci"] in (True, None) and data["openssl_version"] is None
    for u in uas:
        if u.startswith(("poetry/", "pdm/")):
            assert re.match(r"^(poetry|pdm)/\S+ CPython/\d+\.\d+\.\d+ (Linux|Darwin|Windows)/\S+$", u), u


def test_class_shares(day):
    out, summary, labels, lines = day
    counts = Counter(r["client_class"] for r in labels)
    total = sum(CLASS_SHARES.values())
    for cls, share in CLASS_SHARES.items():
        got = 100.0 * counts[cls] / len(labels)
        assert abs(got - 100.0 * share / total) < max(3.0, 0.25 * share), (cls, got)
    assert {r["client_subclass"] for r in labels} == SUBCLASSES


def test_every_downloaded_file_has_a_size(day):
    out, summary, labels, lines = day
    with (out / "file_sizes.csv").open(newline="") as fh:
        sizes = {row["filename"]: int(row["size_bytes"]) for row in csv.DictReader(fh)}
    downloaded = {r["filename"] for r in labels if r["request_kind"] == "download"}
    assert downloaded <= set(sizes)
    assert all(s > 0 for s in sizes.values())
    assert max(sizes.values()) > 100_000_000  # torch / tensorflow / cudnn wheels


def test_late_lines_and_midnight(day):
    out, summary, labels, lines = day
    late = before_midnight = 0
    midnight = dt.datetime.combine(DAY, dt.time(0, 0), tzinfo=dt.timezone.utc)
    for r in labels:
        m = OBJECT_RE.match(r["source_file"])
        start = dt.datetime(int(m["Y"]), int(m["m"]), int(m["d"]), int(m["H"]), int(m["M"]), tzinfo=dt.timezone.utc)
        assert r["timestamp"] < start + dt.timedelta(seconds=120)
        if r["timestamp"] < start:
            late += 1
            assert start - r["timestamp"] <= dt.timedelta(seconds=200)
        if r["timestamp"] < midnight:
            before_midnight += 1
            assert start < midnight + dt.timedelta(minutes=6)  # only in the first objects
    assert 0.002 < late / len(labels) < 0.012
    assert before_midnight >= 1


def test_rough_time_order_within_files(day):
    out, summary, labels, lines = day
    for f in summary.files[::50]:
        times = [dt.datetime.strptime(line.split("|")[1], TIME_FORMAT) for line in lines[f]]
        backwards = [b for a, b in zip(times, times[1:]) if b < a - dt.timedelta(seconds=5)]
        assert len(backwards) <= max(1, len(times) // 50)


def test_zero_lines(tmp_path):
    summary = generate_day(DAY, 0, seed=1, output=tmp_path)
    assert summary.lines == 0 and summary.files == []
    assert pq.read_table(tmp_path / summary.labels_path).num_rows == 0


def test_regenerating_a_day_replaces_it(tmp_path):
    generate_day(DAY, 3_000, seed=1, output=tmp_path)
    other_day = generate_day(DAY + dt.timedelta(days=1), 3_000, seed=1, output=tmp_path)
    second = generate_day(DAY, 3_000, seed=2, output=tmp_path)
    logs = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.log.gz")}
    assert logs == set(second.files) | set(other_day.files)
    labels = pq.read_table(tmp_path / second.labels_path)
    assert set(labels.column("source_file").to_pylist()) == set(second.files)
