"""Apply the sql/ models to a DuckDB database, and query it.

The warehouse is a DuckDB file holding two small tables and a set of views:

- `cost_rates`: the price list (sql/seeds/cost_rates.csv, or an operator's own CSV), copied in;
- `regmeter_settings`: one row, the selected price profile and where the data lives;
- one VIEW per model under sql/staging, sql/intermediate and sql/marts (file name = view name).

The views read the Parquet under the output root by absolute path when queried, so a day the
daily job publishes after the build shows up without rebuilding, and the file opens in the plain
`duckdb` CLI. Library first: no Beam here.
"""

from __future__ import annotations

import csv
import datetime as _dt
import decimal
import math
import re
from pathlib import Path

import duckdb

import pipelines

SQL_DIR = Path(pipelines.__file__).resolve().parent / "_sql"
DEFAULT_RATES_CSV = SQL_DIR / "seeds" / "cost_rates.csv"
DEFAULT_RATE_PROFILE = "cloudfront-list"

# Build order of the model folders; inside a folder, models that select from others come later.
LAYERS = ("staging", "intermediate", "marts")

SEED_TABLE = "cost_rates"
SETTINGS_TABLE = "regmeter_settings"

_SEED_COLUMNS = {
    "profile": "VARCHAR",
    "component": "VARCHAR",
    "region_group": "VARCHAR",
    "unit": "VARCHAR",
    "unit_bytes": "BIGINT",
    "tier_start_units": "DOUBLE",
    "tier_end_units": "DOUBLE",
    "price_usd": "DOUBLE",
    "price_per_units": "DOUBLE",
    "source_url": "VARCHAR",
    "as_of": "DATE",
    "note": "VARCHAR",
}
COMPONENTS = ("egress", "requests", "cache_fill", "origin_requests", "storage")
_BYTE_COMPONENTS = ("egress", "cache_fill", "storage")
# What the marts price, and which of those they price flat (one tier, 0 to no end).
_REQUIRED_COMPONENTS = ("egress", "requests", "cache_fill")
_FLAT_COMPONENTS = ("requests", "cache_fill")

_PLACEHOLDER = re.compile(r"\{\{\s*output_root\s*\}\}")
_OPTIONAL_SOURCE = re.compile(r"^--\s*optional_source:\s*(\S+)\s*$", re.MULTILINE)
_USAGE_GLOB = "usage/date=*/*.parquet"


class WarehouseError(Exception):
    """The warehouse cannot be built or queried; the message says why and what to do."""


# ---------------------------------------------------------------------------------------------
# models


class Model:
    """One sql/<layer>/<name>.sql file: a view named after the file."""

    def __init__(self, path: Path, layer: str):
        self.path = path
        self.layer = layer
        self.name = path.stem
        self.sql = path.read_text()
        found = _OPTIONAL_SOURCE.search(self.sql)
        # a source glob (under the output root) without which the model is skipped, not an error
        self.optional_source = found.group(1) if found else None

    def body(self) -> str:
        """The SQL without the trailing semicolon (it goes inside CREATE VIEW ... AS)."""
        return self.sql.strip().rstrip(";").strip()

    def docs(self) -> tuple[str, dict[str, str]]:
        """(view description, {column: description}) from the header comment.

        The header is the leading run of `--` lines. The view description is the header from
        its `Grain:` line up to `Columns:`; each line under `Columns:` is `name  description`,
        and a more indented line continues the previous description.
        """
        header = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            header.append(line[2:])
        description: list[str] = []
        columns: dict[str, str] = {}
        in_columns = False
        last = None
        column_indent = None
        for text in header:
            stripped = text.strip()
            if stripped == "Columns:":
                in_columns = True
                continue
            if not in_columns:
                if (stripped.startswith("Grain:") or description) and not stripped.startswith("optional_source:"):
                    description.append(stripped)
                continue
            if not stripped:
                continue
            indent = len(text) - len(text.lstrip())
            if column_indent is None:
                column_indent = indent
            if indent > column_indent and last is not None:
                columns[last] += " " + stripped
                continue
            name, _, desc = stripped.partition(" ")
            last = name
            columns[name] = desc.strip()
        return " ".join(" ".join(description).split()), columns


def discover_models(sql_dir: Path = SQL_DIR) -> list[Model]:
    """Every model under sql_dir, in an order where each comes after the models it selects from."""
    models: list[Model] = []
    for layer in LAYERS:
        models += [Model(p, layer) for p in sorted((sql_dir / layer).glob("*.sql"))]
    by_name = {m.name: m for m in models}
    if len(by_name) != len(models):
        raise WarehouseError(f"two models share a name under {sql_dir}")

    deps = {}
    for m in models:
        code = re.sub(r"--[^\n]*", "", m.sql)
        deps[m.name] = {n for n in by_name if n != m.name and re.search(rf"\b{re.escape(n)}\b", code)}

    ordered: list[Model] = []
    done: set[str] = set()
    visiting: set[str] = set()

    def visit(m: Model) -> None:
        if m.name in done:
            return
        if m.name in visiting:
            raise WarehouseError(f"models select from each other in a cycle through {m.name}")
        visiting.add(m.name)
        for dep in sorted(deps[m.name], key=lambda n: (LAYERS.index(by_name[n].layer), n)):
            visit(by_name[dep])
        visiting.discard(m.name)
        done.add(m.name)
        ordered.append(m)

    for m in models:
        visit(m)
    return ordered


