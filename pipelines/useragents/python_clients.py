"""Parsers for Python installers and build tools: one function per client family.

Every parser takes the user agent, the index of the character that ends its
prefix (the first '/' or ' ') and the agent marker already found, and returns
a UserAgentInfo, or None when the user agent is not that client's after all.
Formats follow linehaul (pypi/linehaul-cloud-function linehaul/ua/parser.py)
and the clients' own source, cited per parser.
"""

from __future__ import annotations

import json
import re
import shlex

from .info import UserAgentInfo, new_info

try:
    from orjson import loads as _orjson_loads
except ImportError:  # pragma: no cover - orjson comes with apache-beam
    _orjson_loads = None

# Implementations requests_toolbelt/platform write as '<impl>/<version>'.
PYTHON_IMPLEMENTATIONS = frozenset({"CPython", "PyPy", "Jython", "IronPython", "GraalVM", "GraalPy", "Pyston"})

# installer.name (as sent in linehaul JSON, lower-cased) -> family.
_FAMILY_BY_INSTALLER = {
    "pip": "pip", "uv": "uv", "hatch": "hatch", "poetry": "poetry", "pdm": "pdm",
    "twine": "twine", "conda": "conda", "pex": "pex",
}


def version_tuple(version: str) -> tuple[int, int] | None:
    """(major, minor) from the leading digits of '22.0.3', '6', '0.1.22rc1'; None if it starts with no digit."""
    major_text, _, rest = version.partition(".")
    if not major_text.isdecimal():
        return None
    minor_digits = ""
    for char in rest:
        if not char.isdecimal():
            break
        minor_digits += char
    return int(major_text), int(minor_digits or 0)


def first_token(ua: str, start: int) -> str:
    """The text from `start` up to the next space (or the end)."""
    end = ua.find(" ", start)
    return ua[start:] if end == -1 else ua[start:end]


def as_text(value) -> str | None:
    """A JSON scalar as text; None for null, objects, lists and booleans."""
    cls = value.__class__
    if cls is str:
        return value
    if cls is int or cls is float:
        return str(value)
    return None


_SUBCOMMANDS: dict[tuple, str] = {}  # uv sends a handful of distinct subcommands; shlex.join costs ~2 us


def join_subcommand(value) -> str | None:
    """shlex.join of a JSON list, as linehaul writes installer.subcommand; [] -> None."""
    if value.__class__ is list:
        if not value:
            return None
        parts = tuple(item if item.__class__ is str else json.dumps(item) for item in value)
        joined = _SUBCOMMANDS.get(parts)
        if joined is None:
            joined = shlex.join(parts)
            if len(_SUBCOMMANDS) < 10_000:
                _SUBCOMMANDS[parts] = joined
        return joined
    if value.__class__ is str:
        return value or None
    return None


def load_json_object(text: str) -> dict | None:
    """`text` parsed as a JSON object, or None.

    orjson (a dependency of apache-beam, so present wherever regmeter runs)
    parses these strings ~2x faster than json.loads; anything it rejects
    (lone surrogates, integers beyond 64 bits, NaN) is handed to json.loads,
    so the answer is always json.loads's.
    """
    if _orjson_loads is not None:
        try:
            data = _orjson_loads(text)
        except ValueError:  # orjson.JSONDecodeError subclasses ValueError
            data = None
        else:
            return data if data.__class__ is dict else None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if data.__class__ is dict else None


