"""Synthetic registry CDN logs with ground-truth labels (demo, tests, benchmarks).

    >>> from pipelines.synth import generate_day
    >>> summary = generate_day(datetime.date(2025, 3, 4), lines=100_000, seed=7, output="demo-data")

The traffic model (catalog.py, clients.py, traffic.py) is independent of the log
format; fastly_pypi.py writes PyPI's Fastly format. Pure Python: no Beam here.
"""

from pipelines.synth.pypi import FORMATS, LABELS_SCHEMA, GenerationSummary, generate_day

__all__ = ["FORMATS", "LABELS_SCHEMA", "GenerationSummary", "generate_day"]
