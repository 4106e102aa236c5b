"""What bounding the request head costs: uvicorn's h11 parser (which stops
buffering a request head at a configured size, so a huge header cannot be read
in full) against httptools (the `uvicorn[standard]` default, unbounded).

Serves the registry both ways, alternating, and times sequential `GET /healthz`
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

from shared.limits import RequestLimits


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(http: str, port: int) -> subprocess.Popen[bytes]:
    options = RequestLimits().uvicorn_options() if http == "h11" else {"http": "httptools"}
    code = (
        "import uvicorn; uvicorn.run('services.registry.app:create_app', factory=True, "
        f"port={port}, log_level='error', **{options!r})"
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
    results: dict[str, list[float]] = {"httptools": [], "h11": []}
    for _ in range(args.rounds):
        for http in results:
            results[http].append(_requests_per_second(http, args.requests))
    baseline = max(results["httptools"])
    for http, rates in results.items():
        best = max(rates)
        print(f"{http:10} best {best:7.0f} req/s  ratio {best / baseline:.2f}")


if __name__ == "__main__":
    main()
