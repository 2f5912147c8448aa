"""Publishing a run: check the line accounting, swap the day's partitions in, write the manifest.

Guarantees (DESIGN.md "Outputs and guarantees"):
- nothing becomes visible unless lines read = parsed + dead-lettered + filtered and the
  usage files count exactly the parsed lines;
- re-running a day replaces that day whole (usage, dead letters, events together);
- the manifest OUT/manifests/date=D.json is written last: it is the commit record;
- a crash leaves the previous good output readable. Locally each partition is swapped by
  two directory renames; if a crash falls between them, `recover_interrupted` (run at
  the start of every run and warehouse build) moves the previous partition back.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import __version__
from pipelines.io import files
from pipelines.io.outputs import KINDS, partition_dir, staging_root

MANIFEST_SCHEMA_VERSION = 1


class AccountingError(RuntimeError):
    """Lines went missing or were counted twice; the run is not published."""


def manifest_path(output_root: str, date: str) -> str:
    return files.join(output_root, "manifests", f"date={date}.json")


def merge_stats(stats: list[dict]) -> dict:
    total = {"lines_read": 0, "parsed": 0, "dead_lettered": 0}
    counters = {"filtered": Counter(), "dead_by_kind": Counter(), "input_errors": Counter()}
    for s in stats:
        for k in total:
            total[k] += s[k]
        for k, c in counters.items():
            c.update(s[k])
    return {**total, **{k: dict(sorted(c.items())) for k, c in counters.items()}}


def _usage_totals(usage_dir: str, usage_files: list[dict]) -> dict:
    tables = []
    for f in usage_files:
        with files.open_read(files.join(usage_dir, f["file"])) as fh:
            tables.append(pq.read_table(fh, columns=["client_class", "requests", "bytes_sent", "bytes_estimated"]))
    if not tables:
        return {"requests": 0, "bytes_sent": 0, "bytes_estimated": 0, "by_class": {}}
    table = pa.concat_tables(tables)
    by_class = table.group_by("client_class").aggregate([("requests", "sum"), ("bytes_sent", "sum")])
    return {
        "requests": int(pa.compute.sum(table.column("requests")).as_py() or 0),
        "bytes_sent": int(pa.compute.sum(table.column("bytes_sent")).as_py() or 0),
        "bytes_estimated": int(pa.compute.sum(table.column("bytes_estimated")).as_py() or 0),
        "by_class": {
            row["client_class"]: {"requests": row["requests_sum"], "bytes_sent": row["bytes_sent_sum"]}
            for row in sorted(by_class.to_pylist(), key=lambda r: -r["requests_sum"])
        },
    }


def build_manifest(run: dict, stats: list[dict], inputs: list[dict], written: list[dict]) -> dict:
    """The run manifest; raises AccountingError if any line is unaccounted for."""
    lines = merge_stats(stats)
    filtered = sum(lines["filtered"].values())
    if lines["lines_read"] != lines["parsed"] + lines["dead_lettered"] + filtered:
        raise AccountingError(
            f"lines read {lines['lines_read']} != parsed {lines['parsed']} + dead-lettered {lines['dead_lettered']} + filtered {filtered}"
        )
    staging = staging_root(run["output_root"], run["run_id"])
    outputs = {kind: sorted((w for w in written if w["kind"] == kind), key=lambda w: w["file"]) for kind in KINDS}
    usage = _usage_totals(partition_dir(staging, "usage", run["date"]), outputs["usage"])
    if usage["requests"] != lines["parsed"]:
        raise AccountingError(f"usage files count {usage['requests']} requests but {lines['parsed']} lines were parsed")
    dead_rows = sum(w["rows"] for w in outputs["dead_letters"])
    expected_dead = lines["dead_lettered"] + sum(lines["input_errors"].values())
    if dead_rows != expected_dead:
        raise AccountingError(f"dead-letter files hold {dead_rows} records, expected {expected_dead}")
    return {
        "manifest_schema_version": MANIFEST_SCHEMA_VERSION,
        **{k: run[k] for k in ("run_id", "date", "format", "registry", "started_at", "options")},
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "inputs": sorted(inputs, key=lambda i: i["path"]),
        "lines": {"read": lines["lines_read"], "parsed": lines["parsed"], "dead_lettered": lines["dead_lettered"], "filtered": filtered},
        "filtered": lines["filtered"],
        "dead_letters": lines["dead_by_kind"],
        "input_errors": lines["input_errors"],
        "invariant": "lines.read == lines.parsed + lines.dead_lettered + lines.filtered",
        "usage": usage,
        "outputs": {kind: [{"file": w["file"], "rows": w["rows"]} for w in ws] for kind, ws in outputs.items()},
        "versions": run["versions"],
    }


def versions() -> dict:
    import apache_beam
    import duckdb

    return {
        "regmeter": __version__,
        "apache_beam": apache_beam.__version__,
        "pyarrow": pa.__version__,
        "duckdb": duckdb.__version__,
        "python": platform.python_version(),
    }


def _trash_root(output_root: str, run_id: str) -> str:
    return files.join(output_root, "_trash", run_id)


def publish(output_root: str, run_id: str, date: str, manifest: dict) -> None:
    """Swap the staged partitions in for the day's, then write the manifest (the commit record)."""
    staging = staging_root(output_root, run_id)
    trash = _trash_root(output_root, run_id)
    for kind in KINDS:
        staged, final = partition_dir(staging, kind, date), partition_dir(output_root, kind, date)
        if files.is_local(output_root):
            os.makedirs(os.path.dirname(final), exist_ok=True)
            if os.path.exists(final):
                os.makedirs(files.join(trash, kind), exist_ok=True)
                os.rename(final, partition_dir(trash, kind, date))
            if os.path.exists(staged):
                os.rename(staged, final)
        else:
            _publish_objects(staged, final)
    files.write_json(manifest_path(output_root, date), manifest)
    files.delete_tree(trash)
    files.delete_tree(staging)


def _publish_objects(staged: str, final: str) -> None:
    """Object stores have no directory rename: copy the new objects in, then delete the stale ones."""
    from apache_beam.io.filesystems import FileSystems

    new = files.list_files(staged)
    targets = [final + "/" + os.path.relpath(p, staged) if files.is_local(p) else final + p[len(staged):] for p in new]
    if new:
        FileSystems.copy(new, targets)
    stale = sorted(set(files.list_files(final)) - set(targets))
    if stale:
        FileSystems.delete(stale)


def recover_interrupted(output_root: str) -> list[str]:
    """Move back any partition a crashed publish left in _trash; returns what was restored."""
    restored = []
    trash_root = files.join(output_root, "_trash")
    if not files.is_local(output_root) or not os.path.isdir(trash_root):
        return restored
    for run_id in sorted(os.listdir(trash_root)):
        for kind in KINDS:
            kind_dir = os.path.join(trash_root, run_id, kind)
            if not os.path.isdir(kind_dir):
                continue
            for part in os.listdir(kind_dir):
                final = os.path.join(output_root, kind, part)
                if not os.path.exists(final):
                    os.rename(os.path.join(kind_dir, part), final)
                    restored.append(final)
        files.delete_tree(os.path.join(trash_root, run_id))
    return restored
