"""The daily batch job: one UTC day of CDN logs → usage Parquet, dead letters, manifest."""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions

from pipelines import formats
from pipelines.io import files
from pipelines.io.decode import DEFAULT_BLOCK_BYTES
from pipelines.io.inputs import DEFAULT_UNIT_BYTES, InputObject, group_into_units, select_inputs
from pipelines.io.outputs import staging_root
from pipelines.io.publish import manifest_path, recover_interrupted, versions
from pipelines.transforms import progress
from pipelines.transforms.aggregate import AggregateUsage
from pipelines.transforms.classify import ClassifyClients, TopUnknownUserAgents
from pipelines.transforms.parse import DayPolicy, ParseLogs
from pipelines.transforms.publish import PublishRun
from pipelines.transforms.read import ReadLogChunks
from pipelines.transforms.write import WriteDeadLetters, WriteEvents, WriteUsage

# Beam 2.77's DirectRunner first tries to download Prism; choose the local runner
# explicitly. Threads beat processes here: pyarrow and ISA-L release the GIL.
LOCAL_RUNNER_DEFAULTS = {"runner": "FnApiRunner", "direct_num_workers": 0, "direct_running_mode": "multi_threading"}


class OutputError(ValueError):
    """The output location cannot be written."""


@dataclass
class DailyJobConfig:
    date: dt.date
    input: str
    output: str
    secret: bytes
    registry: str | None = None
    format: str = formats.AUTO
    emit_events: bool = False
    rules: str | None = None
    file_sizes: str | None = None
    late_minutes: int = 10
    block_bytes: int = DEFAULT_BLOCK_BYTES
    unit_bytes: int = DEFAULT_UNIT_BYTES
    run_id: str = field(default_factory=lambda: f"{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}")


def pipeline_options(beam_args: list[str]) -> PipelineOptions:
    """Beam options from the command line, with the local-runner defaults where none are given."""
    options = PipelineOptions(beam_args)
    given = {a.split("=")[0].lstrip("-") for a in beam_args if a.startswith("--")}
    if "runner" not in given:
        options.view_as(StandardOptions).runner = LOCAL_RUNNER_DEFAULTS["runner"]
    direct = options.view_as(DirectOptions)
    if "direct_num_workers" not in given:
        direct.direct_num_workers = os.cpu_count() or 2
    if "direct_running_mode" not in given:
        direct.direct_running_mode = LOCAL_RUNNER_DEFAULTS["direct_running_mode"]
    return options


def check_output_writable(output: str) -> None:
    if not files.is_local(output):
        return
    try:
        os.makedirs(output, exist_ok=True)
        probe = os.path.join(output, f".regmeter-write-test-{os.getpid()}")
        with open(probe, "w") as f:
            f.write("ok")
        os.remove(probe)
    except OSError as exc:
        raise OutputError(f"cannot write to output {output}: {exc.strerror}; choose a writable --output") from None


def run_spec(config: DailyJobConfig, objects: list[InputObject]) -> dict:
    return {
        "run_id": config.run_id,
        "date": config.date.isoformat(),
        "output_root": config.output,
        "format": config.format,
        "registry": config.registry,
        "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "options": {
            "input": config.input,
            "emit_events": config.emit_events,
            "rules": config.rules,
            "file_sizes": config.file_sizes,
            "late_minutes": config.late_minutes,
            "objects_selected": len(objects),
        },
        "versions": versions(),
    }


def build_daily_pipeline(config: DailyJobConfig, objects: list[InputObject], options: PipelineOptions) -> beam.Pipeline:
    """The daily job's graph. The same composite transforms serve the stream job."""
    run = run_spec(config, objects)
    staging = staging_root(config.output, config.run_id)
    date = config.date.isoformat()
    p = beam.Pipeline(options=options)
    units = group_into_units(objects, config.unit_bytes)
    listed = p | "ListWorkUnits" >> beam.Create(units) | "SpreadWorkUnits" >> beam.Reshuffle()
    read = listed | "ReadLogChunks" >> ReadLogChunks(config.format, config.block_bytes)
    parsed = read["chunks"] | "ParseLogs" >> ParseLogs(config.registry, DayPolicy(config.date, config.late_minutes))
    classified = parsed["events"] | "ClassifyClients" >> ClassifyClients(config.secret, config.rules, config.file_sizes)
    writes = [
        classified | "AggregateUsage" >> AggregateUsage(staging) | "WriteUsage" >> WriteUsage(staging),
        parsed["dead_letters"] | "WriteDeadLetters" >> WriteDeadLetters(staging, date),
    ]
    if config.emit_events:
        writes.append(classified | "WriteEvents" >> WriteEvents(staging, date))
    written = writes | "AllWrites" >> beam.Flatten()
    top_unknown = classified | "TopUnknownUserAgents" >> TopUnknownUserAgents()
    _ = parsed["stats"] | "PublishRun" >> PublishRun(run, read["inputs"], written, top_unknown)
    return p


def _show_progress(total_objects: int, total_bytes: int, stop: threading.Event) -> None:
    """Prints objects/bytes done and lines/s to stderr while a local run goes."""
    start = time.monotonic()
    tty = sys.stderr.isatty()
    last = 0.0
    while not stop.wait(0.5 if tty else 5.0):
        s = progress.snapshot()
        elapsed = max(s["at"] - start, 1e-9)
        line = (
            f"  objects {s['objects']}/{total_objects} · {s['bytes'] / 1e6:,.0f}/{total_bytes / 1e6:,.0f} MB"
            f" · {s['lines']:,} lines · {s['lines'] / elapsed:,.0f} lines/s"
        )
        if tty:
            print("\r" + line, end="", file=sys.stderr, flush=True)
            last = elapsed
        else:
            print(line, file=sys.stderr, flush=True)
    if tty and last:
        print(file=sys.stderr)


def run_daily(config: DailyJobConfig, beam_args: list[str] | None = None, show_progress: bool = True) -> dict:
    """Select inputs, run the pipeline, and return the published manifest."""
    check_output_writable(config.output)
    recover_interrupted(config.output)
    objects = select_inputs(config.input, config.date, config.late_minutes)
    options = pipeline_options(beam_args or [])
    pipeline = build_daily_pipeline(config, objects, options)
    progress.reset()
    stop = threading.Event()
    is_local = options.view_as(StandardOptions).runner in ("FnApiRunner", "DirectRunner", "BundleBasedDirectRunner")
    watcher = None
    if show_progress and is_local:
        watcher = threading.Thread(target=_show_progress, args=(len(objects), sum(o.size for o in objects), stop), daemon=True)
        watcher.start()
    try:
        result = pipeline.run()
        result.wait_until_finish()
    finally:
        stop.set()
        if watcher:
            watcher.join()
        if is_local:
            files.delete_tree(staging_root(config.output, config.run_id))
    if not is_local:
        return {"run_id": config.run_id, "submitted": True}
    import json

    return json.loads(files.read_bytes(manifest_path(config.output, config.date.isoformat())))
