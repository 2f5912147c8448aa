"""Synthetic usage Parquet for the sql/ model tests, written with the real Arrow schema.

A plain module, not a conftest.py: tests elsewhere do `from conftest import ...`, which a second
conftest module on sys.path would shadow. Test modules import what they use from here.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.schemas import arrow_schema
from pipelines.warehouse import build_warehouse

TIB = 2**40  # AWS "TB" in the CloudFront tiers: 1,024 GB of 2^30 bytes
CLASSES = ("human", "ci", "ai_agent", "mirror", "bot", "unknown")
DAYS = (dt.date(2026, 3, 30), dt.date(2026, 3, 31))


def usage_row(**overrides) -> dict:
    """One usage_aggregate row with harmless defaults; overrides win."""
    row = {
        "date": DAYS[0],
        "hour": 0,
        "registry": "pypi",
        "request_kind": "download",
        "project": "requests",
        "client_class": "human",
        "client_subclass": "human/pip",
        "confidence": "fingerprint",
        "installer_name": "pip",
        "country_code": "US",
        "asn": 64500,
        "cache_status": "HIT",
        "status_class": "2xx",
        "requests": 1,
        "bytes_sent": 0,
        "bytes_estimated": 0,
        "cache_miss_bytes": 0,
        "clients": 1,
    }
    unknown = set(overrides) - set(row)
    assert not unknown, f"not in usage_aggregate: {unknown}"
    row.update(overrides)
    return row


def write_usage(root: Path, rows: list[dict], name: str = "part-00000.parquet", folder_date: dt.date | None = None) -> list[Path]:
    """Write rows as OUT/usage/date=<date>/<name>, one file per date (or all under folder_date)."""
    by_date: dict[dt.date, list[dict]] = defaultdict(list)
    for row in rows:
        by_date[folder_date or row["date"]].append(row)
    paths = []
    for day, day_rows in sorted(by_date.items()):
        folder = Path(root) / "usage" / f"date={day.isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        pq.write_table(pa.Table.from_pylist(day_rows, schema=arrow_schema("usage_aggregate")), path)
        paths.append(path)
    return paths


def synthetic_rows() -> list[dict]:
    """Two days of one month, two registries, all six classes, two rows per class (different
    hours and confidence), ~132 TiB in total: the month crosses the 10 TB and 50 TB tiers."""
    rows = []
    for d, day in enumerate(DAYS):
        for r, registry in enumerate(("pypi", "crates")):
            for i, cls in enumerate(CLASSES):
                for hour, confidence, part in ((3, "declared", 0.75), (17, "behavioural", 0.25)):
                    size = int((i + 1) * (r + 1) * (d + 1) * 0.7 * TIB * part)
                    rows.append(
                        usage_row(
                            date=day,
                            hour=hour,
                            registry=registry,
                            client_class=cls,
                            client_subclass=f"{cls}/test",
                            confidence=confidence,
                            requests=(i + 1) * 1_000_003 * (r + 1) + d * 7 + hour,
                            bytes_sent=size,
                            bytes_estimated=size // 10 if cls == "mirror" else 0,
                            cache_miss_bytes=size // 100,
                        )
                    )
    return rows


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    """(output root, db path, rows) for a warehouse built over synthetic_rows()."""
    base = tmp_path_factory.mktemp("wh")
    out = base / "out"
    rows = synthetic_rows()
    # each day in two files, to read the folder, not one file
    write_usage(out, rows[0::2], name="part-00000.parquet")
    write_usage(out, rows[1::2], name="part-00001.parquet")
    db = base / "regmeter.duckdb"
    build_warehouse(str(out), str(db))
    return out, db, rows

