"""What a family's SMS asks for, and which language to answer in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["stop", "start", "case_query", "help"]

# Our own copy of the consular case-number format (services never import each other).
CASE_NUMBER_RE = re.compile(r"^[A-Z]{2}-[A-Z]{3}-\d{4}-\d{6}$")

# Keyword -> the language it is written in (None: no language of its own).
_STOP_WORDS: dict[str, str | None] = {"stop": None, "стоп": "ru", "токтот": "ky"}
_START_WORDS: dict[str, str | None] = {"start": None, "старт": "ru", "башта": "ky"}


@dataclass(frozen=True)
class Request:
    kind: Kind
    word_language: str | None = None  # the keyword's own language, if it has one
    case_number: str | None = None


def classify(text: str) -> Request:
    """STOP/СТОП/ТОКТОТ, START, a case number, or anything else (help).

    Surrounding spaces and case do not matter; a case number may come with a
    leading № or # as people copy it from our own SMS.
    """
    word = text.strip().casefold()
    if word in _STOP_WORDS:
        return Request("stop", _STOP_WORDS[word])
    if word in _START_WORDS:
        return Request("start", _START_WORDS[word])
    candidate = text.strip().lstrip("№#").strip().upper()
    if CASE_NUMBER_RE.match(candidate):
        return Request("case_query", case_number=candidate)
    return Request("help")


def reply_language(request: Request, known: str | None, default: str) -> str:
    """Answer in the language the keyword is written in when only one language
    uses it (ТОКТОТ is Kyrgyz); else in the language we last wrote to this
    number in (they read it); else in the keyword's language (СТОП: Russian);
    else the configured default (Kyrgyz)."""
    if request.word_language == "ky":
        return "ky"
    if known is not None:
        return known
    return request.word_language or default
