"""Signed checkpoints of the chain's head, kept outside the registry database.

A database superuser can switch the triggers off, cut the tail of the trail
or rewrite a row and re-hash everything after it: the chain then verifies
again. A checkpoint ``(seq, hash, time)`` signed with an Ed25519 key the
database never holds, written to a directory the database cannot reach, pins
the head as it was: ``migreg audit verify`` finds a cut tail (the chain ends
before a checkpoint's seq) and a rewrite (the hash at a checkpoint's seq
differs). Events after the newest checkpoint are pinned by the next one; the
interval bounds what could go unnoticed.

Files are only ever created (never overwritten): ``<seq>-<time>.json``.
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    time: datetime

    def message(self) -> bytes:
        """The signed bytes: canonical JSON of the three values."""
        payload = {"seq": self.seq, "hash": self.hash, "time": self.time.isoformat()}
        return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Filed:
    """A checkpoint as read back: ``checkpoint`` is None when its signature fails."""

    path: Path
    checkpoint: Checkpoint | None


def generate_key(path: Path) -> None:
    """A new private key (mode 0600) and its public key beside it (``.pub``)."""
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    public_key_path(path).write_bytes(_public_pem(key.public_key()))


def public_key_path(private_key: Path) -> Path:
    return private_key.with_name(private_key.name + ".pub")


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key file, or the public half of a private key file."""
    data = path.read_bytes()
    if b"PRIVATE KEY" in data:
        return load_private_key(path).public_key()
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError(f"{path} is not an Ed25519 public key")
    return key


def write(directory: Path, checkpoint: Checkpoint, key: Ed25519PrivateKey) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = checkpoint.time.strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"{checkpoint.seq:020d}-{stamp}.json"
    body = {
        "seq": checkpoint.seq,
        "hash": checkpoint.hash,
        "time": checkpoint.time.isoformat(),
        "signature": base64.b64encode(key.sign(checkpoint.message())).decode(),
    }
    # "x": a checkpoint is never overwritten.
    with path.open("x") as out:
        json.dump(body, out)
        out.flush()
        os.fsync(out.fileno())
    return path


def _newest(directory: Path) -> tuple[int, datetime] | None:
    """(seq, time) of the newest file, from its name."""
    names = sorted(p.name for p in _files(directory))
    if not names:
        return None
    seq, stamp = names[-1].removesuffix(".json").split("-", 1)
    return int(seq), datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)


def newest_time(directory: Path) -> datetime | None:
    newest = _newest(directory)
    return newest[1] if newest else None


def newest_seq(directory: Path) -> int | None:
    newest = _newest(directory)
    return newest[0] if newest else None


def read_all(directory: Path, key: Ed25519PublicKey) -> list[Filed]:
    """Every checkpoint in seq order, each checked against ``key``."""
    return [Filed(path, _read(path, key)) for path in sorted(_files(directory))]


def newest(directory: Path, key: Ed25519PublicKey) -> Filed | None:
    """The newest checkpoint (by its name), checked against ``key``; None when none is filed."""
    paths = sorted(_files(directory))
    return Filed(paths[-1], _read(paths[-1], key)) if paths else None


def _files(directory: Path) -> Iterator[Path]:
    return directory.glob("*.json") if directory.is_dir() else iter(())


def _read(path: Path, key: Ed25519PublicKey) -> Checkpoint | None:
    try:
        body = json.loads(path.read_text())
        checkpoint = Checkpoint(
            int(body["seq"]), str(body["hash"]), datetime.fromisoformat(body["time"])
        )
        key.verify(base64.b64decode(body["signature"]), checkpoint.message())
    except (InvalidSignature, ValueError, KeyError, TypeError):
        return None
    return checkpoint


def local_checkpoint_env(home: Path) -> dict[str, str]:
    """Checkpoint settings of a local run (``migreg dev``): a key made once under ``home``."""
    key = home / "audit" / "checkpoint-key.pem"
    if not key.exists():
        generate_key(key)
    return {
        "REGISTRY_AUDIT_CHECKPOINT_DIR": str(home / "audit" / "checkpoints"),
        "REGISTRY_AUDIT_CHECKPOINT_KEY_FILE": str(key),
    }
