"""The benchmark harness runs and writes its results (no timing asserts: numbers come from `make bench`)."""

import json
import subprocess
import sys

from conftest import REPO


def test_bench_smoke_writes_results(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--smoke", "--results", str(tmp_path / "results"), "--cache", str(tmp_path / "cache")],
        cwd=REPO, check=True, capture_output=True, text=True, timeout=300,
    )
    (result_file,) = (tmp_path / "results").glob("*-smoke.json")
    result = json.loads(result_file.read_text())
    assert [r["lines"] for r in result["daily_job"]] == [5_000, 10_000]
    assert all(r["lines_per_second"] > 0 and r["peak_rss_mb"] > 0 for r in result["daily_job"])
    assert result["classifier"]["distinct_user_agents"] == 2_000
    assert "| lines | seconds |" in result_file.with_suffix(".md").read_text()
