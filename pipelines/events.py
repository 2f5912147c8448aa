"""Parsed events → classified DownloadEvents, on Arrow columns. Pure: no Beam.

User agents repeat: a block of 30k lines has a few thousand distinct ones, a day a few
million. So the column is dictionary-encoded, each distinct value is parsed and
classified once (and memoised across blocks by ClientDescriber), and results are
mapped back with `take`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.formats.common import map_distinct
from pipelines.privacy import keyed_hash
from pipelines.schemas import arrow_schema

if TYPE_CHECKING:
    from pipelines.classify import Classifier

EVENT_SCHEMA = arrow_schema("download_event")
INSTALLER_TYPE = EVENT_SCHEMA.field("installer").type

# Fields derived from the user agent alone, in this order.
_UA_FIELDS = ("installer", "python", "implementation", "system", "distro", "cpu", "ci_declared",
              "client_class", "client_subclass", "evidence", "confidence", "family", "ua_key")

# Where the log has no byte count (PyPI's), bytes are estimated. Without a size table:
# PyPI served 66 PB/month for ~23.7 B downloads/month in 2023 (Fastly case study; 284 B
# downloads that year) → ~2.8 MB per download. Index pages: an assumption (16 KiB).
DEFAULT_DOWNLOAD_BYTES = 2_800_000
DEFAULT_INDEX_BYTES = 16_384


def _joined(*parts: str | None) -> str | None:
    text = " ".join(p for p in parts if p)
    return text or None


class ClientDescriber:
    """Describes each distinct user agent once: installer fields, class, and UA key. Memoised."""

    MAX_CACHE = 500_000

    def __init__(self, classifier: "Classifier", secret: bytes):
        self.classifier = classifier
        self.secret = secret
        self._cache: dict[str | None, tuple] = {}

    def describe(self, user_agent: str | None) -> tuple:
        hit = self._cache.get(user_agent)
        if hit is not None:
            return hit
        info, decision = self.classifier.classify(user_agent)
        installer = None
        if info.installer_name or info.installer_version or info.installer_subcommand:
            installer = {"name": info.installer_name, "version": info.installer_version, "subcommand": info.installer_subcommand}
        described = (
            installer,
            info.python,
            _joined(info.implementation_name, info.implementation_version),
            _joined(info.system_name, info.system_release),
            _joined(info.distro_name, info.distro_version),
            info.cpu,
            info.ci_declared,
            decision.client_class,
            decision.client_subclass,
            decision.evidence,
            decision.confidence,
            info.family,
            keyed_hash(self.secret, "ua|" + (user_agent or "")),
        )
        if len(self._cache) >= self.MAX_CACHE:
            self._cache.clear()
        self._cache[user_agent] = described
        return described

    def describe_column(self, user_agents: pa.Array) -> dict[str, pa.Array]:
        """One array per _UA_FIELDS entry, aligned with `user_agents`."""
        encoded = user_agents.dictionary_encode()
        distinct = encoded.dictionary.to_pylist() + [None]
        indices = pc.fill_null(encoded.indices, len(distinct) - 1)
        rows = [self.describe(u) for u in distinct]
        columns = list(zip(*rows)) if rows else [()] * len(_UA_FIELDS)
        types = {"installer": INSTALLER_TYPE, "ci_declared": pa.bool_()}
        return {
            name: pa.array(values, types.get(name, pa.string())).take(indices)
            for name, values in zip(_UA_FIELDS, columns)
        }


def client_keys(ip_keys: pa.Array, families: pa.Array, ua_keys: pa.Array, secret: bytes) -> pa.Array:
    """client_key: keyed hash of (IP-prefix key, UA family) where an IP was logged, else the UA key."""
    if ip_keys.null_count == len(ip_keys):
        return ua_keys
    material = pc.binary_join_element_wise(ip_keys, families, "|")
    hashed = map_distinct(material, lambda d: pa.array([None if m is None else keyed_hash(secret, "ip|" + m) for m in d.to_pylist()], pa.string()))
    return pc.coalesce(hashed, ua_keys)


def classify_events(parsed: pa.Table, describer: ClientDescriber) -> pa.Table:
    """PARSED_SCHEMA events → DownloadEvent (schemas/download_event.avsc) columns."""
    n = parsed.num_rows
    described = describer.describe_column(parsed.column("user_agent").combine_chunks())
    columns = {name: parsed.column(name) for name in parsed.column_names if name in EVENT_SCHEMA.names}
    columns.update({k: v for k, v in described.items() if k in EVENT_SCHEMA.names})
    columns["client_key"] = client_keys(parsed.column("ip_key").combine_chunks(), described["family"], described["ua_key"], describer.secret)
    columns["bytes_estimated"] = pa.nulls(n, pa.bool_()).fill_null(False)
    return pa.table({f.name: columns[f.name] for f in EVENT_SCHEMA}).cast(EVENT_SCHEMA)


@dataclass
class ByteEstimator:
    """Fills bytes_sent where the log has none: file size from a size table, else a documented default."""

    sizes: dict[str, int] | None = None
    default_download_bytes: int = DEFAULT_DOWNLOAD_BYTES
    default_index_bytes: int = DEFAULT_INDEX_BYTES

    @classmethod
    def from_csv_text(cls, text: str, **kwargs) -> "ByteEstimator":
        """A size table with columns filename,size_bytes (e.g. exported from PyPI's distribution_metadata)."""
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or not {"filename", "size_bytes"} <= set(reader.fieldnames):
            raise ValueError("file-size table needs the columns filename,size_bytes")
        return cls({row["filename"]: int(row["size_bytes"]) for row in reader}, **kwargs)

    def apply(self, events: pa.Table) -> pa.Table:
        logged = events.column("bytes_sent").combine_chunks()
        if logged.null_count == 0:
            return events
        kind = events.column("request_kind").combine_chunks()
        filenames = events.column("filename").combine_chunks()
        if self.sizes:
            sizes = self.sizes
            by_file = map_distinct(filenames, lambda d: pa.array([sizes.get(f) for f in d.to_pylist()], pa.int64()))
        else:
            by_file = pa.nulls(len(filenames), pa.int64())
        fallback = pc.if_else(pc.equal(kind, "download"), self.default_download_bytes, self.default_index_bytes)
        estimate = pc.coalesce(by_file, fallback.cast(pa.int64()))
        events = events.set_column(events.schema.get_field_index("bytes_sent"), "bytes_sent", pc.coalesce(logged, estimate))
        return events.set_column(events.schema.get_field_index("bytes_estimated"), "bytes_estimated", pc.is_null(logged))
