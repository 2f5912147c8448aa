"""Client classification: ordered rules kept as data (rules.toml), applied to parsed user agents.

    >>> info, decision = Classifier().classify("Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)")
    >>> decision.client_subclass, decision.confidence
    ('bot/ai-crawler', 'fingerprint')

Pure Python, no Beam. `classify` runs once per distinct user agent and is
memoised; `explain` lists every rule that matches, for debugging a rule set.
Each rule's static conditions (family, installer, ci_declared,
agent_declared) are settled once per combination of those four values, so a
user agent is only tested against the string conditions of rules that can
still apply to it; long ua_contains lists and the crawler list share one
substring scan per user agent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipelines.useragents import UserAgentInfo, parse_user_agent

from .crawlers import CrawlerMatcher
from .rules import (
    CLIENT_CLASSES,
    CONDITIONS,
    CONFIDENCES,
    CRAWLER_TAGS,
    Rule,
    RulesError,
    load_rules,
    merge_rules,
    parse_rules,
)
from .substrings import SubstringIndex

__all__ = [
    "CLIENT_CLASSES", "CONDITIONS", "CONFIDENCES", "CRAWLER_TAGS", "SHIPPED_RULES",
    "Classification", "Classifier", "Rule", "RulesError", "load_rules", "parse_rules",
]

SHIPPED_RULES = Path(__file__).resolve().parent / "rules.toml"
UNSPECIFIED = "unspecified"  # what a placeholder becomes when the user agent does not say


@dataclass(frozen=True, slots=True)
class Classification:
    client_class: str
    client_subclass: str
    evidence: str  # id of the deciding rule
    confidence: str


@cache
def shared_crawler_matcher() -> CrawlerMatcher:
    """One matcher per process: reading the list and compiling its patterns takes ~0.1 s."""
    return CrawlerMatcher()


@cache
def _shared_scanner(needles: tuple[str, ...]) -> SubstringIndex:
    """One index per distinct needle set, shared by every Classifier of the process."""
    return SubstringIndex(needles, corpus=shared_crawler_matcher().corpus)


def _slug(value: str) -> str:
    """Subclass names are kebab-case: 'z3c.pypimirror' → 'z3c-pypimirror', 'Claude Code' → 'claude-code'."""
    return re.sub(r"[\s._]+", "-", value.strip().strip("/").lower())


class _Context:
    """One user agent being classified; derived values are computed when a rule first needs them."""

    __slots__ = ("ua", "info", "match", "_scanner", "_low", "_found", "_crawler_tags")

    def __init__(self, ua: str, info: UserAgentInfo, scanner: SubstringIndex | None):
        self.ua = ua
        self.info = info
        self.match: str | None = None  # the ua_contains/ua_prefix text that matched, for {match}
        self._scanner = scanner
        self._low: str | None = None
        self._found: frozenset[str] | None = None
        self._crawler_tags: frozenset[str] | None = None

    @property
    def low(self) -> str:
        if self._low is None:
            self._low = self.ua.lower()
        return self._low

    @property
    def found(self) -> frozenset[str]:
        """Every scanned needle (long ua_contains lists, crawler-list literals) occurring in the user agent.

        One pass serves every rule: scanning once per rule cost ~2 us each.
        """
        if self._found is None:
            scanner = self._scanner
            if scanner is None or not self.ua:
                self._found = frozenset()
            else:
                needles = scanner.needles
                self._found = frozenset([needles[i] for i in scanner.found(self.low)])
        return self._found

    @property
    def crawler_tags(self) -> frozenset[str]:
        if self._crawler_tags is None:
            self._crawler_tags = shared_crawler_matcher().tags(self.ua, self.found) if self.ua else frozenset()
        return self._crawler_tags


Check = Callable[[_Context], bool]
StaticKey = tuple  # (family, installer_name, ci_declared is True, agent_declared is not None)
# Above this many ua_contains needles, the shared scan beats testing each with `in`.
_LONG_NEEDLE_LIST = 8
_DYNAMIC_CONDITIONS = frozenset(CONDITIONS) - {"family", "installer", "ci_declared", "agent_declared"}


def _static_ok(rule: Rule, key: StaticKey) -> bool:
    family, installer, ci, agent = key
    conditions = rule.conditions
    if "family" in conditions and family not in conditions["family"]:
        return False
    if "installer" in conditions and installer not in conditions["installer"]:
        return False
    if "ci_declared" in conditions and conditions["ci_declared"] != ci:
        return False
    if "agent_declared" in conditions and conditions["agent_declared"] != agent:
        return False
    return True


def _scanned_needles(rule: Rule) -> tuple[str, ...]:
    """The needles of this rule that go through the shared scan."""
    needles = rule.conditions.get("ua_contains", ())
    return tuple(needle.lower() for needle in needles) if len(needles) > _LONG_NEEDLE_LIST else ()


def _dynamic_checks(rule: Rule) -> tuple[Check, ...]:
    """The rule's string conditions as functions of a context, cheapest first."""
    conditions = rule.conditions
    checks: list[Check] = []
    if "ua_prefix" in conditions:
        prefixes = tuple(prefix.lower() for prefix in conditions["ua_prefix"])

        def ua_prefix(ctx: _Context) -> bool:
            low = ctx.low
            for prefix in prefixes:
                if low.startswith(prefix):
                    ctx.match = prefix
                    return True
            return False

        checks.append(ua_prefix)
    if "ua_contains" in conditions:
        needles = tuple(needle.lower() for needle in conditions["ua_contains"])
        if _scanned_needles(rule):
            rank = {needle: position for position, needle in enumerate(needles)}
            wanted = frozenset(needles)

            def ua_contains(ctx: _Context) -> bool:
                hits = wanted & ctx.found
                if not hits:
                    return False
                ctx.match = min(hits, key=rank.__getitem__)
                return True
        else:
            def ua_contains(ctx: _Context) -> bool:
                low = ctx.low
                for needle in needles:
                    if needle in low:
                        ctx.match = needle
                        return True
                return False

        checks.append(ua_contains)
    if "system_release_regex" in conditions:
        release_search = re.compile(conditions["system_release_regex"]).search

        def system_release(ctx: _Context) -> bool:
            release = ctx.info.system_release
            return release is not None and release_search(release) is not None

        checks.append(system_release)
    if "ua_regex" in conditions:
        ua_search = re.compile(conditions["ua_regex"]).search
        checks.append(lambda ctx: ua_search(ctx.ua) is not None)
    if "crawler_list" in conditions:
        wanted_any = conditions["crawler_list"]
        checks.append(lambda ctx: bool(ctx.crawler_tags) == wanted_any)
    if "crawler_tag" in conditions:
        tags = frozenset(conditions["crawler_tag"])
        checks.append(lambda ctx: not tags.isdisjoint(ctx.crawler_tags))
    return tuple(checks)


