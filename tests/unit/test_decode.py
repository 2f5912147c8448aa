import gzip
import io

import zstandard
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from pipelines.io.decode import iter_blocks, sniff_compression


def _collect(data: bytes, **kw):
    blocks = list(iter_blocks(io.BytesIO(data), **kw))
    return blocks, b"".join(b.data for b in blocks), [p for b in blocks for p in b.problems]


def test_sniffs_compression_by_magic_bytes_not_name():
    assert sniff_compression(gzip.compress(b"x")) == "gzip"
    assert sniff_compression(zstandard.ZstdCompressor().compress(b"x")) == "zstd"
    assert sniff_compression(b"download|...") == "none"


def test_gzip_zstd_and_plain_decode_to_the_same_lines():
    text = b"".join(b"line %d\n" % i for i in range(1000))
    for data in (text, gzip.compress(text), zstandard.ZstdCompressor().compress(text)):
        _, out, problems = _collect(data, block_bytes=1 << 16)
        assert out == text
        assert problems == []


def test_multi_member_gzip_is_read_whole():
    _, out, _ = _collect(gzip.compress(b"a\nb\n") + gzip.compress(b"c\n"))
    assert out == b"a\nb\nc\n"


def test_truncated_gzip_keeps_decoded_lines_and_dead_letters_the_partial_one():
    text = b"".join(b"line number %06d with some padding to compress\n" % i for i in range(20000))
    blocks, out, problems = _collect(gzip.compress(text)[:-200], block_bytes=1 << 16)
    assert text.startswith(out) and out.endswith(b"\n") and len(out) > len(text) // 2
    (problem,) = problems
    assert problem.error_kind == "truncated_input"
    assert problem.source_line == out.count(b"\n") + 1
    assert text.split(b"\n")[problem.source_line - 1].startswith(problem.raw)


def test_empty_object_is_reported():
    _, out, problems = _collect(b"")
    assert out == b"" and [p.error_kind for p in problems] == ["empty_input"]
    assert not problems[0].is_line


def test_garbage_after_gzip_magic_is_unreadable_not_a_crash():
    _, out, problems = _collect(b"\x1f\x8b" + b"\x00" * 100)
    assert out == b"" and problems[0].error_kind in ("unreadable_input", "truncated_input")


def test_overlong_line_is_cut_out_and_numbered():
    text = b"first\n" + b"x" * 300_000 + b"\nthird\n"
    blocks, out, problems = _collect(text, block_bytes=1 << 16, max_line_bytes=1 << 16)
    assert out == b"first\nthird\n"
    (problem,) = problems
    assert (problem.error_kind, problem.source_line) == ("line_too_long", 2)
    third = [b for b in blocks if b.data.startswith(b"third")]
    assert third and third[0].first_line == 3


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=300).map(lambda b: b.replace(b"\n", b"")), max_size=200), st.integers(min_value=1, max_value=4096), st.booleans())
def test_blocks_reassemble_to_the_input_with_consistent_line_numbers(lines, block_bytes, trailing_newline):
    text = b"\n".join(lines) + (b"\n" if trailing_newline and lines else b"")
    assume(sniff_compression(text) == "none")  # plain text that starts with a magic number IS compressed data
    blocks, out, problems = _collect(text, block_bytes=block_bytes, max_line_bytes=1 << 20)
    assert out == text
    expected_first = 1
    for block in blocks:
        if block.data:
            assert block.first_line == expected_first
            assert all(b.endswith(b"\n") for b in [block.data]) or block is blocks[-1]
        expected_first = block.first_line + block.line_count
