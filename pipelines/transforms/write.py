"""WriteUsage, WriteDeadLetters, WriteEvents: tables → files in the run's staging area.

Each returns a PCollection of {'kind', 'file', 'rows', ...} records that the publish
step checks against the line accounting before anything becomes visible.
"""

from __future__ import annotations

import apache_beam as beam

from pipelines.io import files
from pipelines.io.outputs import partition_dir, write_dead_letters, write_parquet
from pipelines.transforms.elements import DeadLetterChunk, EventChunk


class WriteUsageFn(beam.DoFn):
    def __init__(self, staging: str):
        self.staging = staging

    def process(self, keyed):
        (date, hour), table = keyed
        name = f"part-{hour:02d}.parquet"
        rows = write_parquet(files.join(partition_dir(self.staging, "usage", date), name), table)
        requests = table.column("requests").to_numpy().sum() if rows else 0
        yield {"kind": "usage", "date": date, "file": name, "rows": rows, "requests": int(requests)}


class WriteDeadLettersFn(beam.DoFn):
    def __init__(self, staging: str, date: str):
        self.staging = staging
        self.date = date

    def process(self, chunk: DeadLetterChunk):
        name = f"part-{chunk.chunk_id}.avro"
        rows = write_dead_letters(files.join(partition_dir(self.staging, "dead_letters", self.date), name), chunk.dead_letters)
        yield {"kind": "dead_letters", "date": self.date, "file": name, "rows": rows}


class WriteEventsFn(beam.DoFn):
    def __init__(self, staging: str, date: str):
        self.staging = staging
        self.date = date

    def process(self, chunk: EventChunk):
        name = f"part-{chunk.chunk_id}.parquet"
        rows = write_parquet(files.join(partition_dir(self.staging, "events", self.date), name), chunk.events)
        yield {"kind": "events", "date": self.date, "file": name, "rows": rows}


class WriteUsage(beam.PTransform):
    def __init__(self, staging: str):
        super().__init__()
        self.staging = staging

    def expand(self, usage):
        return usage | "WriteUsagePartition" >> beam.ParDo(WriteUsageFn(self.staging))


class WriteDeadLetters(beam.PTransform):
    def __init__(self, staging: str, date: str):
        super().__init__()
        self.staging, self.date = staging, date

    def expand(self, dead_letters):
        return dead_letters | "WriteDeadLetterFile" >> beam.ParDo(WriteDeadLettersFn(self.staging, self.date))


class WriteEvents(beam.PTransform):
    def __init__(self, staging: str, date: str):
        super().__init__()
        self.staging, self.date = staging, date

    def expand(self, events):
        return events | "WriteEventFile" >> beam.ParDo(WriteEventsFn(self.staging, self.date))
