"""The record schemas. schemas/*.avsc is the one definition; Arrow schemas derive from it."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pyarrow as pa

_SCHEMA_DIR = Path(__file__).resolve().parent / "_schemas"

_AVRO_PRIMITIVES = {
    "string": pa.string(),
    "long": pa.int64(),
    "int": pa.int32(),
    "boolean": pa.bool_(),
    "double": pa.float64(),
    "float": pa.float32(),
    "bytes": pa.binary(),
}


@lru_cache(maxsize=None)
def avro_schema(name: str) -> dict:
    """The parsed .avsc named `name` (e.g. 'usage_aggregate')."""
    return json.loads((_SCHEMA_DIR / f"{name}.avsc").read_text())


def _arrow_type(avro_type) -> tuple[pa.DataType, bool]:
    """Arrow type and nullability for an Avro field type."""
    if isinstance(avro_type, list):
        non_null = [t for t in avro_type if t != "null"]
        if len(non_null) != 1:
            raise ValueError(f"unsupported union {avro_type}")
        return _arrow_type(non_null[0])[0], "null" in avro_type
    if isinstance(avro_type, str):
        return _AVRO_PRIMITIVES[avro_type], False
    logical = avro_type.get("logicalType")
    if logical == "timestamp-micros":
        return pa.timestamp("us", tz="UTC"), False
    if logical == "date":
        return pa.date32(), False
    if avro_type["type"] == "record":
        return pa.struct([_arrow_field(f) for f in avro_type["fields"]]), False
    return _arrow_type(avro_type["type"])


def _arrow_field(field: dict) -> pa.Field:
    arrow_type, nullable = _arrow_type(field["type"])
    return pa.field(field["name"], arrow_type, nullable=nullable)


@lru_cache(maxsize=None)
def arrow_schema(name: str) -> pa.Schema:
    """The Arrow schema derived from schemas/<name>.avsc."""
    record = avro_schema(name)
    return pa.schema([_arrow_field(f) for f in record["fields"]])


def key_columns(name: str = "usage_aggregate") -> list[str]:
    """The grain of an aggregate schema: every field before the first metric ('requests')."""
    names = arrow_schema(name).names
    return names[: names.index("requests")]


def metric_columns(name: str = "usage_aggregate") -> list[str]:
    names = arrow_schema(name).names
    return names[names.index("requests"):]
