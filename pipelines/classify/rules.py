"""Classification rules kept as data: loading and validating rules.toml files.

A rules file is an ordered list of `[[rule]]` tables. Each rule names its
decision (client_class, client_subclass, confidence), says why, gives example
user agents it decides, and lists match conditions, all of which must hold.
The first matching rule decides.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from string import Formatter
from types import MappingProxyType

from pipelines.useragents import FAMILIES

CLIENT_CLASSES = ("human", "ci", "ai_agent", "mirror", "bot", "unknown")
CONFIDENCES = ("declared", "fingerprint", "behavioural", "default")

# Tags of crawler-user-agents entries (http-library entries are never matched),
# plus 'crawler', which every match carries.
CRAWLER_TAGS = frozenset({
    "crawler", "seo", "monitoring", "search-engine", "scanner", "advertising", "social-preview",
    "feed-reader", "ai-crawler", "archiver", "academic", "browser-automation",
})

# condition key -> (expected TOML type, description for error messages)
CONDITIONS: dict[str, tuple[type, str]] = {
    "family": (list, "a list of family names"),
    "installer": (list, "a list of installer names"),
    "ci_declared": (bool, "true or false"),
    "agent_declared": (bool, "true or false"),
    "ua_contains": (list, "a list of substrings"),
    "ua_prefix": (list, "a list of prefixes"),
    "ua_regex": (str, "a regular expression"),
    "system_release_regex": (str, "a regular expression"),
    "crawler_list": (bool, "true or false"),
    "crawler_tag": (list, "a list of crawler-user-agents tags"),
}
DECISION_KEYS = ("id", "client_class", "client_subclass", "confidence", "why", "examples")
PLACEHOLDERS = frozenset({"agent", "ci_vendor", "family", "match"})
_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RulesError(ValueError):
    """A rules file that cannot be used; the message is one line naming the file, the rule and the problem."""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    client_class: str
    client_subclass: str  # may hold {agent}, {ci_vendor}, {family}, {match}
    confidence: str
    why: str
    examples: tuple[str, ...]
    conditions: MappingProxyType = field(hash=False)  # condition key -> validated value (lists as tuples)
    source: str = "<rules>"

    @property
    def is_default(self) -> bool:
        """True for a rule with no conditions: it matches everything."""
        return not self.conditions


def _fail(source: str, rule_name: str, problem: str) -> RulesError:
    return RulesError(f"{source}: rule {rule_name}: {problem}")


def _validate_rule(raw: object, position: int, source: str) -> Rule:
    if not isinstance(raw, dict):
        raise _fail(source, f"#{position}", "is not a table")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise _fail(source, f"#{position}", "has no 'id'")
    name = f"'{rule_id}'"
    if not _ID_RE.match(rule_id):
        raise _fail(source, name, "id must be kebab-case (lower-case letters, digits and '-')")

    unknown = sorted(set(raw) - set(DECISION_KEYS) - set(CONDITIONS))
    if unknown:
        raise _fail(source, name, f"unknown key {unknown[0]!r} (conditions: {', '.join(CONDITIONS)})")

    client_class = raw.get("client_class")
    if client_class not in CLIENT_CLASSES:
        raise _fail(source, name, f"client_class {client_class!r} is not one of {', '.join(CLIENT_CLASSES)}")
    subclass = raw.get("client_subclass")
    if not isinstance(subclass, str) or not subclass.startswith(f"{client_class}/") or subclass == f"{client_class}/":
        raise _fail(source, name, f"client_subclass {subclass!r} must look like '{client_class}/<name>'")
    try:
        fields = {field_name for _, field_name, _, _ in Formatter().parse(subclass) if field_name is not None}
    except ValueError as error:
        raise _fail(source, name, f"client_subclass {subclass!r}: {error}") from None
    bad_fields = sorted(fields - PLACEHOLDERS)
    if bad_fields:
        raise _fail(source, name, f"client_subclass placeholder {{{bad_fields[0]}}} is not one of "
                                  f"{', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}")
    if "match" in fields and "ua_contains" not in raw and "ua_prefix" not in raw:
        raise _fail(source, name, "{match} needs a ua_contains or ua_prefix condition")
    confidence = raw.get("confidence")
    if confidence not in CONFIDENCES:
        raise _fail(source, name, f"confidence {confidence!r} is not one of {', '.join(CONFIDENCES)}")
    why = raw.get("why")
    if not isinstance(why, str) or not why.strip():
        raise _fail(source, name, "has no 'why' sentence")
    examples = raw.get("examples")
    if not isinstance(examples, list) or not examples:
        raise _fail(source, name, "has no examples (examples = [\"<user agent>\", ...])")
    if not all(isinstance(example, str) for example in examples):
        raise _fail(source, name, "examples must be strings")

    conditions: dict = {}
    for key, (expected, description) in CONDITIONS.items():
        if key not in raw:
            continue
        value = raw[key]
        if not isinstance(value, expected):
            raise _fail(source, name, f"{key} must be {description}, not {value!r}")
        if expected is list:
            if not value or not all(isinstance(item, str) and item.strip() for item in value):
                raise _fail(source, name, f"{key} must be a non-empty list of non-blank strings")
            value = tuple(value)
        if key == "family":
            unknown_families = sorted(set(value) - FAMILIES)
            if unknown_families:
                raise _fail(source, name, f"family {unknown_families[0]!r} is not a family parse_user_agent returns")
        elif key == "crawler_tag":
            unknown_tags = sorted(set(value) - CRAWLER_TAGS)
            if unknown_tags:
                raise _fail(source, name, f"crawler_tag {unknown_tags[0]!r} is not one of {', '.join(sorted(CRAWLER_TAGS))}")
        elif key.endswith("_regex"):
            try:
                re.compile(value)
            except re.error as error:
                raise _fail(source, name, f"{key} {value!r} is not a valid regular expression: {error}") from None
        conditions[key] = value

    return Rule(
        id=rule_id, client_class=client_class, client_subclass=subclass, confidence=confidence,
        why=" ".join(why.split()), examples=tuple(examples), conditions=MappingProxyType(conditions), source=source,
    )


def parse_rules(text: str, source: str = "<rules>") -> list[Rule]:
    """Validated rules from the text of a rules file, in file order."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise RulesError(f"{source}: not valid TOML: {error}") from None
    unknown = sorted(set(document) - {"rule"})
    if unknown:
        raise RulesError(f"{source}: unknown top-level key {unknown[0]!r} (rules are [[rule]] tables)")
    raw_rules = document.get("rule", [])
    if not isinstance(raw_rules, list):
        raise RulesError(f"{source}: 'rule' must be an array of tables ([[rule]])")
    rules = [_validate_rule(raw, position, source) for position, raw in enumerate(raw_rules, start=1)]
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise _fail(source, f"'{rule.id}'", "id is used twice in this file")
        seen.add(rule.id)
    return rules


def load_rules(path: str | Path) -> list[Rule]:
    """Validated rules from a rules file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise RulesError(f"{path}: cannot read rules file: {error.strerror or error}") from None
    return parse_rules(text, source=str(path))


def merge_rules(shipped: list[Rule], extra: list[Rule]) -> list[Rule]:
    """Operator rules first; an operator rule whose id is a shipped rule's replaces it in place.

    The result must end with exactly one rule without conditions (the default).
    """
    shipped_ids = {rule.id for rule in shipped}
    overrides = {rule.id: rule for rule in extra if rule.id in shipped_ids}
    merged = [rule for rule in extra if rule.id not in shipped_ids]
    merged += [overrides.get(rule.id, rule) for rule in shipped]
    if not merged:
        raise RulesError("no rules loaded")
    for rule in merged[:-1]:
        if rule.is_default:
            raise _fail(rule.source, f"'{rule.id}'", "has no conditions, so every rule after it would be dead; "
                                                    "only the last rule may be unconditional")
    if not merged[-1].is_default:
        last = merged[-1]
        raise _fail(last.source, f"'{last.id}'", "is the last rule but has conditions; the last rule must be the default")
    return merged
