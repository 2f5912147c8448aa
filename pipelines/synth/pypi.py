"""generate_day: one day of synthetic PyPI CDN logs, with ground truth beside them.

    OUTPUT/downloads/YYYY/MM/DD/HH/MM/downloads-….log.gz     the logs (format-specific)
    OUTPUT/simple/YYYY/MM/DD/HH/MM/simple-….log.gz
    OUTPUT/labels/date=YYYY-MM-DD/labels.parquet              one row per log line
    OUTPUT/file_sizes.csv                                     filename,size_bytes

Ground truth lives only in labels.parquet, never in the logs. file_sizes.csv stands in
for PyPI's public distribution_metadata table (filename, size) that an operator
would export; it lists every file downloaded on the days generated into OUTPUT.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.synth import fastly_pypi
from pipelines.synth.traffic import KIND_DOWNLOAD, generate_traffic

# Log formats: module with write(traffic, output) -> WrittenLogs and day_folders(date).
FORMATS = {fastly_pypi.NAME: fastly_pypi}

LABELS_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_line", pa.int64(), nullable=False),
        pa.field("client_class", pa.string(), nullable=False),
        pa.field("client_subclass", pa.string(), nullable=False),
        pa.field("agent_marked", pa.bool_(), nullable=False),
        pa.field("timestamp", pa.timestamp("s", tz="UTC"), nullable=False),
        pa.field("request_kind", pa.string(), nullable=False),
        pa.field("project", pa.string(), nullable=False),
        pa.field("filename", pa.string()),
    ]
)


@dataclass
class GenerationSummary:
    date: dt.date
    lines: int
    files: list[str]  # log files written, relative to the output directory (POSIX)
    labels_path: str  # relative to the output directory
    sizes_path: str  # relative to the output directory
    bytes_written: int
    seconds: float


def _take(values: list[str], idx: np.ndarray) -> pa.Array:
    """values[idx] as a plain string array (built through a dictionary: fast)."""
    if not len(idx):
        return pa.array([], pa.string())
    dictionary = pa.array(values, pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int32()), dictionary).cast(pa.string())


def generate_day(
    date: dt.date, lines: int, seed: int, output: str | Path, format: str = fastly_pypi.NAME
) -> GenerationSummary:
    """Write `lines` synthetic log lines for `date` under `output`, with ground truth.

    Same arguments -> byte-identical files. The catalog (projects, files, sizes) and
    the client populations depend on (seed, lines) only, so days generated with the
    same seed and size share them; the day's sessions depend on (seed, date).
    Regenerating a day first removes that day's log folders and labels, so logs and
    labels always match; other days and file_sizes.csv entries are kept.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; known: {', '.join(FORMATS)}")
    if lines < 0:
        raise ValueError("lines must be >= 0")
    if isinstance(date, dt.datetime):
        date = date.date()
    started = time.perf_counter()
    out = Path(output)
    writer = FORMATS[format]
    labels_rel = f"labels/date={date.isoformat()}/labels.parquet"
    for rel in [*writer.day_folders(date), str(Path(labels_rel).parent)]:
        shutil.rmtree(out / rel, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)

    traffic = generate_traffic(date, lines, seed)
    logs = writer.write(traffic, out)

    # -- labels: one row per written line, in file order ------------------------------
    ev = logs.line_event
    clients = traffic.clients
    client_of_line = traffic.client[ev]
    kind_of_line = traffic.kind[ev]
    target_of_line = traffic.target[ev]
    is_dl = kind_of_line == KIND_DOWNLOAD

    class_names = sorted({c.client_class for c in clients})
    sub_names = sorted({c.subclass for c in clients})
    class_of_client = np.array([class_names.index(c.client_class) for c in clients], dtype=np.int32)
    sub_of_client = np.array([sub_names.index(c.subclass) for c in clients], dtype=np.int32)
    marked_of_client = np.array([c.agent_marked for c in clients], dtype=bool)

    cat = traffic.catalog
    file_project = np.array([f.project for f in cat.files], dtype=np.int32)
    project_of_line = target_of_line.copy()
    if is_dl.any():
        project_of_line[is_dl] = file_project[target_of_line[is_dl]]
    if is_dl.any():
        filename_arr = _take([f.filename for f in cat.files], np.where(is_dl, target_of_line, 0))
        filename_arr = pc.if_else(pa.array(is_dl), filename_arr, pa.scalar(None, pa.string()))
    else:
        filename_arr = pa.nulls(len(ev), pa.string())

    midnight = int(dt.datetime.combine(date, dt.time(0, 0), tzinfo=dt.timezone.utc).timestamp())
    table = pa.table(
        {
            "source_file": _take(logs.files, logs.line_file),
            "source_line": pa.array(logs.line_no.astype(np.int64)),
            "client_class": _take(class_names, class_of_client[client_of_line]),
            "client_subclass": _take(sub_names, sub_of_client[client_of_line]),
            "agent_marked": pa.array(marked_of_client[client_of_line]),
            "timestamp": pa.array(logs.event_time[ev] + midnight, pa.timestamp("s", tz="UTC")),
            "request_kind": _take(["download", "index"], kind_of_line.astype(np.int32)),
            "project": _take(traffic.index_names, project_of_line),
            "filename": filename_arr,
        },
        schema=LABELS_SCHEMA,
    )
    labels_path = out / labels_rel
    labels_path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, labels_path, compression="zstd")

    # -- file sizes: merged with what earlier days wrote ----------------------------
    sizes_rel = "file_sizes.csv"
    sizes_path = out / sizes_rel
    sizes: dict[str, int] = {}
    if sizes_path.exists():
        with sizes_path.open(newline="") as fh:
            for row in csv.DictReader(fh):
                sizes[row["filename"]] = int(row["size_bytes"])
    for fid in np.unique(target_of_line[is_dl]).tolist():
        f = cat.files[fid]
        sizes[f.filename] = f.size
    buf = io.StringIO()
    buf.write("filename,size_bytes\n")
    for name in sorted(sizes):
        buf.write(f"{name},{sizes[name]}\n")
    sizes_path.write_text(buf.getvalue(), newline="")

    written = logs.bytes_written + labels_path.stat().st_size + sizes_path.stat().st_size
    return GenerationSummary(
        date=date,
        lines=len(ev),
        files=logs.files,
        labels_path=labels_rel,
        sizes_path=sizes_rel,
        bytes_written=written,
        seconds=time.perf_counter() - started,
    )
