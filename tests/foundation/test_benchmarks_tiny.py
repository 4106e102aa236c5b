"""The other services' benchmarks run at a tiny size, so they never rot.

The registry's national-scale ones are in tests/registry/test_registry_benchmarks.py.
Each script runs as its own process, as bench/README.md documents it, from
outside the repository (no PYTHONPATH: a script that only ran with one had
rotted unseen); the figures are not checked here, only that every stage runs
and reports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from shared.embedded_pg import DatabaseServer

BENCH = Path(__file__).resolve().parents[2] / "bench"

# They start services as processes (and one a browser): run once, with the e2e tests.
pytestmark = pytest.mark.e2e


def run(script: str, env: dict[str, str], *args: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "DATABASE_URL"}}
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd="/",
        env={**clean, **env},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_case_numbering_benchmark(database_server: DatabaseServer) -> None:
    env = {"BENCH_DATABASE_URL": database_server.url}
    out = run("consular_case_numbering.py", env, "--cases", "12", "--concurrency", "3")
    assert "one consulate / spread throughput ratio" in out


def test_case_opening_benchmark(database_server: DatabaseServer) -> None:
    env = {"BENCH_DATABASE_URL": database_server.url}
    out = run("consular_case_opening.py", env, "--cases", "12", "--concurrency", "3")
    assert "registered / no-registry throughput ratio" in out


def test_notifications_throughput_benchmark(database_server: DatabaseServer) -> None:
    out = run(
        "notifications_throughput.py", {"DATABASE_URL": database_server.url}, "--messages", "12"
    )
    assert "three workers / one worker" in out


def test_http_parser_benchmark() -> None:
    out = run("http_parser.py", {}, "--requests", "30", "--rounds", "1")
    assert "h11" in out and "ratio" in out


def test_statistics_refresh_benchmark() -> None:
    out = run("registry_statistics_refresh.py", {}, "--people", "1000", "--runs", "1")
    assert "baseline, one writing transaction" in out
    assert "longest" in out


def test_console_pages_benchmark(database_server: DatabaseServer) -> None:
    out = run("console_pages.py", {"TEST_DATABASE_URL": database_server.url}, "--runs", "1")
    assert "| baseline: /static/icon.svg |" in out
    assert "| case view |" in out and "| message log |" in out
