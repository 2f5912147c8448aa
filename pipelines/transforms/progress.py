"""Progress of a local run: objects and bytes done, lines/s. Shared within one process.

The local runner (FnApiRunner, multi_threading) runs DoFns in the launching process, so
the CLI can poll these counters and print progress; on other runners they stay at zero
and progress is watched through the Beam metrics instead.
"""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_state = {"objects": 0, "bytes": 0, "lines": 0}


def reset() -> None:
    with _lock:
        _state.update(objects=0, bytes=0, lines=0)


def object_done(nbytes: int) -> None:
    with _lock:
        _state["objects"] += 1
        _state["bytes"] += nbytes


def lines_done(n: int) -> None:
    with _lock:
        _state["lines"] += n


def snapshot() -> dict:
    with _lock:
        return dict(_state, at=time.monotonic())
