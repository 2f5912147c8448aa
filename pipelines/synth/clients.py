"""Who sends the requests: client populations with fixed user agents and ground truth.

A client is one installation (a laptop, a CI runner image of one pipeline, one
mirror server, one crawler) with one user agent, country and TLS setup. The user
agent strings are built the way the real clients build them (see
/work/shared/research/log-and-client-facts.md §1.4, §2 and ai-agent-signals.txt §B–D):

- pip:  ``pip/<v> `` + json.dumps(data, separators=(",", ":"), sort_keys=True);
  ``"ci"`` is true or null (never false) and absent before pip 19.1.
- uv:   ``uv/<v> `` + serde JSON: struct order, nulls kept; ``installer.subcommand``
  exists from uv 0.9.14 (astral-sh/uv#16837).
- poetry / pdm: ``<tool>/<v> <impl>/<pyver> <system>/<release>`` (no CI field).

Nothing here knows about log formats; traffic.py decides what each client does.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field

# --------------------------------------------------------------------------- ground truth
CLASSES = ("human", "ci", "ai_agent", "mirror", "bot", "unknown")


@dataclass(slots=True)
class Client:
    client_class: str
    subclass: str
    ua: str | None  # None is logged as (null)
    country: str
    tls: str  # "<protocol>|<cipher>", as the two log fields
    behaviour: str  # which session generator in traffic.py drives it
    agent_marked: bool = False
    pytag: str = "cp312"
    plat: str = "manylinux_x86_64"
    weight: float = 1.0  # relative activity within its subclass
    params: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- countries
COUNTRIES_DESKTOP = {
    "US": 27, "DE": 7, "CN": 9, "IN": 8, "GB": 5, "FR": 4, "JP": 4, "BR": 3, "CA": 3, "KR": 2.5,
    "NL": 2, "RU": 2, "PL": 1.5, "SG": 1.2, "AU": 1.5, "IT": 1.5, "ES": 1.5, "SE": 1, "CH": 1,
    "TW": 1.2, "VN": 1, "ID": 1, "UA": 1, "IL": 0.8, "TR": 0.8, "MX": 0.8, "HK": 0.7, "IE": 0.5,
    "FI": 0.5, "CZ": 0.6, "AR": 0.5, "NG": 0.4, "PK": 0.5, "BD": 0.4, "EG": 0.3, "ZA": 0.4,
}
COUNTRIES_CLOUD = {
    "US": 55, "IE": 7, "NL": 6, "DE": 6, "GB": 4, "SG": 4, "JP": 3, "IN": 3, "AU": 2, "BR": 1.5,
    "CA": 3, "FR": 2, "KR": 1.5, "SE": 1, "CH": 0.5, "HK": 1,
}
COUNTRIES_MIRROR = {"CN": 30, "US": 25, "DE": 9, "JP": 7, "RU": 5, "KR": 4, "GB": 4, "FR": 3, "IN": 4, "BR": 3, "NL": 3, "TW": 2, "AU": 1}
COUNTRIES_CRAWLER = {"US": 70, "IE": 4, "SG": 6, "CN": 6, "DE": 4, "NL": 4, "FR": 2, "JP": 2, "GB": 2}


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --------------------------------------------------------------------------- TLS
_TLS13 = ("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256")
_TLS12 = ("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-CHACHA20-POLY1305")


def tls_for(rng: random.Random, p13: float = 0.9) -> str:
    if rng.random() < p13:
        return "TLSv1.3|" + rng.choices(_TLS13, weights=(55, 38, 7))[0]
    return "TLSv1.2|" + rng.choices(_TLS12, weights=(60, 32, 8))[0]


# --------------------------------------------------------------------------- environments
# An environment is what pip/uv put in their linehaul JSON plus the wheel tags the
# machine installs. Keys: python, impl, os ('linux'|'macos'|'windows'), distro (pip
# shape: name, version, id?, libc?), system_name, release, cpu, openssl, setuptools,
# rustc, plat, pytag.

_PYTHONS = {  # version: weight on desktops
    "3.12.7": 14, "3.12.3": 10, "3.11.9": 12, "3.11.4": 5, "3.10.12": 9, "3.10.14": 4, "3.13.0": 8,
    "3.13.1": 4, "3.9.20": 5, "3.9.6": 3, "3.8.10": 3,
}
_LINUX_DESKTOPS = [  # name, version, id, libc version, python, openssl, kernels, weight
    ("Ubuntu", "24.04", "noble", "2.39", "3.12.3", "OpenSSL 3.0.13 30 Jan 2024", ("6.8.0-45-generic", "6.8.0-48-generic", "6.8.0-49-generic", "6.8.0-41-generic"), 10),
    ("Ubuntu", "22.04", "jammy", "2.35", "3.10.12", "OpenSSL 3.0.2 15 Mar 2022", ("6.5.0-35-generic", "6.8.0-40-generic", "5.15.0-125-generic", "6.8.0-48-generic"), 9),
    ("Linux Mint", "22", "wilma", "2.39", "3.12.3", "OpenSSL 3.0.13 30 Jan 2024", ("6.8.0-45-generic",), 1.5),
    ("Debian GNU/Linux", "12", "bookworm", "2.36", "3.11.2", "OpenSSL 3.0.14 4 Jun 2024", ("6.1.0-26-amd64", "6.1.0-27-amd64"), 2),
    ("Fedora Linux", "40", "", "2.39", "3.12.7", "OpenSSL 3.2.2 4 Jun 2024", ("6.10.12-200.fc40.x86_64", "6.11.5-200.fc40.x86_64"), 2),
    ("Arch Linux", "", "", "2.40", "3.12.7", "OpenSSL 3.4.0 22 Oct 2024", ("6.11.6-arch1-1", "6.11.8-arch1-2"), 1.2),
]
_WSL_KERNELS = ("5.15.153.1-microsoft-standard-WSL2", "5.15.167.4-microsoft-standard-WSL2")
_MACOS = [("15.1", "24.1.0", 6), ("14.7.1", "23.6.0", 5), ("14.5", "23.5.0", 3), ("13.6.9", "22.6.0", 2), ("15.0.1", "24.0.0", 2)]


def _pytag(python: str) -> str:
    major, minor = python.split(".")[:2]
    return f"cp{major}{minor}" if (major, int(minor)) >= ("3", 9) else "cp39"


def _setuptools(rng: random.Random, python: str, p_py312: float = 0.3) -> str | None:
    # Python 3.12 stopped seeding setuptools into new virtual environments.
    if python.startswith(("3.12", "3.13")) and rng.random() > p_py312:
        return None
    return rng.choice(("65.5.0", "68.2.2", "69.5.1", "70.0.0", "72.1.0", "75.1.0", "75.3.0"))


def desktop_env(rng: random.Random) -> dict:
    kind = rng.choices(("macos", "windows", "linux", "wsl"), weights=(34, 30, 27, 9))[0]
    rustc = rng.choice(("1.82.0", "1.81.0", "1.79.0", "1.83.0")) if rng.random() < 0.12 else None
    if kind == "macos":
        ver, darwin, _ = rng.choices(_MACOS, weights=[m[2] for m in _MACOS])[0]
        arm = rng.random() < 0.72
        python = _pick(rng, _PYTHONS)
        if python == "3.9.6":  # the Xcode command-line tools' Python
            openssl = "LibreSSL 2.8.3"
        else:
            openssl = rng.choice(("OpenSSL 3.0.15 3 Sep 2024", "OpenSSL 3.4.0 22 Oct 2024", "OpenSSL 3.3.2 3 Sep 2024"))
        return dict(
            os="macos", python=python, impl="CPython", distro={"name": "macOS", "version": ver},
            system_name="Darwin", release=darwin, cpu="arm64" if arm else "x86_64", openssl=openssl,
            setuptools=_setuptools(rng, python), rustc=rustc,
            plat="macosx_arm64" if arm else "macosx_x86_64", pytag=_pytag(python),
        )
    if kind == "windows":
        python = _pick(rng, {k: v for k, v in _PYTHONS.items() if k not in ("3.9.6", "3.10.12", "3.12.3")})
        return dict(
            os="windows", python=python, impl="CPython", distro=None, system_name="Windows",
            release=rng.choices(("10", "11"), weights=(55, 45))[0], cpu="AMD64",
            openssl="OpenSSL 3.0.15 3 Sep 2024", setuptools=_setuptools(rng, python), rustc=rustc,
            plat="win_amd64", pytag=_pytag(python),
        )
    name, version, codename, glibc, python, openssl, kernels, _ = rng.choices(
        _LINUX_DESKTOPS, weights=[d[-1] for d in _LINUX_DESKTOPS]
    )[0]
    if kind == "wsl":
        name, version, codename, glibc, python, openssl, kernels, _ = rng.choice(_LINUX_DESKTOPS[:2])
        kernels = _WSL_KERNELS
    if rng.random() < 0.35:  # a pyenv / uv-managed / deadsnakes Python instead of the system one
        python = _pick(rng, {k: v for k, v in _PYTHONS.items() if k != "3.9.6"})
    distro = {"name": name}
    if version:
        distro["version"] = version
    if codename:
        distro["id"] = codename
    distro["libc"] = {"lib": "glibc", "version": glibc}
    return dict(
        os="linux", python=python, impl="CPython", distro=distro, system_name="Linux",
        release=rng.choice(kernels), cpu="x86_64", openssl=openssl, setuptools=_setuptools(rng, python),
        rustc=rustc, plat="manylinux_x86_64", pytag=_pytag(python),
    )


# CI machines. 'cloud' is the ground-truth subclass when the client does not declare CI.
_CI_LINUX = [
    # (what, distro, libc, kernels, cloud, openssl, rustc?, weight)
    ("gha-ubuntu-24.04", ("Ubuntu", "24.04", "noble"), "2.39", ("6.8.0-1017-azure", "6.8.0-1021-azure", "6.11.0-1012-azure"), "azure", "OpenSSL 3.0.13 30 Jan 2024", True, 30),
    ("gha-ubuntu-22.04", ("Ubuntu", "22.04", "jammy"), "2.35", ("6.5.0-1025-azure", "6.8.0-1014-azure"), "azure", "OpenSSL 3.0.2 15 Mar 2022", True, 14),
    ("docker-slim-azure", ("Debian GNU/Linux", "12", "bookworm"), "2.36", ("6.8.0-1017-azure", "5.15.0-1074-azure"), "azure", "OpenSSL 3.0.15 3 Sep 2024", False, 6),
    ("docker-slim-aws", ("Debian GNU/Linux", "12", "bookworm"), "2.36", ("6.8.0-1018-aws", "6.1.0-1024-aws", "5.15.0-1071-aws"), "aws", "OpenSSL 3.0.15 3 Sep 2024", False, 9),
    ("docker-slim-gcp", ("Debian GNU/Linux", "12", "bookworm"), "2.36", ("6.8.0-1015-gcp", "5.15.0-1067-gcp"), "gcp", "OpenSSL 3.0.15 3 Sep 2024", False, 5),
    ("ubuntu-ec2", ("Ubuntu", "22.04", "jammy"), "2.35", ("6.8.0-1018-aws", "6.5.0-1022-aws"), "aws", "OpenSSL 3.0.2 15 Mar 2022", False, 5),
    ("alpine-aws", ("Alpine Linux", "3.20.3", ""), "", ("6.8.0-1018-aws", "6.1.0-1024-aws"), "aws", "OpenSSL 3.3.2 3 Sep 2024", False, 3),
    ("gitlab-gcp", ("Debian GNU/Linux", "12", "bookworm"), "2.36", ("6.8.0-1015-gcp", "6.1.0-1029-gcp"), "gcp", "OpenSSL 3.0.15 3 Sep 2024", False, 4),
    ("jenkins-onprem", ("Ubuntu", "20.04", "focal"), "2.31", ("5.4.0-200-generic", "5.15.0-125-generic"), None, "OpenSSL 1.1.1f  31 Mar 2020", False, 3),
    ("codebuild-al2", ("Amazon Linux", "2", ""), "2.26", ("5.10.227-219.884.amzn2.x86_64",), None, "OpenSSL 1.1.1w  11 Sep 2023", False, 2),
    ("flatcar", ("Debian GNU/Linux", "11", "bullseye"), "2.31", ("5.15.161-flatcar",), None, "OpenSSL 1.1.1w  11 Sep 2023", False, 1),
]
_CI_PYTHONS = {"3.12.7": 14, "3.12.8": 8, "3.11.10": 12, "3.11.9": 6, "3.10.15": 9, "3.9.20": 6, "3.13.0": 6, "3.13.1": 4, "3.8.18": 3}


def ci_env(rng: random.Random, cloud: str | None = None) -> dict:
    """A CI machine; with `cloud`, a Linux one whose kernel names that cloud."""
    choices = [c for c in _CI_LINUX if c[4] == cloud] if cloud else _CI_LINUX
    if not cloud:
        other = rng.random()
        if other < 0.07:
            python = _pick(rng, _CI_PYTHONS)
            return dict(
                os="windows", python=python, impl="CPython", distro=None, system_name="Windows",
                release="2022Server", cpu="AMD64", openssl="OpenSSL 3.0.15 3 Sep 2024",
                setuptools=_setuptools(rng, python, 0.0), rustc="1.82.0", plat="win_amd64",
                pytag=_pytag(python), cloud="azure", what="gha-windows-2022",
            )
        if other < 0.12:
            python = _pick(rng, _CI_PYTHONS)
            return dict(
                os="macos", python=python, impl="CPython", distro={"name": "macOS", "version": "14.7.1"},
                system_name="Darwin", release="23.6.0", cpu="arm64", openssl="OpenSSL 3.0.15 3 Sep 2024",
                setuptools=_setuptools(rng, python, 0.0), rustc="1.82.0", plat="macosx_arm64",
                pytag=_pytag(python), cloud=None, what="gha-macos-14",
            )
    what, (name, version, codename), glibc, kernels, cloud, openssl, rustc, _ = rng.choices(
        choices, weights=[c[-1] for c in choices]
    )[0]
    python = _pick(rng, _CI_PYTHONS)
    if what.startswith("gha") and rng.random() < 0.3:
        python = {"gha-ubuntu-24.04": "3.12.3", "gha-ubuntu-22.04": "3.10.12"}[what]  # the runner's system Python
    distro = {"name": name, "version": version}
    if codename:
        distro["id"] = codename
    if glibc:
        distro["libc"] = {"lib": "glibc", "version": glibc}
    arm = what.startswith("docker") and rng.random() < 0.12
    return dict(
        os="linux", python=python, impl="CPython", distro=distro, system_name="Linux",
        release=rng.choice(kernels), cpu="aarch64" if arm else "x86_64", openssl=openssl,
        setuptools=_setuptools(rng, python, 0.0 if what.startswith("gha") else 0.1),
        rustc=rng.choice(("1.82.0", "1.83.0")) if rustc else None,
        plat="musllinux_x86_64" if not glibc else ("manylinux_aarch64" if arm else "manylinux_x86_64"),
        pytag=_pytag(python), cloud=cloud, what=what,
    )


# --------------------------------------------------------------------------- user agents
def _version_tuple(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split(".") if x.isdigit())


def pip_ua(version: str, env: dict, ci: bool) -> str:
    """pip's linehaul user agent (pip/_internal/network/session.py::user_agent)."""
    data: dict = {
        "installer": {"name": "pip", "version": version},
        "python": env["python"],
        "implementation": {"name": env["impl"], "version": env["python"]},
    }
    if env["distro"]:
        data["distro"] = dict(env["distro"])
    data["system"] = {"name": env["system_name"], "release": env["release"]}
    data["cpu"] = env["cpu"]
    if env["openssl"]:
        data["openssl_version"] = env["openssl"]
    if env["setuptools"]:
        data["setuptools_version"] = env["setuptools"]
    if env["rustc"]:
        data["rustc_version"] = env["rustc"]
    if _version_tuple(version) >= (19, 1):
        data["ci"] = True if ci else None
    return f"pip/{version} " + json.dumps(data, separators=(",", ":"), sort_keys=True)


