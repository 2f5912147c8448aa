"""ClassifyClients: parsed events → classified DownloadEvents (once per distinct user agent)."""

from __future__ import annotations

from collections import Counter

import apache_beam as beam
import pyarrow.compute as pc

from pipelines.classify import Classifier
from pipelines.formats.common import raw_text
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


EMPTY_UA = "(no user agent)"


class CountUnknownUserAgentsFn(beam.DoFn):
    """Per chunk: requests by user agent among clients classed unknown (scripts, empty UAs, unrecognised)."""

    def process(self, chunk: EventChunk):
        events = chunk.events
        unknown = events.filter(pc.equal(events.column("client_class"), "unknown"))
        if unknown.num_rows:
            counts = pc.value_counts(pc.fill_null(unknown.column("user_agent"), EMPTY_UA))
            yield dict(zip(counts.field("values").to_pylist(), counts.field("counts").to_pylist()))


class TopUserAgentsFn(beam.CombineFn):
    """Heaviest user agents; accumulators are pruned, so counts of rare ones are lower bounds."""

    KEEP, PRUNE_AT = 2_000, 10_000

    def __init__(self, top: int = 25):
        self.top = top

    def create_accumulator(self):
        return Counter()

    def add_input(self, acc, counts):
        acc.update(counts)
        return self._prune(acc)

    def merge_accumulators(self, accumulators):
        merged = Counter()
        for acc in accumulators:
            merged.update(acc)
        return self._prune(merged)

    def _prune(self, acc):
        return Counter(dict(acc.most_common(self.KEEP))) if len(acc) > self.PRUNE_AT else acc

    def extract_output(self, acc):
        return [{"user_agent": raw_text(ua), "requests": n} for ua, n in acc.most_common(self.top)]


class TopUnknownUserAgents(beam.PTransform):
    """Classified chunks → one list: the day's most frequent user agents classed unknown (candidates for new rules)."""

    def __init__(self, top: int = 25):
        super().__init__()
        self.top = top

    def expand(self, classified):
        return classified | "CountUnknownUAs" >> beam.ParDo(CountUnknownUserAgentsFn()) | "TopUnknownUAs" >> beam.CombineGlobally(TopUserAgentsFn(self.top))
