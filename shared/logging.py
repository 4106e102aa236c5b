"""Structured JSON logs carrying the request id, and redaction helpers.

Personal data must never reach a log line in full: callers pass identifiers
through ``mask_pin``, ``mask_phone`` or ``mask_name`` first.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from shared.request_context import current_request_id

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": current_request_id(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is now (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Our own access log line replaces uvicorn's (which would carry full URLs).
    logging.getLogger("uvicorn.access").disabled = True


def mask_pin(pin: str | None) -> str:
    if not pin:
        return ""
    return pin[:1] + "*" * max(len(pin) - 3, 0) + pin[-2:]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    return phone[:4] + "*" * max(len(phone) - 6, 0) + phone[-2:]


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[:1] + "."
