"""Which day a log line belongs to, and what a daily run does with lines of other days.

Policy (documented in the README):
- a line whose UTC date is the run's date is kept;
- a line of another date in an object the NEIGHBOURING run also reads (the next day's
  first `late_minutes` objects, or this day's first `late_minutes` objects for lines of
  the previous day) is filtered as `other_date`: that run owns and counts it;
- any other line of another date is dead-lettered as `out_of_range` (kept, counted,
  visible), because no daily run would otherwise count it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyarrow as pa
import pyarrow.compute as pc

from pipelines.formats.common import DeadLetterCollector


def apply_day_policy(
    events: pa.Table,
    run_date: dt.date,
    object_times: pa.Array,
    late_minutes: int,
    dead: DeadLetterCollector,
    filtered: Counter,
) -> pa.Table:
    """Keep the run date's events; filter or dead-letter the rest (see module doc).

    object_times: per event, the period start of the object it came from (null when the
    object's path has no Fastly layout time).
    """
    if events.num_rows == 0:
        return events
    dates = pc.cast(events.column("timestamp"), pa.date32())
    on_day = pc.equal(dates, pa.scalar(run_date, pa.date32()))
    if pc.all(on_day).as_py():
        return events
    day = lambda d: pa.scalar(d, pa.date32())  # noqa: E731
    object_dates = pc.cast(object_times, pa.date32())
    late_end = dt.datetime.combine(run_date, dt.time(), dt.timezone.utc) + dt.timedelta(minutes=late_minutes)
    next_days_object = pc.equal(object_dates, day(run_date + dt.timedelta(days=1)))
    early_object = pc.and_(pc.equal(object_dates, day(run_date)), pc.less(object_times, pa.scalar(late_end, object_times.type)))
    previous_day_line = pc.equal(dates, day(run_date - dt.timedelta(days=1)))
    owned_elsewhere = pc.fill_null(pc.or_(next_days_object, pc.and_(early_object, previous_day_line)), False)
    other_date = pc.and_(pc.invert(on_day), owned_elsewhere)
    out_of_range = pc.and_(pc.invert(on_day), pc.invert(owned_elsewhere))
    filtered["other_date"] += pc.sum(pc.cast(other_date, pa.int64())).as_py() or 0
    lost = events.filter(out_of_range)
    if lost.num_rows:
        raw = pc.binary_join_element_wise(
            pc.cast(lost.column("timestamp"), pa.string()), pc.fill_null(lost.column("path"), ""), pc.fill_null(lost.column("user_agent"), ""), " | "
        )
        dead.add_arrays(lost.column("source_line"), raw, "out_of_range", f"timestamp is not on {run_date.isoformat()} and no neighbouring run reads this object", lost.column("source_file"))
    return events.filter(on_day)
