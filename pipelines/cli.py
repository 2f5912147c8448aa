"""regmeter's command line. Thin: parses arguments, calls the library, prints.

A user's mistake (missing input, bad date, unknown format, unwritable output) gets one
readable line and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import time

EXAMPLES = {
    "generate": "example:\n  regmeter generate --date 2026-11-20 --lines 1000000 --seed 7 --output demo-data",
    "run daily": (
        "examples:\n"
        "  regmeter run daily --date 2026-11-20 --input demo-data --output demo-out --file-sizes demo-data/file_sizes.csv\n"
        "  regmeter run daily --date 2026-11-20 --input 'gs://linehaul-logs/downloads/2026/11/20/**' --output gs://curated/regmeter \\\n"
        "      --runner DataflowRunner --project my-project --region us-central1 --temp_location gs://curated/tmp\n"
        "Any option not listed above is passed to Beam (runner, workers, Dataflow settings)."
    ),
    "warehouse build": "example:\n  regmeter warehouse build --output demo-out --db regmeter.duckdb",
    "warehouse query": "example:\n  regmeter warehouse query --db regmeter.duckdb \"select * from fct_cost_by_client_class_daily\"",
    "demo": "example:\n  regmeter demo --lines 1000000",
    "classify-eval": "example:\n  regmeter classify-eval --labels demo-data/labels/date=2026-11-20/labels.parquet",
    "explain-ua": "examples:\n  regmeter explain-ua 'pip/24.2 {\"ci\":true,\"installer\":{\"name\":\"pip\",\"version\":\"24.2\"}}'\n  cut -f1 uas.txt | regmeter explain-ua --json -",
}


class UserError(Exception):
    """A mistake the user can fix; printed as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (plus where to look), not a usage dump."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2026-11-20") from None


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a positive whole number")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="regmeter", description="Who downloads from a package registry, and what each kind of client costs.")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(parent, name, help_text, key=None):
        return parent.add_parser(name, help=help_text, description=help_text, epilog=EXAMPLES.get(key or name), formatter_class=argparse.RawDescriptionHelpFormatter)

    gen = command(sub, "generate", "Write one day of realistic synthetic CDN logs, with ground-truth labels beside them.")
    gen.add_argument("--date", type=_date, required=True, help="UTC day, YYYY-MM-DD")
    gen.add_argument("--lines", type=_positive, default=1_000_000, help="number of log lines (default 1,000,000)")
    gen.add_argument("--seed", type=int, default=7, help="random seed; same seed, same bytes")
    gen.add_argument("--format", default="fastly-pypi", help="log format to write (default fastly-pypi)")
    gen.add_argument("--output", required=True, help="directory to write the logs, labels and file sizes into")

    run = command(sub, "run", "Run a regmeter job.")
    run_sub = run.add_subparsers(dest="job", required=True)
    daily = command(run_sub, "daily", "Process one UTC day of CDN logs into usage Parquet, dead letters and a run manifest.", "run daily")
    daily.add_argument("--date", type=_date, required=True, help="the UTC day to process, YYYY-MM-DD")
    daily.add_argument("--input", required=True, help="directory, file or glob of log files (local or gs://); a directory in Fastly's <kind>/YYYY/MM/DD/HH/MM/ layout is narrowed to the day")
    daily.add_argument("--output", required=True, help="output root (local or gs://)")
    daily.add_argument("--registry", choices=["pypi", "crates", "npm", "generic"], help="registry the logs belong to (default: the format's)")
    daily.add_argument("--format", default="auto", help="log format, or 'auto' to sniff each object (default)")
    daily.add_argument("--emit-events", action="store_true", help="also write classified events (no IPs) under OUT/events/")
    daily.add_argument("--rules", help="extra classification rules (TOML) evaluated before the shipped ones")
    daily.add_argument("--file-sizes", help="CSV filename,size_bytes used to estimate bytes where the log has none (PyPI)")
    daily.add_argument("--late-minutes", type=int, default=10, help="minutes of the next day's objects read for late lines (default 10)")
    daily.add_argument("--client-key-secret-file", help="file holding the client-key secret (default: $REGMETER_CLIENT_KEY_SECRET, else a per-installation secret)")
    daily.add_argument("--quiet", action="store_true", help="no progress output")

    wh = command(sub, "warehouse", "Build or query the DuckDB warehouse.")
    wh_sub = wh.add_subparsers(dest="action", required=True)
    build = command(wh_sub, "build", "Create or refresh the DuckDB database from an output root and sql/.", "warehouse build")
    build.add_argument("--output", required=True, help="output root written by `regmeter run daily`")
    build.add_argument("--db", default="regmeter.duckdb", help="DuckDB file (default regmeter.duckdb)")
    build.add_argument("--rate-profile", default="cloudfront-list", help="price list to use (default cloudfront-list)")
    build.add_argument("--rates", help="CSV of your own rates, same columns as sql/seeds/cost_rates.csv")
    query = command(wh_sub, "query", "Run SQL against the warehouse and print the result.", "warehouse query")
    query.add_argument("sql", help="the SQL to run")
    query.add_argument("--db", default="regmeter.duckdb", help="DuckDB file (default regmeter.duckdb)")
    query.add_argument("--format", choices=["table", "csv", "json"], default="table")

    demo = command(sub, "demo", "Generate a day of PyPI logs, run the daily job, build the warehouse, print cost per client class.")
    demo.add_argument("--lines", type=_positive, default=1_000_000, help="lines to generate (default 1,000,000)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--date", type=_date, default=dt.date(2026, 11, 20))
    demo.add_argument("--workdir", default=".", help="where demo-data/, demo-out/ and regmeter.duckdb go (default .)")

    ev = command(sub, "classify-eval", "Confusion matrix and per-class precision/recall of the classifier against ground-truth labels.")
    ev.add_argument("--labels", required=True, help="labels Parquet (source_file, source_line, client_class, agent_marked), as `regmeter generate` writes")
    ev.add_argument("--logs", help="directory the labels' source_file paths are relative to (default: the labels' root)")
    ev.add_argument("--rules", help="extra rules file, as for run daily")

    explain = command(sub, "explain-ua", "Show how a user agent is parsed and classified, and every rule that matched.")
    explain.add_argument("user_agent", help="the user agent, or - to read one per line from stdin")
    explain.add_argument("--json", action="store_true", help="one JSON object per user agent")
    explain.add_argument("--rules", help="extra rules file, as for run daily")
    return parser


