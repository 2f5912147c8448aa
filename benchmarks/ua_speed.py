"""Distinct user agents per second through parse + classify (one core), on a realistic mix."""

from __future__ import annotations

import gc
import random
import time

from pipelines.classify import Classifier
from pipelines.synth.clients import make_clients

MIX = {  # subclass -> clients (mostly pip/uv JSON UAs, as on PyPI)
    "human/pip": 30_000, "human/uv": 15_000, "ci/unspecified": 25_000, "ci/cloud-azure": 5_000,
    "human/poetry": 3_000, "human/browser": 6_000, "bot/ai-crawler": 1_000, "unknown/script": 5_000,
    "mirror/bandersnatch": 200, "ai_agent/claude-code": 1_000,
}


def distinct_user_agents(seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    uas = {c.ua for sub, n in MIX.items() for c in make_clients(sub, n, rng)}
    return sorted(u for u in uas if u)


def measure(uas: list[str], repeats: int = 3) -> dict:
    best = float("inf")
    for _ in range(repeats):
        classifier = Classifier()
        gc.collect()
        start = time.process_time()
        for ua in uas:
            classifier.classify(ua)
        best = min(best, time.process_time() - start)
    return {"distinct_user_agents": len(uas), "seconds": round(best, 3), "per_second": round(len(uas) / best)}


if __name__ == "__main__":
    print(measure(distinct_user_agents()))
