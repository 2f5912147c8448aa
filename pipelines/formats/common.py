"""What every format adapter shares: the parsed-event columns, dead letters, vectorised helpers.

Pure: pyarrow only. Adapters turn a block of log lines into an Arrow table of
PARSED_SCHEMA (a DownloadEvent before classification) plus dead letters; they never
loop over lines in Python except on rare broken lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipelines.io.decode import RAW_KEEP_BYTES

# The columns a format adapter produces. `ip_key` is a keyed hash of the client's IP
# prefix computed inside the parse step; the raw IP never leaves it.
PARSED_SCHEMA = pa.schema(
    [
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("registry", pa.string()),
        ("request_kind", pa.string()),
        ("project", pa.string()),
        ("version", pa.string()),
        ("filename", pa.string()),
        ("artifact_type", pa.string()),
        ("path", pa.string()),
        ("method", pa.string()),
        ("status", pa.int32()),
        ("bytes_sent", pa.int64()),
        ("cache_status", pa.string()),
        ("edge_pop", pa.string()),
        ("country_code", pa.string()),
        ("asn", pa.int64()),
        ("ip_key", pa.string()),
        ("tls_protocol", pa.string()),
        ("user_agent", pa.string()),
        ("source_file", pa.string()),
        ("source_line", pa.int64()),
    ]
)

DEAD_LETTER_COLUMNS = pa.schema(
    [
        ("source_file", pa.string()),  # filled by the job; adapters only know block line numbers
        ("source_line", pa.int64()),
        ("raw", pa.string()),
        ("error_kind", pa.string()),
        ("error_detail", pa.string()),
    ]
)

# IPv4 dotted quads, and IPv6 with at least three colons (so times like 20:54:52 survive).
# One pattern for Python's re and pyarrow's RE2 alike.
IP_PATTERN = r"\b(?:\d{1,3}\.){3}\d{1,3}\b|\b(?:[0-9A-Fa-f]{0,4}:){3,7}[0-9A-Fa-f]{0,4}\b|::(?:[0-9A-Fa-f]{1,4}:){0,6}[0-9A-Fa-f]{1,4}\b"
_IP = re.compile(IP_PATTERN.encode())


def redact_ips(raw: bytes) -> bytes:
    """Blank out anything that looks like an IP address: dead letters keep the line, never the client."""
    return _IP.sub(b"<ip>", raw)


def raw_text(raw: bytes | str) -> str:
    """A dead letter's `raw`: truncated, IP-redacted, valid UTF-8."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    return redact_ips(raw[:RAW_KEEP_BYTES]).decode("utf-8", "replace")


@dataclass
class ParsedBlock:
    events: pa.Table  # PARSED_SCHEMA
    dead_letters: pa.Table  # DEAD_LETTER_COLUMNS
    lines: int  # lines read in this block
    filtered: Counter = field(default_factory=Counter)  # reason -> lines deliberately not counted

    @property
    def parsed(self) -> int:
        return self.events.num_rows