UV_SUBCOMMAND_SINCE = (0, 9, 14)  # astral-sh/uv#16837, released in uv 0.9.14 (2025-12-01)


def uv_ua(version: str, env: dict, ci: bool, subcommand: list[str] | None) -> str:
    """uv's linehaul user agent (crates/uv-client/src/linehaul.rs): struct order, nulls kept."""
    installer: dict = {"name": "uv", "version": version}
    if _version_tuple(version) >= UV_SUBCOMMAND_SINCE:
        installer["subcommand"] = subcommand
    distro = None
    if env["distro"] is not None:
        d = env["distro"]
        libc = d.get("libc")
        if env["plat"].startswith("musllinux"):
            libc = {"lib": "musl", "version": "1.2.5"}
        distro = {"name": d.get("name"), "version": d.get("version"), "id": d.get("id"), "libc": libc}
    data = {
        "installer": installer,
        "python": env["python"],
        "implementation": {"name": env["impl"], "version": env["python"]},
        "distro": distro,
        "system": {"name": env["system_name"], "release": env["release"]},
        "cpu": env["cpu"],
        "openssl_version": None,
        "setuptools_version": None,
        "rustc_version": None,
        "ci": True if ci else None,
    }
    return f"uv/{version} " + json.dumps(data, separators=(",", ":"))