class _CompiledRule:
    __slots__ = ("rule", "checks", "fixed", "templated", "release_only")

    def __init__(self, rule: Rule):
        self.rule = rule
        self.checks = _dynamic_checks(rule)
        # Whether the rule's only string condition is on the system release (see Classifier._decide).
        self.release_only = set(rule.conditions) & _DYNAMIC_CONDITIONS <= {"system_release_regex"}
        self.templated = "{" in rule.client_subclass
        self.fixed = None if self.templated else Classification(
            rule.client_class, rule.client_subclass, rule.id, rule.confidence)


class Classifier:
    """Decides the client class of user agents with the shipped rules, optionally preceded by an operator's rules.

    `extra_rules`: a rules file in the same TOML format. Its rules are
    evaluated before the shipped ones; a rule with a shipped rule's id
    replaces that rule in place.
    """

    # Measured: ~0.8 kB per memoised pip/uv user agent plus the string itself (~1.2 kB in all),
    # so ~250 MB at the limit; the memo is simply cleared when full.
    MEMO_LIMIT = 200_000

    def __init__(self, extra_rules: str | Path | None = None):
        self._extra_rules = extra_rules
        shipped = load_rules(SHIPPED_RULES)
        extra = load_rules(extra_rules) if extra_rules is not None else []
        self._rules = merge_rules(shipped, extra)
        self._compiled = [_CompiledRule(rule) for rule in self._rules]
        # One scan per user agent for every long needle list and the crawler list.
        needles: dict[str, None] = {}
        for rule in self._rules:
            needles.update(dict.fromkeys(_scanned_needles(rule)))
            if "crawler_list" in rule.conditions or "crawler_tag" in rule.conditions:
                needles.update(dict.fromkeys(shared_crawler_matcher().literals))
        self._scanner = _shared_scanner(tuple(needles)) if needles else None
        self._by_key: dict[StaticKey, tuple[tuple[_CompiledRule, ...], bool]] = {}
        self._templated: dict[tuple[str, str], Classification] = {}
        self._by_release: dict[tuple[StaticKey, str | None], _CompiledRule] = {}
        self._memo: dict[str | None, tuple[UserAgentInfo, Classification]] = {}

    def __reduce__(self):
        # Pickle as "build it again from the same files" (Beam ships DoFn state by pickling);
        # compiled checks and caches are rebuilt on the worker.
        return (Classifier, (self._extra_rules,))

    @property
    def rules(self) -> list[Rule]:
        """The rules in evaluation order (operator rules first, the default last)."""
        return list(self._rules)

    def classify(self, user_agent: str | None) -> tuple[UserAgentInfo, Classification]:
        """The parsed user agent and the decision of the first rule that matches it."""
        memo = self._memo
        found = memo.get(user_agent)
        if found is not None:
            return found
        if isinstance(user_agent, (bytes, bytearray)):
            return self.classify(user_agent.decode("utf-8", "replace"))
        info = parse_user_agent(user_agent)
        result = (info, self._decide(user_agent, info))
        if len(memo) >= self.MEMO_LIMIT:
            memo.clear()
        memo[user_agent] = result
        return result

    def explain(self, user_agent: str | None) -> list[str]:
        """Ids of every rule that matches `user_agent`, in evaluation order (the first one decides)."""
        if isinstance(user_agent, (bytes, bytearray)):
            user_agent = user_agent.decode("utf-8", "replace")
        info = parse_user_agent(user_agent)
        ctx = _Context(user_agent if isinstance(user_agent, str) else "", info, self._scanner)
        key = (info.family, info.installer_name, info.ci_declared is True, info.agent_declared is not None)
        return [
            compiled.rule.id for compiled in self._compiled
            if _static_ok(compiled.rule, key) and all(check(ctx) for check in compiled.checks)
        ]

    def check_examples(self) -> list[str]:
        """Problems with the rules' examples: each example must be decided by its own rule. Empty when all hold."""
        problems = []
        for rule in self._rules:
            for example in rule.examples:
                decided = self._decide(example, parse_user_agent(example))
                if decided.evidence != rule.id:
                    problems.append(f"rule '{rule.id}': example {example!r} is decided by '{decided.evidence}'")
        return problems

    def _candidates(self, key: StaticKey) -> tuple[tuple[_CompiledRule, ...], bool]:
        """Rules whose static conditions hold for `key`, up to the first with nothing left to test;
        and whether their string conditions are all on the system release."""
        found = self._by_key.get(key)
        if found is None:
            selected = []
            for compiled in self._compiled:
                if _static_ok(compiled.rule, key):
                    selected.append(compiled)
                    if not compiled.checks:
                        break
            if len(self._by_key) >= 10_000:  # installer names come from the user agent: keep this bounded
                self._by_key.clear()
            found = self._by_key[key] = (tuple(selected), all(c.release_only for c in selected))
        return found

    def _decide(self, user_agent: str | None, info: UserAgentInfo) -> Classification:
        key = (info.family, info.installer_name, info.ci_declared is True, info.agent_declared is not None)
        candidates, release_only = self._candidates(key)
        if release_only:
            # Most user agents (pip, uv) reach only rules on the kernel release, and
            # kernels repeat across user agents: remember the deciding rule per release.
            release_key = (key, info.system_release)
            compiled = self._by_release.get(release_key)
            if compiled is None:
                compiled = self._first_match(candidates, user_agent, info)[0]
                if len(self._by_release) >= self.MEMO_LIMIT:
                    self._by_release.clear()
                self._by_release[release_key] = compiled
            return compiled.fixed or self._fill(compiled.rule, info, None)
        compiled, ctx = self._first_match(candidates, user_agent, info)
        return compiled.fixed or self._fill(compiled.rule, info, ctx)

    def _first_match(self, candidates: tuple[_CompiledRule, ...], user_agent: str | None,
                     info: UserAgentInfo) -> tuple[_CompiledRule, _Context | None]:
        ctx = None
        for compiled in candidates:
            checks = compiled.checks
            if checks:
                if ctx is None:
                    ctx = _Context(user_agent if isinstance(user_agent, str) else "", info, self._scanner)
                for check in checks:
                    if not check(ctx):
                        break
                else:
                    return compiled, ctx
            else:
                return compiled, ctx
        raise AssertionError("the last rule has no conditions, so some rule always matches")

    def _fill(self, rule: Rule, info: UserAgentInfo, ctx: _Context | None) -> Classification:
        subclass = rule.client_subclass.format(
            agent=info.agent_declared or UNSPECIFIED,
            ci_vendor=info.ci_vendor or UNSPECIFIED,
            family=_slug(info.family),  # subclasses are kebab-case: z3c.pypimirror → z3c-pypimirror
            match=_slug(ctx.match) if ctx is not None and ctx.match else UNSPECIFIED,
        )
        cache_key = (rule.id, subclass)
        decision = self._templated.get(cache_key)
        if decision is None:
            if len(self._templated) >= 10_000:  # agent ids come from the user agent: keep this bounded
                self._templated.clear()
            decision = self._templated[cache_key] = Classification(
                rule.client_class, subclass, rule.id, rule.confidence)
        return decision
