"""The name vocabulary an import adds to, remembering what is already there."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg

from services.registry.persons.names import vocabulary_rows

INSERT = """
    INSERT INTO name_vocabulary (key, token)
    SELECT * FROM unnest(%s::text[], %s::text[])
    ON CONFLICT DO NOTHING
"""


class Vocabulary:
    def __init__(self, conn: psycopg.Connection) -> None:
        self._conn = conn
        self._known = {t for (t,) in conn.execute("SELECT DISTINCT token FROM name_vocabulary")}

    def add(self, tokens: Iterable[str]) -> set[str]:
        """Add the new tokens' keys in the caller's transaction; the tokens added."""
        new = set(tokens) - self._known
        if new:
            rows = vocabulary_rows(new)
            self._conn.execute(INSERT, ([k for k, _ in rows], [t for _, t in rows]))
        return new

    def remember(self, committed: set[str]) -> None:
        # Only once committed: a rolled-back chunk is retried in full.
        self._known |= committed
