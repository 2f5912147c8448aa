"""The composite transforms under real Beam pipelines (TestPipeline, local FnApiRunner)."""

import datetime as dt
import gzip

import apache_beam as beam
import pyarrow as pa
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from conftest import FIXTURES
from pipelines.io.inputs import InputObject, object_time
from pipelines.io.publish import merge_stats
from pipelines.transforms.aggregate import AggregateUsage
from pipelines.transforms.classify import ClassifyClients
from pipelines.transforms.parse import DayPolicy, ParseLogs
from pipelines.transforms.read import ReadLogChunks

DAY = dt.date(2026, 11, 20)
SECRET = b"transform-test-secret-0123456789"


def _pipeline():
    return TestPipeline(options=PipelineOptions(["--runner=FnApiRunner"]))


def _objects(tmp_path):
    objs = []
    for name in ("good.log", "bad_lines.log"):
        path = tmp_path / "downloads" / "2026" / "11" / "20" / "13" / "02" / f"downloads-{name}.gz"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(gzip.compress((FIXTURES / "fastly_pypi" / name).read_bytes()))
        objs.append(InputObject(str(path), path.stat().st_size, object_time(str(path))))
    return objs


def test_read_and_parse_account_for_every_line(tmp_path):
    objects = _objects(tmp_path)
    with _pipeline() as p:
        read = p | beam.Create([objects]) | ReadLogChunks()
        parsed = read["chunks"] | ParseLogs(day_policy=DayPolicy(DAY))
        totals = parsed["stats"] | beam.combiners.ToList() | beam.Map(merge_stats)
        assert_that(
            totals | beam.Map(lambda t: (t["lines_read"], t["parsed"], t["dead_lettered"], t["filtered"])),
            equal_to([(12, 7, 4, {"blank_line": 1})]),
            label="LineAccounting",
        )
        kinds = parsed["dead_letters"] | beam.FlatMap(lambda c: c.dead_letters.column("error_kind").to_pylist())
        assert_that(kinds, equal_to(["too_few_fields", "bad_timestamp", "unknown_record_type", "invalid_utf8"]), label="DeadLetterKinds")
        # both small objects share one chunk; each dead letter still names its own object and line
        where = parsed["dead_letters"] | beam.FlatMap(
            lambda c: [(f.rsplit("/", 1)[-1], n) for f, n in zip(c.dead_letters.column("source_file").to_pylist(), c.dead_letters.column("source_line").to_pylist())]
        )
        assert_that(where, equal_to([("downloads-bad_lines.log.gz", n) for n in (2, 4, 5, 6)]), label="DeadLetterPlaces")
        lines = parsed["events"] | beam.FlatMap(lambda c: list(zip(c.events.column("source_file").to_pylist(), c.events.column("source_line").to_pylist())))
        assert_that(
            lines | beam.Map(lambda fl: (fl[0].rsplit("/", 1)[-1], fl[1])),
            equal_to([("downloads-good.log.gz", n) for n in range(1, 6)] + [("downloads-bad_lines.log.gz", n) for n in (1, 7)]),
            label="EventPlaces",
        )
        checksums = read["inputs"] | beam.Map(lambda i: (len(i["crc32c"]), i["bytes_read"] == i["size"]))
        assert_that(checksums, equal_to([(8, True), (8, True)]), label="Checksums")


def test_classify_and_aggregate_count_each_parsed_line_once(tmp_path):
    objects = _objects(tmp_path)
    with _pipeline() as p:
        chunks = (p | beam.Create([objects]) | ReadLogChunks())["chunks"]
        events = (chunks | ParseLogs(day_policy=DayPolicy(DAY)))["events"]
        classified = events | ClassifyClients(SECRET)
        classes = classified | beam.FlatMap(lambda c: c.events.column("client_class").to_pylist())
        assert_that(classes | beam.combiners.Count.PerElement(), equal_to([("ci", 1), ("human", 2), ("bot", 1), ("mirror", 1), ("unknown", 2)]), label="Classes")
        no_ip = classified | beam.Map(lambda c: "ip_key" in c.events.column_names)
        assert_that(no_ip | beam.Distinct(), equal_to([False]), label="NoIpColumn")
        usage = classified | AggregateUsage(str(tmp_path / "staging"))
        requests = usage | beam.Map(lambda kv: sum(kv[1].column("requests").to_pylist())) | beam.CombineGlobally(sum)
        assert_that(requests, equal_to([7]), label="RequestsEqualParsed")
