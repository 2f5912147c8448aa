import datetime as dt

import pytest

from pipelines.classify.evaluate import evaluate, report
from pipelines.synth import generate_day

DAY = dt.date(2026, 11, 20)


@pytest.fixture(scope="module")
def labelled_day(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    generate_day(DAY, 20_000, 4, root)
    return root, root / "labels" / f"date={DAY}" / "labels.parquet"


def test_accuracy_targets_on_the_generators_ground_truth(labelled_day):
    _, labels = labelled_day
    result = evaluate(str(labels))
    assert result.lines == 20_000
    scores = result.precision_recall()
    for cls in ("human", "ci", "mirror", "bot"):  # issue 3's targets
        precision, recall, n = scores[cls]
        assert n > 0 and precision >= 0.98 and recall >= 0.98, (cls, scores[cls])
    marked_lines, marked_found = result.agents["marked"]
    assert marked_lines > 0 and marked_found == marked_lines
    text = report(result)
    assert "truth \\ predicted" in text and "behaviour-only" in text


def test_a_wrong_rule_shows_up_in_the_matrix(labelled_day, tmp_path):
    _, labels = labelled_day
    rules = tmp_path / "bad.toml"
    rules.write_text(
        '[[rule]]\nid = "everything-pip-is-a-bot"\nclient_class = "bot"\nclient_subclass = "bot/crawler"\n'
        'confidence = "fingerprint"\nwhy = "deliberately wrong"\nfamily = ["pip"]\nexamples = ["pip/24.2"]\n'
    )
    result = evaluate(str(labels), rules=str(rules))
    precision, _, _ = result.precision_recall()["bot"]
    assert precision < 0.5
    assert result.confusion[("human", "bot")] > 0 and result.confusion[("ci", "bot")] > 0
