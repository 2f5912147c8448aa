"""Tests for pipelines.classify: the shipped rules, operator overrides, rules-file validation, the crawler list."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.classify import (
    CLIENT_CLASSES,
    CONFIDENCES,
    Classification,
    Classifier,
    RulesError,
    shared_crawler_matcher,
)
from pipelines.classify.substrings import SubstringIndex

SHIPPED = Classifier()
SHIPPED_IDS = [rule.id for rule in SHIPPED.rules]


def decide(ua: str | None) -> Classification:
    return SHIPPED.classify(ua)[1]


# ---------------------------------------------------------------- the shipped rules

@pytest.mark.parametrize("rule", SHIPPED.rules, ids=SHIPPED_IDS)
def test_every_example_is_decided_by_its_rule(rule):
    assert rule.examples, "every rule needs examples"
    for example in rule.examples:
        assert decide(example).evidence == rule.id, example
        assert rule.id in SHIPPED.explain(example)


def test_rules_are_well_formed():
    assert len(SHIPPED_IDS) == len(set(SHIPPED_IDS))
    assert SHIPPED.rules[-1].id == "default" and SHIPPED.rules[-1].is_default
    for rule in SHIPPED.rules:
        assert rule.client_class in CLIENT_CLASSES
        assert rule.confidence in CONFIDENCES
        assert rule.client_subclass.startswith(rule.client_class + "/")


@pytest.mark.parametrize("ua", [
    "python-requests/2.32.3",
    "python-requests/2.7.0 CPython/3.7.0 Darwin/17.7.0",
    "curl/8.5.0",
    "Wget/1.21.4",
    "python-httpx/0.27.0",
    "Python/3.11 aiohttp/3.9.1",
    "Go-http-client/1.1",
    "okhttp/4.12.0",
    "axios/1.8.4",
    "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
    "Python-urllib/3.11",
    "python-urllib3/2.2.1",
])
def test_generic_http_libraries_are_scripts_not_bots(ua):
    # crawler-user-agents lists these (tag http-library); on a registry they are scripts
    assert decide(ua) == Classification("unknown", "unknown/script", "http-library-script", "fingerprint")


def test_gptbot_is_an_ai_crawler():
    ua = "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1; +https://openai.com/gptbot)"
    result = decide(ua)
    assert (result.client_class, result.client_subclass) == ("bot", "bot/ai-crawler")


@pytest.mark.parametrize(("ua", "subclass"), [
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot",
     "ai_agent/chatgpt-user"),
    ("Claude-User (claude-code/2.1.86; +https://support.anthropic.com/)", "ai_agent/claude-code"),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Claude-User/1.0; +Claude-User@anthropic.com)",
     "ai_agent/claude-user"),
])
def test_ai_assistants_fetching_for_a_user_are_ai_agents(ua, subclass):
    assert decide(ua) == Classification("ai_agent", subclass, decide(ua).evidence, "declared")


def test_declared_agent_marker_wins_over_everything():
    result = decide('pip/25.0 {"ci":true,"installer":{"name":"pip","version":"25.0"},"user_data":"agent/claude-code"}')
    assert (result.client_subclass, result.confidence) == ("ai_agent/claude-code", "declared")


def test_pip_declaring_ci_is_declared_ci():
    result = decide('pip/25.0 {"ci":true,"cpu":"x86_64","installer":{"name":"pip","version":"25.0"},'
                    '"python":"3.12.3","system":{"name":"Linux","release":"6.8.0"}}')
    assert result == Classification("ci", "ci/unspecified", "ci-declared", "declared")


def test_npm_names_its_ci_vendor():
    assert decide("npm/10.2.4 node/v20.11.0 linux x64 workspaces/false ci/github-actions").client_subclass == \
        "ci/github-actions"


def test_uv_on_an_azure_kernel_without_ci_is_a_ci_fingerprint():
    ua = ('uv/0.1.22 {"installer":{"name":"uv","version":"0.1.22"},"python":"3.12.2",'
          '"implementation":{"name":"CPython","version":"3.12.2"},"distro":{"name":"Ubuntu","version":"22.04",'
          '"id":"jammy","libc":{"lib":"glibc","version":"2.35"}},"system":{"name":"Linux","release":"6.5.0-1016-azure"},'
          '"cpu":"x86_64","openssl_version":null,"setuptools_version":null,"rustc_version":null,"ci":null}')
    result = decide(ua)
    assert (result.client_class, result.client_subclass, result.confidence) == ("ci", "ci/cloud-azure", "fingerprint")
    # a fingerprint is never as sure as a declaration
    assert CONFIDENCES.index(result.confidence) > CONFIDENCES.index("declared")
    # the same uv on a laptop kernel is a human
    assert decide(ua.replace("6.5.0-1016-azure", "6.5.0-21-generic")).client_subclass == "human/uv"


def test_the_ci_fingerprint_caches_per_release_without_mixing_releases():
    classifier = Classifier()
    template = 'pip/24.0 {"installer":{"name":"pip","version":"24.0"},"system":{"name":"Linux","release":"%s"}}'
    answers = [classifier.classify(template % release)[1].client_subclass
               for release in ("6.5.0-1016-azure", "6.5.0-21-generic", "6.5.0-1016-azure", "5.4.0-1113-aws")]
    assert answers == ["ci/cloud-azure", "human/pip", "ci/cloud-azure", "ci/cloud-aws"]


@pytest.mark.parametrize(("ua", "subclass"), [
    (None, "unknown/empty"),
    ("", "unknown/empty"),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "bot/search-engine"),
    ("Mozilla/5.0 (Linux; Android 9; CUBOT X20) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
     "human/browser"),
    ("bandersnatch/6.5.0 (CPython 3.11.4-final0, Linux x86_64)", "mirror/bandersnatch"),
    ("cargo/1.88.0 (873a06493 2025-05-10)", "human/cargo"),
    ("Bazel/release 7.4.1", "unknown/build-tool"),
    ("some tool nobody knows", "unknown/unrecognised"),
])
def test_assorted_decisions(ua, subclass):
    assert decide(ua).client_subclass == subclass


def test_explain_lists_every_matching_rule_in_order():
    ua = "Claude-User (claude-code/2.1.86; +https://support.anthropic.com/)"
    ids = SHIPPED.explain(ua)
    assert ids[0] == decide(ua).evidence == "claude-code-web-fetch"
    assert ids[-1] == "default"
    assert ids == [rule_id for rule_id in SHIPPED_IDS if rule_id in ids]  # evaluation order
    assert {"ai-assistant-fetcher", "crawler-list-ai"} <= set(ids)


def test_classify_is_memoised_and_bounded():
    classifier = Classifier()
    classifier.MEMO_LIMIT = 3
    first = classifier.classify("curl/8.5.0")
    assert classifier.classify("curl/8.5.0") is first
    for i in range(10):
        classifier.classify(f"curl/8.{i}.0")
    assert len(classifier._memo) <= 3


# ---------------------------------------------------------------- operator rules

OPERATOR_RULES = textwrap.dedent('''
    [[rule]]
    id = "corp-build-farm"
    client_class = "ci"
    client_subclass = "ci/corp-build-farm"
    confidence = "declared"
    why = "Our build farm appends corp-build/<n> to every user agent."
    ua_contains = ["corp-build/"]
    examples = ["pip/24.0 corp-build/17"]

    [[rule]]
    id = "browser-human"
    client_class = "unknown"
    client_subclass = "unknown/browser"
    confidence = "fingerprint"
    why = "On our internal mirror, browsers are link checkers, not people."
    family = ["browser"]
    examples = ["Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"]
''')


def test_operator_rules_come_first_and_replace_shipped_rules_by_id(tmp_path):
    path = tmp_path / "operator.toml"
    path.write_text(OPERATOR_RULES)
    classifier = Classifier(extra_rules=path)
    ids = [rule.id for rule in classifier.rules]

    assert ids[0] == "corp-build-farm"
    assert ids[1:] == SHIPPED_IDS  # the override kept its place
    assert classifier.rules[ids.index("browser-human")].client_subclass == "unknown/browser"
    assert classifier.classify("pip/24.0 corp-build/17")[1] == Classification(
        "ci", "ci/corp-build-farm", "corp-build-farm", "declared")
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
    assert classifier.classify(firefox)[1].client_subclass == "unknown/browser"
    assert decide(firefox).client_subclass == "human/browser"  # the shipped classifier is untouched
    assert classifier.check_examples() == []
    assert Classifier(extra_rules=str(path)).rules == classifier.rules  # a str path works too


def test_a_classifier_pickles_as_its_rules_files(tmp_path):
    import pickle

    path = tmp_path / "operator.toml"
    path.write_text(OPERATOR_RULES)
    copy = pickle.loads(pickle.dumps(Classifier(extra_rules=path)))
    assert copy.rules == Classifier(extra_rules=path).rules
    assert copy.classify("pip/24.0 corp-build/17")[1].evidence == "corp-build-farm"


GOOD_RULE = {
    "id": '"x-rule"', "client_class": '"bot"', "client_subclass": '"bot/x"', "confidence": '"fingerprint"',
    "why": '"Because."', "examples": '["x-agent/1.0"]', "ua_prefix": '["x-agent/"]',
}


def _rules_file(tmp_path, **changes) -> str:
    fields = {**GOOD_RULE, **changes}
    body = "\n".join(f"{key} = {value}" for key, value in fields.items() if value is not None)
    path = tmp_path / "rules.toml"
    path.write_text(f"[[rule]]\n{body}\n")
    return str(path)


def test_a_good_operator_rule_loads(tmp_path):
    classifier = Classifier(extra_rules=_rules_file(tmp_path))
    assert classifier.classify("x-agent/1.0")[1].evidence == "x-rule"


@pytest.mark.parametrize(("changes", "message"), [
    ({"user_agent_contains": '["x"]'}, "unknown key 'user_agent_contains'"),
    ({"client_class": '"robot"'}, "client_class 'robot' is not one of"),
    ({"client_subclass": '"ci/x"'}, "client_subclass 'ci/x' must look like 'bot/<name>'"),
    ({"client_subclass": '"bot/{vendor}"'}, "placeholder {vendor}"),
    ({"confidence": '"certain"'}, "confidence 'certain' is not one of"),
    ({"ua_regex": '"(unclosed"'}, "ua_regex '(unclosed' is not a valid regular expression"),
    ({"system_release_regex": '"*azure"'}, "system_release_regex '*azure' is not a valid regular expression"),
    ({"examples": None}, "has no examples"),
    ({"examples": "[]"}, "has no examples"),
    ({"why": None}, "has no 'why'"),
    ({"id": '"Not Kebab"'}, "must be kebab-case"),
    ({"id": None}, "rule #1: has no 'id'"),
    ({"family": '["pipx"]'}, "family 'pipx' is not a family"),
    ({"crawler_tag": '["robots"]'}, "crawler_tag 'robots' is not one of"),
    ({"ci_declared": '"yes"'}, "ci_declared must be true or false"),
    ({"ua_contains": '[" "]'}, "non-blank strings"),
    ({"ua_prefix": None}, "has no conditions, so every rule after it would be dead"),
])
def test_bad_rules_files_raise_one_line_rules_errors(tmp_path, changes, message):
    with pytest.raises(RulesError) as error:
        Classifier(extra_rules=_rules_file(tmp_path, **changes))
    text = str(error.value)
    assert message in text
    assert "\n" not in text
    if changes.get("id", "") is not None:
        assert "'x-rule'" in text or "Not Kebab" in text


def test_rules_file_syntax_and_duplicates(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[[rule]\nid = 1")
    with pytest.raises(RulesError, match="not valid TOML"):
        Classifier(extra_rules=path)
    path.write_text(open(_rules_file(tmp_path)).read() * 2)
    with pytest.raises(RulesError, match="'x-rule': id is used twice"):
        Classifier(extra_rules=path)
    with pytest.raises(RulesError, match="cannot read rules file"):
        Classifier(extra_rules=tmp_path / "missing.toml")


def test_overriding_the_default_with_conditions_is_refused(tmp_path):
    path = _rules_file(tmp_path, id='"default"', client_class='"unknown"', client_subclass='"unknown/x"')
    with pytest.raises(RulesError, match="'default': is the last rule but has conditions"):
        Classifier(extra_rules=path)


# ---------------------------------------------------------------- the crawler list and the substring scan

def test_crawler_matcher_agrees_with_running_every_pattern():
    from crawleruseragents import CRAWLER_USER_AGENTS_DATA

    matcher = shared_crawler_matcher()
    instances = [ua for entry in CRAWLER_USER_AGENTS_DATA for ua in entry.get("instances") or ()]
    sample = instances[::5] + [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    ]
    for ua in sample:
        brute_force = [entry for entry in matcher.entries if entry.regex.search(ua)]
        assert matcher.matches(ua) == brute_force, ua


def test_crawler_matcher_leaves_out_http_libraries():
    matcher = shared_crawler_matcher()
    assert all("http-library" not in entry.tags for entry in matcher.entries)
    for ua in ("python-requests/2.32.3", "curl/8.5.0", "Go-http-client/1.1", "aiohttp/3.9", "Wget/1.21"):
        assert matcher.tags(ua) == frozenset()
    assert "ai-crawler" in matcher.tags("Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)")


@settings(max_examples=150, deadline=None)
@given(
    needles=st.lists(st.text(alphabet="ab /.1c", min_size=1, max_size=6).filter(str.strip), min_size=1, max_size=8),
    texts=st.lists(st.text(alphabet="ab /.1cX", max_size=30), min_size=1, max_size=5),
)
def test_substring_index_is_exact(needles, texts):
    index = SubstringIndex(needles)
    for text in texts:  # twice: the second time from the segment cache
        for _ in range(2):
            assert index.found(text) == [i for i, needle in enumerate(index.needles) if needle in text]


def test_substring_index_finds_needles_made_of_version_numbers():
    # version-number segments are skipped by the segment cache; needles made of them are tested directly
    index = SubstringIndex(["1.2.3", "ab 2.0.1", "008/", "gptbot"])
    assert index.found("x/1.2.3 ab 2.0.1 008/ gptbot/1.0") == [0, 1, 2, 3]
    assert index.found("x/1.2.4 ab 2.0.2 009/ gpt") == []


def test_the_packages_are_pure_python_without_beam():
    code = ("import sys, pipelines.useragents, pipelines.classify; "
            "pipelines.classify.Classifier().classify('curl/8.5.0'); "
            "sys.exit(1 if any(m.split('.')[0] == 'apache_beam' for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
