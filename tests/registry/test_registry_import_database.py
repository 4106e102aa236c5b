"""`migreg import` pointed at a registry database it cannot use: one line, exit 2."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from migreg.main import app
from services.registry.imports import cli
from services.registry.imports.database import where
from services.registry.settings import RegistrySettings
from shared.embedded_pg import DatabaseServer
from tests.registry.conftest import person_body
from tests.registry.test_registry_import_files import write_rows

KINDS = ("persons", "family-members", "movements")


@pytest.fixture
def unmigrated(database_server: DatabaseServer) -> Iterator[str]:
    """A real, empty database: created, never migrated."""
    name = f"migreg_test_{os.getpid()}_unmigrated"
    database_server.drop_database(name)
    url = database_server.ensure_database(name)
    yield url
    database_server.drop_database(name)


@pytest.fixture
def persons_list(tmp_path: Path) -> Path:
    body = person_body()
    return write_rows(tmp_path / "list.csv", list(body), [list(body.values())], "utf-8")


def run(url: str, kind: str, path: Path) -> tuple[int, list[str]]:
    result = CliRunner().invoke(
        app, ["import", kind, str(path)], env={"REGISTRY_DATABASE_URL": url}
    )
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output.strip().splitlines()


def with_password(url: str) -> str:
    return make_url(url).set(password="s3cret-pw").render_as_string(hide_password=False)


@pytest.mark.parametrize("kind", KINDS)
def test_a_database_without_the_registry_tables_says_to_migrate_it(
    unmigrated: str, persons_list: Path, kind: str
) -> None:
    code, lines = run(with_password(unmigrated), kind, persons_list)

    assert code == 2, lines
    (line,) = lines
    database = make_url(unmigrated).database
    assert f"{database} has no registry tables" in line
    assert "run `migreg db upgrade registry` first" in line
    assert "s3cret-pw" not in line


def test_an_unreachable_database_is_one_line(persons_list: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://migreg:s3cret-pw@127.0.0.1:{port}/registry"

    code, lines = run(url, "persons", persons_list)

    assert code == 2, lines
    (line,) = lines
    assert f"cannot reach the registry database at 127.0.0.1:{port}/registry" in line
    assert "s3cret-pw" not in line


def run_unset(
    monkeypatch: pytest.MonkeyPatch, default: str, kind: str, path: Path
) -> tuple[int, list[str]]:
    """The CLI with REGISTRY_DATABASE_URL unset, its default (127.0.0.1:5432/postgres)
    standing in for ``default``: the machine's own server, when it has one."""

    class Defaulted(RegistrySettings):
        database_url: str = default

    monkeypatch.setattr(cli, "RegistrySettings", Defaulted)
    result = CliRunner().invoke(
        app, ["import", kind, str(path)], env={"REGISTRY_DATABASE_URL": None}
    )
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, result.output.strip().splitlines()


def test_an_unset_url_is_said_rather_than_migrating_the_default_database(
    unmigrated: str, persons_list: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, lines = run_unset(monkeypatch, unmigrated, "persons", persons_list)

    assert code == 2, lines
    (line,) = lines
    tried = where(unmigrated)  # host (here a socket directory):port/database
    assert f"REGISTRY_DATABASE_URL is not set, so its default {tried} was tried" in line
    assert "has no registry tables" in line
    assert "migreg db upgrade" not in line  # it would fill the wrong database
    assert "set REGISTRY_DATABASE_URL to the registry database" in line


def test_an_unset_url_whose_default_does_not_answer_says_it_is_unset(
    persons_list: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    default = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    code, lines = run_unset(monkeypatch, default, "movements", persons_list)

    assert code == 2, lines
    (line,) = lines
    assert f"REGISTRY_DATABASE_URL is not set, so its default 127.0.0.1:{port}/postgres" in line
    assert "cannot be reached" in line
    assert "set REGISTRY_DATABASE_URL to the registry database" in line