class DeadLetterCollector:
    """Gathers dead letters from both the vectorised path (arrays) and the rare Python path (rows)."""

    def __init__(self) -> None:
        self._rows: list[tuple[str | None, int | None, str, str, str]] = []
        self._tables: list[pa.Table] = []

    def add(self, source_line: int | None, raw: bytes | str, error_kind: str, error_detail: str, source_file: str | None = None) -> None:
        self._rows.append((source_file, source_line, raw_text(raw), error_kind, error_detail))

    def add_arrays(self, source_line: pa.Array, raw: pa.Array, error_kind: str, error_detail: str, source_file: pa.Array | None = None) -> None:
        if len(source_line) == 0:
            return
        raw = pc.utf8_slice_codeunits(raw.cast(pa.string()), 0, RAW_KEEP_BYTES)
        raw = pc.replace_substring_regex(raw, IP_PATTERN, "<ip>")
        n = len(source_line)
        self._tables.append(
            pa.table(
                [pa.nulls(n, pa.string()) if source_file is None else source_file, source_line.cast(pa.int64()), raw, _constant(error_kind, n), _constant(error_detail, n)],
                schema=DEAD_LETTER_COLUMNS,
            )
        )

    def add_table(self, table: pa.Table) -> None:
        """Dead letters an adapter already collected (DEAD_LETTER_COLUMNS)."""
        if table.num_rows:
            self._tables.append(table)

    def __len__(self) -> int:
        return len(self._rows) + sum(t.num_rows for t in self._tables)

    def table(self) -> pa.Table:
        parts = list(self._tables)
        if self._rows:
            cols = list(zip(*self._rows))
            parts.append(pa.table([pa.array(c, t.type) for c, t in zip(cols, DEAD_LETTER_COLUMNS)], schema=DEAD_LETTER_COLUMNS))
        if not parts:
            return DEAD_LETTER_COLUMNS.empty_table()
        return pa.concat_tables(parts).sort_by("source_line")


def _constant(value: str, n: int) -> pa.Array:
    return pa.nulls(n, pa.string()).fill_null(value)


def map_distinct(values: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Apply a vectorised string function to the distinct values only, then map back.

    Log columns repeat heavily (a few thousand paths per 100k lines), so string work on
    the dictionary is far cheaper than on every row.
    """
    encoded = values.dictionary_encode() if not pa.types.is_dictionary(values.type) else values
    return fn(encoded.dictionary).take(encoded.indices)


def null_if(values: pa.Array, *markers: str) -> pa.Array:
    """Null where the value is empty or one of the CDN's missing-value markers (e.g. '(null)', '-')."""
    missing = pc.is_in(values, value_set=pa.array(["", *markers], values.type))
    return pc.if_else(missing, pa.scalar(None, values.type), values)


def normalize_pypi_project(names: pa.Array) -> pa.Array:
    """PEP 503 normalisation: lowercase, runs of -_. become '-'."""
    return pc.replace_substring_regex(pc.utf8_lower(names), r"[-_.]+", "-")


def line_numbers(rows: int, skipped_lines: list[int], first_line: int) -> np.ndarray:
    """1-based line numbers of the rows a reader kept, given the line numbers it skipped.

    Row r is the r-th kept line; skipped[j] has (skipped[j] - first_line - j) kept lines
    before it, so the number of skipped lines before row r is a searchsorted away.
    """
    r = np.arange(rows, dtype=np.int64)
    if not skipped_lines:
        return r + first_line
    skipped = np.sort(np.asarray(skipped_lines, dtype=np.int64))
    kept_before = skipped - first_line - np.arange(len(skipped))
    return r + first_line + np.searchsorted(kept_before, r, side="right")


def blank_invalid_utf8(data: bytes, first_line: int, dead: DeadLetterCollector) -> tuple[bytes, set[int]]:
    """Replace lines that are not UTF-8 with empty lines (keeping line numbers) and dead-letter them.

    The whole-block check is one C call; only a block that fails is split in Python.
    """
    try:
        data.decode("utf-8")
        return data, set()
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad: set[int] = set()
    for i, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError as exc:
            number = first_line + i
            bad.add(number)
            dead.add(number, line, "invalid_utf8", f"not UTF-8 at byte {exc.start}")
            lines[i] = b""
    return b"\n".join(lines), bad


def empty_events() -> pa.Table:
    return PARSED_SCHEMA.empty_table()


def conform(columns: dict[str, pa.Array], rows: int) -> pa.Table:
    """Build a PARSED_SCHEMA table; columns a format does not log are all-null."""
    arrays = []
    for f in PARSED_SCHEMA:
        col = columns.get(f.name)
        if col is None:
            col = pa.nulls(rows, f.type)
        elif isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        arrays.append(col.cast(f.type) if col.type != f.type else col)
    return pa.Table.from_arrays(arrays, schema=PARSED_SCHEMA)
