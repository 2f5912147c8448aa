"""ClassifyClients: parsed events → classified DownloadEvents (once per distinct user agent)."""

from __future__ import annotations

import apache_beam as beam

from pipelines.classify import Classifier
from pipelines.events import ByteEstimator, ClientDescriber, classify_events
from pipelines.io import files
from pipelines.transforms.elements import EventChunk


class ClassifyClientsFn(beam.DoFn):
    """Builds the classifier once per worker (setup) so its per-UA memo lives across chunks."""

    def __init__(self, secret: bytes, rules_path: str | None, file_sizes_path: str | None):
        self.secret = secret
        self.rules_path = rules_path
        self.file_sizes_path = file_sizes_path

    def setup(self):
        self.describer = ClientDescriber(Classifier(self.rules_path), self.secret)
        self.estimator = ByteEstimator()
        if self.file_sizes_path:
            self.estimator = ByteEstimator.from_csv_text(files.read_bytes(self.file_sizes_path).decode())

    def process(self, chunk: EventChunk):
        events = classify_events(chunk.events, self.describer)
        yield EventChunk(chunk.chunk_id, self.estimator.apply(events))


class ClassifyClients(beam.PTransform):
    """PCollection[EventChunk of parsed events] → PCollection[EventChunk of DownloadEvents]."""

    def __init__(self, secret: bytes, rules_path: str | None = None, file_sizes_path: str | None = None):
        super().__init__()
        self.fn = ClassifyClientsFn(secret, rules_path, file_sizes_path)

    def expand(self, chunks):
        return chunks | "ClassifyChunk" >> beam.ParDo(self.fn)
