"""Cursors a client could forge: any JSON, encoded the way the services encode theirs."""

from __future__ import annotations

import base64
import json
from typing import Any


def forged_cursor(values: Any) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
