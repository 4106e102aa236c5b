"""A first large load builds the search indexes at its end, and never loses one."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from services.registry.audit.verify import psycopg_url
from services.registry.clock import today
from services.registry.imports.persons import import_persons
from services.registry.imports.read import open_sheet
from services.registry.settings import RegistrySettings
from tests.registry.conftest import person_body
from tests.registry.test_registry_import import run_import, write_csv

SECONDARY = {"ix_persons_name_tokens", "ix_persons_phone", "ix_persons_region", "ix_persons_status"}
AUDIT_LOOKUPS = {
    "ix_audit_events_person_id",
    "ix_audit_events_resource",
    "ix_audit_events_actor",
    "ix_audit_events_occurred_at",
}
AUDIT_KEPT = {"pk_audit_events", "uq_audit_events_id", "ix_audit_events_unsealed"}


def persons_indexes(url: str, table: str = "persons") -> set[str]:
    with psycopg.connect(psycopg_url(url)) as conn:
        rows = conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", (table,))
        return {name for (name,) in rows}


def test_a_stopped_first_load_leaves_every_index_in_place(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    url = registry_settings.database_url
    path = write_csv(tmp_path / "list.csv", [person_body() for _ in range(6)])
    seen: list[set[str]] = []

    def stop(n: int) -> None:
        seen.append(persons_indexes(url) | persons_indexes(url, "audit_events"))
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), psycopg.connect(psycopg_url(url)) as conn:
        rows, on = open_sheet(path, {}).rows, today(registry_settings)
        import_persons(conn, rows, registry_settings, on, stop, chunk=3, defer_indexes=None)

    assert not seen[0] & (SECONDARY | AUDIT_LOOKUPS)  # dropped while the empty registry loaded
    assert seen[0] >= AUDIT_KEPT | {"uq_persons_pin"}  # rules and the sealer's stay
    assert persons_indexes(url) >= SECONDARY | {"uq_persons_pin"}
    assert persons_indexes(url, "audit_events") >= AUDIT_LOOKUPS | AUDIT_KEPT


def test_indexes_a_killed_run_left_dropped_are_built_by_the_next_import(
    tmp_path: Path, registry_settings: RegistrySettings
) -> None:
    url = registry_settings.database_url
    with psycopg.connect(psycopg_url(url)) as conn:  # what a kill -9 mid-load leaves
        (definition,) = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_persons_phone'"
        ).fetchone() or ("",)
        conn.execute(
            "INSERT INTO import_deferred_indexes VALUES ('public.ix_persons_phone', %s)",
            (definition,),
        )
        conn.execute("DROP INDEX ix_persons_phone")
    assert "ix_persons_phone" not in persons_indexes(url)

    result = run_import(
        registry_settings, str(write_csv(tmp_path / "l.csv", [person_body()])), "--keep-indexes"
    )

    assert result.exit_code == 0, result.output
    assert persons_indexes(url) >= SECONDARY
    with psycopg.connect(psycopg_url(url)) as conn:
        assert conn.execute("SELECT count(*) FROM import_deferred_indexes").fetchone() == (0,)
