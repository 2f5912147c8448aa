"""ParseLogs: chunks → Arrow tables of parsed events, with dead letters and line accounting."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from apache_beam.metrics import Metrics

from pipelines import formats
from pipelines.daypolicy import apply_day_policy
from pipelines.formats.common import DeadLetterCollector
from pipelines.transforms import progress
from pipelines.transforms.elements import ChunkStats, DeadLetterChunk, EventChunk, LogChunk, Segment

DEAD_LETTERS_TAG = "dead_letters"
STATS_TAG = "stats"


@dataclass(frozen=True)
class DayPolicy:
    """Daily runs keep one UTC date (see pipelines/daypolicy.py); the stream job has none."""

    date: dt.date
    late_minutes: int = 10


def locate(relative_lines: pa.Array, segments: list[Segment]) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Chunk line numbers → (source_file, line number in that object, object period start)."""
    sizes = np.array([s.lines for s in segments], dtype=np.int64)
    starts = np.concatenate([[1], 1 + np.cumsum(sizes)[:-1]])
    rel = relative_lines.to_numpy(zero_copy_only=False).astype(np.int64)
    idx = np.searchsorted(starts, rel, side="right") - 1
    firsts = np.array([s.first_line for s in segments], dtype=np.int64)
    absolute = pa.array(rel - starts[idx] + firsts[idx], pa.int64())
    paths = pa.array([s.source.path for s in segments], pa.string()).take(idx)
    times = pa.array([s.source.object_time for s in segments], pa.timestamp("us", tz="UTC")).take(idx)
    return paths, absolute, times


def _relocate(table: pa.Table, segments: list[Segment]) -> tuple[pa.Table, pa.Array]:
    paths, absolute, times = locate(table.column("source_line").combine_chunks(), segments)
    table = table.set_column(table.schema.get_field_index("source_line"), "source_line", absolute)
    return table.set_column(table.schema.get_field_index("source_file"), "source_file", paths), times


class ParseLogsFn(beam.DoFn):
    def __init__(self, registry: str | None, day_policy: DayPolicy | None):
        self.registry = registry
        self.day_policy = day_policy
        self.counters = {
            name: Metrics.counter("regmeter", name) for name in ("lines_read", "lines_parsed", "lines_dead_lettered", "lines_filtered")
        }

    def process(self, chunk: LogChunk):
        dead = DeadLetterCollector()
        filtered: Counter = Counter()
        stats = ChunkStats()
        for source, problem in chunk.problems:
            dead.add(problem.source_line, problem.raw, problem.error_kind, problem.error_detail, source.path)
            if problem.is_line:
                stats.lines_read += 1
            else:
                stats.input_errors[problem.error_kind] = stats.input_errors.get(problem.error_kind, 0) + 1
        events = None
        if chunk.data and chunk.format_name in (formats.AUTO, formats.UNRECOGNISED):
            # No adapter recognised these objects: every line is dead-lettered, none is lost.
            lines = chunk.data.split(b"\n")[:-1]
            paths, numbers, _ = locate(pa.array(range(1, len(lines) + 1), pa.int64()), chunk.segments)
            detail = f"no known format matches; known: {', '.join(sorted(formats.FORMATS))}; pass --format"
            dead.add_arrays(numbers, pa.array(lines, pa.binary()), "unknown_format", detail, paths)
            stats.lines_read += len(lines)
        elif chunk.data:
            adapter = formats.get_format(chunk.format_name)
            parsed = adapter.parse_block(chunk.data, 1, self.registry or adapter.DEFAULT_REGISTRY)
            dead.add_table(_relocate(parsed.dead_letters, chunk.segments)[0])
            filtered.update(parsed.filtered)
            stats.lines_read += parsed.lines
            events, object_times = _relocate(parsed.events, chunk.segments)
            if self.day_policy is not None:
                events = apply_day_policy(events, self.day_policy.date, object_times, self.day_policy.late_minutes, dead, filtered)
        dead_table = dead.table()
        line_dead = dead_table.filter(pc.is_valid(dead_table.column("source_line")))
        stats.dead_lettered = line_dead.num_rows
        stats.dead_by_kind = {k["values"]: k["counts"] for k in line_dead.column("error_kind").value_counts().to_pylist()}
        stats.parsed = events.num_rows if events is not None else 0
        stats.filtered = dict(filtered)
        for name, value in (("lines_read", stats.lines_read), ("lines_parsed", stats.parsed), ("lines_dead_lettered", stats.dead_lettered), ("lines_filtered", sum(filtered.values()))):
            self.counters[name].inc(value)
        progress.lines_done(stats.lines_read)
        if events is not None and events.num_rows:
            yield EventChunk(chunk.chunk_id, events)
        if dead_table.num_rows:
            yield beam.pvalue.TaggedOutput(DEAD_LETTERS_TAG, DeadLetterChunk(chunk.chunk_id, dead_table))
        yield beam.pvalue.TaggedOutput(STATS_TAG, stats.as_dict())


class ParseLogs(beam.PTransform):
    """PCollection[LogChunk] → {'events': EventChunk, 'dead_letters': DeadLetterChunk, 'stats': dict}."""

    def __init__(self, registry: str | None = None, day_policy: DayPolicy | None = None):
        super().__init__()
        self.registry = registry
        self.day_policy = day_policy

    def expand(self, chunks):
        out = chunks | "ParseChunk" >> beam.ParDo(ParseLogsFn(self.registry, self.day_policy)).with_outputs(DEAD_LETTERS_TAG, STATS_TAG, main="events")
        return {"events": out.events, "dead_letters": out[DEAD_LETTERS_TAG], "stats": out[STATS_TAG]}
