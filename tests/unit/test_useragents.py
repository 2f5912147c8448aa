"""Tests for pipelines.useragents: per-family fixtures, linehaul's published cases, properties."""

from __future__ import annotations

import dataclasses
import json
import shlex
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.useragents import FAMILIES, UserAgentInfo, parse_user_agent
from pipelines.useragents.info import new_info

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "useragents"
LINEHAUL_CASES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "public" / "linehaul_ua_cases.tsv"
FIELDS = {field.name for field in dataclasses.fields(UserAgentInfo)}


def _value(cell: str):
    if cell == "(none)":
        return None
    if cell == "true":
        return True
    return cell


def _load_fixture_rows():
    rows = []
    for path in sorted(FIXTURES.glob("*.tsv")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line or line.startswith("#"):
                continue
            ua, name, version, ci, *checks = line.split("\t")
            expected = {"installer_name": _value(name), "installer_version": _value(version), "ci_declared": _value(ci)}
            for check in checks:
                key, _, value = check.partition("=")
                expected[key] = _value(value)
            ua = "" if ua == "(empty)" else ua
            rows.append(pytest.param(path.stem, ua, expected, id=f"{path.stem}:{number}"))
    return rows


FIXTURE_ROWS = _load_fixture_rows()


def test_every_family_has_a_fixture_file():
    assert {path.stem for path in FIXTURES.glob("*.tsv")} == FAMILIES


@pytest.mark.parametrize(("family", "ua", "expected"), FIXTURE_ROWS)
def test_fixture(family, ua, expected):
    info = parse_user_agent(ua)
    assert set(expected) <= FIELDS, f"unknown field in fixture: {set(expected) - FIELDS}"
    assert info.family == family
    assert {key: getattr(info, key) for key in expected} == expected


# ---------------------------------------------------------------- linehaul's published cases

# Where linehaul has no answer or the wrong one, the better answer asserted instead:
# (installer_name, installer_version, python)
BETTER_THAN_LINEHAUL = {
    # pdm >= 2.13 sends 3 tokens; linehaul's regex wants exactly 2 (research §1.4)
    "pdm/2.22.0 CPython/3.12.3 Linux/6.8.0-1017-azure": ("pdm", "2.22.0", "3.12.3"),
    # linehaul reads one digit after the dot; no installer either way, but the Python version is read
    "Python-urllib/3.11": (None, None, "3.11"),
    # package managers and libraries linehaul has no parser for
    "python-httpx/0.27.0": ("httpx", "0.27.0", None),
    "npm/10.2.4 node/v20.11.0 linux x64 workspaces/false": ("npm", "10.2.4", None),
}


def _linehaul_rows():
    if not LINEHAUL_CASES.exists():
        return []
    rows = []
    for line in LINEHAUL_CASES.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        ua, name, version, ci = line.split("\t")
        rows.append(pytest.param(ua, name, version, ci, id=ua[:60]))
    return rows


@pytest.mark.skipif(not LINEHAUL_CASES.exists(), reason=f"{LINEHAUL_CASES} not present")
@pytest.mark.parametrize(("ua", "name", "version", "ci"), _linehaul_rows())
def test_agrees_with_linehaul(ua, name, version, ci):
    info = parse_user_agent(ua)
    if ua in BETTER_THAN_LINEHAUL:
        assert (info.installer_name, info.installer_version, info.python) == BETTER_THAN_LINEHAUL[ua]
        return
    expected_name = None if name in ("IGNORED", "UNKNOWN", "(none)") else name
    expected_version = None if version == "(none)" else version
    assert (info.installer_name, info.installer_version) == (expected_name, expected_version)
    assert info.ci_declared == (True if ci == "true" else None)
    if name == "IGNORED":
        assert info.family in ("empty", "go-http-client")
    if ua == "Python-urllib/2.7":  # linehaul: only python set
        assert info.python == "2.7"


def test_linehaul_exceptions_are_in_the_cases_file():
    if not LINEHAUL_CASES.exists():
        pytest.skip(f"{LINEHAUL_CASES} not present")
    uas = {line.split("\t")[0] for line in LINEHAUL_CASES.read_text(encoding="utf-8").splitlines()}
    assert set(BETTER_THAN_LINEHAUL) <= uas


# ---------------------------------------------------------------- specific behaviour

def test_none_and_empty_are_family_empty():
    assert parse_user_agent(None) == UserAgentInfo("empty")
    assert parse_user_agent("") == UserAgentInfo("empty")


def test_bytes_are_decoded():
    assert parse_user_agent(b"pip/24.0").installer_version == "24.0"


def test_ci_is_never_false():
    for ci in ("false", "null", "0", '"no"'):
        info = parse_user_agent('uv/0.5.0 {"installer":{"name":"uv","version":"0.5.0"},"ci":%s}' % ci)
        assert info.ci_declared is None


def test_installer_name_comes_from_the_json_not_the_prefix():
    info = parse_user_agent('pip/23.0 {"installer":{"name":"uv","version":"0.9.1"}}')
    assert (info.family, info.installer_name, info.installer_version) == ("uv", "uv", "0.9.1")


def test_non_string_json_values_do_not_break_parsing():
    info = parse_user_agent('pip/23.0 {"installer":{"name":"pip","version":23},"python":[3,12],"cpu":{"x":1},'
                            '"system":"Linux","distro":{"libc":{"lib":"glibc"}}}')
    assert (info.installer_version, info.python, info.cpu, info.system_name, info.libc) == ("23", None, None, None, "glibc")


def test_json_that_orjson_rejects_is_still_read_as_json_loads_reads_it():
    # a lone surrogate escape: valid for json.loads, rejected by orjson
    info = parse_user_agent('uv/0.5.0 {"installer":{"name":"uv","version":"0.5.0"},"python":"\\ud800","ci":true}')
    assert (info.installer_version, info.python, info.ci_declared) == ("0.5.0", "\ud800", True)


def test_fast_constructor_equals_the_dataclass():
    values = [f"v{i}" for i in range(len(FIELDS))]
    assert new_info(*values) == UserAgentInfo(*values)
    assert hash(new_info(*values)) == hash(UserAgentInfo(*values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        new_info(*values).family = "x"


# ---------------------------------------------------------------- properties

PREFIXES = ["", "pip/", "pip/24.0 ", "pip/1.4 ", "uv/", "uv/0.5.0 ", "Hatch/1.0 ", "poetry/", "pdm/", "twine/",
            "conda/", "Bazel/", "bandersnatch/", "devpi-server/", "Nexus/", "Homebrew/", "cargo ", "npm/",
            "Composer/", "bundler/", "python-requests/", "Python-urllib/", "Python/", "Mozilla/", "URL/",
            "(via ", "agent/", "AI-Agent (name=", "devpi-server/1 (", "Go "]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PREFIXES), st.text(max_size=200))
def test_parse_never_raises(prefix, text):
    info = parse_user_agent(prefix + text)
    assert isinstance(info, UserAgentInfo)
    assert info.family in FAMILIES
    assert info.ci_declared in (True, None)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=100))
