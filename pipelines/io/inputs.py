"""Which log objects a daily run reads. Works for local paths and gs:// alike (Beam FileSystems).

Fastly's GCS/S3 logging writes one object per period under <kind>/YYYY/MM/DD/HH/MM/.
Given the output root of such a layout and a date, a run reads that day's objects plus
the next day's first `late_minutes` of objects: CDN log delivery lags, so lines of the
day's last minutes land in the next day's first objects.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass

from apache_beam.io.filesystems import FileSystems

_LAYOUT_TIME = re.compile(r"/(\d{4})/(\d{2})/(\d{2})/(\d{2})/(\d{2})/[^/]+$")
_GLOB_CHARS = re.compile(r"[*?\[]")


class InputError(ValueError):
    """The input selection is unusable; the message says what to do."""


@dataclass(frozen=True)
class InputObject:
    path: str
    size: int
    object_time: dt.datetime | None = None  # period start from the Fastly layout, if the path has one

    def to_json(self) -> dict:
        return {"path": self.path, "size": self.size, "object_time": self.object_time.isoformat() if self.object_time else None}


def object_time(path: str) -> dt.datetime | None:
    m = _LAYOUT_TIME.search(path.replace("\\", "/"))
    if not m:
        return None
    try:
        return dt.datetime(*map(int, m.groups()), tzinfo=dt.timezone.utc)
    except ValueError:
        return None


def _match(pattern: str) -> list[InputObject]:
    try:
        result = FileSystems.match([pattern])[0]
    except Exception:  # Beam raises BeamIOError for "nothing matched" on some file systems
        return []
    return [InputObject(m.path, m.size_in_bytes, object_time(m.path)) for m in result.metadata_list if not _is_dir(m.path)]


def _is_dir(path: str) -> bool:
    return "://" not in path and os.path.isdir(path)


def _day_patterns(root: str, day: dt.date) -> list[str]:
    ymd = day.strftime("%Y/%m/%d")
    return [f"{root}/*/{ymd}/**", f"{root}/{ymd}/**"]


def select_inputs(input_path: str, date: dt.date, late_minutes: int = 10) -> list[InputObject]:
    """The objects a run for `date` reads, sorted by path. Raises InputError if there are none."""
    if _GLOB_CHARS.search(input_path):
        objects = _match(input_path)
        where = f"the pattern {input_path}"
    elif "://" not in input_path and os.path.isfile(input_path):
        objects = _match(input_path)
        where = input_path
    else:
        if "://" not in input_path and not os.path.exists(input_path):
            raise InputError(f"input {input_path} does not exist; pass a directory, a file or a glob of CDN log files")
        root = input_path.rstrip("/")
        objects = []
        next_day = date + dt.timedelta(days=1)
        for day_pattern, next_pattern in zip(_day_patterns(root, date), _day_patterns(root, next_day)):
            objects = _match(day_pattern)
            if objects:
                late = [o for o in _match(next_pattern.replace("/**", "/00/**")) if o.object_time is not None]
                objects += late
                break
        if not objects:
            objects = _match(f"{root}/**")
        where = f"{input_path} (looked for {date.strftime('*/%Y/%m/%d/')} and any file below it)"
    window_start = dt.datetime.combine(date, dt.time(), dt.timezone.utc)
    window_end = window_start + dt.timedelta(days=1, minutes=late_minutes)
    selected = sorted(
        (o for o in objects if o.object_time is None or window_start <= o.object_time < window_end),
        key=lambda o: o.path,
    )
    if not selected:
        raise InputError(f"no log files for {date.isoformat()} in {where}")
    return selected


# ~4 MB of compressed logs is ~100k PyPI lines: big enough that per-element costs vanish,
# small enough that a day still spreads over many workers.
DEFAULT_UNIT_BYTES = 4 << 20


def group_into_units(objects: list[InputObject], target_bytes: int = DEFAULT_UNIT_BYTES) -> list[list[InputObject]]:
    """Consecutive objects packed into work units of about target_bytes (a big object alone)."""
    units: list[list[InputObject]] = []
    current: list[InputObject] = []
    size = 0
    for obj in objects:
        if current and size + obj.size > target_bytes:
            units.append(current)
            current, size = [], 0
        current.append(obj)
        size += obj.size
    if current:
        units.append(current)
    return units
