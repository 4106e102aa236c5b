"""The national-scale benchmarks run at a tiny size, so they never rot.

Each runs as its own process exactly as documented in bench/README.md, on
the test server; the figures are not checked here (speed is measured by the
full runs), only that every stage runs and reports.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.embedded_pg import DatabaseServer

BENCH = Path(__file__).resolve().parents[2] / "bench"


def run(script: str, database_server: DatabaseServer, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(BENCH / script), "--database-url", database_server.url, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_import_benchmark_at_tiny_size(database_server: DatabaseServer) -> None:
    out = run("registry_import.py", database_server, "--people", "300", "--runs", "2")
    assert "300 rows: 300 loaded" in out
    assert "import / baseline" in out


@pytest.mark.parametrize("load", ["--import", "--copy-load"])
def test_search_benchmark_at_tiny_size(database_server: DatabaseServer, load: str) -> None:
    args = ("--people", "300", "--queries", "8", "--runs", "1", "--clients", "3", "--seconds", "2")
    out = run("registry_search.py", database_server, *args, *([load] if load != "--import" else []))
    assert "people in the registry: 300" in out
    assert "q = misspelled Latin name" in out
    assert "name search / PIN lookup throughput" in out


def test_concurrent_read_benchmark_at_tiny_size(database_server: DatabaseServer) -> None:
    args = ("--people", "200", "--clients", "3", "--seconds", "1", "--runs", "1")
    out = run("registry_reads.py", database_server, *args)
    assert "ratio audited / unaudited (req/s)" in out
    assert "peak RSS" in out


def test_statistics_benchmark_at_tiny_size(database_server: DatabaseServer) -> None:
    out = run("registry_statistics.py", database_server, "--people", "300", "--runs", "1")
    assert "live: two-key tables" in out
    assert "two-key p95" in out


def test_read_write_benchmark_against_the_bare_app_at_tiny_size(
    database_server: DatabaseServer,
) -> None:
    args = ("--people", "1000", "--clients", "3", "--seconds", "1", "--runs", "1")
    out = run("registry_read_write.py", database_server, *args)
    assert "read ratio registry / bare (req/s)" in out
    assert "write ratio registry / bare (req/s)" in out
    assert "peak RSS" in out