def _quiet_beam() -> None:
    # Beam logs import-time notices (e.g. about optional GCP libraries) on the root logger.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    for name in ("apache_beam", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)


def cmd_generate(args) -> None:
    from pipelines.synth import generate_day

    summary = generate_day(args.date, args.lines, args.seed, args.output, format=args.format)
    print(f"wrote {summary.lines:,} lines in {len(summary.files)} files ({summary.bytes_written / 1e6:,.1f} MB) to {args.output} in {summary.seconds:.1f}s")
    print(f"labels: {summary.labels_path}\nfile sizes: {summary.sizes_path}")


def _abs(path: str | None) -> str | None:
    """Local paths are made absolute: Beam workers need not share the launcher's directory."""
    return path if path is None or "://" in path else os.path.abspath(path)


def _daily_config(args):
    from pipelines.jobs.daily import DailyJobConfig
    from pipelines.privacy import load_client_key_secret

    return DailyJobConfig(
        date=args.date,
        input=_abs(args.input),
        output=_abs(args.output),
        secret=load_client_key_secret(args.client_key_secret_file),
        registry=args.registry,
        format=args.format,
        emit_events=args.emit_events,
        rules=_abs(args.rules),
        file_sizes=_abs(args.file_sizes),
        late_minutes=args.late_minutes,
    )


def _check_format(name: str) -> None:
    from pipelines import formats

    if name != formats.AUTO:
        formats.get_format(name)