def test_parse_never_raises_on_bytes(raw):
    assert parse_user_agent(raw).family in FAMILIES


_text = st.text(min_size=1, max_size=20)
_opt_text = st.none() | _text


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.sampled_from(["pip", "uv"]),
    name=st.sampled_from(["pip", "uv", "hatch", "custom-installer"]),
    version=st.from_regex(r"\A(?:[6-9]|[1-9][0-9])\.[0-9]{1,2}(?:\.[0-9])?\Z"),
    subcommand=st.none() | st.lists(_text, max_size=3),
    python=_opt_text, impl_name=_opt_text, impl_version=_opt_text, system_name=_opt_text,
    system_release=_opt_text, distro_name=_opt_text, distro_version=_opt_text, distro_id=_opt_text,
    libc=st.none() | st.tuples(_text, _text), cpu=_opt_text,
    ci=st.sampled_from([None, True, False, "absent"]),
    pip_style=st.booleans(),
)
def test_linehaul_json_round_trip(prefix, name, version, subcommand, python, impl_name, impl_version,
                                  system_name, system_release, distro_name, distro_version, distro_id,
                                  libc, cpu, ci, pip_style):
    installer = {"name": name, "version": version}
    if subcommand is not None:
        installer["subcommand"] = subcommand
    data = {
        "installer": installer, "python": python,
        "implementation": {"name": impl_name, "version": impl_version},
        "distro": {"name": distro_name, "version": distro_version, "id": distro_id,
                   "libc": None if libc is None else {"lib": libc[0], "version": libc[1]}},
        "system": {"name": system_name, "release": system_release}, "cpu": cpu,
        "openssl_version": None, "setuptools_version": None, "rustc_version": None,
    }
    if ci != "absent":
        data["ci"] = ci
    # pip: sorted keys, compact separators; uv: struct order (serde_json)
    payload = json.dumps(data, separators=(",", ":"), sort_keys=pip_style)
    info = parse_user_agent(f"{prefix}/{version} {payload}")

    assert info.family == (name if name in ("pip", "uv", "hatch") else prefix)
    assert (info.installer_name, info.installer_version) == (name, version)
    assert info.installer_subcommand == (shlex.join(subcommand) if subcommand else None)
    assert (info.python, info.implementation_name, info.implementation_version) == (python, impl_name, impl_version)
    assert (info.system_name, info.system_release, info.cpu) == (system_name, system_release, cpu)
    assert (info.distro_name, info.distro_version, info.distro_id) == (distro_name, distro_version, distro_id)
    assert info.libc == (None if libc is None else f"{libc[0]} {libc[1]}")
    assert info.ci_declared == (True if ci is True else None)
