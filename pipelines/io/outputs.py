"""Writing regmeter's output files (Parquet, Avro) to a run's staging area, verified.

Layout of a run before it is published:
    OUT/_staging/<run_id>/usage/date=D/part-HH.parquet
    OUT/_staging/<run_id>/dead_letters/date=D/part-<chunk>.avro
    OUT/_staging/<run_id>/events/date=D/part-<chunk>.parquet
File names are deterministic, so a retried bundle rewrites the same file.
"""

from __future__ import annotations

import io

import fastavro
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import __version__
from pipelines.io import files
from pipelines.schemas import avro_schema

KINDS = ("usage", "dead_letters", "events")
_DEAD_LETTER_AVRO = fastavro.parse_schema(avro_schema("dead_letter"))


class OutputVerificationError(RuntimeError):
    pass


def staging_root(output_root: str, run_id: str) -> str:
    return files.join(output_root, "_staging", run_id)


def partition_dir(root: str, kind: str, date: str) -> str:
    return files.join(root, kind, f"date={date}")


def parquet_bytes(table: pa.Table, compression: str = "zstd") -> bytes:
    buf = io.BytesIO()
    pq.write_table(table, buf, compression=compression, use_dictionary=True, write_statistics=True)
    return buf.getvalue()


def write_parquet(path: str, table: pa.Table) -> int:
    """Write and read back the footer: the row count on disk must equal the table's."""
    files.write_bytes(path, parquet_bytes(table))
    with files.open_read(path) as f:
        on_disk = pq.ParquetFile(f).metadata.num_rows
    if on_disk != table.num_rows:
        raise OutputVerificationError(f"{path}: wrote {table.num_rows} rows, found {on_disk}")
    return on_disk


def write_dead_letters(path: str, table: pa.Table) -> int:
    records = [{**row, "source_file": row["source_file"] or "", "pipeline_version": __version__} for row in table.to_pylist()]
    buf = io.BytesIO()
    fastavro.writer(buf, _DEAD_LETTER_AVRO, records, codec="deflate")
    files.write_bytes(path, buf.getvalue())
    with files.open_read(path) as f:
        on_disk = sum(block.num_records for block in fastavro.block_reader(f))
    if on_disk != len(records):
        raise OutputVerificationError(f"{path}: wrote {len(records)} dead letters, found {on_disk}")
    return on_disk