def toolbelt_ua(tool: str, version: str, env: dict) -> str:
    """poetry (requests_toolbelt.user_agent) and pdm ≥2.13: three tokens."""
    return f"{tool}/{version} {env['impl']}/{env['python']} {env['system_name']}/{env['release']}"


def conda_ua(env: dict, rng: random.Random) -> str:
    conda = rng.choice(("24.9.2", "24.7.1", "24.11.0"))
    base = f"conda/{conda} requests/2.32.3 {env['impl']}/{env['python']} {env['system_name']}/{env['release']}"
    if env["os"] == "macos":
        base += f" OSX/{env['distro']['version']}"
    elif env["os"] == "linux":
        base += f" {env['distro']['name'].split()[0].lower()}/{env['distro'].get('version', '')} glibc/{env['distro']['libc']['version']}"
    return base + " solver/libmamba conda-libmamba-solver/24.9.0 libmambapy/1.5.10"


PIP_VERSIONS_HUMAN = {"24.3.1": 22, "24.2": 24, "24.0": 14, "23.3.1": 7, "23.2.1": 6, "22.3.1": 4, "22.0.2": 6, "21.2.4": 3, "20.0.2": 3, "25.0.1": 8, "9.0.1": 0.5, "18.1": 0.5}
PIP_VERSIONS_CI = {"24.3.1": 30, "24.2": 20, "24.0": 15, "23.0.1": 8, "22.0.2": 5, "25.0.1": 12, "21.3.1": 3, "20.3.4": 2}
UV_VERSIONS = {"0.9.18": 18, "0.9.17": 12, "0.9.15": 8, "0.9.14": 6, "0.9.5": 14, "0.8.22": 10, "0.7.19": 6, "0.6.17": 5, "0.5.31": 4, "0.4.30": 3}
POETRY_VERSIONS = {"1.8.3": 20, "1.8.4": 10, "1.8.5": 12, "2.0.1": 10, "2.1.1": 14, "2.1.3": 10, "1.7.1": 6}
PDM_VERSIONS = {"2.22.0": 20, "2.22.3": 10, "2.20.1": 12, "2.19.3": 8, "2.24.1": 10}

