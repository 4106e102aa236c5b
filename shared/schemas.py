"""The base of every request body, and the strict types bodies and queries share.

Text is checked and cleaned once, here, for every string field (nested ones
included): normalised to NFC and trimmed, and refused with a 422 naming the
field when it holds a NUL (PostgreSQL text cannot), a control character, a
bidi override or isolate, or a byte-order mark / zero-width no-break space
(these make a name display as something other than what is stored). A line break
(CR, LF) or tab is allowed only in long free text (a field typed ``FreeText``).
Unknown fields are refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Generic, TypeVar, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
)


class _AllowsLineBreaks:
    """Marks long free text (notes, descriptions): newline and tab are allowed there."""


FreeText = Annotated[str, _AllowsLineBreaks()]
_LINE_BREAKS = frozenset("\r\n\t")  # an SMS typed on a phone may carry CRLF
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BOM = "\ufeff"


def _refused_character(char: str, allow_line_breaks: bool) -> str | None:
    if char == "\x00":
        return "must not contain NUL characters"
    if char in _BIDI_CONTROLS:
        return f"must not contain bidirectional control characters (U+{ord(char):04X})"
    if char == _BOM:
        return "must not contain a byte-order mark (U+FEFF)"
    if unicodedata.category(char) == "Cs":
        return "must not contain unpaired surrogates (not valid Unicode text)"
    if unicodedata.category(char) == "Cc" and not (allow_line_breaks and char in _LINE_BREAKS):
        return f"must not contain control characters (U+{ord(char):04X})"
    return None


def clean_text(value: str, *, allow_line_breaks: bool = False) -> str:
    """NFC, trimmed; ``ValueError`` naming the first refused character."""
    # Every refused character is non-printable (Cc, Cf, Cs): printable text,
    # nearly all of it, skips the character walk (a bulk import's hot path).
    for char in "" if value.isprintable() else value:
        reason = _refused_character(char, allow_line_breaks)
        if reason:
            raise ValueError(reason)
    return unicodedata.normalize("NFC", value).strip()


def _clean(value: Any, allow_line_breaks: bool) -> Any:
    if isinstance(value, str):
        return clean_text(value, allow_line_breaks=allow_line_breaks)
    if isinstance(value, dict):
        return {_clean(k, False): _clean(v, allow_line_breaks) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(item, allow_line_breaks) for item in value]
    return value


class InputBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _clean_text(cls, value: Any, info: ValidationInfo) -> Any:
        # Before validation, so length limits and patterns see the cleaned text.
        policy = _text_policy(cls, info.field_name or "")
        if policy is None:
            return value  # a nested body cleans its own fields (its free text included)
        if type(value) is str and value.isprintable():  # nearly every value: nothing refused
            return unicodedata.normalize("NFC", value).strip()
        return _clean(value, policy)


@functools.cache
def _text_policy(model: type[BaseModel], name: str) -> bool | None:
    """None: not cleaned here (unknown, or a nested body); else whether line breaks are
    allowed. Per model and field, worked out once (it is asked for every value)."""
    field = model.model_fields.get(name)
    if field is None or _holds_model(field.annotation):
        return None
    return _allows_line_breaks([*field.metadata, field.annotation])


def _allows_line_breaks(marks: list[Any]) -> bool:
    return any(
        isinstance(mark, _AllowsLineBreaks) or _allows_line_breaks(list(get_args(mark)))
        for mark in marks
    )


def _holds_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_model(arg) for arg in get_args(annotation))


def _iso_date(value: Any) -> Any:
    # Lax pydantic reads 0 or "0" as 1970-01-01 (a Unix time): only YYYY-MM-DD is a date.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise ValueError("must be an ISO 8601 date (YYYY-MM-DD)")


def _iso_datetime(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        return value
    raise ValueError("must be an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS+00:00)")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}")  # a date alone means its midnight

IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_datetime)]


Body = TypeVar("Body", bound=BaseModel)
_UNSEEN = object()
_PROBE = 50_000  # values a column holds before it is judged by how often they repeat


class FieldwiseValidator(Generic[Body]):
    """A body's own validation, one field value at a time, each distinct value once.

    For a bulk load of rows that repeat most values (regions, sexes, birth dates,
    common names): a body whose fields are validated independently of each other
    (no model validator, no aliases; checked here) accepts a row exactly when
    each of its values is accepted for its field, and gives each field the same
    value whatever the rest of the row holds. So each new value goes through the
    model's own validator (``validate_assignment``: the field's type, limits,
    pattern and text cleaning, as a request body gets them) and its answer is
    remembered. :meth:`values` gives ``model_dump()``'s dict, or None for a row
    with anything wrong: validate that row with the model itself for its errors.
    Validated values are shared between rows, so only immutable field types
    belong here (text, dates, literals). A column whose values do not repeat
    (PINs, phones) is soon no longer remembered: it would only hold memory.
    """

    def __init__(self, model: type[Body], *, strict: bool = False, remember: int = 100_000):
        decorators = model.__pydantic_decorators__
        if decorators.model_validators or any(f.alias for f in model.model_fields.values()):
            raise TypeError(f"{model.__name__}'s fields are not validated one by one")
        self._validator = model.__pydantic_validator__
        self._scratch = model.model_construct()
        self._strict = strict
        self._limits = dict.fromkeys(model.model_fields, remember)
        self._known: dict[str, dict[Any, Any]] = {name: {} for name in model.model_fields}
        self._defaults = {
            name: field.get_default(call_default_factory=True)
            for name, field in model.model_fields.items()
            if not field.is_required()
        }
        self._rows = 0
        self._fields = frozenset(model.model_fields)
        self._required = self._fields - self._defaults.keys()

    def values(self, raw: Mapping[str, Any]) -> dict[str, Any] | None:
        keys = raw.keys()
        if not (self._required <= keys and keys <= self._fields):
            return None  # a missing or unknown field: the model names it
        self._rows += 1
        out = dict(self._defaults)
        for name, value in raw.items():
            known = self._known[name]
            # Two lookups without a method call: cheaper than .get() (a bulk load's hot loop).
            if value in known:
                out[name] = known[value]
                continue
            valid = self._first_seen(known, name, value)
            if valid is _UNSEEN:
                return None
            out[name] = valid
        return out

    def _first_seen(self, known: dict[Any, Any], name: str, value: Any) -> Any:
        try:
            self._validator.validate_assignment(self._scratch, name, value, strict=self._strict)
        except ValidationError:
            return _UNSEEN
        valid = self._scratch.__dict__[name]
        if len(known) < self._limits[name]:
            known[value] = valid
            if len(known) == _PROBE and self._rows < 2 * _PROBE:
                # Mostly values not seen before (PINs, phones): not worth their memory.
                known.clear()
                self._limits[name] = 0
        return valid