def _check_exists(path: str | None, what: str) -> None:
    if path and "://" not in path and not os.path.exists(path):
        raise UserError(f"{what} {path} does not exist")


def print_run_summary(manifest: dict, seconds: float) -> None:
    lines = manifest["lines"]
    rate = lines["read"] / seconds if seconds else 0
    print(f"run {manifest['run_id']} for {manifest['date']}: {len(manifest['inputs'])} objects, {lines['read']:,} lines in {seconds:.1f}s ({rate:,.0f} lines/s)")
    print(f"  parsed {lines['parsed']:,} · dead-lettered {lines['dead_lettered']:,} · filtered {lines['filtered']:,}  (read = parsed + dead-lettered + filtered ✓)")
    for kind, n in manifest["dead_letters"].items():
        print(f"    dead letters: {kind} {n:,}")
    for kind, n in manifest["filtered"].items():
        print(f"    filtered: {kind} {n:,}")
    for kind, n in manifest["input_errors"].items():
        print(f"    input errors: {kind} {n:,}")
    unknown = manifest.get("top_unknown_user_agents") or []
    if unknown:
        shown = ", ".join(f"{u['user_agent'][:40]!r} ({u['requests']:,})" for u in unknown[:3])
        print(f"  top user agents classed unknown (all {len(unknown)} in the manifest): {shown}")


def cmd_run_daily(args, beam_args: list[str]) -> dict:
    from pipelines.jobs.daily import run_daily

    _check_format(args.format)
    _check_exists(args.rules, "rules file")
    _check_exists(args.file_sizes, "file-size table")
    started = time.monotonic()
    manifest = run_daily(_daily_config(args), beam_args, show_progress=not args.quiet)
    if manifest.get("submitted"):
        print(f"submitted run {manifest['run_id']}; the manifest appears under {args.output}/manifests/ when it finishes")
        return manifest
    print_run_summary(manifest, time.monotonic() - started)
    return manifest


def cmd_warehouse_build(args) -> None:
    from pipelines.io.publish import recover_interrupted
    from pipelines.warehouse import build_warehouse

    recover_interrupted(args.output)
    relations = build_warehouse(args.output, args.db, rate_profile=args.rate_profile, rates_csv=args.rates)
    print(f"built {args.db}: {', '.join(relations)}")


def cmd_warehouse_query(args) -> None:
    from pipelines.warehouse import format_table, query

    if not os.path.exists(args.db):
        raise UserError(f"no warehouse at {args.db}; run `regmeter warehouse build --output OUT --db {args.db}` first")
    columns, rows = query(args.db, args.sql)
    if args.format == "table":
        print(format_table(columns, rows))
    elif args.format == "csv":
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
    else:
        for row in rows:
            print(json.dumps(dict(zip(columns, row)), default=str))


DEMO_QUERY = """
select client_class,
       sum(requests) as requests,
       sum(gb_served)::decimal(18, 1) as gb_served,
       (100 * sum(requests) / sum(sum(requests)) over ())::decimal(5, 1) as request_pct,
       (100 * sum(bytes_sent) / sum(sum(bytes_sent)) over ())::decimal(5, 1) as byte_pct,
       sum(cost_usd)::decimal(18, 2) as cost_usd,
       (100 * sum(cost_usd) / sum(sum(cost_usd)) over ())::decimal(5, 1) as cost_pct
from fct_cost_by_client_class_daily
group by client_class
order by cost_usd desc
"""


