"""One day of registry traffic as columns: who requested what, when.

This is the format-independent half of the generator. It knows clients (clients.py)
and the catalog (catalog.py), and produces request events; a formatter
(fastly_pypi.py, …) turns them into log files. The shares of lines per client class
are fixed up front (with a little day-to-day noise) and each subclass generates
whole sessions until its budget of lines is used, so the ground-truth mix is known
exactly, while what each session looks like follows the client's behaviour.

Determinism: the catalog and the client populations depend on (seed, lines); the
day's sessions on (seed, date). Only random.Random and numpy's default_rng are used.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from bisect import bisect
from dataclasses import dataclass

import numpy as np

from pipelines.synth.catalog import Catalog, build_catalog
from pipelines.synth.clients import SUBCLASS_SHARES, Client, make_clients

SECONDS_PER_DAY = 86_400
KIND_DOWNLOAD = 0
KIND_INDEX = 1

# Share of lines per client class (percent), before the day's noise.
CLASS_SHARES = {"human": 35.0, "ci": 40.0, "mirror": 12.0, "bot": 5.0, "ai_agent": 3.0, "unknown": 5.0}
NULL_COUNTRY_SHARE = 1e-4


@dataclass
class DayTraffic:
    """Request events of one day (row i = event i), plus the tables they point into."""

    date: dt.date
    seed: int
    catalog: Catalog
    clients: list[Client]
    ts: np.ndarray  # float64 seconds since 00:00 UTC, in [0, 86400)
    client: np.ndarray  # int32 index into clients
    kind: np.ndarray  # int8: KIND_DOWNLOAD / KIND_INDEX
    target: np.ndarray  # int32: file id (download) or name id (index; see index_names)
    country: np.ndarray  # int16 index into countries; -1 = unknown (logged as (null))
    countries: list[str]

    @property
    def index_names(self) -> list[str]:
        """Name ids of index requests: catalog projects, then names that do not exist."""
        return self.catalog.names + self.catalog.fake_names

    def __len__(self) -> int:
        return len(self.ts)


# --------------------------------------------------------------------------- diurnal curves
def _bump(h: np.ndarray, centre: float, width: float) -> np.ndarray:
    d = np.minimum(np.abs(h - centre), 24 - np.abs(h - centre))
    return np.exp(-((d / width) ** 2))


def _diurnal(profile: str) -> list[float]:
    """Cumulative weight per minute of the day."""
    h = (np.arange(1440) + 0.5) / 60.0
    if profile == "human":  # Asia morning, Europe day, Americas afternoon: peak 13–20 UTC
        w = 0.25 + 0.35 * _bump(h, 4.5, 2.5) + 0.6 * _bump(h, 10.0, 2.5) + 1.15 * _bump(h, 16.5, 3.2)
    elif profile == "ci":  # pushes follow working hours, scheduled jobs keep nights busy
        w = 0.45 + 0.25 * _bump(h, 9.0, 2.5) + 0.9 * _bump(h, 15.5, 3.8)
    elif profile == "script":
        w = 0.7 + 0.5 * _bump(h, 15.0, 5.0)
    else:  # machines: cron-driven, flat
        w = 1.0 + 0.1 * _bump(h, 15.0, 6.0)
    return list(np.cumsum(w))


_PROFILE_OF_CLASS = {"human": "human", "ci": "ci", "ai_agent": "human", "mirror": "flat", "bot": "flat", "unknown": "script"}


# --------------------------------------------------------------------------- budgets
def _largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    s = sum(weights.values())
    raw = {k: total * v / s for k, v in weights.items()}
    out = {k: int(math.floor(v)) for k, v in raw.items()}
    short = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], k))[:short]:
        out[k] += 1
    return out


def subclass_budgets(lines: int, rng: random.Random | None = None) -> dict[str, int]:
    """Lines per ground-truth subclass; sums to `lines`. With rng, shares vary a little."""
    shares = dict(CLASS_SHARES)
    if rng is not None:
        shares = {k: v * math.exp(rng.gauss(0.0, 0.05)) for k, v in shares.items()}
    flat: dict[str, float] = {}
    total = sum(shares.values())
    for cls, share in shares.items():
        subs = SUBCLASS_SHARES[cls]
        ssum = sum(subs.values())
        for sub, w in subs.items():
            flat[sub] = share / total * w / ssum
    return _largest_remainder(lines, flat)


def _population_size(sub: str, budget: int) -> int:
    def clamp(x, lo, hi):
        return int(max(lo, min(hi, x)))

    if sub == "human/browser":
        return clamp(budget / 12, 3, 20_000)
    if sub.startswith("human/"):
        return clamp(budget / 30, 3, 30_000)
    if sub.startswith("ci/"):
        return clamp(budget / 700, 3, 5_000)
    if sub == "mirror/bandersnatch":
        return clamp(budget / 25_000, 2, 60)
    if sub == "mirror/z3c-pypimirror":
        return clamp(budget / 40_000, 1, 3)
    if sub.startswith("mirror/"):
        return clamp(budget / 5_000, 2, 200)
    if sub in ("bot/ai-crawler", "bot/search-engine"):
        return clamp(budget / 2_500, 3, 300)
    if sub.startswith("bot/"):
        return clamp(budget / 1_500, 1, 60)
    if sub.startswith("ai_agent/"):
        return clamp(budget / 40, 3, 10_000)
    if sub == "unknown/build-tool":
        return clamp(budget / 500, 2, 500)
    return clamp(budget / 70, 3, 10_000)


def catalog_size(lines: int) -> int:
    """~3,000 projects for a million lines, fewer for small days."""
    return int(max(300, min(3000, 3.0 * math.sqrt(max(lines, 1)))))


# --------------------------------------------------------------------------- sessions
class _Sessions:
    """Session generators: each appends the events of one session of one client."""

    def __init__(self, catalog: Catalog, clients: list[Client], rng: random.Random, seed: int):
        self.cat = catalog
        self.clients = clients
        self.rng = rng
        self.seed = seed
        self.events: list[tuple[float, int, int, int]] = []  # (time, client, kind, target)
        self.emit_tuple = self.events.append
        self.n_real = catalog.n_projects
        self.n_fake = len(catalog.fake_names)

    def emit(self, t: float, client: int, kind: int, target: int) -> None:
        self.emit_tuple((t, client, kind, target))

    def truncate(self, n: int) -> None:
        del self.events[n:]

    def _client_rng(self, i: int, what: str) -> random.Random:
        # Stable across days: a CI pipeline keeps its lock file, a script its files.
        return random.Random(f"client:{self.seed}:{i}:{what}")

    def run(self, i: int, t0: float) -> None:
        getattr(self, "_" + self.clients[i].behaviour)(i, self.clients[i], t0)

    # -- installers ---------------------------------------------------------------
    def _deps_for_install(self, rng: random.Random) -> list[int]:
        roots = 1 + (rng.random() < 0.3) + (rng.random() < 0.1)
        seen: dict[int, None] = {}
        for _ in range(roots):
            for p in self.cat.closure(self.cat.pick_root(rng)):
                seen[p] = None
        return list(seen)

    def _install(self, i: int, c: Client, t0: float) -> None:
        rng, cat, emit = self.rng, self.cat, self.emit
        p_dl, index = c.params["p_download"], c.params["index"]
        step = 0.06 if c.params.get("parallel") else 0.7
        t = t0
        for p in self._deps_for_install(rng):
            vi = cat.pick_version(rng, p)
            if index:
                emit(t, i, KIND_INDEX, p)
            if rng.random() < p_dl:
                emit(t + 0.05 + rng.random() * 0.4, i, KIND_DOWNLOAD, cat.install_file(p, vi, c.pytag, c.plat))
            t += rng.expovariate(1.0 / step)

    def _ci(self, i: int, c: Client, t0: float) -> None:
        """A burst: the pipeline's matrix jobs, each installing the same lock file."""
        rng, emit = self.rng, self.emit
        files = c.params.get("files")
        if files is None:
            lrng = self._client_rng(i, "lock")
            seen: dict[int, None] = {}
            for _ in range(lrng.randint(2, 6)):
                for p in self.cat.closure(self.cat.pick_root(lrng)):
                    seen[p] = None
            lock = list(seen)[:60]
            files = [(p, self.cat.install_file(p, self.cat.pick_version(lrng, p), c.pytag, c.plat)) for p in lock]
            c.params["files"] = files
        p_dl, index = c.params["p_download"], c.params["index"]
        step = 0.06 if c.params.get("parallel") else 0.5
        for _ in range(c.params["matrix"]):
            t = t0 + rng.random() * 40.0
            warm = rng.random() < 0.15  # a run that restored a dependency cache
            for p, f in files:
                if index:
                    emit(t, i, KIND_INDEX, p)
                if rng.random() < (0.1 if warm else p_dl):
                    emit(t + 0.03 + rng.random() * 0.3, i, KIND_DOWNLOAD, f)
                t += rng.expovariate(1.0 / step)

    def _conda(self, i: int, c: Client, t0: float) -> None:
        """conda skeleton / grayskull style: reads the index, fetches the sdist."""
        rng = self.rng
        t = t0
        for _ in range(rng.randint(1, 3)):
            p = self.cat.pick_root(rng)
            self.emit(t, i, KIND_INDEX, p)
            f = self.cat.install_file(p, len(self.cat.versions(p)) - 1, c.pytag, c.plat, prefer_sdist=True)
            self.emit(t + 0.4, i, KIND_DOWNLOAD, f)
            t += rng.expovariate(1 / 20.0)

    def _browser(self, i: int, c: Client, t0: float) -> None:
        rng, cat = self.rng, self.cat
        t = t0
        for _ in range(rng.randint(1, 4)):
            p = cat.pick_root(rng) if rng.random() < 0.7 else rng.randrange(self.n_real)
            self.emit(t, i, KIND_INDEX, p)
            if rng.random() < 0.3:
                vi = cat.pick_version(rng, p)
                plat = rng.choice(("manylinux_x86_64", "win_amd64", "macosx_arm64"))
                f = cat.install_file(p, vi, rng.choice(("cp311", "cp312")), plat, prefer_sdist=rng.random() < 0.4)
                self.emit(t + rng.uniform(3, 40), i, KIND_DOWNLOAD, f)
            t += rng.uniform(5, 90)

    # -- mirrors --------------------------------------------------------------------
    def _mirror_sync(self, i: int, c: Client, t0: float) -> None:
        """A full-mirror sync: every changed project, whatever its popularity, all files."""
        rng, cat, emit = self.rng, self.cat, self.emit
        lo, hi = c.params["sync"]
        t = t0
        for _ in range(rng.randint(lo, hi)):
            p = rng.randrange(self.n_real)
            emit(t, i, KIND_INDEX, p)
            t += rng.expovariate(1 / 0.3)
            if rng.random() < 0.75:
                vi = len(cat.versions(p)) - 1
                if rng.random() < 0.1:
                    vi = rng.randrange(vi + 1)
                for f in cat.release_files(p, vi)[:40]:
                    emit(t, i, KIND_DOWNLOAD, f)
                    t += rng.expovariate(1 / 0.25)

    def _proxy(self, i: int, c: Client, t0: float) -> None:
        """A pull-through cache (Artifactory, Nexus, devpi) refreshing and filling misses."""
        rng, cat, emit = self.rng, self.cat, self.emit
        t = t0
        for _ in range(rng.randint(5, 60)):
            p = rng.randrange(self.n_real) if rng.random() < 0.5 else cat.pick_root(rng)
            if rng.random() < 0.75:
                emit(t, i, KIND_INDEX, p)
            if rng.random() < 0.6:
                plat = rng.choices(("manylinux_x86_64", "manylinux_aarch64", "win_amd64", "macosx_arm64"), weights=(70, 10, 10, 10))[0]
                tag = rng.choice(("cp310", "cp311", "cp312", "cp313"))
                emit(t + rng.random(), i, KIND_DOWNLOAD, cat.install_file(p, cat.pick_version(rng, p), tag, plat))
            t += rng.expovariate(1 / 2.0)

    # -- bots -----------------------------------------------------------------------
    def _crawler(self, i: int, c: Client, t0: float) -> None:
        rng, cat, emit = self.rng, self.cat, self.emit
        lo, hi = c.params["pages"]
        gap, p_file, popular = c.params["gap"], c.params["p_file"], c.params["popular"]
        t = t0
        for _ in range(rng.randint(lo, hi)):
            p = cat.pick_root(rng) if rng.random() < popular else rng.randrange(self.n_real)
            emit(t, i, KIND_INDEX, p)
            if p_file and rng.random() < p_file:  # followed a link to a file
                files = cat.release_files(p, len(cat.versions(p)) - 1)
                emit(t + rng.uniform(0.5, 5), i, KIND_DOWNLOAD, files[rng.randrange(len(files))])
            t += rng.expovariate(1 / gap)

    def _monitor(self, i: int, c: Client, t0: float) -> None:
        """One hour of polling the same page (and now and then the same file)."""
        targets = c.params.get("targets")
        if targets is None:
            mrng = self._client_rng(i, "monitor")
            p = mrng.randrange(min(40, self.n_real))
            targets = (p, self.cat.install_file(p, len(self.cat.versions(p)) - 1, "cp312", "manylinux_x86_64"))
            c.params["targets"] = targets
        interval = c.params["interval"]
        t = t0 + self.rng.random() * interval
        while t < t0 + 3600:
            self.emit(t, i, KIND_INDEX, targets[0])
            if self.rng.random() < 0.1:
                self.emit(t + 0.5, i, KIND_DOWNLOAD, targets[1])
            t += interval + self.rng.uniform(-1, 1)

    # -- AI agents --------------------------------------------------------------------
    def _name_for_agent(self, rng: random.Random) -> int:
        r = rng.random()
        if r < 0.22:  # a package that does not exist (hallucinated or mistyped)
            return self.n_real + rng.randrange(self.n_fake)
        if r < 0.45:
            return rng.randrange(self.n_real)
        return self.cat.pick_root(rng)

    def _agent_fetch(self, i: int, c: Client, t0: float) -> None:
        """A web fetch made for a chat user: a few index pages, seconds apart."""
        rng = self.rng
        t = t0
        for _ in range(rng.randint(1, 5)):
            self.emit(t, i, KIND_INDEX, self._name_for_agent(rng))
            t += rng.uniform(0.3, 4.0)

    def _agent_tool(self, i: int, c: Client, t0: float) -> None:
        """A coding agent's tool: quick bursts of lookups, then downloads of real ones."""
        rng, cat = self.rng, self.cat
        t = t0
        for _ in range(rng.randint(1, 3)):
            names = [self._name_for_agent(rng) for _ in range(rng.randint(2, 10))]
            for n in names:
                self.emit(t, i, KIND_INDEX, n)
                t += rng.expovariate(1 / 0.15)
            real = [n for n in names if n < self.n_real]
            for p in real[: rng.randint(1, 5)]:
                self.emit(t, i, KIND_DOWNLOAD, cat.install_file(p, cat.pick_version(rng, p), c.pytag, c.plat))
                t += rng.expovariate(1 / 0.1)
            t += rng.uniform(10, 120)

    # -- everything else ----------------------------------------------------------------
    def _script(self, i: int, c: Client, t0: float) -> None:
        """A script that fetches the same few files again and again."""
        files = c.params.get("files")
        if files is None:
            srng = self._client_rng(i, "script")
            files = []
            for _ in range(srng.randint(1, 4)):
                p = self.cat.pick_root(srng)
                plat = srng.choice(("manylinux_x86_64", "manylinux_x86_64", "win_amd64", "macosx_arm64"))
                f = self.cat.install_file(p, self.cat.pick_version(srng, p), srng.choice(("cp311", "cp312")), plat, prefer_sdist=srng.random() < 0.3)
                files.append((p, f))
            c.params["files"] = files
        rng = self.rng
        index = c.ua is not None and c.ua.startswith(("Python-urllib", "python-requests")) and rng.random() < 0.4
        t = t0
        for p, f in files:
            if index:
                self.emit(t, i, KIND_INDEX, p)
            self.emit(t + rng.uniform(0.05, 0.5), i, KIND_DOWNLOAD, f)
            t += rng.expovariate(1 / 2.0)

    def _index_walker(self, i: int, c: Client, t0: float) -> None:
        """A Go tool walking index pages (dependency scanners, SBOM tools)."""
        rng, cat = self.rng, self.cat
        t = t0
        for _ in range(rng.randint(5, 80)):
            p = rng.randrange(self.n_real) if rng.random() < 0.6 else cat.pick_root(rng)
            self.emit(t, i, KIND_INDEX, p)
            if rng.random() < 0.3:
                self.emit(t + 0.2, i, KIND_DOWNLOAD, cat.install_file(p, len(cat.versions(p)) - 1, "cp312", "manylinux_x86_64", prefer_sdist=True))
            t += rng.expovariate(1 / 0.4)


