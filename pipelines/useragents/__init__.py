"""Installer user-agent parsing: one parser per client family, chosen by the user agent's prefix.

    >>> parse_user_agent('uv/0.1.22 {"installer":{"name":"uv","version":"0.1.22"},"ci":true}').ci_declared
    True

Pure Python, no Beam. It runs once per *distinct* user agent, so dispatch is a
dict lookup on the text before the first '/' or ' ' (lower-cased), never a
scan through every parser's regex. Results follow linehaul (PyPI's parser)
where linehaul has an answer, so the numbers compare with PyPI's public
dataset; where linehaul has none (pdm >= 2.13, Python-urllib/3.10+, npm,
cargo, httpx, …) this module still reads the client.
"""

from __future__ import annotations

from collections.abc import Callable

from . import http_clients, mirrors, other_clients, python_clients
from .info import FAMILIES, UserAgentInfo
from .markers import find_agent_marker, normalise_agent_id, normalise_ci_vendor

__all__ = ["FAMILIES", "UserAgentInfo", "parse_user_agent", "normalise_agent_id", "normalise_ci_vendor"]

Parser = Callable[[str, int, "str | None"], "UserAgentInfo | None"]

# Lower-cased prefix (text before the first '/' or ' ') -> parser.
_DISPATCH: dict[str, Parser] = {
    # Python installers and tools
    "pip": python_clients.parse_pip,
    "uv": python_clients.parse_uv,
    "hatch": python_clients.parse_hatch,
    "poetry": python_clients.parse_poetry,
    "pdm": python_clients.parse_pdm,
    "twine": python_clients.parse_twine,
    "conda": python_clients.parse_conda,
    "pex": python_clients.parse_pex,
    "maturin": python_clients.parse_maturin,
    "bazel": python_clients.parse_bazel,
    "setuptools": python_clients.parse_setuptools,
    "distribute": python_clients.parse_distribute,
    "python-urllib": python_clients.parse_python_urllib,
    # mirrors
    "bandersnatch": mirrors.parse_bandersnatch,
    "devpi-server": mirrors.parse_devpi,
    "z3c.pypimirror": mirrors.parse_z3c_pypimirror,
    "pep381client": mirrors.parse_pep381client,
    "pep381client-proxy": mirrors.parse_pep381client,
    "artifactory": mirrors.parse_artifactory,
    "nexus": mirrors.parse_nexus,
    # other ecosystems
    "homebrew": other_clients.parse_homebrew,
    "cargo": other_clients.parse_cargo,
    "npm": other_clients.parse_npm,
    "pnpm": other_clients.parse_pnpm,
    "yarn": other_clients.parse_yarn,
    "bun": other_clients.parse_bun,
    "composer": other_clients.parse_composer,
    "bundler": other_clients.parse_bundler,
    # generic HTTP libraries and fetchers
    "python-requests": http_clients.parse_requests,
    "python-urllib3": http_clients.parse_urllib3,
    "python-httpx": http_clients.parse_httpx,
    "python": http_clients.parse_python_prefixed,
    "aiohttp": http_clients.parse_aiohttp,
    "curl": http_clients.parse_curl,
    "wget": http_clients.parse_wget,
    "go-http-client": http_clients.parse_go_http_client,
    "okhttp": http_clients.parse_okhttp,
    "apache-httpclient": http_clients.parse_apache_httpclient,
    "axios": http_clients.parse_axios,
    "node-fetch": http_clients.parse_node_fetch,
    "java": http_clients.parse_java,
    # browsers (linehaul's Browser prefixes)
    "mozilla": http_clients.parse_browser,
    "safari": http_clients.parse_browser,
    "opera": http_clients.parse_browser,
    "firefox": http_clients.parse_browser,
    "aria2": http_clients.parse_browser,
    "androiddownloadmanager": http_clients.parse_browser,
    "fdm": http_clients.parse_browser,
    "ucweb": http_clients.parse_browser,
    "links": http_clients.parse_browser,
    "url": http_clients.parse_emacs_url,
    "com.apple.webkit.networking": http_clients.parse_webkit_networking,
}

# linehaul takes a Browser prefix alone ('Mozilla', 'curl') as a Browser too.
_BARE_NAMES: dict[str, UserAgentInfo] = {
    key: parser(key + "/", len(key), None)
    for key, parser in _DISPATCH.items()
    if parser is http_clients.parse_browser or key in ("curl", "wget", "okhttp", "apache-httpclient")
}

# '-' is how combined/CloudFront logs write a missing header; '(null)' is Fastly's.
_EMPTY_VALUES = frozenset({"", "-", "(null)", "null"})
_EMPTY = UserAgentInfo("empty")


def parse_user_agent(ua: str | None) -> UserAgentInfo:
    """What `ua` says about its client. Never raises; unrecognised text is family 'other'."""
    if ua is None:
        return _EMPTY
    if ua.__class__ is not str:
        ua = ua.decode("utf-8", "replace") if isinstance(ua, (bytes, bytearray)) else str(ua)
    if ua in _EMPTY_VALUES or not ua.strip():
        return _EMPTY

    agent = find_agent_marker(ua)
    slash = ua.find("/")
    space = ua.find(" ")
    if slash == -1:
        sep = space
    elif space == -1 or slash < space:
        sep = slash
    else:
        sep = space
    if sep == -1:
        bare = _BARE_NAMES.get(ua.lower())
        if bare is not None:
            return bare
    elif sep > 0:
        parser = _DISPATCH.get(ua[:sep].lower())
        if parser is not None:
            info = parser(ua, sep, agent)
            if info is not None:
                return info
    return _parse_unprefixed(ua, agent)


def _parse_unprefixed(ua: str, agent: str | None) -> UserAgentInfo:
    """No family parser claimed the prefix: OS fetchers, linehaul's anywhere-matches, then bot or other."""
    info = other_clients.parse_os_fetcher(ua, agent) or python_clients.parse_pex_suffix(ua, agent)
    if info is not None:
        return info
    at = ua.find("devpi-server/")
    if at != -1:  # linehaul matches devpi-server anywhere
        return mirrors.parse_devpi(ua[at:], len("devpi-server"), agent)
    if ua.startswith("Go ") and ua.endswith(" package http"):  # Go before 1.1's net/http
        return UserAgentInfo("go-http-client", agent_declared=agent)
    family = "bot" if http_clients.looks_like_bot(ua) else "other"
    return UserAgentInfo(family, agent_declared=agent)
