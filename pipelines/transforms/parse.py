"""ParseLogs: chunks → Arrow tables of parsed events, with dead letters and line accounting."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import apache_beam as beam
import pyarrow as pa
import pyarrow.compute as pc
from apache_beam.metrics import Metrics

from pipelines import formats
from pipelines.daypolicy import apply_day_policy
from pipelines.formats.common import DeadLetterCollector
from pipelines.transforms import progress
from pipelines.transforms.elements import ChunkStats, DeadLetterChunk, EventChunk, LogChunk

DEAD_LETTERS_TAG = "dead_letters"
STATS_TAG = "stats"


@dataclass(frozen=True)
class DayPolicy:
    """Daily runs keep one UTC date (see pipelines/daypolicy.py); the stream job has none."""

    date: dt.date
    late_minutes: int = 10


class ParseLogsFn(beam.DoFn):
    def __init__(self, registry: str | None, day_policy: DayPolicy | None):
        self.registry = registry
        self.day_policy = day_policy
        self.counters = {
            name: Metrics.counter("regmeter", name) for name in ("lines_read", "lines_parsed", "lines_dead_lettered", "lines_filtered")
        }

    def process(self, chunk: LogChunk):
        block, source = chunk.block, chunk.source
        dead = DeadLetterCollector()
        filtered: Counter = Counter()
        stats = ChunkStats()
        for problem in block.problems:
            dead.add(problem.source_line, problem.raw, problem.error_kind, problem.error_detail)
            if problem.is_line:
                stats.lines_read += 1
            else:
                stats.input_errors[problem.error_kind] = stats.input_errors.get(problem.error_kind, 0) + 1
        events = None
        if block.data and chunk.format_name == formats.AUTO:
            # No adapter recognised the object: every line is dead-lettered, none is lost.
            lines = block.data.split(b"\n")[: block.line_count]
            numbers = pa.array(range(block.first_line, block.first_line + len(lines)), pa.int64())
            dead.add_arrays(numbers, pa.array(lines, pa.binary()), "unknown_format", f"no known format matches; known: {', '.join(sorted(formats.FORMATS))}; pass --format")
            stats.lines_read += len(lines)
        elif block.data:
            adapter = formats.get_format(chunk.format_name)
            parsed = adapter.parse_block(block.data, block.first_line, self.registry or adapter.DEFAULT_REGISTRY)
            dead.add_table(parsed.dead_letters)
            filtered.update(parsed.filtered)
            stats.lines_read += parsed.lines
            events = parsed.events
            if self.day_policy is not None:
                events = apply_day_policy(events, self.day_policy.date, source.object_time, self.day_policy.late_minutes, dead, filtered)
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
            yield EventChunk(source, block.first_line, events)
        if dead_table.num_rows:
            yield beam.pvalue.TaggedOutput(DEAD_LETTERS_TAG, DeadLetterChunk(source, block.first_line, dead_table))
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
