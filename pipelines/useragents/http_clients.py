"""Parsers for generic HTTP libraries, command-line fetchers, browsers and self-declared bots.

linehaul names python-requests 'requests' and counts curl, wget, okhttp,
Apache-HttpClient and every `Mozilla…` user agent (crawlers included) as
'Browser' with no version; those names are kept so the numbers compare with
PyPI's public dataset. `family` says what the client really is.
"""

from __future__ import annotations

import re

from .info import UserAgentInfo
from .python_clients import PYTHON_IMPLEMENTATIONS, first_token


def parse_requests(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """`python-requests/<v>`, optionally `… CPython/<v> <system>/<release>` (requests_toolbelt style)."""
    if ua[sep] != "/":
        return None
    tokens = ua.split(" ")
    impl_name = impl_version = python = system_name = system_release = None
    if len(tokens) > 1:
        key, _, value = tokens[1].partition("/")
        if key in PYTHON_IMPLEMENTATIONS:
            impl_name, impl_version = key, value or None
            python = impl_version if key == "CPython" else None
            if len(tokens) > 2 and "/" in tokens[2]:
                system_name, _, system_release = tokens[2].partition("/")
    return UserAgentInfo(
        "requests", "requests", tokens[0][sep + 1:] or None, python=python,
        implementation_name=impl_name, implementation_version=impl_version,
        system_name=system_name, system_release=system_release or None, agent_declared=agent,
    )


def parse_urllib3(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """`python-urllib3/<v>`: urllib3's default; no installer."""
    if ua[sep] != "/":
        return None
    return UserAgentInfo("urllib3", agent_declared=agent)


def parse_httpx(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """`python-httpx/<v>`: httpx's default."""
    if ua[sep] != "/":
        return None
    return UserAgentInfo("httpx", "httpx", first_token(ua, sep + 1) or None, agent_declared=agent)


def parse_python_prefixed(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """aiohttp's default `Python/<py> aiohttp/<v>`."""
    if ua[sep] != "/":
        return None
    tokens = ua.split(" ")
    if len(tokens) >= 2 and tokens[1].startswith("aiohttp/"):
        return UserAgentInfo("aiohttp", "aiohttp", tokens[1][8:] or None, python=tokens[0][sep + 1:] or None,
                             agent_declared=agent)
    return None


def parse_aiohttp(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """`aiohttp/<v>` (some wrappers put it first)."""
    if ua[sep] != "/":
        return None
    return UserAgentInfo("aiohttp", "aiohttp", first_token(ua, sep + 1) or None, agent_declared=agent)


def _library(family: str, installer: str | None = None):
    """A parser for `<library>/<v>…` that records only the family (linehaul gives no version for these)."""

    def parse(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
        return UserAgentInfo(family, installer, agent_declared=agent)

    parse.__name__ = f"parse_{family.replace('-', '_')}"
    parse.__doc__ = f"{family}: named by its prefix."
    return parse


parse_curl = _library("curl", "Browser")
parse_wget = _library("wget", "Browser")
parse_okhttp = _library("okhttp", "Browser")
parse_apache_httpclient = _library("apache-httpclient", "Browser")
parse_go_http_client = _library("go-http-client")
parse_axios = _library("axios")
parse_node_fetch = _library("node-fetch")
parse_java = _library("java")


# A user agent that describes itself as automated: a bot/crawler/spider name,
# a contact URL, or a headless browser. Real browsers carry none of these.
# Plain substring tests first (a case-insensitive regex alternation costs ~10 us
# per browser string); 'bot' must end a word and not be 'Cubot' (a phone maker:
# "Android 9; CUBOT X20").
_BOT_WORDS = ("crawl", "spider", "slurp", "http://", "https://", "+http", "headless", "scanner", "archiver")
_BOT_WORD_END = re.compile(r"(?<!cu)bot\b")


def looks_like_bot(ua: str) -> bool:
    low = ua.lower()
    for word in _BOT_WORDS:
        if word in low:
            return True
    return "bot" in low and _BOT_WORD_END.search(low) is not None


def parse_browser(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """linehaul's Browser prefixes (Mozilla, Safari, Opera, Firefox, aria2, …): 'Browser', no version.

    A `Mozilla/…` string that describes itself as a bot (GPTBot, Googlebot…) is
    family 'bot'; linehaul still calls it 'Browser'.
    """
    return UserAgentInfo("bot" if looks_like_bot(ua) else "browser", "Browser", agent_declared=agent)


def parse_emacs_url(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """Emacs' url.el: `URL/Emacs Emacs/<v> (…)`."""
    if not ua.startswith("URL/Emacs"):
        return None
    return UserAgentInfo("browser", "Browser", agent_declared=agent)


def parse_webkit_networking(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """Apple's `com.apple.WebKit.Networking/<v> …` (Safari's network process)."""
    return UserAgentInfo("browser", "Browser", agent_declared=agent)
