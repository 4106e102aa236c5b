"""Forms: described once as fields, rendered by one template, sent to a service as they
are (the services validate), and the service's problem+json ``errors[]`` shown next to
the field each one names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from services.console.api import ApiProblem, new_idempotency_key
from services.console.csrf import FIELD as CSRF_FIELD
from services.console.form_errors import Explained, explain
from services.console.rendering import render

IDEMPOTENCY_FIELD = "idempotency_key"
FORM_ERROR = "_form"


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, date, month, select, checkbox, textarea, tel, hidden
    required: bool = False
    options: Sequence[tuple[str, str]] = ()
    hint: str | None = None
    # Extra attributes for the input (pattern, inputmode, autocomplete, list, htmx...).
    attrs: dict[str, str] = field(default_factory=dict)
    # Options given as codes are shown through the label filter.
    coded: bool = False
    # Has a live region below it that htmx fills as the user types.
    live: bool = False
    # Option texts are messages to translate (names of classification codes).
    translated: bool = False
    # A select's first, empty choice ("Choose..."), so nothing is picked unawares.
    prompt: str | None = None


def coded(codes: Iterable[str]) -> list[tuple[str, str]]:
    return [(code, code) for code in codes]


@dataclass
class Submitted:
    values: dict[str, str]
    # Rendered into the form once, so a double click or a retry never registers twice.
    idempotency_key: str | None


async def read_form(request: Request) -> Submitted:
    """The submitted values, trimmed; CSRF and idempotency fields set apart."""
    form = await request.form()
    values: dict[str, str] = {}
    for name, value in form.multi_items():
        if isinstance(value, str) and name not in (CSRF_FIELD, IDEMPOTENCY_FIELD):
            values[name] = value.strip()
    key = form.get(IDEMPOTENCY_FIELD)
    return Submitted(values, key if isinstance(key, str) and key else None)


def body_from(values: dict[str, str], fields: Sequence[Field]) -> dict[str, Any]:
    """A JSON body for the service: blanks omitted, checkboxes as booleans."""
    body: dict[str, Any] = {}
    for f in fields:
        if f.kind == "checkbox":
            body[f.name] = values.get(f.name) == "on"
        elif values.get(f.name):
            body[f.name] = values[f.name]
    return body


Errors = dict[str, Explained | str]


def errors_from(problem: ApiProblem, fields: Sequence[Field]) -> Errors:
    """Each error on its field, in the console's words where its kind is known; an
    error on no field of the form goes on top."""
    names = {f.name for f in fields}
    errors: Errors = {}
    for name, reason in problem.field_errors().items():
        errors[name if name in names else FORM_ERROR] = explain(name, reason)
    if not errors:
        errors[FORM_ERROR] = problem.detail
    return errors


@dataclass(frozen=True)
class FormSpec:
    heading: str
    submit: str
    done: str
    fields: Sequence[Field]


def render_form(
    request: Request,
    spec: FormSpec,
    *,
    action: str,
    values: dict[str, str] | None = None,
    errors: Mapping[str, Explained | str] | None = None,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    return render(
        request,
        "pages/form.html",
        {
            "heading": spec.heading,
            "submit": spec.submit,
            "fields": spec.fields,
            "action": action,
            "values": values or {},
            "errors": errors or {},
            "idempotency_key": new_idempotency_key(),
            **extra,
        },
        status=status,
    )
