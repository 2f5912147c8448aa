import datetime as dt
import random
from collections import Counter

import pyarrow as pa
import pytest

from pipelines.aggregate import USAGE_SCHEMA, finalize_usage, merge_partials, partial_usage, split_by_hour
from pipelines.daypolicy import apply_day_policy
from pipelines.events import EVENT_SCHEMA
from pipelines.formats.common import DeadLetterCollector
from pipelines.privacy import SecretError, ip_key, ip_prefix, keyed_hash, load_client_key_secret

UTC = dt.timezone.utc


def _events(rows):
    base = {f.name: None for f in EVENT_SCHEMA}
    base.update(registry="pypi", request_kind="download", client_class="human", client_subclass="human/pip",
                evidence="r", confidence="fingerprint", bytes_estimated=False, source_file="f")
    return pa.Table.from_pylist([{**base, **r} for r in rows], schema=EVENT_SCHEMA)


def _random_events(n, seed):
    rnd = random.Random(seed)
    return _events([
        {
            "timestamp": dt.datetime(2026, 11, 20, rnd.randrange(24), rnd.randrange(60), tzinfo=UTC),
            "project": rnd.choice(["numpy", "requests", "boto3"]),
            "client_class": rnd.choice(["human", "ci"]),
            "client_key": rnd.choice(["k1", "k2", "k3", "k4"]),
            "bytes_sent": rnd.randrange(1, 10_000),
            "bytes_estimated": rnd.random() < 0.5,
            "installer": {"name": "pip", "version": "24", "subcommand": None},
            "status": rnd.choice([None, 200, 404]),
        }
        for _ in range(n)
    ])


def test_merge_is_order_independent_and_equals_aggregating_everything_at_once():
    events = _random_events(600, 1)
    whole = finalize_usage(partial_usage(events))
    chunks = [partial_usage(events.slice(i, 100)) for i in range(0, 600, 100)]
    random.Random(2).shuffle(chunks)
    merged = finalize_usage(merge_partials([merge_partials(chunks[:3]), merge_partials(chunks[3:])]))
    assert merged.equals(whole)
    assert whole.schema == USAGE_SCHEMA
    assert sum(whole.column("requests").to_pylist()) == 600
    assert sum(whole.column("bytes_sent").to_pylist()) == sum(events.column("bytes_sent").to_pylist())


def test_clients_counts_distinct_keys_per_row_and_status_class():
    events = _events([
        {"timestamp": dt.datetime(2026, 11, 20, 5, tzinfo=UTC), "project": "x", "client_key": k, "bytes_sent": 10, "status": s}
        for k, s in [("a", None), ("a", None), ("b", None), ("c", 404)]
    ])
    rows = finalize_usage(partial_usage(events)).to_pylist()
    by_status = {r["status_class"]: r for r in rows}
    assert by_status["unlogged"]["requests"] == 3 and by_status["unlogged"]["clients"] == 2
    assert by_status["4xx"]["clients"] == 1


def test_split_by_hour_partitions_every_row():
    partial = partial_usage(_random_events(300, 3))
    parts = split_by_hour(partial)
    assert sum(t.num_rows for t in parts.values()) == partial.num_rows
    assert all(set(t.column("hour").to_pylist()) == {h} for (d, h), t in parts.items())


def _day_events(*stamps):
    return _events([{"timestamp": s, "source_line": i + 1, "path": "/p", "user_agent": "ua"} for i, s in enumerate(stamps)])


def _times(object_time, n):
    return pa.array([object_time] * n, pa.timestamp("us", tz="UTC"))


def test_day_policy_keeps_the_day_and_accounts_for_every_other_line():
    day = dt.date(2026, 11, 20)
    prev = dt.datetime(2026, 11, 19, 23, 58, tzinfo=UTC)
    on = dt.datetime(2026, 11, 20, 0, 1, tzinfo=UTC)
    nxt = dt.datetime(2026, 11, 21, 0, 1, tzinfo=UTC)
    old = dt.datetime(2026, 11, 1, tzinfo=UTC)
    cases = [
        # object time, expected (kept, other_date, out_of_range)
        (dt.datetime(2026, 11, 20, 0, 0, tzinfo=UTC), (1, 1, 2)),  # first objects: previous day's late lines are its run's
        (dt.datetime(2026, 11, 20, 12, 0, tzinfo=UTC), (1, 0, 3)),
        (dt.datetime(2026, 11, 21, 0, 2, tzinfo=UTC), (1, 3, 0)),  # next day's object read for late lines
        (None, (1, 0, 3)),
    ]
    for object_time, (kept, other, lost) in cases:
        dead, filtered = DeadLetterCollector(), Counter()
        out = apply_day_policy(_day_events(prev, on, nxt, old), day, _times(object_time, 4), 10, dead, filtered)
        assert (out.num_rows, filtered["other_date"], len(dead)) == (kept, other, lost), object_time
        assert {r["error_kind"] for r in dead.table().to_pylist()} <= {"out_of_range"}


def test_client_keys_are_keyed_prefix_hashes():
    assert ip_prefix("203.0.113.77") == "203.0.113.0/24"
    assert ip_prefix("2001:db8:abcd:12::1") == "2001:db8:abcd::/48"
    assert ip_prefix("not an ip") is None
    assert ip_key(b"s" * 16, "203.0.113.77") == ip_key(b"s" * 16, "203.0.113.1")  # same /24
    assert ip_key(b"s" * 16, "203.0.113.77") != ip_key(b"t" * 16, "203.0.113.77")  # depends on the secret
    assert "203.0.113" not in keyed_hash(b"s" * 16, "203.0.113.0/24")


def test_secret_sources(tmp_path, monkeypatch):
    monkeypatch.delenv("REGMETER_CLIENT_KEY_SECRET")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    first = load_client_key_secret()
    assert len(first) >= 32 and load_client_key_secret() == first  # created once, then reused
    (tmp_path / "short").write_text("abc")
    with pytest.raises(SecretError, match="too short"):
        load_client_key_secret(tmp_path / "short")
    with pytest.raises(SecretError, match="cannot read"):
        load_client_key_secret(tmp_path / "missing")
