"""The import's hand-written COPY text reads back as the values it was made from."""

from __future__ import annotations

import uuid
from datetime import date

import psycopg

from services.registry.audit.verify import psycopg_url
from services.registry.imports import copytext
from services.registry.settings import RegistrySettings

AWKWARD = [
    "tab\there",
    "new\nline\r",
    "back\\slash",
    'quo"te',
    "a,b",
    "{br}",
    "NULL",
    "Жумабаев",
    "",
]


def test_awkward_values_and_arrays_round_trip_through_copy(
    registry_settings: RegistrySettings,
) -> None:
    rows = [(uuid.uuid4(), text, None, date(1990, 3, 14), 7, AWKWARD) for text in AWKWARD]
    rows += [(uuid.uuid4(), "plain", None, date(1990, 3, 14), 7, a) for a in (["ab", "~c"], [])]
    with psycopg.connect(psycopg_url(registry_settings.database_url)) as conn:
        conn.execute(
            "CREATE TEMP TABLE t (id uuid, s text, n text, d date, i int, a text[], k serial)"
        )
        with conn.cursor() as cur, cur.copy("COPY t (id, s, n, d, i, a) FROM STDIN") as copy:
            for *values, array in rows:
                copy.write(copytext.line((*values, copytext.text_array(array))))
        back = conn.execute("SELECT id, s, n, d, i, a FROM t ORDER BY k").fetchall()
    assert back == rows
