"""Answers about a person's cases."""

from __future__ import annotations

from pydantic import BaseModel


class OpenCasesOut(BaseModel):
    open: bool
