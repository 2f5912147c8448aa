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
    """Accumulator: a list of partial tables, compacted once it holds many rows."""

    COMPACT_ROWS = 500_000

    def create_accumulator(self):
        return []

    def add_input(self, acc, table):
        acc.append(table)
        if sum(t.num_rows for t in acc) > self.COMPACT_ROWS and len(acc) > 1:
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
