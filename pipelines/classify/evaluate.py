"""Classifier accuracy against ground-truth labels (e.g. the generator's). Pure: no Beam.

The logs the labels describe are parsed with the same format adapters and classified
with the same rules as the daily job, then joined to the labels on (source_file,
source_line).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines import formats
from pipelines.classify import CLIENT_CLASSES, Classifier
from pipelines.io.decode import iter_blocks

NOT_PARSED = "(not parsed)"


@dataclass
class Evaluation:
    confusion: Counter  # (true class, predicted class) -> lines
    agents: dict[str, tuple[int, int]]  # 'marked' / 'behaviour-only' -> (true agent lines, found as ai_agent)

    @property
    def lines(self) -> int:
        return sum(self.confusion.values())

    def precision_recall(self) -> dict[str, tuple[float | None, float | None, int]]:
        """class -> (precision, recall, true lines); None where undefined (nothing predicted / no truth)."""
        out = {}
        for cls in CLIENT_CLASSES:
            tp = self.confusion[(cls, cls)]
            predicted = sum(n for (_, p), n in self.confusion.items() if p == cls)
            actual = sum(n for (t, _), n in self.confusion.items() if t == cls)
            out[cls] = (tp / predicted if predicted else None, tp / actual if actual else None, actual)
        return out


def _predictions(logs_root: str, source_files: list[str], classifier: Classifier) -> pa.Table:
    parts = []
    for rel in source_files:
        with open(os.path.join(logs_root, rel), "rb") as raw:
            adapter = None
            for block in iter_blocks(raw):
                if not block.data:
                    continue
                adapter = adapter or formats.sniff_format(block.data[:4096])
                if adapter is None:
                    break
                events = adapter.parse_block(block.data, block.first_line).events
                ua = events.column("user_agent").combine_chunks().dictionary_encode()
                distinct = ua.dictionary.to_pylist() + [None]
                classes = pa.array([classifier.classify(u)[1].client_class for u in distinct])
                predicted = classes.take(pc.fill_null(ua.indices, len(distinct) - 1))
                n = events.num_rows
                parts.append(pa.table({"source_file": pa.nulls(n, pa.string()).fill_null(rel), "source_line": events.column("source_line"), "predicted": predicted}))
    if not parts:
        return pa.table({"source_file": pa.array([], pa.string()), "source_line": pa.array([], pa.int64()), "predicted": pa.array([], pa.string())})
    return pa.concat_tables(parts)


def evaluate(labels_path: str, logs_root: str | None = None, rules: str | None = None) -> Evaluation:
    """Labels parquet (source_file relative to logs_root, source_line, client_class, agent_marked)."""
    labels = pq.read_table(labels_path, columns=["source_file", "source_line", "client_class", "agent_marked"])
    if logs_root is None:  # <root>/labels/date=D/labels.parquet
        logs_root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(labels_path))))
    predictions = _predictions(logs_root, sorted(labels.column("source_file").unique().to_pylist()), Classifier(rules))
    joined = labels.join(predictions, ["source_file", "source_line"], join_type="left outer")
    truth = joined.column("client_class").to_pylist()
    predicted = [p or NOT_PARSED for p in joined.column("predicted").to_pylist()]
    marked = joined.column("agent_marked").to_pylist()
    agents = {"marked": [0, 0], "behaviour-only": [0, 0]}
    for t, p, m in zip(truth, predicted, marked):
        if t == "ai_agent":
            bucket = agents["marked" if m else "behaviour-only"]
            bucket[0] += 1
            bucket[1] += p == "ai_agent"
    return Evaluation(Counter(zip(truth, predicted)), {k: tuple(v) for k, v in agents.items()})


def report(evaluation: Evaluation) -> str:
    """Confusion matrix and per-class precision/recall as text."""
    predicted_classes = list(CLIENT_CLASSES) + ([NOT_PARSED] if any(p == NOT_PARSED for _, p in evaluation.confusion) else [])
    width = max(len(c) for c in predicted_classes) + 2
    lines = [f"{evaluation.lines:,} labelled lines. Rows: truth; columns: predicted.", ""]
    lines.append("truth \\ predicted".ljust(18) + "".join(c.rjust(width) for c in predicted_classes))
    for t in CLIENT_CLASSES:
        lines.append(t.ljust(18) + "".join(f"{evaluation.confusion[(t, p)]:,}".rjust(width) for p in predicted_classes))
    lines += ["", "class".ljust(18) + "precision".rjust(12) + "recall".rjust(12) + "lines".rjust(12)]
    fmt = lambda v: "n/a" if v is None else f"{v:.4f}"  # noqa: E731
    for cls, (precision, recall, n) in evaluation.precision_recall().items():
        lines.append(cls.ljust(18) + fmt(precision).rjust(12) + fmt(recall).rjust(12) + f"{n:,}".rjust(12))
    lines.append("")
    for kind, (n, found) in evaluation.agents.items():
        share = "n/a" if not n else f"{found / n:.4f}"
        lines.append(f"ai_agent, {kind}: {n:,} lines, recall {share}")
    if evaluation.agents["behaviour-only"][0] == 0:
        lines.append("(no behaviour-only agents in these labels: agent recall here covers explicitly marked agents only)")
    return "\n".join(lines)
