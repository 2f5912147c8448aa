"""ReadLogChunks: work units (lists of log objects) → chunks of whole lines."""

from __future__ import annotations

import hashlib

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines import formats
from pipelines.io import files
from pipelines.io.decode import DEFAULT_BLOCK_BYTES, InputProblem, iter_blocks
from pipelines.io.inputs import InputObject
from pipelines.transforms import progress
from pipelines.transforms.elements import LogChunk, Segment

INPUTS_TAG = "inputs"


class _ChunkBuilder:
    """Packs blocks of consecutive objects into chunks of about `target` bytes of one format."""

    def __init__(self, target: int):
        self.target = target
        self._reset()

    def _reset(self) -> None:
        self.parts: list[bytes] = []
        self.segments: list[Segment] = []
        self.problems: list = []
        self.size = 0
        self.format_name: str | None = None

    def add(self, source: InputObject, data: bytes, first_line: int, lines: int, format_name: str, problems) -> list[LogChunk]:
        out = []
        if self.format_name is not None and format_name != self.format_name:
            out += self.flush()
        self.format_name = format_name
        if data:
            if not data.endswith(b"\n"):
                data += b"\n"  # an object's last line may lack its newline; chunks join objects
            self.parts.append(data)
            self.segments.append(Segment(source, first_line, lines))
            self.size += len(data)
        self.problems += [(source, p) for p in problems]
        if self.size >= self.target:
            out += self.flush()
        return out

    def flush(self) -> list[LogChunk]:
        if not self.parts and not self.problems:
            return []
        first = self.segments[0] if self.segments else None
        ident = f"{first.source.path}:{first.first_line}" if first else f"{self.problems[0][0].path}:problems"
        chunk = LogChunk(hashlib.sha1(ident.encode()).hexdigest()[:16], self.segments, b"".join(self.parts), self.format_name or formats.AUTO, self.problems)
        self._reset()
        return [chunk]


class ReadLogChunksFn(beam.DoFn):
    """Streams each object of a work unit: decompresses (gzip/zstd/plain by magic bytes),
    picks the format adapter, packs lines into chunks, reports each object's CRC32C."""

    def __init__(self, format_name: str, block_bytes: int = DEFAULT_BLOCK_BYTES):
        self.format_name = format_name
        self.block_bytes = block_bytes
        self.objects_read = Metrics.counter("regmeter", "objects_read")
        self.bytes_read = Metrics.counter("regmeter", "bytes_read")

    def process(self, unit: list[InputObject]):
        builder = _ChunkBuilder(self.block_bytes)
        for source in unit:
            try:
                raw = files.Crc32cReader(files.open_read(source.path))
            except Exception as exc:  # vanished or unreadable object: a dead letter, not a crash
                yield from builder.add(source, b"", 1, 0, builder.format_name or formats.AUTO, [InputProblem("unreadable_input", f"{type(exc).__name__}: {exc}")])
                yield beam.pvalue.TaggedOutput(INPUTS_TAG, {**source.to_json(), "crc32c": None, "error": str(exc)})
                continue
            format_name = self.format_name
            with raw:
                for block in iter_blocks(raw, self.block_bytes):
                    if format_name == formats.AUTO and block.data:
                        sniffed = formats.sniff_format(block.data[:4096])
                        format_name = sniffed.NAME if sniffed else formats.UNRECOGNISED
                    yield from builder.add(source, block.data, block.first_line, block.line_count, format_name, block.problems)
            self.objects_read.inc()
            self.bytes_read.inc(raw.bytes_read)
            progress.object_done(raw.bytes_read)
            yield beam.pvalue.TaggedOutput(INPUTS_TAG, {**source.to_json(), "crc32c": raw.crc32c, "bytes_read": raw.bytes_read})
        yield from builder.flush()


class ReadLogChunks(beam.PTransform):
    """PCollection[list[InputObject]] → {'chunks': LogChunk, 'inputs': per-object size and checksum}."""

    def __init__(self, format_name: str = formats.AUTO, block_bytes: int = DEFAULT_BLOCK_BYTES):
        super().__init__()
        self.format_name = format_name
        self.block_bytes = block_bytes

    def expand(self, units):
        outputs = units | "ReadObjects" >> beam.ParDo(ReadLogChunksFn(self.format_name, self.block_bytes)).with_outputs(INPUTS_TAG, main="chunks")
        return {"chunks": outputs.chunks, "inputs": outputs[INPUTS_TAG]}
