"""Recompute the audit chain and name the first broken link."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg.rows import dict_row

from services.registry.audit.chain import GENESIS, link_hash
from shared.migrate import sync_url


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken_seq: int | None = None
    broken_id: str | None = None
    reason: str | None = None
    # The last event that linked correctly: an operator compares these with a
    # value recorded elsewhere, which catches a trail cut short at its end.
    head_seq: int | None = None
    head_hash: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def psycopg_url(url: str) -> str:
    return sync_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


def verify_chain(database_url: str) -> VerifyResult:
    """Walk the trail in ``seq`` order; stop at the first row that does not link."""
    expected_prev = GENESIS
    checked = 0
    head_seq: int | None = None
    with (
        psycopg.connect(psycopg_url(database_url)) as conn,
        conn.cursor(name="audit_verify", row_factory=dict_row) as cur,
    ):
        cur.itersize = 5000
        cur.execute("SELECT * FROM audit_events ORDER BY seq")
        for row in cur:
            if row["prev_hash"] != expected_prev:
                return VerifyResult(
                    checked,
                    row["seq"],
                    str(row["id"]),
                    "prev_hash does not match the hash of the row before it "
                    "(a row before it was removed, inserted or altered)",
                    *_head(head_seq, expected_prev),
                )
            if link_hash(row["prev_hash"], row) != row["hash"]:
                return VerifyResult(
                    checked,
                    row["seq"],
                    str(row["id"]),
                    "the row's contents do not match its hash (the row was altered)",
                    *_head(head_seq, expected_prev),
                )
            expected_prev = row["hash"]
            head_seq = row["seq"]
            checked += 1
    return VerifyResult(checked, None, None, None, *_head(head_seq, expected_prev))


def _head(seq: int | None, hash_: str) -> tuple[int | None, str | None]:
    return (seq, hash_) if seq is not None else (None, None)
