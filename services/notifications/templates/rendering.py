"""Filling a template's ``{name}`` placeholders, strictly.

Rendered by walking ``string.Formatter().parse`` ourselves rather than calling
``str.format``: a body edited by an administrator must never reach attributes
or format specs (``{x.__class__}``, ``{x:>1000000}``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from shared.errors import InvalidInput

PLACEHOLDER_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def parse_body(body: str) -> list[tuple[str, str | None]]:
    """(literal, placeholder) pairs; a body with an unusable placeholder is a 422."""
    try:
        parts = list(string.Formatter().parse(body))
    except ValueError as exc:
        raise InvalidInput("body", f"not a valid template: {exc}") from exc
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        if not PLACEHOLDER_RE.match(name) or spec or conversion:
            raise InvalidInput(
                "body",
                f"placeholder {{{name}{'!' + conversion if conversion else ''}"
                f"{':' + spec if spec else ''}}} is not allowed: use {{lowercase_name}}",
            )
    return [(literal, name) for literal, name, _spec, _conv in parts]


def placeholder_names(body: str) -> list[str]:
    names: list[str] = []
    for _literal, name in parse_body(body):
        if name is not None and name not in names:
            names.append(name)
    return names


# An optional part: ``[ Hotline: {hotline}]`` is left out, brackets and all, when any
# placeholder in it has no value, so a text never shows a blank or a dash.
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")


def _parts(body: str) -> list[tuple[str, bool]]:
    """The body as (text, optional) parts, in order."""
    parts: list[tuple[str, bool]] = []
    at = 0
    for match in _OPTIONAL.finditer(body):
        parts += [(body[at : match.start()], False), (match.group(1), True)]
        at = match.end()
    return [*parts, (body[at:], False)]


def _fill(text: str, params: Mapping[str, str]) -> str:
    return "".join(
        literal + (params[name] if name is not None else "") for literal, name in parse_body(text)
    )


def render(body: str, params: Mapping[str, str]) -> str:
    """The text with every placeholder filled; params must match exactly, except that
    those only in optional ``[...]`` parts may be left out (the part is dropped)."""
    wanted = placeholder_names(body)
    required = [
        n for text, optional in _parts(body) if not optional for n in placeholder_names(text)
    ]
    missing = [n for n in required if n not in params]
    if missing:
        error = InvalidInput(("params", missing[0]), "missing: the template needs this value")
        for name in missing[1:]:
            error.extra["errors"].append(
                {"field": f"params.{name}", "in": "body", "reason": "missing"}
            )
        raise error
    unknown = sorted(set(params) - set(wanted))
    if unknown:
        raise InvalidInput(
            ("params", unknown[0]),
            f"not a placeholder of this template (it has: {', '.join(wanted) or 'none'})",
        )
    filled = []
    for text, optional in _parts(body):
        if optional and any(not params.get(n, "").strip() for n in placeholder_names(text)):
            continue
        filled.append(_fill(text, params))
    return "".join(filled).strip()


def render_draft(body: str, params: Mapping[str, str]) -> str:
    """A body being edited, leniently: placeholders without a value show as ``{name}``
    and extra values are ignored (an unusable placeholder is still a 422 on ``body``)."""
    names = placeholder_names(body)
    return render(body, {n: params.get(n) or "{" + n + "}" for n in names})
