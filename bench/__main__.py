"""``python -m bench``: run the benchmarks, print the machine, the contenders and one table, write JSON.

Options: ``--quick`` (one short round of everything: a smoke run), ``--only me,growth,signin,weight,speed``,
``--out PATH`` (default bench/results/latest.json), ``--markdown PATH`` (also write the table as Markdown).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from bench import load, machine, report
from bench.context import Context, Plan
from bench.report import Row

SECTIONS = ("me", "growth", "signin", "weight", "speed")
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


def _section(name: str):
    """The module that measures section ``name`` (imported late: the browser ones need Playwright)."""
    if name == "me":
        from bench import me as module
    elif name == "growth":
        from bench import growth as module
    elif name == "signin":
        from bench import signin as module
    else:
        from bench import bar as module
        return module.weight if name == "weight" else module.speed
    return module.run


def parse(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one short round of everything (smoke run)")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run (default: all of {','.join(SECTIONS)})")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON results file (default: bench/results/latest.json, or quick.json with --quick)")
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table as Markdown here")
    args = parser.parse_args(argv)
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in args.only if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.out is None:
        args.out = RESULTS if not args.quick else RESULTS.with_name("quick.json")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the selected sections; exit 1 if one of them failed to run (a missed target is not a failure)."""
    args = parse(argv)
    started = time.monotonic()
    plan = Plan.quick() if args.quick else Plan()
    load.ensure_wrk()
    generator = load.generator_name()
    chromium = None
    if {"weight", "speed"} & set(args.only):
        from tests.browser import find_chromium

        chromium = find_chromium()
    info = machine.describe(generator, chromium)
    rows: list[Row] = []
    results: dict = {"sections": {}, "machine": info, "plan": plan.as_dict(),
                     "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat()}
    failed = []
    with ExitStack() as stack, tempfile.TemporaryDirectory(prefix="masthead-bench-") as tmp:
        ctx = Context(stack, Path(tmp), plan)
        results["servers"] = ctx.settings.describe()
        print_header(info, ctx, generator)
        for name in args.only:
            print(f"\n== {name} ==", flush=True)
            section_start = time.monotonic()
            try:
                section_rows, data = _section(name)(ctx, log=lambda msg: print(msg, flush=True))
            except Exception as exc:  # noqa: BLE001 - a section that breaks is a row, the rest still run
                traceback.print_exc()
                failed.append(name)
                section_rows = [Row(name, f"failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                                    if str(exc) else f"failed: {type(exc).__name__}", "–")]
                data = {"error": f"{type(exc).__name__}: {exc}"}
            data["seconds"] = round(time.monotonic() - section_start, 1)
            rows += section_rows
            results["sections"][name] = data
            print(f"  ({data['seconds']} s)", flush=True)
    elapsed = time.monotonic() - started
    results["total_seconds"] = round(elapsed, 1)
    print("\n" + report.format_text(rows))
    report.write_json(args.out, results, rows)
    if args.markdown:
        args.markdown.write_text(report.format_markdown(rows) + "\n", encoding="utf-8")
    verdicts = [r.result for r in rows if r.result in ("PASS", "MISS")]
    print(f"\ntargets: {verdicts.count('PASS')} PASS, {verdicts.count('MISS')} MISS"
          + (f"; sections that failed to run: {', '.join(failed)}" if failed else ""))
    print(f"wrote {args.out} in {elapsed:.0f} s total")
    return 1 if failed else 0


def print_header(info: dict, ctx: Context, generator: str) -> None:
    """The machine and the exact settings, before any number."""
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items() if v)
    plan = ctx.plan
    print(f"machine: {info['cores']} cores, {info['cpu']}, {info['memory_gib']} GiB, {info['os']}")
    print(f"python {info['python']}, sqlite {info['sqlite']}, {packages}")
    print(f"load generator: {generator}; chromium: {info['chromium'] or 'not used'}")
    print(f"servers: {ctx.settings.describe()}")
    threads = f"{plan.wrk_threads} wrk thread(s)" if generator.startswith("wrk") else "one thread each"
    print(f"load runs: {plan.connections} connections ({threads}), "
          f"{plan.duration:g} s each after a {plan.warmup:g} s warm-up, {plan.rounds} rounds, contenders "
          f"interleaved round-robin; figures are medians over rounds with min–max")
    print(f"databases: {plan.users:,} seeded users + the signed-in user for /api/me and sign-in; growth "
          f"{plan.growth_users[0]:,} vs {plan.growth_users[1]:,} users and sessions")


if __name__ == "__main__":
    sys.exit(main())
