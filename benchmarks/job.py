"""One daily-job measurement in its own process, so peak RSS and CPU time are its own."""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time

from pipelines.jobs.daily import DailyJobConfig, run_daily


def main(date: str, data: str, out: str) -> None:
    config = DailyJobConfig(date=dt.date.fromisoformat(date), input=data, output=out, secret=b"bench-secret-0123456789abcdef", file_sizes=f"{data}/file_sizes.csv")
    start = time.perf_counter()
    manifest = run_daily(config, show_progress=False)
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "lines": manifest["lines"]["read"],
        "seconds": round(seconds, 2),
        "lines_per_second": round(manifest["lines"]["read"] / seconds),
        "input_mb": round(sum(i["size"] for i in manifest["inputs"]) / 1e6, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
    }))


if __name__ == "__main__":
    main(*sys.argv[1:4])
