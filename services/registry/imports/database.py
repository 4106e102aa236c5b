"""The registry database ``migreg import`` loads into, refused in one line when it cannot be used.

A server that does not answer, or a database without the registry's tables (its
migrations not applied), is said as what is wrong and what to do, naming host,
port and database but never the password. When REGISTRY_DATABASE_URL is not set
the settings' default was tried, and the line says so: "run the migrations" would
otherwise put the registry's tables in whatever database answers at the default
(a machine's own ``postgres``).
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from services.registry.audit.verify import psycopg_url
from shared.settings import ServiceSettings

CONNECT_TIMEOUT_SECONDS = 10
UPGRADE = "run `migreg db upgrade registry` first"
UNSET = "REGISTRY_DATABASE_URL is not set, so its default {where} was tried"
SET_IT = "set REGISTRY_DATABASE_URL to the registry database"
EXAMPLE = "postgresql://user:password@host:5432/database"


class Unusable(Exception):
    """The registry database cannot take an import (one line saying why and what to do)."""


def where(url: str) -> str:
    """``host:port/database`` of ``url``: no user, no password."""
    parsed = make_url(url)
    host = parsed.host or str(parsed.query.get("host") or "localhost")
    return f"{host}:{parsed.port or parsed.query.get('port') or 5432}/{parsed.database or ''}"


def connect_registry(settings: ServiceSettings) -> psycopg.Connection:
    """A connection to the registry database of ``settings``, once its schema is the registry's."""
    url = settings.database_url
    defaulted = "database_url" not in settings.model_fields_set
    try:
        params = conninfo_to_dict(psycopg_url(url))
    except (ArgumentError, psycopg.Error):
        raise Unusable(f"REGISTRY_DATABASE_URL is not a database URL ({EXAMPLE})") from None
    params.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    try:
        conn = psycopg.connect(make_conninfo("", **params))
    except psycopg.Error as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        password = make_url(url).password
        if password:
            reason = reason.replace(password, "***")
        if defaulted:
            unset = UNSET.format(where=where(url))
            raise Unusable(f"{unset} and cannot be reached ({reason}): {SET_IT}") from None
        raise Unusable(
            f"cannot reach the registry database at {where(url)} "
            f"(check REGISTRY_DATABASE_URL): {reason}"
        ) from None
    try:
        _require_schema(conn, url, defaulted)
    except BaseException:
        conn.close()
        raise
    return conn


def _require_schema(conn: psycopg.Connection, url: str, defaulted: bool) -> None:
    # The registry's own table, not alembic_version: another service's database has one too.
    persons = conn.execute("SELECT to_regclass('persons')").fetchone()
    conn.rollback()  # the loaders begin their own transactions
    if persons is not None and persons[0] is not None:
        return
    if defaulted:
        # Not "upgrade": that would create the registry's tables in the default database.
        unset = UNSET.format(where=where(url))
        raise Unusable(f"{unset} and has no registry tables: {SET_IT}")
    raise Unusable(f"the registry database at {where(url)} has no registry tables: {UPGRADE}")