BROWSER_UAS = {
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36": 30,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36": 14,
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36": 18,
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15": 8,
    "Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0": 7,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0": 6,
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36": 6,
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0": 6,
}

# Verbatim from ai-agent-signals.txt §D (crawler-user-agents @7c7f9f25).
AI_CRAWLER_UAS = {
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)": 24,
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)": 20,
    "CCBot/2.0 (https://commoncrawl.org/faq/)": 10,
    "CCBot/2.0 (http://commoncrawl.org/faq/)": 3,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 11_0 like Mac OS X) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/40.0.3754.1902 Mobile Safari/537.36; Bytespider": 8,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 11_0 like Mac OS X) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.4454.1745 Mobile Safari/537.36; Bytespider": 6,
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; OAI-SearchBot/1.0; +https://openai.com/searchbot": 10,
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)": 8,
    "meta-externalagent/1.1 (+https://developers.facebook.com/docs/sharing/webmasters/crawler)": 5,
}
SEARCH_ENGINE_UAS = {
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)": 40,
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36": 25,
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)": 8,
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)": 10,
    "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)": 8,
    "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)": 4,
}
MONITOR_UAS = {
    "Mozilla/5.0 (compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)": 5,
    "Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)": 3,
    "Datadog Agent/7.59.0": 3,
}
SCANNER_UAS = {
    "Mozilla/5.0 zgrab/0.x": 5,
    "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)": 3,
}
# Agents: (user agent, subclass, behaviour, weight). Web fetchers read index pages for a
# user; tools with an appended marker also download.
AGENT_UAS = [
    ("Claude-User (claude-code/2.1.86; +https://support.anthropic.com/)", "ai_agent/claude-code", "agent_fetch", 30),
    ("python-httpx/0.28.1 agent/claude-code", "ai_agent/claude-code", "agent_tool", 18),
    ("clickhousectl/0.1.18 (agent=claude-code)", "ai_agent/claude-code", "agent_tool", 4),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko); compatible; ChatGPT-User/1.0; +https://openai.com/bot", "ai_agent/chatgpt-user", "agent_fetch", 15),
    ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; Perplexity-User/1.0; +https://perplexity.ai/perplexity-user)", "ai_agent/perplexity-user", "agent_fetch", 10),
    ("huggingface_hub/0.34.0; python/3.12.3; agent/cursor", "ai_agent/cursor", "agent_tool", 13),
    ("python-httpx/0.28.1 agent/cursor", "ai_agent/cursor", "agent_tool", 7),
]
SCRIPT_UAS = {
    "python-requests/2.32.3": 30, "python-requests/2.31.0": 12, "python-requests/2.28.1": 5,
    "Python-urllib/3.11": 8, "Python-urllib/3.12": 6, "Python-urllib/3.10": 4,
    "curl/8.5.0": 10, "curl/7.81.0": 6, "curl/8.7.1": 4, "Wget/1.21.4": 6, "Wget/1.21.2": 3,
    "Go-http-client/1.1": 8, "Go-http-client/2.0": 3, "python-httpx/0.27.0": 4, "python-httpx/0.28.1": 3,
}
BUILD_TOOL_UAS = {"Bazel/release 7.6.2": 8, "Bazel/release 7.4.1": 5, "Bazel/release 6.5.0": 2, "pex/2.20.3": 4, "pex/2.33.1": 3}