# --------------------------------------------------------------------------- the day
def build_population(seed: int, lines: int) -> tuple[dict[str, list[int]], list[Client]]:
    """Clients per subclass; depends on (seed, lines) only."""
    budgets = subclass_budgets(lines)
    rng = random.Random(f"population:{seed}:{lines}")
    clients: list[Client] = []
    by_sub: dict[str, list[int]] = {}
    for sub, budget in budgets.items():
        made = make_clients(sub, _population_size(sub, budget), rng)
        while not made:
            made = make_clients(sub, 1, rng)
        by_sub[sub] = list(range(len(clients), len(clients) + len(made)))
        clients.extend(made)
    return by_sub, clients


def generate_traffic(date: dt.date, lines: int, seed: int) -> DayTraffic:
    """Exactly `lines` request events for `date`."""
    catalog = build_catalog(seed, catalog_size(lines))
    by_sub, clients = build_population(seed, lines)
    rng = random.Random(f"traffic:{seed}:{date.isoformat()}")
    budgets = subclass_budgets(lines, rng)
    sessions = _Sessions(catalog, clients, rng, seed)
    profiles = {name: _diurnal(name) for name in set(_PROFILE_OF_CLASS.values())}
    for sub, budget in budgets.items():
        if budget <= 0:
            continue
        pool = by_sub[sub]
        cum = list(np.cumsum([clients[i].weight for i in pool]))
        prof = profiles[_PROFILE_OF_CLASS[sub.split("/")[0]]]
        target = len(sessions.events) + budget
        total_w, total_m = cum[-1], prof[-1]
        while len(sessions.events) < target:
            i = pool[min(bisect(cum, rng.random() * total_w), len(pool) - 1)]
            minute = min(bisect(prof, rng.random() * total_m), 1439)
            sessions.run(i, (minute + rng.random()) * 60.0)
        sessions.truncate(target)

    cols = list(zip(*sessions.events)) if sessions.events else [(), (), (), ()]
    ts = np.asarray(cols[0], dtype=np.float64) % SECONDS_PER_DAY  # sessions wrap around midnight
    client = np.asarray(cols[1], dtype=np.int32)
    countries = sorted({c.country for c in clients})
    cidx = {c: k for k, c in enumerate(countries)}
    client_country = np.asarray([cidx[c.country] for c in clients], dtype=np.int16)
    country = client_country[client] if len(client) else np.zeros(0, dtype=np.int16)
    nrng = np.random.default_rng([seed, date.toordinal(), 1])
    country[nrng.random(len(country)) < NULL_COUNTRY_SHARE] = -1  # geo lookup failed
    return DayTraffic(
        date=date,
        seed=seed,
        catalog=catalog,
        clients=clients,
        ts=ts,
        client=client,
        kind=np.asarray(cols[2], dtype=np.int8),
        target=np.asarray(cols[3], dtype=np.int32),
        country=country,
        countries=countries,
    )
