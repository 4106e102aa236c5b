"""What bounding the request head costs: httptools with the head bound that
`migreg serve` runs (shared/http_head.py), and uvicorn's h11 parser (which the
services ran before: it stops buffering a request head at a configured size),
against plain httptools (the `uvicorn[standard]` default, unbounded).

Serves the registry each way, alternating, and times sequential `GET /healthz`
over one keep-alive connection: the cheapest request, so the parser's share of
the time is the largest it can be. Baseline: httptools in the same run.

    .venv/bin/python bench/http_parser.py --requests 2000 --rounds 2

Results go to stdout; record them in bench/README.md.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time

import httpx

SERVERS = {
    "httptools": "http='httptools'",
    "bounded": "**__import__('shared.limits').limits.RequestLimits().uvicorn_options()",
    "h11": "http='h11', h11_max_incomplete_event_size=65536",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(http: str, port: int) -> subprocess.Popen[bytes]:
    code = (
        "import uvicorn; uvicorn.run('services.registry.app:create_app', factory=True, "
        f"port={port}, log_level='error', {SERVERS[http]})"
    )
    return subprocess.Popen([sys.executable, "-c", code], env=dict(os.environ))


def _requests_per_second(http: str, count: int) -> float:
    port = _free_port()
    server = _serve(http, port)
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        for _ in range(100):
            try:
                httpx.get(url)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        with httpx.Client() as client:
            for _ in range(200):
                client.get(url)
            started = time.perf_counter()
            for _ in range(count):
                client.get(url)
            return count / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results: dict[str, list[float]] = {http: [] for http in SERVERS}
    for _ in range(args.rounds):
        for http in results:
            results[http].append(_requests_per_second(http, args.requests))
    baseline = max(results["httptools"])
    for http, rates in results.items():
        best = max(rates)
        print(f"{http:10} best {best:7.0f} req/s  ratio {best / baseline:.2f}")


if __name__ == "__main__":
    main()
