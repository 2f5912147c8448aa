"""CDN log format adapters. Pure: each module turns a block of lines into Arrow columns.

Every adapter module exposes NAME, DEFAULT_REGISTRY, sniff(head: bytes) -> bool and
parse_block(data: bytes, first_line: int, registry: str) -> ParsedBlock.
"""

from __future__ import annotations

from types import ModuleType

from pipelines.formats import fastly_pypi
from pipelines.formats.common import ParsedBlock

FORMATS: dict[str, ModuleType] = {m.NAME: m for m in (fastly_pypi,)}
AUTO = "auto"
UNRECOGNISED = "unrecognised"  # what sniffing says of an object no adapter accepts


class UnknownFormatError(ValueError):
    pass


def get_format(name: str) -> ModuleType:
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormatError(f"unknown log format '{name}'; known: {', '.join(sorted(FORMATS))} (or 'auto')") from None


def sniff_format(head: bytes) -> ModuleType | None:
    """The adapter whose sniff() accepts the first decompressed bytes of an object, if any."""
    for module in FORMATS.values():
        if module.sniff(head):
            return module
    return None


__all__ = ["AUTO", "UNRECOGNISED", "FORMATS", "ParsedBlock", "UnknownFormatError", "get_format", "sniff_format"]
