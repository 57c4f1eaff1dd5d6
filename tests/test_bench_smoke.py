"""Keep the bench's own code from rotting: its load generators and report, against a tiny local server.

Not the benchmark itself (``make bench`` is): about a second of load on 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import threading

import pytest
from werkzeug.serving import make_server

from bench.contenders.minimal_flask import create_app
from bench.load import LoadSpec, run_python, run_wrk, wrk_script
from bench.report import Row, format_markdown, format_text, row, rows_from_json, write_json
from bench.stats import Spread, percentile, ratios


@pytest.fixture
def tiny_server():
    """The bench's minimal Flask contender on a threaded werkzeug server in this process."""
    server = make_server("127.0.0.1", 0, create_app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


def test_python_generator_measures_a_real_server(tiny_server):
    spec = LoadSpec(tiny_server + "/api/me", headers=[{"Cookie": "a=1"}, {"Cookie": "a=2"}],
                    connections=2, duration=1.0)
    result = run_python(spec)
    assert result.generator == "python"
    assert result.errors == 0
    assert result.requests > 10
    assert result.rps > 10
    assert 0 < result.p50_ms <= result.p99_ms


def test_python_generator_counts_failures(tiny_server):
    result = run_python(LoadSpec(tiny_server + "/missing", connections=1, duration=0.3))
    assert result.requests == 0
    assert result.errors > 0


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_generator_parses_its_summary(tiny_server):
    result = run_wrk(LoadSpec(tiny_server + "/api/me", headers=[{"Origin": "http://localhost:8001"}],
                              connections=2, duration=1.0))
    assert result.generator == "wrk"
    assert result.requests > 10 and result.errors == 0
    assert 0 < result.p50_ms <= result.p99_ms


def test_wrk_script_rotates_header_sets_and_escapes():
    script = wrk_script(LoadSpec("http://127.0.0.1:1/api/me?x=1",
                                 headers=[{"Cookie": 's="1"'}, {"Authorization": "Bearer t"}]))
    assert '["Cookie"] = "s=\\"1\\""' in script
    assert '"/api/me?x=1"' in script
    assert "latency:percentile(99)" in script


def test_spread_percentile_and_ratios():
    spread = Spread.of([3.0, 1.0, 2.0, None])
    assert (spread.median, spread.low, spread.high, spread.n) == (2.0, 1.0, 3.0, 3)
    assert Spread.of([]) is None
    assert percentile(list(range(1, 101)), 0.99) == 99
    assert ratios([2.0, 3.0], [1.0, 0.0]) == [2.0]


def test_report_formats_text_markdown_and_stable_json(tmp_path):
    rows = [row("/api/me", "masthead req/s", Spread.of([900.0, 1000.0, 1100.0]), "req/s",
                target="≥ 0.8×", passed=True),
            row("growth", "not run", None, target="≥ 0.9"),
            Row("bar", "requests, first visit", "2", target="2", result="PASS")]
    text = format_text(rows)
    assert "1,000 req/s" in text and "900–1,100" in text and "PASS" in text
    assert "not measured" in text
    markdown = format_markdown(rows)
    assert markdown.splitlines()[0].startswith("| section")
    assert len(markdown.splitlines()) == 2 + len(rows)
    path = tmp_path / "latest.json"
    write_json(path, {"b": 1, "a": {"z": 1, "y": 2}}, rows)
    first = path.read_text()
    assert list(json.loads(first)) == ["a", "b", "table"]
    write_json(path, {"a": {"y": 2, "z": 1}, "b": 1}, rows)
    assert path.read_text() == first
    assert rows_from_json(path) == rows
