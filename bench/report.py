"""The bench's one table (plain text for the terminal, Markdown for docs) and its JSON file."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.stats import Spread

HEADERS = ("section", "measurement", "median", "min–max", "n", "target", "result")


@dataclass(frozen=True)
class Row:
    """One line of the table: a median with its spread, and a target with PASS/MISS when there is one."""

    section: str
    measurement: str
    median: str
    spread: str = ""
    n: str = ""
    target: str = ""
    result: str = ""

    def cells(self) -> tuple[str, ...]:
        """The row in column order."""
        return (self.section, self.measurement, self.median, self.spread, self.n, self.target, self.result)


def number(value: float | None, digits: int | None = None) -> str:
    """A figure with sensible precision: 12,345 / 123.4 / 1.23 / 0.0123."""
    if value is None:
        return "–"
    if digits is None:
        magnitude = abs(value)
        digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 0.1 else 3
    return f"{value:,.{digits}f}"


def row(section: str, measurement: str, spread: Spread | None, unit: str = "", *, digits: int | None = None,
        target: str = "", passed: bool | None = None) -> Row:
    """A row for a measured Spread; ``passed`` None means no target (or not measured)."""
    if spread is None:
        return Row(section, measurement, "not measured", target=target, result="–" if target else "")
    suffix = f" {unit}" if unit else ""
    if digits is None:
        magnitude = abs(spread.median)
        digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2 if magnitude >= 0.1 else 3
    return Row(section, measurement, number(spread.median, digits) + suffix,
               f"{number(spread.low, digits)}–{number(spread.high, digits)}", str(spread.n), target,
               "" if passed is None else ("PASS" if passed else "MISS"))


def format_text(rows: list[Row]) -> str:
    """A fixed-width table for the terminal."""
    table = [HEADERS] + [r.cells() for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    numeric = {2, 3, 4}
    lines = []
    for index, line in enumerate(table):
        cells = [cell.rjust(widths[i]) if i in numeric and index else cell.ljust(widths[i])
                 for i, cell in enumerate(line)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def format_markdown(rows: list[Row]) -> str:
    """The same table as GitHub Markdown (for docs/bench.md and the README)."""
    lines = ["| " + " | ".join(HEADERS) + " |", "|---|---|--:|--:|--:|---|---|"]
    for r in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in r.cells()) + " |")
    return "\n".join(lines)


def write_json(path: Path, data: dict, rows: list[Row]) -> None:
    """Write ``data`` plus the table rows, keys sorted and indented so diffs between runs read well."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dict(data, table=[asdict(r) for r in rows])
    path.write_text(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")


def rows_from_json(path: Path) -> list[Row]:
    """The table rows stored in a results file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Row(**{k: r.get(k, "") for k in Row.__dataclass_fields__}) for r in data.get("table", [])]


if __name__ == "__main__":  # python -m bench.report bench/results/latest.json: the table as Markdown
    import sys

    print(format_markdown(rows_from_json(Path(sys.argv[1] if len(sys.argv) > 1 else
                                              Path(__file__).parent / "results" / "latest.json"))))