def from_linehaul_json(text: str, family: str, name: str, version: str | None,
                       agent: str | None) -> UserAgentInfo | None:
    """The linehaul JSON pip (>= 6), uv (>= 0.1.22) and hatch send, or None if `text` is not a JSON object.

    The installer name and version come from the JSON (that is what linehaul
    does: `pip/22.0.3 {…"installer":{"name":"uv"…}}` is uv), falling back to
    the prefix only when the JSON has no installer object. String fields are
    tested inline (`.__class__ is str`) because this runs for most user agents.
    """
    data = load_json_object(text)
    if data is None:
        return None
    get = data.get

    installer = get("installer")
    subcommand = None
    if installer.__class__ is dict:
        name = installer.get("name")
        if name.__class__ is not str:
            name = as_text(name)
        version = installer.get("version")
        if version.__class__ is not str:
            version = as_text(version)
        subcommand = installer.get("subcommand")
        if subcommand is not None:
            subcommand = join_subcommand(subcommand)
        if name is not None:
            family = _FAMILY_BY_INSTALLER.get(name.lower(), family)

    impl_name = impl_version = None
    implementation = get("implementation")
    if implementation.__class__ is dict:
        impl_name = implementation.get("name")
        if impl_name.__class__ is not str:
            impl_name = as_text(impl_name)
        impl_version = implementation.get("version")
        if impl_version.__class__ is not str:
            impl_version = as_text(impl_version)

    system_name = system_release = None
    system = get("system")
    if system.__class__ is dict:
        system_name = system.get("name")
        if system_name.__class__ is not str:
            system_name = as_text(system_name)
        system_release = system.get("release")
        if system_release.__class__ is not str:
            system_release = as_text(system_release)

    distro_name = distro_version = distro_id = libc = None
    distro = get("distro")
    if distro.__class__ is dict:
        distro_name = distro.get("name")
        if distro_name.__class__ is not str:
            distro_name = as_text(distro_name)
        distro_version = distro.get("version")
        if distro_version.__class__ is not str:
            distro_version = as_text(distro_version)
        distro_id = distro.get("id")
        if distro_id.__class__ is not str:
            distro_id = as_text(distro_id)
        libc_data = distro.get("libc")
        if libc_data.__class__ is dict:
            lib = as_text(libc_data.get("lib"))
            lib_version = as_text(libc_data.get("version"))
            if lib and lib_version:
                libc = f"{lib} {lib_version}"
            else:
                libc = lib or lib_version

    python = get("python")
    if python.__class__ is not str:
        python = as_text(python)
    cpu = get("cpu")
    if cpu.__class__ is not str:
        cpu = as_text(cpu)

    return new_info(
        family,
        name,
        version,
        subcommand,
        python,
        impl_name,
        impl_version,
        system_name,
        system_release,
        distro_name,
        distro_version,
        distro_id,
        libc,
        cpu,
        True if get("ci") is True else None,  # pip/uv send true or null, never false
        None,
        agent,
    )


