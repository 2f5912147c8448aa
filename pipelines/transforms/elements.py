"""What flows between regmeter's Beam steps. Chunks of a file, never single lines."""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

from pipelines.io.decode import Block
from pipelines.io.inputs import InputObject


@dataclass
class LogChunk:
    """A block of whole lines of one log object."""

    source: InputObject
    block: Block
    format_name: str  # the adapter chosen for this object (sniffed or given)


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
    """Parsed (then classified) events of one chunk."""

    source: InputObject
    block_index: int  # the chunk's first line, unique within its object
    events: pa.Table


@dataclass
class DeadLetterChunk:
    source: InputObject
    block_index: int
    dead_letters: pa.Table  # DEAD_LETTER_COLUMNS
