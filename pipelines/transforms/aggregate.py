"""AggregateUsage: classified events → usage aggregates per (date, hour).

Each chunk is pre-aggregated inside its DoFn (Arrow group_by); Beam then merges the
small partial tables per (date, hour) with a CombineFn that regroups Arrow tables, so
no event and no per-row key/value pair is ever shuffled.
"""

from __future__ import annotations

import apache_beam as beam
import pyarrow as pa

from pipelines.aggregate import PARTIAL_SCHEMA, finalize_usage, merge_partials, partial_usage, split_by_hour
from pipelines.transforms.elements import EventChunk


class PartialUsageFn(beam.DoFn):
    def process(self, chunk: EventChunk):
        for key, table in split_by_hour(partial_usage(chunk.events)).items():
            yield key, table


class MergeUsageFn(beam.CombineFn):
    """Accumulator: [compacted base table, newer partial tables...].

    The newer tables are merged into the base once they hold as many rows as the base
    (and at least COMPACT_ROWS): geometric growth keeps merging linear in the input,
    where compacting on every add past a fixed size would be quadratic.
    """

    COMPACT_ROWS = 200_000

    def create_accumulator(self):
        return []

    def add_input(self, acc, table):
        acc.append(table)
        pending = sum(t.num_rows for t in acc[1:])
        if len(acc) > 2 and pending >= max(self.COMPACT_ROWS, acc[0].num_rows):
            acc[:] = [merge_partials(acc)]
        return acc

    def merge_accumulators(self, accumulators):
        return [merge_partials(t for acc in accumulators for t in acc)]

    def compact(self, acc):
        return [merge_partials(acc)] if len(acc) > 1 else acc

    def extract_output(self, acc) -> pa.Table:
        return finalize_usage(merge_partials(acc) if acc else PARTIAL_SCHEMA.empty_table())


class AggregateUsage(beam.PTransform):
    """PCollection[EventChunk] → PCollection[((iso_date, hour), usage table)]."""

    def expand(self, chunks):
        return (
            chunks
            | "PartialAggregate" >> beam.ParDo(PartialUsageFn())
            | "MergePerHour" >> beam.CombinePerKey(MergeUsageFn())
        )
