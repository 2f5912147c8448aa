"""PublishRun: the last step of a run. Waits for every write, checks the accounting, publishes."""

from __future__ import annotations

import apache_beam as beam
from apache_beam.pvalue import AsSingleton

from pipelines.io.publish import build_manifest, publish


class PublishRunFn(beam.DoFn):
    def __init__(self, run: dict):
        self.run = run

    def process(self, _, stats, inputs, written, top_unknown):
        manifest = build_manifest(self.run, stats, inputs, written)
        manifest["top_unknown_user_agents"] = top_unknown
        publish(self.run["output_root"], self.run["run_id"], self.run["date"], manifest)
        yield manifest


class PublishRun(beam.PTransform):
    """stats, inputs, written file records, top unknown UAs → the run manifest (published), as a one-element PCollection."""

    def __init__(self, run: dict, inputs, written, top_unknown):
        super().__init__()
        self.run = run
        self.inputs = inputs
        self.written = written
        self.top_unknown = top_unknown

    def expand(self, stats):
        as_list = lambda pcoll, label: AsSingleton(pcoll | label >> beam.combiners.ToList())  # noqa: E731
        return (
            stats.pipeline
            | "Trigger" >> beam.Create([None])
            | "CheckAndPublish" >> beam.ParDo(
                PublishRunFn(self.run),
                as_list(stats, "AllStats"),
                as_list(self.inputs, "AllInputs"),
                as_list(self.written, "AllWrites"),
                AsSingleton(self.top_unknown),
            )
        )
