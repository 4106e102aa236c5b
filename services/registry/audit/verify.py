"""Recompute the audit chain, check it against the signed checkpoints, and
name the first thing that does not hold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.rows import dict_row

from services.registry.audit.chain import GENESIS, link_hash
from services.registry.audit.checkpoints import Checkpoint, Filed
from shared.migrate import sync_url


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    broken_seq: int | None = None
    broken_id: str | None = None
    reason: str | None = None
    # The last event that linked correctly.
    head_seq: int | None = None
    head_hash: str | None = None
    unsealed: int = 0  # events newer than the head, not chained yet
    checkpoints: int = 0  # signed checkpoints the chain agreed with

    @property
    def ok(self) -> bool:
        return self.reason is None


ALTERED = "the row's contents do not match its hash (the row was altered)"


def forged(filed: Filed) -> str:
    return (
        f"FORGED CHECKPOINT: {filed.path.name} does not carry a valid signature "
        "of the checkpoint key"
    )


def truncated(head_seq: int | None, cp: Checkpoint) -> str:
    return (
        f"TRUNCATED: the chain ends at seq {head_seq or 0}, but the checkpoint "
        f"signed at {cp.time.isoformat()} vouches for seq {cp.seq}: "
        "events were cut from the end of the trail"
    )


def missing(cp: Checkpoint) -> str:
    return (
        f"REWRITTEN: there is no event at seq {cp.seq}, which the checkpoint signed "
        f"at {cp.time.isoformat()} vouches for: events were removed and the chain "
        "re-hashed"
    )


def rewritten(cp: Checkpoint) -> str:
    return (
        f"REWRITTEN: the hash at seq {cp.seq} differs from the checkpoint signed at "
        f"{cp.time.isoformat()}: history up to it was altered and the chain re-hashed"
    )


def psycopg_url(url: str) -> str:
    return sync_url(url).replace("postgresql+psycopg://", "postgresql://", 1)


@dataclass
class ChainWalk:
    checked: int = 0
    head_seq: int | None = None
    head_hash: str = GENESIS
    first_unsealed: tuple[int, str] | None = None
    unsealed: int = 0

    def broken(self, seq: int, ident: str, reason: str) -> VerifyResult:
        head = self.head_hash if self.head_seq is not None else None
        return VerifyResult(self.checked, seq, ident, reason, self.head_seq, head)

    def take(self, row: Mapping[str, Any]) -> VerifyResult | None:
        """Check the next row in ``seq`` order: None while the chain holds."""
        seq, ident = row["seq"], str(row["id"])
        if row["hash"] is None:
            self.first_unsealed = self.first_unsealed or (seq, ident)
            self.unsealed += 1
            return None
        if self.first_unsealed is not None:
            return self.broken(
                *self.first_unsealed,
                "GAP: this event is not sealed but later ones are "
                "(a row was slipped in, or its seal removed)",
            )
        if row["prev_hash"] != self.head_hash:
            return self.broken(
                seq,
                ident,
                "prev_hash does not match the hash of the row before it "
                "(a row before it was removed, inserted or altered)",
            )
        if link_hash(row["prev_hash"], row) != row["hash"]:
            return self.broken(seq, ident, ALTERED)
        self.head_hash, self.head_seq = row["hash"], seq
        self.checked += 1
        return None


def verify_chain(database_url: str, checkpoints: Sequence[Filed] = ()) -> VerifyResult:
    """Walk the trail in ``seq`` order, then hold the chain against each checkpoint."""
    wanted = {f.checkpoint.seq for f in checkpoints if f.checkpoint}
    pinned: dict[int, str] = {}
    walk = ChainWalk()
    with (
        psycopg.connect(psycopg_url(database_url)) as conn,
        conn.cursor(name="audit_verify", row_factory=dict_row) as cur,
    ):
        cur.itersize = 5000
        cur.execute("SELECT * FROM audit_events ORDER BY seq")
        for row in cur:
            broken = walk.take(row)
            if broken is not None:
                return broken
            if row["hash"] is not None and row["seq"] in wanted:
                pinned[row["seq"]] = row["hash"]
    return _against_checkpoints(walk, checkpoints, pinned)


def _against_checkpoints(
    walk: ChainWalk, checkpoints: Sequence[Filed], pinned: dict[int, str]
) -> VerifyResult:
    head = walk.head_hash if walk.head_seq is not None else None
    for filed in checkpoints:
        cp = filed.checkpoint
        reason = None
        if cp is None:
            reason = forged(filed)
        elif walk.head_seq is None or cp.seq > walk.head_seq:
            reason = truncated(walk.head_seq, cp)
        elif cp.seq not in pinned:
            reason = missing(cp)
        elif pinned[cp.seq] != cp.hash:
            reason = rewritten(cp)
        if reason:
            return VerifyResult(
                walk.checked,
                cp.seq if cp else None,
                None,
                reason,
                walk.head_seq,
                head,
                walk.unsealed,
            )
    return VerifyResult(
        walk.checked,
        head_seq=walk.head_seq,
        head_hash=head,
        unsealed=walk.unsealed,
        checkpoints=len(checkpoints),
    )
