"""Classified events → usage aggregates (schemas/usage_aggregate.avsc). Pure: Arrow group_by.

Aggregation is two-level so Beam shuffles small tables, not events:
- partial_usage: one block's events grouped by the usage grain plus client_key;
- merge_partials: partials of many blocks regrouped (associative, so Beam can combine
  them in any order and on any worker);
- finalize_usage: the grain without client_key, with `clients` = distinct client keys.
"""

from __future__ import annotations

from typing import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.schemas import arrow_schema, key_columns

USAGE_SCHEMA = arrow_schema("usage_aggregate")
USAGE_KEYS = key_columns("usage_aggregate")
PARTIAL_KEYS = USAGE_KEYS + ["client_key"]
SUMMED = ["requests", "bytes_sent", "bytes_estimated", "cache_miss_bytes"]
PARTIAL_SCHEMA = pa.schema([USAGE_SCHEMA.field(k) for k in USAGE_KEYS] + [pa.field("client_key", pa.string())] + [USAGE_SCHEMA.field(m) for m in SUMMED])
_MISS_STATES = pa.array(["miss", "pass"])


def _status_class(status: pa.Array) -> pa.Array:
    cls = pc.binary_join_element_wise(pc.cast(pc.divide(status, 100), pa.string()), "xx", "")
    return pc.fill_null(cls, "unlogged")


def partial_usage(events: pa.Table) -> pa.Table:
    """Group one block of DownloadEvents by the usage grain + client_key."""
    ts = events.column("timestamp")
    bytes_sent = pc.fill_null(events.column("bytes_sent"), 0)
    installer = events.column("installer").combine_chunks()
    cache = events.column("cache_status")
    miss = pc.fill_null(pc.is_in(pc.utf8_lower(cache), value_set=_MISS_STATES), False)
    keyed = pa.table(
        {
            "date": pc.cast(ts, pa.date32()),
            "hour": pc.cast(pc.hour(ts), pa.int32()),
            "registry": events.column("registry"),
            "request_kind": events.column("request_kind"),
            "project": events.column("project"),
            "client_class": events.column("client_class"),
            "client_subclass": events.column("client_subclass"),
            "confidence": events.column("confidence"),
            "installer_name": pc.struct_field(installer, "name"),
            "country_code": events.column("country_code"),
            "asn": events.column("asn"),
            "cache_status": cache,
            "status_class": _status_class(events.column("status")),
            "client_key": events.column("client_key"),
            "requests": pa.nulls(events.num_rows, pa.int64()).fill_null(1),
            "bytes_sent": bytes_sent,
            "bytes_estimated": pc.if_else(events.column("bytes_estimated"), bytes_sent, 0),
            "cache_miss_bytes": pc.if_else(miss, bytes_sent, 0),
        }
    )
    return _regroup(keyed)


def _regroup(table: pa.Table) -> pa.Table:
    grouped = table.group_by(PARTIAL_KEYS, use_threads=False).aggregate([(m, "sum") for m in SUMMED])
    grouped = grouped.rename_columns([c.removesuffix("_sum") for c in grouped.column_names])
    return grouped.select(PARTIAL_SCHEMA.names).cast(PARTIAL_SCHEMA)


def merge_partials(partials: Iterable[pa.Table]) -> pa.Table:
    """Regroup many partial tables into one (associative and commutative)."""
    tables = [t for t in partials if t.num_rows]
    if not tables:
        return PARTIAL_SCHEMA.empty_table()
    if len(tables) == 1:
        return tables[0]
    return _regroup(pa.concat_tables(tables))


def finalize_usage(partial: pa.Table) -> pa.Table:
    """The usage grain: sums, and `clients` = distinct client keys per row. Sorted, so reruns are byte-identical."""
    aggregations = [(m, "sum") for m in SUMMED] + [("client_key", "count_distinct")]
    grouped = partial.group_by(USAGE_KEYS, use_threads=False).aggregate(aggregations)
    grouped = grouped.rename_columns([c.removesuffix("_sum").replace("client_key_count_distinct", "clients") for c in grouped.column_names])
    table = grouped.select(USAGE_SCHEMA.names).cast(USAGE_SCHEMA)
    return table.sort_by([(k, "ascending") for k in USAGE_KEYS])


def split_by_hour(partial: pa.Table) -> dict[tuple[str, int], pa.Table]:
    """Partition a partial table by (ISO date, hour): the key Beam merges on."""
    out = {}
    keys = pa.table({"date": partial.column("date"), "hour": partial.column("hour")}).group_by(["date", "hour"]).aggregate([])
    for date, hour in zip(keys.column("date").to_pylist(), keys.column("hour").to_pylist()):
        mask = pc.and_(pc.equal(partial.column("date"), pa.scalar(date, pa.date32())), pc.equal(partial.column("hour"), hour))
        out[(date.isoformat(), hour)] = partial.filter(mask)
    return out