def parse_pip(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """pip >= 6: `pip/<v> <linehaul JSON>` (pip session.py user_agent()); pip 1.4-5: `pip/<v> <impl>/<v> <system>/<release>`."""
    if ua[sep] != "/":
        return None
    version = first_token(ua, sep + 1)
    rest_at = sep + 1 + len(version) + 1
    major = version.partition(".")[0]
    if major.isdecimal() and int(major) >= 6:
        if rest_at < len(ua):
            info = from_linehaul_json(ua[rest_at:], "pip", "pip", version, agent)
            if info is not None:
                return info
    elif (parsed := version_tuple(version)) is not None and (1, 4) <= parsed < (6, 0):
        tokens = ua.split(" ")
        if len(tokens) == 3:
            impl_name, _, impl_version = tokens[1].partition("/")
            system_name, _, system_release = tokens[2].partition("/")
            # pip 1.4 wrote 'unknown' for what it could not find; linehaul drops those.
            impl_name = None if impl_name.lower() == "unknown" else impl_name
            impl_version = None if impl_version.lower() == "unknown" else impl_version
            system_name = None if system_name.lower() == "unknown" else system_name
            system_release = None if system_release.lower() == "unknown" else system_release
            return UserAgentInfo(
                "pip", "pip", version,
                python=impl_version if impl_name and impl_name.lower() == "cpython" else None,
                implementation_name=impl_name, implementation_version=impl_version,
                system_name=system_name, system_release=system_release,
                agent_declared=agent,
            )
    # Malformed or truncated JSON, or a pre-1.4 pip: the prefix is all we have.
    return UserAgentInfo("pip", "pip", version or None, agent_declared=agent)


def parse_uv(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """uv >= 0.1.22: `uv/<v> <linehaul JSON>` (uv-client base_client.rs + linehaul.rs; nulls kept, struct order)."""
    if ua[sep] != "/":
        return None
    version = first_token(ua, sep + 1)
    rest_at = sep + 1 + len(version) + 1
    if rest_at < len(ua):  # uv < 0.1.22 sent no JSON; then this simply fails to parse
        info = from_linehaul_json(ua[rest_at:], "uv", "uv", version, agent)
        if info is not None:
            return info
    return UserAgentInfo("uv", "uv", version or None, agent_declared=agent)


def parse_hatch(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """hatch: `Hatch/<v> <linehaul JSON> HTTPX/<v>` (pypa/hatch PR #2184; linehaul HatchUserAgent)."""
    if ua[sep] != "/":
        return None
    version = first_token(ua, sep + 1)
    start = ua.find("{")
    end = ua.rfind("}")
    if start != -1 and end > start:
        info = from_linehaul_json(ua[start:end + 1], "hatch", "hatch", version, agent)
        if info is not None:
            return info
    return UserAgentInfo("hatch", "hatch", version or None, agent_declared=agent)


def _toolbelt(ua: str, sep: int, agent: str | None, family: str, installer: str,
              impl_index: int | None = 1) -> UserAgentInfo | None:
    """`<name>/<v> <impl>/<v> <system>/<release>` as requests_toolbelt.user_agent() builds it.

    Only the name/version token is required; implementation and system are
    read when present at their places (impl_index -1: the last token).
    """
    if ua[sep] != "/":
        return None
    tokens = ua.split(" ")
    version = tokens[0][sep + 1:] or None
    impl_name = impl_version = system_name = system_release = python = None
    if impl_index is not None and len(tokens) > 1:
        impl_token = tokens[impl_index]
        if "/" in impl_token:
            impl_name, _, impl_version = impl_token.partition("/")
            if impl_name == "CPython":
                python = impl_version
            if impl_index == 1 and len(tokens) > 2 and "/" in tokens[2]:
                system_name, _, system_release = tokens[2].partition("/")
                system_release = system_release or None
    return UserAgentInfo(
        family, installer, version,
        python=python, implementation_name=impl_name, implementation_version=impl_version,
        system_name=system_name, system_release=system_release, agent_declared=agent,
    )


def parse_poetry(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """poetry: `poetry/<v> <impl>/<v> <system>/<release>` (authenticator.py, requests_toolbelt)."""
    return _toolbelt(ua, sep, agent, "poetry", "poetry")


def parse_pdm(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """pdm <= 2.12: `pdm/<v> <impl>/<v>`; pdm >= 2.13: `pdm/<v> <impl>/<v> <system>/<release>` (session.py).

    linehaul only knows the 2-token form, so every pdm >= 2.13 download is null there.
    """
    return _toolbelt(ua, sep, agent, "pdm", "pdm")


def parse_twine(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """twine: `twine/<v> [<dependency>/<v> …] <impl>/<v>`; the implementation is the last token."""
    return _toolbelt(ua, sep, agent, "twine", "twine", impl_index=-1)


def parse_conda(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """conda: `conda/<v> requests/<v> <impl>/<v> <system>/<release> <distro>/<v> [glibc/<v>] [solver/…]` (conda context.user_agent)."""
    if ua[sep] != "/":
        return None
    tokens = ua.split(" ")
    version = tokens[0][sep + 1:] or None
    impl_name = impl_version = python = system_name = system_release = None
    distro_name = distro_version = libc = None
    impl_at = None
    for index, token in enumerate(tokens[1:], start=1):
        key, _, value = token.partition("/")
        if impl_at is None and key in PYTHON_IMPLEMENTATIONS:
            impl_at = index
            impl_name, impl_version = key, value
            if key == "CPython":
                python = value
        elif key in ("glibc", "musl", "libc"):
            libc = f"{key} {value}" if value else key
        elif impl_at is not None and index == impl_at + 1 and value:
            system_name, system_release = key, value
        elif impl_at is not None and index == impl_at + 2 and value and key not in ("solver", "aau"):
            distro_name, distro_version = key, value
    return UserAgentInfo(
        "conda", "conda", version,
        python=python, implementation_name=impl_name, implementation_version=impl_version,
        system_name=system_name, system_release=system_release,
        distro_name=distro_name, distro_version=distro_version, libc=libc, agent_declared=agent,
    )


def parse_pex(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """pex: `pex/<v>`."""
    if ua[sep] != "/":
        return None
    return UserAgentInfo("pex", "pex", first_token(ua, sep + 1) or None, agent_declared=agent)


_PEX_TAIL = re.compile(r"pex/(\S+)$")


def parse_pex_suffix(ua: str, agent: str | None) -> UserAgentInfo | None:
    """linehaul also takes `… pex/<v>` at the end of any user agent as pex."""
    if "pex/" not in ua:
        return None
    match = _PEX_TAIL.search(ua)
    if match is None:
        return None
    return UserAgentInfo("pex", "pex", match.group(1), agent_declared=agent)


def parse_maturin(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """maturin: `maturin/<v>` (maturin upload)."""
    if ua[sep] != "/":
        return None
    return UserAgentInfo("maturin", "maturin", first_token(ua, sep + 1) or None, agent_declared=agent)


def parse_bazel(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """Bazel: `Bazel/<v>`, `Bazel/release <v>`; the version is the rest of the string ('1.0 dev')."""
    if ua[sep] != "/":
        return None
    version = ua[sep + 1:]
    if version.startswith("release"):
        stripped = version[7:].lstrip()
        if stripped != version[7:]:
            version = stripped
    return UserAgentInfo("bazel", "Bazel", version or None, agent_declared=agent)


def _urllib_python(token: str) -> str | None:
    """'Python-urllib/3.11' -> '3.11'."""
    name, _, version = token.partition("/")
    if name == "Python-urllib" and version_tuple(version) is not None:
        return version
    return None


def _easy_install_parser(name: str):
    """setuptools / distribute (easy_install): `<name>/<v> Python-urllib/<py>` or the reverse order."""

    def parse(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
        if ua[sep] != "/":
            return None
        tokens = ua.split(" ")
        python = _urllib_python(tokens[1]) if len(tokens) == 2 else None
        return UserAgentInfo(name, name, tokens[0][sep + 1:] or None, python=python, agent_declared=agent)

    parse.__doc__ = f"{name} (easy_install): `{name}/<v> Python-urllib/<py>` or the reverse order."
    return parse


parse_setuptools = _easy_install_parser("setuptools")
parse_distribute = _easy_install_parser("distribute")


def parse_python_urllib(ua: str, sep: int, agent: str | None) -> UserAgentInfo | None:
    """`Python-urllib/<py>`: the standard library's default; with `setuptools/<v>` or `distribute/<v>` it is that installer.

    linehaul reads only one digit after the dot (so 3.10+ are unknown there);
    any version is read here. Plain urllib names no installer, as in linehaul.
    """
    if ua[sep] != "/":
        return None
    tokens = ua.split(" ")
    python = _urllib_python(tokens[0])
    if len(tokens) == 2:
        name, _, version = tokens[1].partition("/")
        if name in ("setuptools", "distribute") and version:
            return UserAgentInfo(name, name, version, python=python, agent_declared=agent)
    return UserAgentInfo("urllib", None, None, python=python, agent_declared=agent)
