"""Write a DayTraffic as PyPI's Fastly GCS logging writes it (research §1.1, §1.2).

- One gzip object per 120 s period and kind: ``downloads/%Y/%m/%d/%H/%M/downloads-…``
  and ``simple/…/simple-…``, named from the period start plus 20 random characters.
- Lines in an object are in rough time order. About 0.5% arrive late: their logged
  time is up to ~3 minutes before the period of the object that holds them, so the
  first objects of a day hold a few lines stamped 23:5x of the day before.
- Line layout (the UA is everything after the 9th '|', missing values are ``(null)``)::

    download|<RFC 1123 time>|<country>|<path>|<tls>|<cipher>|<project>|<version>|<type>|<UA>
    simple|<RFC 1123 time>|<country>|/simple/<project>/|<tls>|<cipher>||||<UA>

The periods here start on even minutes; Fastly's real ones need not (the linehaul
fixture object is named …-20-55-…), so readers must not rely on that.
"""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.synth.traffic import KIND_DOWNLOAD, SECONDS_PER_DAY, DayTraffic

try:  # ISA-L is ~5x faster than zlib; both give valid gzip
    from isal import igzip as _igzip

    def _compress(data: bytes) -> bytes:
        return _igzip.compress(data, compresslevel=2, mtime=0)

except ImportError:  # pragma: no cover - isal is a declared dependency

    def _compress(data: bytes) -> bytes:
        return gzip.compress(data, compresslevel=6, mtime=0)


NAME = "fastly-pypi"
PERIOD_SECONDS = 120
PERIODS_PER_DAY = SECONDS_PER_DAY // PERIOD_SECONDS
LATE_SHARE = 0.005
MAX_LATE_SECONDS = 180
SUFFIX_ALPHABET = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"))
_NULL = "(null)"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TIME_OFFSET = 600  # logged times may be up to this many seconds before midnight


@dataclass
class WrittenLogs:
    """Where each event went. Lines are numbered in file order, files in `files` order."""

    files: list[str]  # POSIX paths relative to the output directory
    line_event: np.ndarray  # event index of each written line
    line_file: np.ndarray  # index into files of each line
    line_no: np.ndarray  # 1-based line number within its file
    event_time: np.ndarray  # int64 per event: logged time, seconds from the day's 00:00 UTC (may be < 0)
    bytes_written: int


def rfc1123_prefix(day: dt.date) -> str:
    return f"{_WEEKDAYS[day.weekday()]}, {day.day:02d} {_MONTHS[day.month - 1]} {day.year} "


def _time_strings(day: dt.date) -> list[str]:
    """RFC 1123 strings for seconds -_TIME_OFFSET .. 86399 of `day` (index = second + _TIME_OFFSET)."""
    clock = [f"{h:02d}:{m:02d}:{s:02d} GMT" for h in range(24) for m in range(60) for s in range(60)]
    today = rfc1123_prefix(day)
    before = rfc1123_prefix(day - dt.timedelta(days=1))
    return [before + c for c in clock[-_TIME_OFFSET:]] + [today + c for c in clock]