# ---------------------------------------------------------------------------------------------
# building


def build_warehouse(
    output_root: str,
    db_path: str,
    rate_profile: str = DEFAULT_RATE_PROFILE,
    rates_csv: str | None = None,
) -> list[str]:
    """Create or refresh the DuckDB warehouse at db_path over the usage data under output_root.

    Loads the price list (rates_csv, else sql/seeds/cost_rates.csv) into the table cost_rates,
    records the selected rate_profile in regmeter_settings, then creates or replaces every model
    under sql/ as a view, staging before intermediate before marts. Everything happens in one
    transaction: a failed build leaves the previous warehouse as it was.

    Returns the names of the relations created, in build order.
    """
    root = _resolve_root(output_root)
    rates_path = Path(rates_csv) if rates_csv else DEFAULT_RATES_CSV
    if not rates_path.is_file():
        raise WarehouseError(f"price list not found: {rates_path}")
    models = discover_models()

    try:
        con = duckdb.connect(str(db_path))
    except duckdb.Error as e:
        raise WarehouseError(f"cannot open {db_path} for writing: {e}") from e
    try:
        _require_usage(con, root)
        created: list[str] = []
        con.execute("begin transaction")
        try:
            _load_rates(con, rates_path)
            created.append(SEED_TABLE)
            _check_rates(con, rate_profile)

            con.execute(
                f"create or replace table {SETTINGS_TABLE} as select "
                "cast(? as varchar) as rate_profile, cast(? as varchar) as output_root, "
                "cast(? as varchar) as rates_csv, cast(? as varchar) as regmeter_version, "
                "now() as built_at",
                [rate_profile, root, str(rates_path.resolve()), pipelines.__version__],
            )
            created.append(SETTINGS_TABLE)

            for model in models:
                if model.optional_source and not _has_files(con, f"{root}/{model.optional_source}"):
                    con.execute(f"drop view if exists {model.name}")
                    continue
                _create_view(con, model, root)
                created.append(model.name)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return created
    finally:
        con.close()


def _resolve_root(output_root: str) -> str:
    """The output root as the views will name it: absolute for local paths, as given for URLs."""
    text = str(output_root).rstrip("/")
    if "://" in text:
        return text
    return Path(text).expanduser().resolve().as_posix()


def _has_files(con: duckdb.DuckDBPyConnection, pattern: str) -> bool:
    try:
        return con.execute("select count(*) from glob(?)", [pattern]).fetchone()[0] > 0
    except duckdb.Error as e:
        raise WarehouseError(f"cannot list {pattern}: {e}") from e


def _require_usage(con: duckdb.DuckDBPyConnection, root: str) -> None:
    if not _has_files(con, f"{root}/{_USAGE_GLOB}"):
        raise WarehouseError(f"no usage data under {root}/usage/; run `regmeter run daily` first")


def _sql_string_body(value: str) -> str:
    """value escaped for use between single quotes in SQL."""
    return value.replace("'", "''")


def _render(model: Model, root: str) -> str:
    sql = _PLACEHOLDER.sub(lambda _: _sql_string_body(root), model.body())
    if "{{" in sql:
        raise WarehouseError(f"{model.path}: unknown placeholder (only {{{{ output_root }}}} is defined)")
    return sql


def _create_view(con: duckdb.DuckDBPyConnection, model: Model, root: str) -> None:
    try:
        con.execute(f"create or replace view {model.name} as\n{_render(model, root)}")
        description, columns = model.docs()
        if description:
            con.execute(f"comment on view {model.name} is '{_sql_string_body(description)}'")
        for column, text in columns.items():
            con.execute(f'comment on column {model.name}."{column}" is \'{_sql_string_body(text)}\'')
    except duckdb.Error as e:
        raise WarehouseError(f"model {model.name} ({model.path}) failed: {e}") from e


def _duck_struct(columns: dict[str, str]) -> str:
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in columns.items()) + "}"


def _load_rates(con: duckdb.DuckDBPyConnection, rates_path: Path) -> None:
    """Copy the price list into the seed table, columns checked by name (the reader is positional)."""
    with open(rates_path, newline="") as f:
        header = next(csv.reader(f), [])
    if [h.strip() for h in header] != list(_SEED_COLUMNS):
        raise WarehouseError(f"price list {rates_path}: columns must be {', '.join(_SEED_COLUMNS)}; found {', '.join(header)}")
    try:
        con.execute(
            f"create or replace table {SEED_TABLE} as select * from read_csv(?, header = true, "
            f"auto_detect = false, columns = {_duck_struct(_SEED_COLUMNS)})",
            [str(rates_path)],
        )
    except duckdb.Error as e:
        raise WarehouseError(f"cannot read price list {rates_path}: {e}") from e