# --------------------------------------------------------------------------- populations
# (class, subclass) -> share of the class's lines. Class shares are set in traffic.py.
SUBCLASS_SHARES: dict[str, dict[str, float]] = {
    "human": {"human/pip": 52, "human/uv": 20, "human/poetry": 10, "human/pdm": 3, "human/conda": 1.5, "human/browser": 13.5},
    "ci": {"ci/unspecified": 78, "ci/cloud-azure": 12, "ci/cloud-aws": 7, "ci/cloud-gcp": 3},
    "mirror": {"mirror/bandersnatch": 45, "mirror/artifactory": 24, "mirror/nexus": 14, "mirror/devpi": 13, "mirror/z3c-pypimirror": 4},
    "bot": {"bot/ai-crawler": 55, "bot/search-engine": 30, "bot/monitor": 10, "bot/scanner": 5},
    "ai_agent": {"ai_agent/claude-code": 55, "ai_agent/chatgpt-user": 14, "ai_agent/perplexity-user": 10, "ai_agent/cursor": 21},
    "unknown": {"unknown/script": 62, "unknown/empty": 24, "unknown/build-tool": 14},
}


def _activity(rng: random.Random, sigma: float) -> float:
    return rng.lognormvariate(0.0, sigma)


def make_clients(subclass: str, n: int, rng: random.Random) -> list[Client]:
    """`n` clients of one ground-truth subclass (fewer for tiny populations)."""
    cls = subclass.split("/")[0]
    out: list[Client] = []
    for _ in range(n):
        c = _make_one(cls, subclass, rng)
        if c is not None:
            out.append(c)
    return out


