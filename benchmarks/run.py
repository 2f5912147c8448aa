"""`make bench`: measured speed of regmeter on this machine, written to benchmarks/results/.

Generates realistic days once (cached in benchmarks/.cache/), then measures the daily job
end to end at several sizes (cost should grow linearly, peak memory stay flat) and the
classifier's distinct-user-agent rate. `--smoke` runs a tiny version that only checks
the harness (CI); its numbers mean nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.ua_speed import distinct_user_agents, measure
from pipelines.synth import generate_day

HERE = Path(__file__).resolve().parent
DAY = dt.date(2026, 11, 20)


def dataset(lines: int, cache: Path) -> Path:
    path = cache / f"pypi-{lines}-seed1"
    if not (path / "file_sizes.csv").exists():
        shutil.rmtree(path, ignore_errors=True)
        generate_day(DAY, lines, 1, path)
    return path


def job(data: Path) -> dict:
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run([sys.executable, "-m", "benchmarks.job", DAY.isoformat(), str(data), out], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def markdown(result: dict) -> str:
    rows = "\n".join(
        f"| {r['lines']:,} | {r['seconds']} | {r['lines_per_second']:,} | {r['input_mb']} | {r['cpu_seconds']} | {r['peak_rss_mb']} |" for r in result["daily_job"]
    )
    ua = result["classifier"]
    return f"""# regmeter benchmark, {result['date']}

Machine: {result['machine']['cores']} cores, Python {result['machine']['python']}. Daily job on Beam's local runner (FnApiRunner,
{result['machine']['cores']} worker threads), end to end: read, decompress, parse, classify, aggregate, write Parquet
+ dead letters + manifest. PyPI Fastly format, synthetic day (seed 1).

| lines | seconds | lines/s | input MB (gzip) | CPU s | peak RSS MB |
|---|---|---|---|---|---|
{rows}

Classifier (parse + classify, one core, cold memo): {ua['per_second']:,} distinct user agents/s over {ua['distinct_user_agents']:,} distinct UAs.

Not yet measured here (issue 5): DuckDB SQL, linehaul and per-line Beam side by side; per-stage profile.
"""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000000,2000000,4000000", help="comma-separated line counts")
    parser.add_argument("--smoke", action="store_true", help="tiny run to check the harness (CI)")
    parser.add_argument("--results", default=str(HERE / "results"))
    parser.add_argument("--cache", default=str(HERE / ".cache"))
    args = parser.parse_args(argv)
    sizes = [5_000, 10_000] if args.smoke else [int(s) for s in args.sizes.split(",")]
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    runs = []
    for lines in sizes:
        data = dataset(lines, cache)
        runs.append(job(data))
        print(f"daily job, {lines:,} lines: {runs[-1]}", flush=True)
    uas = distinct_user_agents()
    classifier = measure(uas[:2_000] if args.smoke else uas)
    print(f"classifier: {classifier}", flush=True)
    result = {
        "date": dt.date.today().isoformat(),
        "smoke": args.smoke,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "daily_job": runs,
        "classifier": classifier,
    }
    out = Path(args.results)
    out.mkdir(parents=True, exist_ok=True)
    stem = out / (result["date"] + ("-smoke" if args.smoke else ""))
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(result))
    print(f"wrote {stem}.json and {stem}.md")


if __name__ == "__main__":
    main()
