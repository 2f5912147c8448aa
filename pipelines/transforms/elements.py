"""What flows between regmeter's Beam steps. Chunks of lines, never single lines."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from pipelines.io.decode import InputProblem
from pipelines.io.inputs import InputObject


@dataclass
class Segment:
    """A run of whole lines of one object inside a chunk."""

    source: InputObject
    first_line: int  # the run's first line number in its object (1-based)
    lines: int


@dataclass
class LogChunk:
    """Several MiB of whole lines: one piece of a big object, or several small objects together.

    Fastly writes an object every 2 minutes; at ~700 lines each, a per-object element
    spends more on fixed per-call costs than on parsing, so small objects share a chunk.
    """

    chunk_id: str  # stable: names the chunk's dead-letter and event files
    segments: list[Segment]
    data: bytes
    format_name: str
    problems: list[tuple[InputObject, InputProblem]] = field(default_factory=list)


@dataclass
class ChunkStats:
    """Line accounting for one chunk; summed into the run manifest."""

    lines_read: int = 0
    parsed: int = 0
    dead_lettered: int = 0
    filtered: dict[str, int] = field(default_factory=dict)
    dead_by_kind: dict[str, int] = field(default_factory=dict)
    input_errors: dict[str, int] = field(default_factory=dict)  # object-level problems (not lines)

    def as_dict(self) -> dict:
        return {
            "lines_read": self.lines_read,
            "parsed": self.parsed,
            "dead_lettered": self.dead_lettered,
            "filtered": dict(self.filtered),
            "dead_by_kind": dict(self.dead_by_kind),
            "input_errors": dict(self.input_errors),
        }


@dataclass
class EventChunk:
    """Parsed (then classified) events of one chunk; source_file/source_line are columns."""

    chunk_id: str
    events: pa.Table


@dataclass
class DeadLetterChunk:
    chunk_id: str
    dead_letters: pa.Table  # DEAD_LETTER_COLUMNS + source_file