def _check_rates(con: duckdb.DuckDBPyConnection, rate_profile: str) -> None:
    """Refuse a price list the models would price wrongly, with a message naming the rows."""
    rows = con.execute(
        f"select lower(trim(profile)), lower(trim(component)), lower(trim(region_group)), unit_bytes, "
        f"tier_start_units, tier_end_units, price_usd, price_per_units, source_url, as_of "
        f"from {SEED_TABLE} order by 1, 2, 5"
    ).fetchall()
    tiers: dict[tuple[str, str], list[tuple]] = {}
    for row in rows:
        profile, component, _, unit_bytes, _, _, price, per_units, source_url, as_of = row
        name = f"{profile}/{component}"
        if not profile:
            raise WarehouseError("price list: a row has no profile")
        if component not in COMPONENTS:
            raise WarehouseError(f"price list: unknown component {component!r} in profile {profile!r} (known: {', '.join(COMPONENTS)})")
        if price is None or price < 0 or not per_units or per_units <= 0:
            raise WarehouseError(f"price list: {name} needs price_usd >= 0 and price_per_units > 0")
        if component in _BYTE_COMPONENTS and not (unit_bytes and unit_bytes > 0):
            raise WarehouseError(f"price list: {name} needs unit_bytes > 0")
        if not source_url or as_of is None:
            raise WarehouseError(f"price list: {name} needs source_url and as_of")
        tiers.setdefault((profile, component), []).append(row)

    for (profile, component), group in tiers.items():
        name = f"{profile}/{component}"
        if len({region for _, _, region, *_ in group}) > 1:
            raise WarehouseError(f"price list: {name} has several region_groups; per-region pricing is not supported yet")
        expected_start = 0.0
        for i, (*_, start, end, _, _, _, _) in enumerate(group):
            if start != expected_start:
                raise WarehouseError(f"price list: {name} tier starts at {start:g}, expected {expected_start:g} (tiers must be contiguous from 0)")
            if (end is None) != (i == len(group) - 1) or (end is not None and end <= start):
                raise WarehouseError(f"price list: {name} tiers must end in one open-ended tier (tier_end_units empty)")
            expected_start = end

    profiles = sorted({profile for profile, _ in tiers})
    if rate_profile not in profiles:
        raise WarehouseError(f"unknown rate profile {rate_profile!r}; the price list has: {', '.join(profiles)}")
    for component in _REQUIRED_COMPONENTS:
        if (rate_profile, component) not in tiers:
            raise WarehouseError(f"price list: profile {rate_profile} has no {component} price")
    for component in _FLAT_COMPONENTS:
        if len(tiers[(rate_profile, component)]) != 1:
            raise WarehouseError(f"price list: {rate_profile}/{component} must be a single tier (tiered {component} pricing is not supported yet)")


# ---------------------------------------------------------------------------------------------
# querying


def query(db_path: str, sql: str) -> tuple[list[str], list[tuple]]:
    """Run sql on a read-only connection to the warehouse; returns (column names, rows)."""
    if not Path(db_path).is_file():
        raise WarehouseError(f"no warehouse at {db_path}; build it first")
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as e:
        raise WarehouseError(f"cannot open {db_path}: {e}") from e
    try:
        cursor = con.execute(sql)
        if cursor.description is None:
            return [], []
        return [d[0] for d in cursor.description], cursor.fetchall()
    except duckdb.Error as e:
        raise WarehouseError(str(e)) from e
    finally:
        con.close()


def _is_number(value) -> bool:
    return isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)


def _format_value(value) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, decimal.Decimal):
        return f"{value:,}"  # a DECIMAL keeps the scale the SQL chose
    if isinstance(value, float):
        v = float(value)
        if math.isnan(v) or math.isinf(v):
            return str(v)
        if v == 0:
            return "0"
        if abs(v) >= 1:
            return f"{v:,.2f}"
        if abs(v) >= 0.0001:  # shares and small amounts: fixed 4 decimals, so columns line up
            return f"{v:.4f}"
        return f"{v:.3g}"
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat(sep=" ") if isinstance(value, _dt.datetime) else value.isoformat()
    return str(value).replace("\n", "\\n")


def format_table(columns, rows) -> str:
    """A plain aligned text table: numbers right-aligned (ints with thousands separators, floats
    with 2 decimals from 1 up, 4 decimals below, 3 significant digits below 0.0001), everything else left-aligned."""
    columns = [str(c) for c in columns]
    cells = [[_format_value(v) for v in row] for row in rows]
    numeric = [
        any(_is_number(row[i]) for row in rows) and all(row[i] is None or _is_number(row[i]) for row in rows)
        for i in range(len(columns))
    ]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values) -> str:
        parts = [v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric)]
        return "  ".join(parts).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    return "\n".join(out)
