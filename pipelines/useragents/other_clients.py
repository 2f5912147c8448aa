"""Parsers for other ecosystems' clients (npm, pnpm, yarn, bun, cargo, Composer, Bundler, Homebrew) and OS fetchers."""

from __future__ import annotations

import re

from .info import UserAgentInfo
from .markers import normalise_ci_vendor
from .python_clients import first_token

_NODE_PLATFORMS = frozenset({"linux", "darwin", "win32", "freebsd", "openbsd", "netbsd", "sunos", "aix", "android", "cygwin"})


def _node_package_manager(ua: str, sep: int, agent: str | None, family: str) -> UserAgentInfo | None:
    """`npm/{npm-version} node/{node-version} {platform} {arch} workspaces/{bool} {ci}`.

    npm's `user-agent` config default (workspaces/config definitions.js); `{ci}`
    is `ci/<ci-info vendor, lower-cased, spaces as '-'>` in CI and empty
    otherwise. pnpm and yarn send `pnpm/8.10.5 npm/? node/v20.8.1 linux x64`;
    bun sends `Bun/1.0.14`.
    """
    if ua[sep] != "/":
        return None
    tokens = ua.split()
    version = tokens[0][sep + 1:] or None
    impl_version = system_name = cpu = ci_vendor = None
    ci_declared = None
    for token in tokens[1:]:
        key, slash, value = token.partition("/")
        if slash:
            if key == "node":
                impl_version = value.removeprefix("v") or None
            elif key == "ci":
                ci_declared = True
                ci_vendor = normalise_ci_vendor(value)
        elif system_name is None and key in _NODE_PLATFORMS:
            system_name = key
        elif system_name is not None and cpu is None:
            cpu = key
    return UserAgentInfo(
        family, family, version,
        implementation_name="node" if impl_version else None, implementation_version=impl_version,
        system_name=system_name, cpu=cpu, ci_declared=ci_declared, ci_vendor=ci_vendor, agent_declared=agent,
    )


def parse_npm(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    return _node_package_manager(ua, sep, agent, "npm")


def parse_pnpm(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    return _node_package_manager(ua, sep, agent, "pnpm")


def parse_yarn(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    return _node_package_manager(ua, sep, agent, "yarn")


def parse_bun(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    return _node_package_manager(ua, sep, agent, "bun")


def parse_cargo(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """cargo: `cargo/1.88.0 (873a06493 2025-05-10)` since rust-lang/cargo PR #13548; older builds `cargo 1.74.0 (…)`.

    cargo sends no CI or agent field.
    """
    version = first_token(ua, sep + 1)
    if not version or not version[0].isdecimal():
        return None
    return UserAgentInfo("cargo", "cargo", version, agent_declared=agent)


def parse_composer(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """Composer: `Composer/<v> (<os>; <release>; PHP <v>; <http>; Platform-PHP <v>; CI)`.

    `; CI` is appended iff the CI environment variable is set (StreamContextFactory).
    """
    if ua[sep] != "/":
        return None
    system_name = system_release = impl_version = None
    ci_declared = None
    open_at = ua.find(" (", sep)
    if open_at != -1:
        close_at = ua.find(")", open_at)
        parts = [part.strip() for part in ua[open_at + 2:close_at if close_at != -1 else len(ua)].split(";")]
        if len(parts) >= 2:
            system_name, system_release = parts[0] or None, parts[1] or None
        for part in parts[2:]:
            if part.startswith("PHP "):
                impl_version = part[4:] or None
            elif part == "CI":
                ci_declared = True
    return UserAgentInfo(
        "composer", "Composer", first_token(ua, sep + 1) or None,
        implementation_name="PHP" if impl_version else None, implementation_version=impl_version,
        system_name=system_name, system_release=system_release, ci_declared=ci_declared, agent_declared=agent,
    )


def parse_bundler(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """Bundler: `bundler/<v> rubygems/<v> ruby/<v> (<platform>) command/<cmd> [options/…] [ci/<names>] <16-hex run id>`.

    `ci/<names>` lists the CI variables Bundler found (fetcher.rb `user_agent`).
    """
    if ua[sep] != "/":
        return None
    tokens = ua.split(" ")
    ruby_version = subcommand = ci_vendor = cpu = None
    ci_declared = None
    for token in tokens[1:]:
        key, slash, value = token.partition("/")
        if not slash:
            if token.startswith("(") and token.endswith(")") and cpu is None:
                cpu = token[1:-1].split("-", 1)[0] or None
            continue
        if key == "ruby":
            ruby_version = value or None
        elif key == "command":
            subcommand = value or None
        elif key == "ci":
            ci_declared = True
            for name in value.split(","):
                ci_vendor = normalise_ci_vendor(name)
                if ci_vendor:
                    break
    return UserAgentInfo(
        "bundler", "bundler", tokens[0][sep + 1:] or None, subcommand,
        implementation_name="ruby" if ruby_version else None, implementation_version=ruby_version,
        cpu=cpu, ci_declared=ci_declared, ci_vendor=ci_vendor, agent_declared=agent,
    )


_HOMEBREW_DETAILS = re.compile(r" \(([^;()]+); ([^()]*)\)")
_MAC_VERSION = re.compile(r"^(?:(\S+) )?(?:Mac OS X|macOS) (.+)$")


def parse_homebrew(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """Homebrew: `Homebrew/<v> (Macintosh; <cpu> Mac OS X <ver>) curl/<v>` (older: `Intel macOS <ver>`); Linux: `(Linux; <cpu> <distro> <ver>)`.

    linehaul reads only the `Intel` macOS form, so Apple-silicon and Linux brew are null there.
    """
    if ua[sep] != "/":
        return None
    system_name = cpu = distro_name = distro_version = None
    details = _HOMEBREW_DETAILS.search(ua, sep)
    if details is not None:
        platform, rest = details.groups()
        mac = _MAC_VERSION.match(rest)
        if mac is not None:
            system_name, distro_name = "Darwin", "OS X"  # linehaul writes distro 'OS X'
            cpu, distro_version = mac.group(1), mac.group(2)
        else:
            system_name = platform
            words = rest.split()
            if words:
                cpu = words[0]
            if len(words) > 1:
                distro_name = words[1]
            if len(words) > 2:
                distro_version = words[2]
    return UserAgentInfo(
        "homebrew", "Homebrew", first_token(ua, sep + 1) or None, system_name=system_name,
        distro_name=distro_name, distro_version=distro_version, cpu=cpu, agent_declared=agent,
    )


# linehaul's OSUserAgent: fetchers of BSD ports, MacPorts, Slackware, Void, PTXdist…
_OS_FETCHER = re.compile(
    r"^(?:fetch libfetch/\S+$|libfetch/\S+$|OpenBSD ftp$|MacPorts/?|NetBSD-ftp/|slapt-get|pypi-install/"
    r"|slackrepo$|PTXdist|GARstow/|xbps/)"
)


def parse_os_fetcher(ua: str, agent: str | None) -> UserAgentInfo | None:
    if _OS_FETCHER.match(ua) is None:
        return None
    return UserAgentInfo("os", "OS", agent_declared=agent)