def cmd_demo(args) -> None:
    from pipelines.jobs.daily import DailyJobConfig, run_daily
    from pipelines.privacy import load_client_key_secret
    from pipelines.synth import generate_day
    from pipelines.warehouse import build_warehouse, format_table, query

    work = os.path.abspath(args.workdir)
    data, out, db = os.path.join(work, "demo-data"), os.path.join(work, "demo-out"), os.path.join(work, "regmeter.duckdb")
    shown = os.path.relpath  # paths as the user would type them
    t0 = time.monotonic()
    print(f"1/3 generating {args.lines:,} lines of PyPI CDN logs for {args.date} (seed {args.seed}) → {shown(data)}/")
    summary = generate_day(args.date, args.lines, args.seed, data)
    print(f"    {len(summary.files)} gzip objects, {summary.bytes_written / 1e6:,.1f} MB, {summary.seconds:.1f}s")
    print(f"2/3 running the daily Beam job (local runner, {os.cpu_count()} workers) → {shown(out)}/")
    t1 = time.monotonic()
    config = DailyJobConfig(date=args.date, input=data, output=out, secret=load_client_key_secret(), file_sizes=os.path.join(data, summary.sizes_path))
    manifest = run_daily(config, [])
    job_seconds = time.monotonic() - t1
    print_run_summary(manifest, job_seconds)
    print(f"3/3 building the DuckDB warehouse → {shown(db)}")
    build_warehouse(out, db)
    columns, rows = query(db, DEMO_QUERY)
    print()
    print(f"Cost per client class, {args.date} (CloudFront list prices; bytes estimated from file sizes — PyPI logs carry none):")
    print(format_table(columns, rows))
    print(f"\ndemo wall time {time.monotonic() - t0:.1f}s; daily job {job_seconds:.1f}s = {manifest['lines']['read'] / job_seconds:,.0f} lines/s")
    print(f"explore: .venv/bin/regmeter warehouse query --db {shown(db)} \"select * from fct_cost_by_client_class_daily\"")


def cmd_explain_ua(args) -> None:
    from pipelines.classify import Classifier

    classifier = Classifier(args.rules)
    uas = [line.rstrip("\n") for line in sys.stdin] if args.user_agent == "-" else [args.user_agent]
    for ua in uas:
        info, decision = classifier.classify(ua)
        matched = classifier.explain(ua)
        record = {
            "user_agent": ua,
            "client_class": decision.client_class,
            "client_subclass": decision.client_subclass,
            "confidence": decision.confidence,
            "evidence": decision.evidence,
            "matched_rules": matched,
            "installer": {"name": info.installer_name, "version": info.installer_version, "subcommand": info.installer_subcommand},
            "family": info.family,
            "python": info.python,
            "system": " ".join(x for x in (info.system_name, info.system_release) if x) or None,
            "ci_declared": info.ci_declared,
            "agent_declared": info.agent_declared,
        }
        if args.json:
            print(json.dumps(record))
        else:
            width = max(len(k) for k in record)
            for key, value in record.items():
                print(f"{key:<{width}}  {value}")
            if len(uas) > 1:
                print()


def cmd_classify_eval(args) -> None:
    from pipelines.classify.evaluate import evaluate, report

    _check_exists(args.labels, "labels file")
    _check_exists(args.logs, "logs directory")
    print(report(evaluate(args.labels, args.logs, args.rules)))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not (args.command == "run" and args.job == "daily"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    _quiet_beam()
    from pipelines.formats import UnknownFormatError
    from pipelines.io.inputs import InputError
    from pipelines.jobs.daily import OutputError
    from pipelines.privacy import SecretError

    user_errors = (UserError, InputError, OutputError, SecretError, UnknownFormatError)
    try:
        from pipelines.warehouse import WarehouseError

        user_errors += (WarehouseError,)
    except ImportError:
        pass
    try:
        if args.command == "generate":
            cmd_generate(args)
        elif args.command == "run":
            cmd_run_daily(args, extra)
        elif args.command == "warehouse":
            cmd_warehouse_build(args) if args.action == "build" else cmd_warehouse_query(args)
        elif args.command == "demo":
            cmd_demo(args)
        elif args.command == "explain-ua":
            cmd_explain_ua(args)
        elif args.command == "classify-eval":
            cmd_classify_eval(args)
    except user_errors as exc:
        print(f"regmeter: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("regmeter: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
