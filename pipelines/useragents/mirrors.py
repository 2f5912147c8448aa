"""Parsers for mirroring and proxying tools: one function per client family (formats as linehaul reads them)."""

from __future__ import annotations

import re

from .info import UserAgentInfo
from .python_clients import first_token

_BANDERSNATCH_DETAILS = re.compile(r"\((\w+) ([^,()]+), (\S+) (\S+)\)")


def parse_bandersnatch(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """bandersnatch: `bandersnatch/<v> (<impl> <impl-v>, <system> <cpu>)`."""
    if ua[sep] != "/":
        return None
    details = _BANDERSNATCH_DETAILS.search(ua)
    impl_name = impl_version = system_name = cpu = None
    if details is not None:
        impl_name, impl_version, system_name, cpu = details.groups()
    return UserAgentInfo(
        "bandersnatch", "bandersnatch", first_token(ua, sep + 1) or None,
        implementation_name=impl_name, implementation_version=impl_version,
        system_name=system_name, cpu=cpu, agent_declared=agent,
    )


def parse_devpi(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """devpi-server: `devpi-server/<v> (py<python>; <platform>)`."""
    if ua[sep] != "/":
        return None
    python = system_name = None
    open_at = ua.find(" (", sep)
    if open_at != -1 and ua.endswith(")"):
        parts = [part.strip() for part in ua[open_at + 2:-1].split(";")]
        if parts and parts[0].startswith("py"):
            python = parts[0][2:] or None
        if len(parts) > 1:
            system_name = parts[1] or None
    return UserAgentInfo("devpi", "devpi", first_token(ua, sep + 1) or None, python=python,
                         system_name=system_name, agent_declared=agent)


def _name_version_parser(family: str, installer_name: str, doc: str):
    """A client whose UA is `<name>/<version>[ …]` and nothing else worth reading."""

    def parse(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
        if ua[sep] != "/":
            return None
        return UserAgentInfo(family, installer_name, first_token(ua, sep + 1) or None, agent_declared=agent)

    parse.__doc__ = doc
    return parse


parse_z3c_pypimirror = _name_version_parser("z3c.pypimirror", "z3c.pypimirror", "z3c.pypimirror: `z3c.pypimirror/<v>`.")
parse_pep381client = _name_version_parser(
    "pep381client", "pep381client", "pep381client: `pep381client/<v>` or `pep381client-proxy/<v>` (both named pep381client, as linehaul does)."
)
parse_artifactory = _name_version_parser("artifactory", "Artifactory", "JFrog Artifactory remote repositories: `Artifactory/<v>`.")


def parse_nexus(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """Sonatype Nexus proxy repositories: `Nexus/<v> (<edition>; <os>; <os-version>; <arch>; <java>)`."""
    if ua[sep] != "/":
        return None
    system_name = system_release = cpu = None
    open_at = ua.find(" (", sep)
    if open_at != -1 and ua.endswith(")"):
        parts = [part.strip() for part in ua[open_at + 2:-1].split(";")]
        if len(parts) == 5:
            system_name, system_release, cpu = parts[1] or None, parts[2] or None, parts[3] or None
    return UserAgentInfo("nexus", "Nexus", first_token(ua, sep + 1) or None, system_name=system_name,
                         system_release=system_release, cpu=cpu, agent_declared=agent)
