"""PyPI's Fastly log lines, as Fastly's GCS logging writes them for linehaul.

    download|<RFC 1123 time>|<country>|<url path>|<tls protocol>|<tls cipher>|<project>|<version>|<package type>|<user agent>
    simple|<time>|<country>|<path>|<tls>|<cipher>||||<user agent>

Missing values are printed as `(null)`. The user agent is everything after the 9th
'|'. The legacy linehaul daemon received the same payload syslog-prefixed and
versioned: `<134>… linehaul[pid]: 2@<time>|<country>|<path>|<tls>|<cipher>|<project>|…`
and `1@…` without the two TLS fields. Only GET/OPTIONS 200/206 downloads and
GET 200/304 /simple/ hits are logged, and there is no byte count, status or IP.

Parsing is vectorised: pyarrow's CSV reader splits fields in C++ with '|' as the
delimiter; only lines it rejects (a '|' inside the user agent, legacy syslog lines,
short lines) take a Python path.
"""

from __future__ import annotations

import re
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from pipelines.formats.common import (
    DeadLetterCollector,
    ParsedBlock,
    blank_invalid_utf8,
    conform,
    line_numbers,
    map_distinct,
    normalize_pypi_project,
    null_if,
)
from pipelines.io.decode import MAX_LINE_BYTES

NAME = "fastly-pypi"
DEFAULT_REGISTRY = "pypi"
FIELDS = ["kind", "time", "country", "path", "tls_protocol", "tls_cipher", "project", "version", "package_type", "user_agent"]
RECORD_KINDS = ("download", "simple")
TIME_FORMAT = "%a, %d %b %Y %H:%M:%S GMT"
_NULL = "(null)"
_LEGACY = re.compile(r"^<\d+>\S+ \S+ \S+: ([12])@(.*)$", re.S)
_SNIFF = re.compile(rb"^(?:download|simple)\|\w{3}, \d{2} \w{3} \d{4} |^<\d+>\S+ \S+ \S+: [12]@\w{3}, \d{2} ")


def sniff(head: bytes) -> bool:
    """True when the first line looks like this format."""
    return bool(_SNIFF.match(head.lstrip()))


def _fields_from_text(text: str) -> list[str] | None:
    """Fields of one line the CSV reader rejected, or None if it is not this format."""
    legacy = _LEGACY.match(text)
    if legacy:
        version, payload = legacy.groups()
        head = payload.split("|", 8 if version == "2" else 6)
        if version == "1" and len(head) == 7:
            head = head[:3] + ["", ""] + head[3:]  # v1 had no TLS fields
        return ["download", *head] if len(head) == 9 else None
    fields = text.split("|", 9)
    if len(fields) == 10 and fields[0] in RECORD_KINDS:
        return fields  # a '|' inside the user agent
    return None


