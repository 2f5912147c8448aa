"""ReadLogChunks: log objects → chunks (blocks of whole lines). One element per chunk."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipelines import formats
from pipelines.io import files
from pipelines.io.decode import DEFAULT_BLOCK_BYTES, iter_blocks
from pipelines.io.inputs import InputObject
from pipelines.transforms.elements import LogChunk
from pipelines.transforms import progress

INPUTS_TAG = "inputs"


class ReadLogChunksFn(beam.DoFn):
    """Streams one object: decompresses (gzip/zstd/plain by magic bytes), cuts blocks,
    picks the format adapter, and reports the object's size and CRC32C."""

    def __init__(self, format_name: str, block_bytes: int = DEFAULT_BLOCK_BYTES):
        self.format_name = format_name
        self.block_bytes = block_bytes
        self.objects_read = Metrics.counter("regmeter", "objects_read")
        self.bytes_read = Metrics.counter("regmeter", "bytes_read")

    def process(self, source: InputObject):
        try:
            raw = files.Crc32cReader(files.open_read(source.path))
        except Exception as exc:  # vanished or unreadable object: a dead letter, not a crash
            from pipelines.io.decode import Block, InputProblem

            yield LogChunk(source, Block(b"", 1, [InputProblem("unreadable_input", f"{type(exc).__name__}: {exc}")]), self.format_name)
            yield beam.pvalue.TaggedOutput(INPUTS_TAG, {**source.to_json(), "crc32c": None, "error": str(exc)})
            return
        format_name = self.format_name
        with raw:
            for block in iter_blocks(raw, self.block_bytes):
                if format_name == formats.AUTO:
                    sniffed = formats.sniff_format(block.data[:4096]) if block.data else None
                    format_name = sniffed.NAME if sniffed else formats.AUTO
                yield LogChunk(source, block, format_name)
        self.objects_read.inc()
        self.bytes_read.inc(raw.bytes_read)
        progress.object_done(raw.bytes_read)
        yield beam.pvalue.TaggedOutput(INPUTS_TAG, {**source.to_json(), "crc32c": raw.crc32c, "bytes_read": raw.bytes_read})


class ReadLogChunks(beam.PTransform):
    """PCollection[InputObject] → {'chunks': LogChunk, 'inputs': per-object size and checksum}."""

    def __init__(self, format_name: str = formats.AUTO, block_bytes: int = DEFAULT_BLOCK_BYTES):
        super().__init__()
        self.format_name = format_name
        self.block_bytes = block_bytes

    def expand(self, objects):
        outputs = objects | "ReadObject" >> beam.ParDo(ReadLogChunksFn(self.format_name, self.block_bytes)).with_outputs(INPUTS_TAG, main="chunks")
        return {"chunks": outputs.chunks, "inputs": outputs[INPUTS_TAG]}
