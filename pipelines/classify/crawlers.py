"""Match user agents against the crawler-user-agents list (monperrus/crawler-user-agents, PyPI `crawler-user-agents`).

One regex of all ~1,500 patterns runs at ~1-2k user agents/s. Instead, each
pattern is reduced to a literal it cannot match without (its longest run of
plain characters, case-folded); a SubstringIndex finds which literals occur
in a user agent, and only those patterns' regexes run (case-sensitively, the
package's default). Entries tagged `http-library` (python-requests, curl, Go-http-client,
…) are left out: on a registry those are scripts, not crawlers.
"""

from __future__ import annotations

import re
import re._constants as _sre_constants  # the parser re itself uses; stable across 3.11-3.12
import re._parser as _sre_parser
from collections.abc import Iterable
from dataclasses import dataclass

from .substrings import TYPICAL_USER_AGENTS, SubstringIndex

EXCLUDED_TAGS = frozenset({"http-library"})


@dataclass(frozen=True, slots=True)
class CrawlerEntry:
    pattern: str
    regex: re.Pattern
    tags: frozenset[str]


def _literal_runs(items) -> list[str]:
    """Maximal runs of characters a parsed sequence must contain, case-folded ([cC] counts as 'c')."""
    runs: list[str] = []
    current: list[str] = []
    for op, arg in items:
        char = None
        if op is _sre_constants.LITERAL:
            char = chr(arg).lower()
        elif op is _sre_constants.IN:
            literals = [value for kind, value in arg if kind is _sre_constants.LITERAL]
            if literals and len(literals) == len(arg) and len({chr(c).lower() for c in literals}) == 1:
                char = chr(literals[0]).lower()
        if char is None:
            if current:
                runs.append("".join(current))
                current = []
        else:
            current.append(char)
    if current:
        runs.append("".join(current))
    return runs


def required_literals(pattern: str) -> list[str] | None:
    """Literals of which at least one occurs (case-insensitively) in every match of `pattern`; None if none is known."""
    try:
        items = list(_sre_parser.parse(pattern))
    except Exception:  # noqa: BLE001 - an unparseable pattern is simply always checked
        return None
    if len(items) == 1 and items[0][0] is _sre_constants.BRANCH:
        literals = []
        for branch in items[0][1][1]:
            runs = _literal_runs(list(branch))
            if not runs:
                return None
            literals.append(max(runs, key=len))
        return literals
    runs = _literal_runs(items)
    return [max(runs, key=len)] if runs else None


class CrawlerMatcher:
    """`tags(ua)`: the tags of every crawler-user-agents entry matching `ua` (empty if none)."""

    def __init__(self, entries: list[dict] | None = None):
        if entries is None:
            from crawleruseragents import CRAWLER_USER_AGENTS_DATA as entries  # noqa: N811
        self.entries: list[CrawlerEntry] = []
        for entry in entries:
            tags = frozenset(entry.get("tags") or ())
            if tags & EXCLUDED_TAGS:
                continue
            self.entries.append(CrawlerEntry(entry["pattern"], re.compile(entry["pattern"]), tags))

        always: list[int] = []  # entries with no usable literal: their regex always runs
        literal_entries: dict[str, list[int]] = {}
        for index, entry in enumerate(self.entries):
            literals = required_literals(entry.pattern)
            if not literals or not all(literal.strip() for literal in literals):
                always.append(index)
                continue
            for literal in literals:
                literal_entries.setdefault(literal, []).append(index)
        self._always = tuple(always)
        self._literal_entries = {literal: tuple(indices) for literal, indices in literal_entries.items()}
        # Lower-cased literals; at least one of an entry's literals occurs in every user agent it matches.
        self.literals: tuple[str, ...] = tuple(literal_entries)
        # The list's own 'instances' are real user agents: index literals by slices rare in them.
        self.corpus = (*(instance for entry in entries for instance in entry.get("instances") or ()),
                       *TYPICAL_USER_AGENTS)
        self._index: SubstringIndex | None = None

    def found_literals(self, ua: str) -> set[str]:
        """The literals occurring in `ua`."""
        if self._index is None:
            self._index = SubstringIndex(self.literals, corpus=self.corpus)
        needles = self._index.needles
        return {needles[i] for i in self._index.found(ua.lower())}

    def candidates(self, ua: str, found_literals: Iterable[str] | None = None) -> set[int]:
        """Indices of entries whose required literal occurs in `ua` (a superset of the matches).

        `found_literals`: the literals already known to occur in `ua` (e.g. from
        a scan shared with other needles); found here when not given.
        """
        if found_literals is None:
            found_literals = self.found_literals(ua)
        found = set(self._always)
        literal_entries = self._literal_entries
        for literal in found_literals:
            indices = literal_entries.get(literal)
            if indices is not None:
                found.update(indices)
        return found

    def matches(self, ua: str, found_literals: Iterable[str] | None = None) -> list[CrawlerEntry]:
        entries = self.entries
        return [entries[i] for i in sorted(self.candidates(ua, found_literals)) if entries[i].regex.search(ua)]

    def tags(self, ua: str, found_literals: Iterable[str] | None = None) -> frozenset[str]:
        """Union of the tags of every matching entry, plus 'crawler' when anything matched."""
        result: set[str] = set()
        for entry in self.matches(ua, found_literals):
            result |= entry.tags
            result.add("crawler")
        return frozenset(result)
