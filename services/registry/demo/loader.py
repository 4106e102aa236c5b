"""``migreg dev`` demo data: a few hundred synthetic people, loaded once."""

from __future__ import annotations

import time

import psycopg

from services.registry.audit.verify import psycopg_url
from services.registry.demo.bulk import copy_people
from services.registry.demo.synthetic import SYNTHETIC_MARK, iter_people

DEMO_PEOPLE = 300


def load_demo(database_url: str, count: int = DEMO_PEOPLE) -> str:
    """Load the synthetic population unless it is already there; a one-line summary."""
    started = time.monotonic()
    with psycopg.connect(psycopg_url(database_url)) as conn:
        # One loader at a time; a second `migreg dev` waits and then skips.
        conn.execute("SELECT pg_advisory_xact_lock(7305)")
        present = conn.execute(
            "SELECT count(*) FROM persons WHERE locality LIKE %s", (f"%{SYNTHETIC_MARK}%",)
        ).fetchone()
        if present and present[0]:
            return f"demo data already present ({present[0]} synthetic people); not loaded again"
        counts = copy_people(conn, iter_people(count))
        conn.commit()
    return (
        f"loaded {counts.persons} SYNTHETIC people ({counts.abroad} abroad), "
        f"{counts.family_members} family members, {counts.movements} movements "
        f"in {time.monotonic() - started:.1f}s"
    )
