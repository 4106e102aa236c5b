"""The registry as the benchmarks run it: one uvicorn process on 127.0.0.1.

    .venv/bin/python bench/registry_server.py URL PORT --pool 5

Imports nothing but the app (its resident memory is the service's, not the
benchmark's). Off, because the request path being measured does not include
them: the per-user read limit (one bench principal reads as fast as it can),
the outbox relay (no notifications service to deliver to) and the scheduled
statistics refresh (the statistics bench refreshes, timed).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SECRET = "bench-secret-not-for-production"


def main() -> None:
    import uvicorn

    from services.registry.app import create_app
    from services.registry.settings import RegistrySettings
    from shared.settings import AuthSettings

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("port", type=int)
    parser.add_argument("--pool", type=int, default=5, help="pool size (as many overflow)")
    args = parser.parse_args()
    settings = RegistrySettings(
        database_url=args.database_url,
        auth=AuthSettings(dev_secret=SECRET),
        log_level="WARNING",
        db_pool_size=args.pool,
        person_read_limits={},
        outbox_relay=False,
        statistics_refresh_interval_seconds=0,
    )
    app = create_app(settings)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
