"""A synthetic PyPI: projects, versions, distribution files and their sizes.

The catalog depends on the seed and on the number of projects only, never on the
day, so several generated days share one catalog (same files, same sizes). Every
project's versions and files come from that project's own RNG, so they do not
depend on the order in which traffic asks for them.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from bisect import bisect
from dataclasses import dataclass, field

import numpy as np

# Real names at the top of PyPI's download ranking (order = popularity rank), with
# the stem their files use, the kind of files they ship, their direct dependencies
# (as installers resolve them) and a plausible latest version.
#   kind: "pure" (one py3-none-any wheel), "binary" (per-Python, per-platform wheels),
#         "huge" (binary, hundreds of MB per wheel, no sdist)
TOP_PROJECTS: list[tuple[str, str, str, tuple[str, ...], str]] = [
    ("boto3", "boto3", "pure", ("botocore", "s3transfer", "jmespath"), "1.35.54"),
    ("urllib3", "urllib3", "pure", (), "2.2.3"),
    ("botocore", "botocore", "pure", ("jmespath", "python-dateutil", "urllib3"), "1.35.54"),
    ("requests", "requests", "pure", ("charset-normalizer", "idna", "urllib3", "certifi"), "2.32.3"),
    ("setuptools", "setuptools", "pure", (), "75.3.0"),
    ("certifi", "certifi", "pure", (), "2024.8.30"),
    ("idna", "idna", "pure", (), "3.10"),
    ("charset-normalizer", "charset_normalizer", "binary", (), "3.4.0"),
    ("typing-extensions", "typing_extensions", "pure", (), "4.12.2"),
    ("python-dateutil", "python_dateutil", "pure", ("six",), "2.9.0.post0"),
    ("packaging", "packaging", "pure", (), "24.2"),
    ("s3transfer", "s3transfer", "pure", ("botocore",), "0.10.3"),
    ("six", "six", "pure", (), "1.16.0"),
    ("aiobotocore", "aiobotocore", "pure", ("botocore", "aiohttp", "wrapt", "aioitertools"), "2.15.2"),
    ("numpy", "numpy", "binary", (), "2.1.3"),
    ("pyyaml", "PyYAML", "binary", (), "6.0.2"),
    ("grpcio-status", "grpcio_status", "pure", ("grpcio", "protobuf", "googleapis-common-protos"), "1.67.1"),
    ("pip", "pip", "pure", (), "24.3.1"),
    ("cryptography", "cryptography", "binary", ("cffi",), "43.0.3"),
    ("fsspec", "fsspec", "pure", (), "2024.10.0"),
    ("pydantic", "pydantic", "pure", ("pydantic-core", "typing-extensions", "annotated-types"), "2.9.2"),
    ("cffi", "cffi", "binary", ("pycparser",), "1.17.1"),
    ("pycparser", "pycparser", "pure", (), "2.22"),
    ("pandas", "pandas", "binary", ("numpy", "python-dateutil", "pytz", "tzdata"), "2.2.3"),
    ("protobuf", "protobuf", "binary", (), "5.28.3"),
    ("pydantic-core", "pydantic_core", "binary", ("typing-extensions",), "2.23.4"),
    ("attrs", "attrs", "pure", (), "24.2.0"),
    ("jmespath", "jmespath", "pure", (), "1.0.1"),
    ("wheel", "wheel", "pure", (), "0.45.0"),
    ("platformdirs", "platformdirs", "pure", (), "4.3.6"),
    ("click", "click", "pure", (), "8.1.7"),
    ("markupsafe", "MarkupSafe", "binary", (), "3.0.2"),
    ("jinja2", "jinja2", "pure", ("markupsafe",), "3.1.4"),
    ("pytz", "pytz", "pure", (), "2024.2"),
    ("tzdata", "tzdata", "pure", (), "2024.2"),
    ("annotated-types", "annotated_types", "pure", (), "0.7.0"),
    ("grpcio", "grpcio", "binary", (), "1.67.1"),
    ("googleapis-common-protos", "googleapis_common_protos", "pure", ("protobuf",), "1.65.0"),
    ("filelock", "filelock", "pure", (), "3.16.1"),
    ("wrapt", "wrapt", "binary", (), "1.16.0"),
    ("aiohttp", "aiohttp", "binary", ("attrs", "multidict", "yarl", "frozenlist", "aiosignal"), "3.10.10"),
    ("multidict", "multidict", "binary", (), "6.1.0"),
    ("yarl", "yarl", "binary", ("idna", "multidict"), "1.17.1"),
    ("frozenlist", "frozenlist", "binary", (), "1.5.0"),
    ("aiosignal", "aiosignal", "pure", ("frozenlist",), "1.3.1"),
    ("aioitertools", "aioitertools", "pure", (), "0.12.0"),
    ("scipy", "scipy", "binary", ("numpy",), "1.14.1"),
    ("pluggy", "pluggy", "pure", (), "1.5.0"),
    ("iniconfig", "iniconfig", "pure", (), "2.0.0"),
    ("pytest", "pytest", "pure", ("iniconfig", "packaging", "pluggy"), "8.3.3"),
    ("sympy", "sympy", "pure", ("mpmath",), "1.13.3"),
    ("mpmath", "mpmath", "pure", (), "1.3.0"),
    ("networkx", "networkx", "pure", (), "3.4.2"),
    ("nvidia-cudnn-cu12", "nvidia_cudnn_cu12", "huge", (), "9.1.0.70"),
    ("torch", "torch", "huge", ("filelock", "typing-extensions", "sympy", "networkx", "jinja2", "fsspec", "nvidia-cudnn-cu12"), "2.5.1"),
    ("tensorflow", "tensorflow", "huge", ("numpy", "protobuf", "grpcio", "packaging", "six", "wrapt"), "2.18.0"),
]

# Approximate size of one wheel of the huge projects, by platform, in MB.
HUGE_SIZES_MB = {
    "torch": {"manylinux_x86_64": 906, "manylinux_aarch64": 92, "macosx_arm64": 64, "win_amd64": 203},
    "tensorflow": {"manylinux_x86_64": 615, "manylinux_aarch64": 240, "macosx_arm64": 239, "win_amd64": 7.5},
    "nvidia-cudnn-cu12": {"manylinux_x86_64": 664, "manylinux_aarch64": 650, "win_amd64": 680},
}

# Typical wheel size (KB, Linux x86_64 wheel for binary projects) of the real names.
KNOWN_SIZES_KB = {
    "boto3": 139, "urllib3": 126, "botocore": 12700, "requests": 64, "setuptools": 1200, "certifi": 167,
    "idna": 70, "charset-normalizer": 142, "typing-extensions": 37, "python-dateutil": 229, "packaging": 65,
    "s3transfer": 82, "six": 11, "aiobotocore": 78, "numpy": 16300, "pyyaml": 750, "grpcio-status": 14,
    "pip": 1800, "cryptography": 4000, "fsspec": 180, "pydantic": 434, "cffi": 450, "pycparser": 117,
    "pandas": 12700, "protobuf": 316, "pydantic-core": 2100, "attrs": 63, "jmespath": 20, "wheel": 72,
    "platformdirs": 18, "click": 97, "markupsafe": 21, "jinja2": 133, "pytz": 508, "tzdata": 346,
    "annotated-types": 13, "grpcio": 5900, "googleapis-common-protos": 220, "filelock": 16, "wrapt": 80,
    "aiohttp": 1300, "multidict": 124, "yarl": 320, "frozenlist": 274, "aiosignal": 8, "aioitertools": 24,
    "scipy": 40800, "pluggy": 20, "iniconfig": 6, "pytest": 342, "sympy": 6200, "mpmath": 536, "networkx": 1700,
}

# Wheel platform keys (what a client runs on) -> the platform tag in file names.
PLATFORM_TAGS = {
    "manylinux_x86_64": "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "manylinux_aarch64": "manylinux_2_17_aarch64.manylinux2014_aarch64",
    "musllinux_x86_64": "musllinux_1_2_x86_64",
    "macosx_arm64": "macosx_11_0_arm64",
    "macosx_x86_64": "macosx_10_9_x86_64",
    "win_amd64": "win_amd64",
}
# Relative size of a binary wheel per platform (Linux wheels bundle their libraries).
_PLATFORM_SIZE = {
    "manylinux_x86_64": 1.0,
    "manylinux_aarch64": 0.95,
    "musllinux_x86_64": 1.05,
    "macosx_arm64": 0.7,
    "macosx_x86_64": 0.75,
    "win_amd64": 0.6,
}
PYTHON_TAGS = ("cp39", "cp310", "cp311", "cp312", "cp313")

_SYLLABLES = (
    "ka lo mi ra ven to sel qui da por zen lux bri tor nia fle gra sto pyl mar "
    "dex con fi ne ba ru tiv an el os ix yo pa cal me ter sa vo li ma ko tra"
).split()
_SUFFIXES = ("", "", "", "", "-utils", "-client", "-sdk", "-cli", "-core", "-tools", "-lib", "-api", "-py", "-plugin", "-async")
_PREFIXES = ("", "", "", "", "", "", "py", "django-", "flask-", "pytest-", "types-", "sphinx-", "azure-", "google-cloud-", "mkdocs-")
_NORMALIZE = re.compile(r"[-_.]+")

DOWNLOAD_TYPES = ("bdist_wheel", "sdist", "bdist_egg")


def normalize(name: str) -> str:
    """PEP 503 normalized project name."""
    return _NORMALIZE.sub("-", name).lower()


@dataclass(slots=True)
class DistFile:
    filename: str
    project: int
    version: str
    package_type: str  # bdist_wheel / sdist / bdist_egg
    size: int
    url_path: str  # /packages/xx/yy/<60 hex>/<filename>


@dataclass
class Catalog:
    """Projects (index = project id) plus lazily materialised versions and files."""

    seed: int
    names: list[str]  # normalized; used in /simple/<name>/ and the project field
    stems: list[str]  # how the files spell the name
    kinds: list[str]
    deps: list[tuple[int, ...]]
    popularity: np.ndarray  # probability of being chosen as the root of an install
    fake_names: list[str]  # names that do not exist (agents hallucinate them)
    files: list[DistFile] = field(default_factory=list)
    _latest: dict[int, str] = field(default_factory=dict)
    _versions: dict[int, list[str]] = field(default_factory=dict)
    _project_meta: dict[int, tuple[float, bool, bool]] = field(default_factory=dict)
    _file_ids: dict[tuple, int] = field(default_factory=dict)
    _closure: dict[int, tuple[int, ...]] = field(default_factory=dict)
    _cum: list[float] = field(default_factory=list)

    @property
    def n_projects(self) -> int:
        return len(self.names)

    # -- projects ---------------------------------------------------------------
    def _rng(self, project: int, salt: str = "") -> random.Random:
        return random.Random(f"catalog:{self.seed}:{project}:{salt}")

    def versions(self, project: int) -> list[str]:
        """Released versions, oldest first (the last one is the latest)."""
        got = self._versions.get(project)
        if got is None:
            got = _make_versions(self._rng(project, "versions"), self._latest.get(project))
            self._versions[project] = got
        return got

    def _meta(self, project: int) -> tuple[float, bool, bool]:
        """(median wheel size in bytes, has sdist, ships an old egg)."""
        got = self._project_meta.get(project)
        if got is None:
            rng = self._rng(project, "meta")
            kind = self.kinds[project]
            if kind == "huge":
                got = (0.0, False, False)
            elif self.names[project] in KNOWN_SIZES_KB:
                got = (KNOWN_SIZES_KB[self.names[project]] * 1000.0, True, False)
            elif kind == "binary":
                got = (math.exp(rng.gauss(math.log(2.0e6), 1.0)), rng.random() < 0.95, False)
            else:
                got = (math.exp(rng.gauss(math.log(9.0e4), 1.3)), rng.random() < 0.9, rng.random() < 0.03)
            self._project_meta[project] = got
        return got

    def closure(self, project: int, limit: int = 30) -> tuple[int, ...]:
        """The project and everything it (transitively) depends on, root first."""
        got = self._closure.get(project)
        if got is None:
            seen = {project: None}
            stack = [project]
            while stack and len(seen) < limit:
                for dep in self.deps[stack.pop(0)]:
                    if dep not in seen:
                        seen[dep] = None
                        stack.append(dep)
            got = tuple(seen)
            self._closure[project] = got
        return got

    def pick_root(self, rng: random.Random) -> int:
        """A project to install, weighted by popularity."""
        return min(bisect(self._cum, rng.random() * self._cum[-1]), len(self._cum) - 1)

    def pick_version(self, rng: random.Random, project: int) -> int:
        """Index into versions(): mostly the latest, sometimes an older pin."""
        n = len(self.versions(project))
        if n == 1 or rng.random() < 0.72:
            return n - 1
        back = min(n - 1, 1 + int(rng.expovariate(0.45)))
        return n - 1 - back

    # -- files ------------------------------------------------------------------
    def _file(self, project: int, version_idx: int, key: tuple) -> int:
        """Id of the file `key` of that release, creating it on first use."""
        full_key = (project, version_idx, key)
        fid = self._file_ids.get(full_key)
        if fid is not None:
            return fid
        version = self.versions(project)[version_idx]
        stem = self.stems[project]
        kind = self.kinds[project]
        median, _, _ = self._meta(project)
        if key[0] == "sdist":
            filename = f"{normalize(stem).replace('-', '_')}-{version}.tar.gz"
            ptype = "sdist"
            size = median * 1.6
        elif key[0] == "egg":
            filename = f"{stem.replace('-', '_')}-{version}-py2.7.egg"
            ptype = "bdist_egg"
            size = median * 1.3
        elif key[0] == "any":
            filename = f"{stem.replace('-', '_')}-{version}-py3-none-any.whl"
            ptype = "bdist_wheel"
            size = median
        else:
            _, pytag, plat = key
            if kind == "huge" and self.names[project].startswith("nvidia-"):
                filename = f"{stem}-{version}-py3-none-{PLATFORM_TAGS[plat].split('.')[-1]}.whl"
            else:
                filename = f"{stem.replace('-', '_')}-{version}-{pytag}-{pytag}-{PLATFORM_TAGS[plat]}.whl"
            ptype = "bdist_wheel"
            if kind == "huge":
                size = HUGE_SIZES_MB[self.names[project]][plat] * 1.0e6
            else:
                size = median * _PLATFORM_SIZE[plat]
        digest = hashlib.blake2b(filename.encode(), digest_size=32).hexdigest()
        # Older releases are a little smaller; each file varies a few percent.
        age = len(self.versions(project)) - 1 - version_idx
        wobble = 1.0 + (int(digest[:6], 16) / 0xFFFFFF - 0.5) * 0.08
        size_bytes = max(900, int(size * (0.985**age) * wobble))
        url_path = f"/packages/{digest[:2]}/{digest[2:4]}/{digest[4:]}/{filename}"
        fid = len(self.files)
        self.files.append(DistFile(filename, project, version, ptype, size_bytes, url_path))
        self._file_ids[full_key] = fid
        return fid

    def platform_wheels(self, project: int) -> tuple[str, ...]:
        kind = self.kinds[project]
        if kind == "huge":
            return tuple(HUGE_SIZES_MB[self.names[project]])
        if kind == "binary":
            return tuple(PLATFORM_TAGS)
        return ()

    def install_file(self, project: int, version_idx: int, pytag: str, plat: str, prefer_sdist: bool = False) -> int:
        """The file an installer on (pytag, plat) downloads for that release."""
        kind = self.kinds[project]
        _, has_sdist, _ = self._meta(project)
        if prefer_sdist and has_sdist:
            return self._file(project, version_idx, ("sdist",))
        if kind == "pure":
            return self._file(project, version_idx, ("any",))
        if plat in self.platform_wheels(project):
            if self.names[project].startswith("nvidia-"):
                pytag = "py3"
            return self._file(project, version_idx, ("wheel", pytag, plat))
        if has_sdist:
            return self._file(project, version_idx, ("sdist",))  # no wheel: build from source
        return self._file(project, version_idx, ("wheel", pytag, self.platform_wheels(project)[0]))

    def release_files(self, project: int, version_idx: int) -> list[int]:
        """Every file of a release (what a full mirror downloads)."""
        _, has_sdist, egg = self._meta(project)
        out = []
        plats = self.platform_wheels(project)
        if not plats:
            out.append(self._file(project, version_idx, ("any",)))
        elif self.names[project].startswith("nvidia-"):
            out.extend(self._file(project, version_idx, ("wheel", "py3", p)) for p in plats)
        else:
            out.extend(self._file(project, version_idx, ("wheel", t, p)) for t in PYTHON_TAGS for p in plats)
        if has_sdist:
            out.append(self._file(project, version_idx, ("sdist",)))
        if egg:
            out.append(self._file(project, version_idx, ("egg",)))
        return out


def _make_versions(rng: random.Random, latest: str | None) -> list[str]:
    """A plausible PEP 440 release history, oldest first."""
    n = 1 + min(24, int(rng.expovariate(1 / 5.0)))
    if latest is not None:
        out = [latest]
        parts = re.match(r"^(\d+)\.(\d+)(?:\.(\d+))?", latest)
        major, minor, patch = int(parts[1]), int(parts[2]), int(parts[3] or 0)
        calver = major >= 2000
        for _ in range(n - 1):
            if calver:
                minor -= 1
                if minor < 1:
                    major, minor = major - 1, 12
                out.append(f"{major}.{minor}.{rng.randint(1, 28)}")
            elif patch > 0 and rng.random() < 0.6:
                patch -= 1
                out.append(f"{major}.{minor}.{patch}")
            elif minor > 0:
                minor -= 1
                patch = rng.randint(0, 4)
                out.append(f"{major}.{minor}.{patch}")
            else:
                major, minor, patch = max(0, major - 1), rng.randint(3, 12), rng.randint(0, 3)
                out.append(f"{major}.{minor}.{patch}")
        return list(reversed(dict.fromkeys(out)))
    style = rng.random()
    if style < 0.1:  # calendar versioning
        year, month = 2024, rng.randint(1, 11)
        out = []
        for _ in range(n):
            out.append(f"{year}.{month}.{rng.randint(1, 28)}")
            month -= rng.randint(1, 3)
            if month < 1:
                year, month = year - 1, month + 12
        return list(reversed(dict.fromkeys(out)))
    major = 0 if style < 0.55 else rng.randint(1, 5)
    minor, patch = rng.randint(0, 3), 0
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.55:
            patch += 1
        elif r < 0.9:
            minor, patch = minor + 1, 0
        else:
            major, minor, patch = major + 1, 0, 0
        v = f"{major}.{minor}.{patch}"
        if rng.random() < 0.03:
            v += ".post1"
        out.append(v)
    if rng.random() < 0.25:  # two-part versions
        out = [v[:-2] if v.endswith(".0") else v for v in out]
    return list(dict.fromkeys(out))


def _pronounceable(rng: random.Random) -> str:
    core = "".join(rng.choice(_SYLLABLES) for _ in range(rng.choice((2, 2, 3, 3, 4))))
    return normalize(rng.choice(_PREFIXES) + core + rng.choice(_SUFFIXES))


def build_catalog(seed: int, n_projects: int) -> Catalog:
    """A catalog of `n_projects` projects (at least the real top names).

    Project i is the same project (name, files, sizes) whatever n_projects is, so
    days generated at different sizes agree on every file they share."""
    names = [t[0] for t in TOP_PROJECTS]
    stems = [t[1] for t in TOP_PROJECTS]
    kinds = [t[2] for t in TOP_PROJECTS]
    taken = set(names)
    name_rng = random.Random(f"catalog-names:{seed}")
    while len(names) < n_projects:
        name = _pronounceable(name_rng)
        if name in taken:
            continue
        taken.add(name)
        prng = random.Random(f"catalog:{seed}:{len(names)}:project")
        names.append(name)
        stems.append(name if prng.random() < 0.85 else name.replace("-", "_"))
        kinds.append("binary" if prng.random() < 0.12 else "pure")
    index = {n: i for i, n in enumerate(names)}
    n_top = len(TOP_PROJECTS)
    deps: list[tuple[int, ...]] = [tuple(index[d] for d in t[3]) for t in TOP_PROJECTS]
    # Generated projects depend on a few popular projects (that is what makes the
    # top of PyPI the top) and now and then on another generated one.
    top_weights = [1.0 / (i + 1) ** 0.9 for i in range(n_top)]
    never = {index["torch"], index["tensorflow"]}
    for i in range(n_top, len(names)):
        prng = random.Random(f"catalog:{seed}:{i}:deps")
        k = min(6, int(prng.expovariate(1 / 1.6)))
        chosen = set(prng.choices(range(n_top), weights=top_weights, k=k))
        if prng.random() < 0.25 and i > n_top + 1:
            chosen.add(prng.randrange(n_top, i))
        deps.append(tuple(sorted(chosen - never)))
    # Roots people ask for: Zipf over generated names, plus the real ones that are
    # installed directly (requests, pandas, boto3, pytest, torch…).
    ranks = np.arange(1, len(names) + 1, dtype=np.float64)
    pop = 1.0 / ranks**1.1
    pop[:n_top] *= 0.35  # the real top names get most of their traffic as dependencies
    pop /= pop.sum()
    fake: list[str] = []
    fake_rng = random.Random(f"catalog-fake:{seed}")
    while len(fake) < max(20, n_projects // 25):
        base = fake_rng.choice(names[:200]) if fake_rng.random() < 0.6 else _pronounceable(fake_rng)
        style = fake_rng.random()
        if style < 0.3 and len(base) > 4:  # typo
            i = fake_rng.randrange(1, len(base) - 2)
            cand = base[:i] + base[i + 1] + base[i] + base[i + 2 :]
        elif style < 0.8:  # plausible-sounding helper package
            cand = base + fake_rng.choice(("-helper", "-utils-pro", "-ai", "-toolkit", "-async-client", "-mcp", "2", "-fast"))
        else:
            cand = fake_rng.choice(("py", "python-", "lib")) + base
        cand = normalize(cand)
        if cand not in taken:
            taken.add(cand)
            fake.append(cand)
    cat = Catalog(seed=seed, names=names, stems=stems, kinds=kinds, deps=deps, popularity=pop, fake_names=fake)
    cat._latest = {i: t[4] for i, t in enumerate(TOP_PROJECTS)}
    cat._cum = list(np.cumsum(pop))
    return cat
