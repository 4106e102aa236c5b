"""The base of every registry request body (NUL characters refused)."""

from __future__ import annotations

from shared.schemas import InputBody as Body

__all__ = ["Body"]
