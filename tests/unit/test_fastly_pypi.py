import datetime as dt

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES
from pipelines.formats import fastly_pypi, get_format, sniff_format, UnknownFormatError
from pipelines.formats.common import PARSED_SCHEMA, line_numbers, redact_ips

FIX = FIXTURES / "fastly_pypi"


def test_parses_download_and_simple_lines_into_event_columns():
    block = fastly_pypi.parse_block((FIX / "good.log").read_bytes())
    assert block.lines == 5 and block.parsed == 5 and block.dead_letters.num_rows == 0
    assert block.events.schema == PARSED_SCHEMA
    rows = block.events.to_pylist()
    first = rows[0]
    assert first["timestamp"] == dt.datetime(2026, 11, 20, 13, 2, 1, tzinfo=dt.timezone.utc)
    assert (first["request_kind"], first["project"], first["version"], first["artifact_type"]) == ("download", "requests", "2.32.3", "bdist_wheel")
    assert first["filename"] == "requests-2.32.3-py3-none-any.whl"
    assert first["user_agent"].startswith("pip/24.2 {") and first["country_code"] == "US"
    assert rows[1]["project"] == "django"  # PEP 503 normalised
    assert rows[2]["request_kind"] == "index" and rows[2]["project"] == "zope-interface"
    assert rows[2]["filename"] is None and rows[2]["version"] is None
    assert rows[3]["country_code"] is None and rows[3]["user_agent"] is None  # (null)
    assert [r["source_line"] for r in rows] == [1, 2, 3, 4, 5]
    assert all(r["status"] is None and r["bytes_sent"] is None for r in rows)  # not in PyPI's format


def test_legacy_syslog_payloads_v1_and_v2():
    block = fastly_pypi.parse_block((FIX / "legacy_syslog.log").read_bytes())
    assert block.parsed == 2 and block.dead_letters.num_rows == 0
    v2, v1 = block.events.to_pylist()
    assert (v2["project"], v2["version"], v2["tls_protocol"], v2["country_code"]) == ("cfn-flip", "1.0.3", "TLSv1.2", "JP")
    assert v2["user_agent"].startswith("bandersnatch/2.2.1")
    assert (v1["project"], v1["tls_protocol"], v1["timestamp"].year) == ("six", None, 2016)


def test_bad_lines_are_dead_lettered_with_reasons_and_line_numbers():
    block = fastly_pypi.parse_block((FIX / "bad_lines.log").read_bytes(), first_line=101)
    dead = {r["source_line"]: r for r in block.dead_letters.to_pylist()}
    assert {n: d["error_kind"] for n, d in dead.items()} == {
        102: "too_few_fields",
        104: "bad_timestamp",
        105: "unknown_record_type",
        106: "invalid_utf8",
    }
    assert block.filtered == {"blank_line": 1}
    parsed = block.events.to_pylist()
    assert [r["source_line"] for r in parsed] == [101, 107]
    assert parsed[1]["user_agent"] == "my|tool|with pipes"  # a '|' inside the UA is kept
    # every line is accounted for
    assert block.lines == block.parsed + block.dead_letters.num_rows + sum(block.filtered.values()) == 7


def test_dead_letter_raw_never_carries_an_ip():
    line = b"download|Fri, 20 Nov 2026 25:00:00 GMT|US|/packages/a/b/c/x.tar.gz|TLSv1.3|C|x|1|sdist|curl/8 from 203.0.113.9 and 2001:db8::7\n"
    (dead,) = fastly_pypi.parse_block(line).dead_letters.to_pylist()
    assert "203.0.113.9" not in dead["raw"] and "2001:db8::7" not in dead["raw"] and "<ip>" in dead["raw"]
    assert redact_ips(b"10.1.2.3 x") == b"<ip> x"


def test_line_numbers_skip_rejected_lines():
    assert line_numbers(4, [2, 5], first_line=1).tolist() == [1, 3, 4, 6]
    assert line_numbers(3, [], first_line=10).tolist() == [10, 11, 12]


def test_sniff_and_registry():
    assert sniff_format((FIX / "good.log").read_bytes()[:200]) is fastly_pypi
    assert sniff_format((FIX / "legacy_syslog.log").read_bytes()[:200]) is fastly_pypi
    assert sniff_format(b"#Version: 1.0\n") is None
    with pytest.raises(UnknownFormatError, match="known: fastly-pypi"):
        get_format("w3c-something")


_field = st.text(st.characters(blacklist_characters="|\n\r", blacklist_categories=("Cs",)), max_size=20)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(
    st.builds(lambda p, v, ua: f"download|Fri, 20 Nov 2026 10:00:00 GMT|US|/packages/a/b/c/{p}-{v}.tar.gz|TLSv1.3|C|{p}|{v}|sdist|{ua}", _field, _field, _field),
    st.text(st.characters(blacklist_characters="\n\r", blacklist_categories=("Cs",)), max_size=60),
), max_size=40))
def test_every_line_is_parsed_dead_lettered_or_filtered(lines):
    data = "\n".join(lines).encode()
    block = fastly_pypi.parse_block(data)
    assert block.lines == block.parsed + block.dead_letters.num_rows + sum(block.filtered.values())
    numbers = block.events.column("source_line").to_pylist() + block.dead_letters.column("source_line").to_pylist()
    assert len(numbers) == len(set(numbers))