def assign_periods(traffic: DayTraffic, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(logged time in whole seconds, period index, order key) per event.

    Late lines wrap: one that would land in tomorrow's first object lands in today's
    first object instead, stamped yesterday (a steady-state day)."""
    n = len(traffic)
    t = np.floor(traffic.ts).astype(np.int64)
    late = rng.random(n) < LATE_SHARE
    # Make sure the first objects of the day carry some of yesterday's late lines even
    # on small days (at real volumes this happens on its own).
    tail = np.flatnonzero(t >= SECONDS_PER_DAY - 150)
    forced = np.zeros(n, dtype=bool)
    if tail.size:
        k = min(tail.size, max(3, int(late[tail].sum())))
        forced[rng.choice(tail, size=k, replace=False)] = True
    late |= forced
    delay = rng.uniform(10.0, MAX_LATE_SECONDS, n)
    arrive = t + delay
    own_period = t // PERIOD_SECONDS
    same = np.floor(arrive / PERIOD_SECONDS).astype(np.int64) == own_period
    arrive = np.where(same, (own_period + 1) * PERIOD_SECONDS + rng.uniform(0.0, 15.0, n), arrive)
    arrive = np.where(forced, np.maximum(arrive, SECONDS_PER_DAY + rng.uniform(0.0, 40.0, n)), arrive)
    period = np.where(late, np.floor(arrive / PERIOD_SECONDS).astype(np.int64), own_period)
    order = np.where(late, arrive, t + rng.uniform(0.0, 2.5, n))  # a little jitter
    wrapped = period >= PERIODS_PER_DAY
    period = np.where(wrapped, period - PERIODS_PER_DAY, period)
    t = np.where(wrapped, t - SECONDS_PER_DAY, t)
    order = np.where(wrapped, order - SECONDS_PER_DAY, order)
    return t, period, order


def object_name(kind: str, start: dt.datetime, suffix: str) -> str:
    """downloads/2021/01/07/20/54/downloads-2021-01-07-20-54-2021-01-07T20-54-00.000-<suffix>.log.gz"""
    folder = start.strftime("%Y/%m/%d/%H/%M")
    stamp = start.strftime("%Y-%m-%d-%H-%M")
    iso = start.strftime("%Y-%m-%dT%H-%M-%S") + ".000"
    return f"{kind}/{folder}/{kind}-{stamp}-{iso}-{suffix}.log.gz"


def day_folders(date: dt.date) -> list[str]:
    """The folders (relative to the output) that hold one day's objects and nothing else."""
    return [f"{kind}/{date:%Y/%m/%d}" for kind in ("downloads", "simple")]


def write(traffic: DayTraffic, output: Path) -> WrittenLogs:
    """Write the day's objects under `output`; return where every event went."""
    rng = np.random.default_rng([traffic.seed, traffic.date.toordinal(), 2])
    n = len(traffic)
    t, period, order = assign_periods(traffic, rng)
    sort = np.lexsort((order, traffic.kind, period))  # by period, then kind, then arrival

    cat = traffic.catalog
    times = _time_strings(traffic.date)
    countries = traffic.countries + [_NULL]  # index -1 = (null)
    uas = [c.ua if c.ua is not None else _NULL for c in traffic.clients]
    tls = [c.tls for c in traffic.clients]
    file_path = [f.url_path for f in cat.files]
    file_meta = [f"{cat.names[f.project]}|{f.version}|{f.package_type}" for f in cat.files]
    simple_path = [f"/simple/{name}/" for name in traffic.index_names]

    s_kind = traffic.kind[sort]
    s_period = period[sort]
    keys = s_period * 2 + s_kind
    bounds = np.flatnonzero(np.diff(keys)) + 1 if n else np.zeros(0, dtype=np.int64)
    starts = np.concatenate(([0], bounds)) if n else np.zeros(0, dtype=np.int64)
    ends = np.concatenate((bounds, [n])) if n else np.zeros(0, dtype=np.int64)
    suffixes = SUFFIX_ALPHABET[rng.integers(0, len(SUFFIX_ALPHABET), size=(len(starts), 20))]

    l_time = (t[sort] + _TIME_OFFSET).tolist()
    l_country = traffic.country[sort].tolist()
    l_client = traffic.client[sort].tolist()
    l_target = traffic.target[sort].tolist()
    midnight = dt.datetime.combine(traffic.date, dt.time(0, 0))

    files: list[str] = []
    line_file = np.empty(n, dtype=np.int32)
    line_no = np.empty(n, dtype=np.int32)
    written = 0
    for g, (a, b) in enumerate(zip(starts.tolist(), ends.tolist())):
        kind = "downloads" if s_kind[a] == KIND_DOWNLOAD else "simple"
        start = midnight + dt.timedelta(seconds=int(s_period[a]) * PERIOD_SECONDS)
        rel = object_name(kind, start, "".join(suffixes[g]))
        rows = zip(l_time[a:b], l_country[a:b], l_client[a:b], l_target[a:b])
        if kind == "downloads":
            text = "".join(
                [f"download|{times[ti]}|{countries[k]}|{file_path[f]}|{tls[c]}|{file_meta[f]}|{uas[c]}\n" for ti, k, c, f in rows]
            )
        else:
            text = "".join([f"simple|{times[ti]}|{countries[k]}|{simple_path[p]}|{tls[c]}||||{uas[c]}\n" for ti, k, c, p in rows])
        data = _compress(text.encode("utf-8"))
        path = output / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += len(data)
        files.append(rel)
        line_file[a:b] = g
        line_no[a:b] = np.arange(1, b - a + 1, dtype=np.int32)
    return WrittenLogs(files=files, line_event=sort, line_file=line_file, line_no=line_no, event_time=t, bytes_written=written)