def _read_fields(data: bytes) -> tuple[pa.Table, list[tuple[int, str]]]:
    rejected: list[tuple[int, str]] = []

    def on_invalid(row) -> str:
        rejected.append((row.number, row.text))
        return "skip"

    table = pcsv.read_csv(
        pa.py_buffer(data),
        read_options=pcsv.ReadOptions(column_names=FIELDS, use_threads=False, block_size=max(len(data) + 1, 1 << 20)),
        parse_options=pcsv.ParseOptions(
            delimiter="|",
            quote_char=False,
            escape_char=False,
            double_quote=False,
            newlines_in_values=False,
            ignore_empty_lines=False,
            invalid_row_handler=on_invalid,
        ),
        convert_options=pcsv.ConvertOptions(
            column_types={f: pa.string() for f in FIELDS},
            check_utf8=False,  # validated for the whole block beforehand
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    return table, rejected


def parse_block(data: bytes, first_line: int = 1, registry: str = DEFAULT_REGISTRY) -> ParsedBlock:
    """Parse a block of whole lines into PARSED_SCHEMA events and dead letters."""
    dead = DeadLetterCollector()
    filtered: Counter = Counter()
    lines = data.count(b"\n") + (0 if not data or data.endswith(b"\n") else 1)
    if not data:
        return ParsedBlock(conform({}, 0), dead.table(), 0, filtered)
    data, invalid_utf8 = blank_invalid_utf8(data, first_line, dead)
    table, rejected = _read_fields(data)
    rejected = [(number + first_line - 1, text) for number, text in rejected]  # reader counts from 1
    numbers = pa.array(line_numbers(table.num_rows, [n for n, _ in rejected], first_line))

    # Lines the reader rejected: repair the ones that are really this format.
    repaired, repaired_numbers = [], []
    for number, text in rejected:
        fields = _fields_from_text(text)
        if fields is None:
            dead.add(number, text, "too_few_fields" if text.count("|") < 9 else "unknown_record_type", f"{text.count('|') + 1} '|'-separated fields; expected 10")
        else:
            repaired.append(fields)
            repaired_numbers.append(number)
    kind = table.column("kind").combine_chunks()
    legacy = pc.starts_with(kind, "<")
    if pc.any(legacy).as_py():  # syslog-prefixed legacy lines whose user agent held a '|'
        for i in pc.indices_nonzero(legacy).to_pylist():
            row = "|".join(table.column(f)[i].as_py() or "" for f in FIELDS)
            fields = _fields_from_text(row)
            if fields is None:
                dead.add(numbers[i].as_py(), row, "unknown_record_type", "unrecognised syslog payload")
            else:
                repaired.append(fields)
                repaired_numbers.append(numbers[i].as_py())
        keep = pc.invert(legacy)
        table, numbers, kind = table.filter(keep), numbers.filter(keep), kind.filter(keep)
    if repaired:
        extra = pa.table(list(zip(*repaired)), names=FIELDS)
        table = pa.concat_tables([table, extra.cast(table.schema)])
        numbers = pa.concat_arrays([numbers, pa.array(repaired_numbers, pa.int64())])
        kind = table.column("kind").combine_chunks()

    cols = {f: table.column(f).combine_chunks() for f in FIELDS}
    # Blank lines (and lines blanked for invalid UTF-8, already dead-lettered).
    blank = pc.equal(kind, "")
    if pc.any(blank).as_py():
        blank_numbers = set(numbers.filter(blank).to_pylist())
        filtered["blank_line"] += len(blank_numbers - invalid_utf8)
    known = pc.is_in(kind, value_set=pa.array(RECORD_KINDS))
    unknown = pc.and_(pc.invert(known), pc.invert(blank))
    _dead_rows(dead, cols, numbers, unknown, "unknown_record_type", "first field is not 'download' or 'simple'")

    too_long = pc.or_(
        pc.greater(pc.binary_length(cols["user_agent"]), MAX_LINE_BYTES // 2),
        pc.greater(pc.binary_length(cols["path"]), MAX_LINE_BYTES // 4),
    )
    too_long = pc.and_(known, too_long)
    _dead_rows(dead, cols, numbers, too_long, "line_too_long", "user agent or path longer than the sanity limit")

    timestamp = pc.strptime(cols["time"], format=TIME_FORMAT, unit="s", error_is_null=True)
    bad_time = pc.and_(pc.and_(known, pc.invert(too_long)), pc.is_null(timestamp))
    _dead_rows(dead, cols, numbers, bad_time, "bad_timestamp", f"time is not RFC 1123 ({TIME_FORMAT})")

    good = pc.and_(pc.and_(known, pc.invert(too_long)), pc.is_valid(timestamp))
    cols = {f: a.filter(good) for f, a in cols.items()}
    numbers, timestamp = numbers.filter(good), timestamp.filter(good)
    is_download = pc.equal(cols["kind"], "download")
    path = cols["path"]
    index_project = map_distinct(path, lambda d: pc.struct_field(pc.extract_regex(d, r"^/simple/(?P<p>[^/]+)"), [0]))
    project = pc.if_else(is_download, null_if(cols["project"], _NULL), index_project)
    filename = map_distinct(path, lambda d: pc.struct_field(pc.extract_regex(d, r"(?P<f>[^/]+)$"), [0]))
    no_value = pa.scalar(None, pa.string())
    events = conform(
        {
            "timestamp": timestamp.cast(pa.timestamp("s", tz="UTC")).cast(pa.timestamp("us", tz="UTC")),
            "registry": pa.nulls(len(path), pa.string()).fill_null(registry),
            "request_kind": pc.if_else(is_download, "download", "index"),
            "project": map_distinct(project, normalize_pypi_project) if len(project) else project,
            "version": pc.if_else(is_download, null_if(cols["version"], _NULL), no_value),
            "filename": pc.if_else(is_download, filename, no_value),
            "artifact_type": pc.if_else(is_download, null_if(cols["package_type"], _NULL), no_value),
            "path": path,
            "country_code": null_if(cols["country"], _NULL),
            "tls_protocol": null_if(cols["tls_protocol"], _NULL),
            "user_agent": null_if(cols["user_agent"], _NULL),
            "source_line": numbers,
        },
        len(path),
    )
    if repaired:
        events = events.sort_by("source_line")
    return ParsedBlock(events, dead.table(), lines, filtered)


def _dead_rows(dead: DeadLetterCollector, cols: dict[str, pa.Array], numbers: pa.Array, mask: pa.Array, kind: str, detail: str) -> None:
    if not pc.any(mask).as_py():
        return
    raw = pc.binary_join_element_wise(*[pc.fill_null(cols[f].filter(mask), "") for f in FIELDS], "|")
    dead.add_arrays(numbers.filter(mask), raw, kind, detail)