def _make_one(cls: str, sub: str, rng: random.Random) -> Client | None:
    country_desktop = _pick(rng, COUNTRIES_DESKTOP)
    if sub == "human/pip":
        env = desktop_env(rng)
        ua = pip_ua(_pick(rng, PIP_VERSIONS_HUMAN), env, ci=False)
        tls = tls_for(rng, 0.3 if env["openssl"].startswith("LibreSSL") else 0.93)
        return Client(cls, sub, ua, country_desktop, tls, "install", pytag=env["pytag"], plat=env["plat"], weight=_activity(rng, 0.8), params={"p_download": 0.55, "index": True})
    if sub == "human/uv":
        env = desktop_env(rng)
        sub_cmd = rng.choices((["pip", "install"], ["add"], ["sync"], ["tool", "run"], ["run"]), weights=(35, 25, 25, 8, 7))[0]
        ua = uv_ua(_pick(rng, UV_VERSIONS), env, ci=False, subcommand=sub_cmd)
        # uv sync installs from uv.lock: no index pages.
        return Client(cls, sub, ua, country_desktop, tls_for(rng, 0.98), "install", pytag=env["pytag"], plat=env["plat"], weight=_activity(rng, 0.8), params={"p_download": 0.45, "index": sub_cmd != ["sync"], "parallel": True})
    if sub == "human/poetry":
        env = desktop_env(rng)
        ua = toolbelt_ua("poetry", _pick(rng, POETRY_VERSIONS), env)
        # poetry reads metadata from the JSON API (not in these logs): downloads only.
        return Client(cls, sub, ua, country_desktop, tls_for(rng, 0.93), "install", pytag=env["pytag"], plat=env["plat"], weight=_activity(rng, 0.8), params={"p_download": 0.6, "index": False})
    if sub == "human/pdm":
        env = desktop_env(rng)
        ua = toolbelt_ua("pdm", _pick(rng, PDM_VERSIONS), env)
        return Client(cls, sub, ua, country_desktop, tls_for(rng, 0.93), "install", pytag=env["pytag"], plat=env["plat"], weight=_activity(rng, 0.8), params={"p_download": 0.55, "index": True})
    if sub == "human/conda":
        env = desktop_env(rng)
        if env["os"] == "windows":
            env = desktop_env(rng)
        if env["os"] == "windows":
            return None
        return Client(cls, sub, conda_ua(env, rng), country_desktop, tls_for(rng, 0.93), "conda", pytag=env["pytag"], plat=env["plat"], weight=_activity(rng, 0.5))
    if sub == "human/browser":
        return Client(cls, sub, _pick(rng, BROWSER_UAS), country_desktop, tls_for(rng, 0.97), "browser", weight=_activity(rng, 0.5))
    if sub == "ci/unspecified":  # pip/uv saying "ci":true
        env = ci_env(rng)
        if rng.random() < 0.5:
            sub_cmd = rng.choices((["sync"], ["pip", "install"], ["run"], ["tool", "run"]), weights=(50, 35, 10, 5))[0]
            ua = uv_ua(_pick(rng, UV_VERSIONS), env, ci=True, subcommand=sub_cmd)
            params = {"p_download": 0.85, "index": sub_cmd != ["sync"], "parallel": True}
            tls = tls_for(rng, 0.99)
        else:
            ua = pip_ua(_pick(rng, PIP_VERSIONS_CI), env, ci=True)
            params = {"p_download": 0.92, "index": True}
            tls = tls_for(rng, 0.9 if env["openssl"].startswith("OpenSSL 3") else 0.6)
        return _ci_client(cls, sub, ua, env, tls, params, rng)
    if sub.startswith("ci/cloud-"):  # undeclared: poetry / pdm / pip inside `docker build`
        env = ci_env(rng, cloud=sub.split("-", 1)[1])
        tool = rng.choices(("poetry", "pdm", "pip"), weights=(55, 15, 30))[0]
        if tool == "pip":
            ua = pip_ua(_pick(rng, PIP_VERSIONS_CI), env, ci=False)
            params = {"p_download": 0.95, "index": True}
        else:
            ua = toolbelt_ua(tool, _pick(rng, POETRY_VERSIONS if tool == "poetry" else PDM_VERSIONS), env)
            params = {"p_download": 0.9, "index": False}  # installs from the lock file
        return _ci_client(cls, sub, ua, env, tls_for(rng, 0.95), params, rng)
    if sub == "mirror/bandersnatch":
        v = rng.choice(("6.5.0", "6.6.0", "6.3.0", "6.1.0", "4.4.0"))
        py = rng.choice(("3.11.4", "3.11.9", "3.12.3", "3.10.12", "3.9.18"))
        ua = f"bandersnatch/{v} (CPython {py}-final0, Linux x86_64)"
        return Client(cls, sub, ua, _pick(rng, COUNTRIES_MIRROR), tls_for(rng, 0.95), "mirror_sync", weight=_activity(rng, 0.7), params={"sync": (20, 260)})
    if sub == "mirror/z3c-pypimirror":
        return Client(cls, sub, "z3c.pypimirror/1.5.6", _pick(rng, COUNTRIES_MIRROR), tls_for(rng, 0.4), "mirror_sync", weight=_activity(rng, 0.3), params={"sync": (10, 120)})
    if sub == "mirror/devpi":
        v = rng.choice(("6.14.0", "6.12.1", "6.10.0", "6.9.2"))
        py = rng.choice(("3.12.3", "3.11.9", "3.10.12"))
        ua = f"devpi-server/{v} (py{py}; linux)"
        return Client(cls, sub, ua, _pick(rng, COUNTRIES_MIRROR), tls_for(rng, 0.9), "proxy", weight=_activity(rng, 0.7))
    if sub == "mirror/artifactory":
        ua = "Artifactory/" + rng.choice(("7.77.5", "7.90.14", "7.84.17", "7.71.11", "7.98.9"))
        return Client(cls, sub, ua, _pick(rng, {**COUNTRIES_CLOUD, **{"CN": 6, "IN": 4}}), tls_for(rng, 0.85), "proxy", weight=_activity(rng, 0.9))
    if sub == "mirror/nexus":
        v, ed, kernel, java = rng.choice((
            ("3.68.1-02", "OSS", "5.15.0-105-generic", "17.0.9"),
            ("3.72.0-04", "PRO", "4.18.0-513.24.1.el8_9.x86_64", "17.0.12"),
            ("3.61.0-02", "OSS", "5.4.0-182-generic", "11.0.22"),
            ("3.70.1-02", "PRO", "5.14.0-427.37.1.el9_4.x86_64", "17.0.11"),
        ))
        ua = f"Nexus/{v} ({ed}; Linux; {kernel}; amd64; {java})"
        return Client(cls, sub, ua, _pick(rng, {**COUNTRIES_CLOUD, **{"CN": 5, "DE": 8}}), tls_for(rng, 0.85), "proxy", weight=_activity(rng, 0.9))
    if sub == "bot/ai-crawler":
        ua = _pick(rng, AI_CRAWLER_UAS)
        return Client(cls, sub, ua, "SG" if "Bytespider" in ua and rng.random() < 0.6 else _pick(rng, COUNTRIES_CRAWLER), tls_for(rng, 0.8), "crawler", weight=_activity(rng, 0.6), params={"pages": (20, 300), "gap": 1.2, "p_file": 0.06 if ("CCBot" in ua or "Bytespider" in ua) else 0.01, "popular": 0.2})
    if sub == "bot/search-engine":
        ua = _pick(rng, SEARCH_ENGINE_UAS)
        country = "CN" if "Baidu" in ua else ("RU" if "Yandex" in ua else "US")
        return Client(cls, sub, ua, country, tls_for(rng, 0.85), "crawler", weight=_activity(rng, 0.6), params={"pages": (5, 60), "gap": 4.0, "p_file": 0.0, "popular": 0.6})
    if sub == "bot/monitor":
        return Client(cls, sub, _pick(rng, MONITOR_UAS), _pick(rng, COUNTRIES_CLOUD), tls_for(rng, 0.85), "monitor", weight=_activity(rng, 0.3), params={"interval": rng.choice((60, 120, 300, 600))})
    if sub == "bot/scanner":
        return Client(cls, sub, _pick(rng, SCANNER_UAS), _pick(rng, COUNTRIES_CLOUD), tls_for(rng, 0.6), "crawler", weight=_activity(rng, 0.3), params={"pages": (10, 120), "gap": 0.15, "p_file": 0.0, "popular": 0.1})
    if cls == "ai_agent":
        rows = [a for a in AGENT_UAS if a[1] == sub]
        ua, _, behaviour, _ = rng.choices(rows, weights=[a[3] for a in rows])[0]
        env = desktop_env(rng)
        country = "US" if behaviour == "agent_fetch" else country_desktop
        return Client(cls, sub, ua, country, tls_for(rng, 0.97), behaviour, agent_marked=True, pytag=env["pytag"], plat=env["plat"], weight=_activity(rng, 0.9))
    if sub == "unknown/script":
        ua = _pick(rng, SCRIPT_UAS)
        behaviour = "index_walker" if ua.startswith("Go-http-client") else "script"
        return Client(cls, sub, ua, _pick(rng, rng.choice((COUNTRIES_DESKTOP, COUNTRIES_CLOUD))), tls_for(rng, 0.8), behaviour, weight=_activity(rng, 1.0))
    if sub == "unknown/empty":
        return Client(cls, sub, None, _pick(rng, COUNTRIES_CLOUD), tls_for(rng, 0.7), "script", weight=_activity(rng, 1.0))
    if sub == "unknown/build-tool":
        ua = _pick(rng, BUILD_TOOL_UAS)
        env = ci_env(rng)
        params = {"p_download": 0.95, "index": ua.startswith("pex")}
        return _ci_client(cls, sub, ua, env, tls_for(rng, 0.9), params, rng)
    raise ValueError(f"unknown subclass {sub!r}")


def _ci_client(cls: str, sub: str, ua: str, env: dict, tls: str, params: dict, rng: random.Random) -> Client:
    """A CI pipeline: fixed dependencies (a lock file) run again and again in bursts."""
    params = dict(params)
    params["matrix"] = rng.choices((1, 2, 3, 4, 6), weights=(40, 20, 20, 12, 8))[0]
    return Client(cls, sub, ua, _pick(rng, COUNTRIES_CLOUD), tls, "ci", pytag=env["pytag"], plat=env["plat"], weight=_activity(rng, 1.1), params=params)
