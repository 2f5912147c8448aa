"""Markers some tools add to their user agent: the AI agent that ran them, the CI vendor.

Agent formats come from merged or proposed changes in the tools that send them
(research: ai-agent-signals.txt §B):
    <base UA> agent/<id>                huggingface_hub, databricks CLI/SDKs, mapbox tilesets-cli
    <name>/<v> (agent=<id>)             clickhousectl
    <base UA> (via <id>)                runpod
    <base UA> AI-Agent (name=<id>, …)   slack-cli
    <base UA> AIAgent/<slug>            stripe link-cli (proposed)
No package manager (pip, uv, npm, cargo, …) sends any of these today.
"""

from __future__ import annotations

import re

# One pass, one group per format. Ids start with a letter so that product
# versions ("Datadog Agent/7.45") are not read as agent ids; `agent/` is matched
# in lower case only, as the tools write it; `(via X)` ids may not contain dots
# so that proxies such as "(via translate.google.com)" are not agents.
_AGENT_RE = re.compile(
    r"(?:^|[\s;(,\"'])agent/([A-Za-z][\w-]*)"
    r"|[(;,\s]agent=([A-Za-z][\w-]*)"
    r"|\(via ([A-Za-z][\w-]*)\)"
    r"|AI-Agent \(name=([^,;)\s]+)"
    r"|AIAgent/([A-Za-z][\w.-]*)"
)

# Spellings of the same agent, mapped to one id.
_AGENT_ALIASES = {
    "claude": "claude-code",
    "claudecode": "claude-code",
}


def normalise_agent_id(raw: str) -> str:
    """'Claude_Code' -> 'claude-code'; 'claude' -> 'claude-code'."""
    agent = raw.strip("\"' ").lower().replace("_", "-").replace(" ", "-")
    return _AGENT_ALIASES.get(agent, agent)


def find_agent_marker(ua: str) -> str | None:
    """The agent id an `agent/…`, `(agent=…)`, `(via …)`, `AI-Agent (name=…)` or `AIAgent/…` marker names."""
    # Cheap substring test first: almost no user agent carries a marker.
    if "gent" not in ua and "(via " not in ua:
        return None
    match = _AGENT_RE.search(ua)
    if match is None:
        return None
    raw = next(group for group in match.groups() if group is not None)
    agent = normalise_agent_id(raw)
    return agent or None


# Bundler writes the names of the environment variables it found (fetcher.rb
# `ci_agent`); npm writes ci-info's vendor name lower-cased with spaces as '-'.
# Map Bundler's short names onto ci-info's so one vendor has one id.
_CI_VENDOR_ALIASES = {
    "github": "github-actions",
    "gitlab": "gitlab-ci",
    "circle": "circleci",
    "travis": "travis-ci",
    "buildbox": "buildkite",
    "go": "gocd",
    "snap": "snap-ci",
}


def normalise_ci_vendor(raw: str) -> str | None:
    """'GitHub Actions' -> 'github-actions'; 'ci' or '' (no vendor named) -> None."""
    vendor = raw.strip().lower().replace(" ", "-").replace("_", "-")
    if not vendor or vendor in ("ci", "true", "1"):
        return None
    return _CI_VENDOR_ALIASES.get(vendor, vendor)
