"""Which of many substrings occur in a user agent, without testing each one.

Testing 100 needles with `in` costs ~5 us per user agent, one regex of 1,500
alternatives far more. Instead each needle is indexed by one piece (text without
a space or '/') and that piece's least common 4-character slice. A user agent is split
on spaces and '/'; for each segment the slices are intersected with the
index, and the result is cached per segment, because segments repeat across
user agents ('(khtml,', 'safari', 'win64;'). Segments of only digits and dots
(version numbers, which do not repeat) are skipped: no indexed piece is made
of those alone (such pieces are tested directly). Only needles whose piece
occurs in some segment are then confirmed with `in` on the whole lower-cased
string. The answer is exact: a needle occurs only if its piece lies inside
one segment.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

GRAM = 4  # pieces are indexed by one 4-character slice (3-character pieces by themselves)
MIN_PIECE = 3
_SEPARATORS = re.compile(r"[ /]")
_VERSION_CHARS = "0123456789."

# Typical user agents, so that needles are not indexed by slices every
# browser or installer string contains ('mozi', 'http', '"nam').
TYPICAL_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
    'pip/24.0 {"ci":null,"cpu":"x86_64","distro":{"id":"jammy","libc":{"lib":"glibc","version":"2.35"},"name":"Ubuntu",'
    '"version":"22.04"},"implementation":{"name":"CPython","version":"3.12.3"},"installer":{"name":"pip","version":"24.0"},'
    '"openssl_version":"OpenSSL 3.0.2 15 Mar 2022","python":"3.12.3","setuptools_version":"69.0.3",'
    '"system":{"name":"Linux","release":"6.5.0-1016-azure"}}',
    "python-requests/2.31.0 curl/8.5.0 Wget/1.21.4 Go-http-client/1.1 (compatible; +https://example.com/bot.html)",
)


class SubstringIndex:
    """`found(low)`: indices of the needles occurring in `low` (a lower-cased string)."""

    SEGMENT_CACHE_LIMIT = 200_000
    SEGMENT_CACHE_MAX_LENGTH = 80

    def __init__(self, needles: Sequence[str], corpus: Iterable[str] = TYPICAL_USER_AGENTS):
        self.needles = tuple(needle.lower() for needle in needles)
        if not all(needle.strip() for needle in self.needles):
            raise ValueError("needles must contain something besides spaces")
        common: Counter[str] = Counter()
        for text in corpus:
            low = text.lower()
            common.update({low[i:i + GRAM] for i in range(len(low) - GRAM + 1)})
            common.update({low[i:i + MIN_PIECE] for i in range(len(low) - MIN_PIECE + 1)})
        by_gram: dict[str, list[tuple[str, int]]] = {}
        short: list[int] = []
        for index, needle in enumerate(self.needles):
            # Index the needle by its piece (text between spaces and '/') holding
            # the slice rarest in typical user agents: 'ylt chrome' by 'ylt', not 'chrome'.
            best = None
            for piece in _SEPARATORS.split(needle):
                if len(piece) < MIN_PIECE or not piece.strip(_VERSION_CHARS):
                    continue
                size = min(GRAM, len(piece))
                grams = [piece[i:i + size] for i in range(len(piece) - size + 1)]
                gram = min(grams, key=lambda g: (common[g], grams.index(g)))
                rank = (common[gram], -len(piece))
                if best is None or rank < best[0]:
                    best = (rank, piece, gram)
            if best is None:
                short.append(index)
                continue
            _, piece, gram = best
            by_gram.setdefault(gram, []).append((piece, index))
        self._by_gram = by_gram
        self._gram_keys = frozenset(by_gram)
        self._short = tuple(short)  # few: 2 of the ~1,600 needles regmeter scans ('bw/', '008/')
        self._segments: dict[str, tuple[int, ...]] = {}

    def _segment_pieces(self, segment: str) -> tuple[int, ...]:
        """Needles whose piece occurs in `segment` (or that are tested directly)."""
        found = []
        grams = {segment[i:i + GRAM] for i in range(len(segment) - GRAM + 1)}
        grams.update(segment[i:i + MIN_PIECE] for i in range(len(segment) - MIN_PIECE + 1))
        for gram in grams & self._gram_keys:
            for piece, index in self._by_gram[gram]:
                if piece in segment:
                    found.append(index)
        return tuple(found)

    def found(self, low: str) -> list[int]:
        """Sorted indices of the needles that occur in `low`."""
        cache = self._segments
        segments = low.replace("/", " ").split(" ")
        per_segment = [*map(cache.get, segments)]  # C-speed lookups: the common case is all cached
        if None in per_segment:
            if len(cache) >= self.SEGMENT_CACHE_LIMIT:
                cache.clear()
            for position, pieces in enumerate(per_segment):
                if pieces is None:
                    segment = segments[position]
                    if not segment.strip(_VERSION_CHARS):
                        per_segment[position] = ()  # a version number: not cached, never indexed
                    elif len(segment) > self.SEGMENT_CACHE_MAX_LENGTH:
                        per_segment[position] = self._segment_pieces(segment)  # one-off (JSON blobs): not cached
                    else:
                        per_segment[position] = cache[segment] = self._segment_pieces(segment)
        candidates = set().union(*per_segment)
        needles = self.needles
        for index in self._short:  # needles without an indexable piece: tested directly
            if needles[index] in low:
                candidates.add(index)
        if not candidates:
            return []
        return sorted(index for index in candidates if needles[index] in low)

    def first(self, low: str) -> str | None:
        """The earliest needle (in the order given) that occurs in `low`."""
        found = self.found(low)
        return self.needles[found[0]] if found else None
