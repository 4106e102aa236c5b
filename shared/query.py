"""A query parameter declared as one value is refused when sent twice: the
server would otherwise read only the last one, and a filter silently dropped
returns more than the caller asked for."""

from __future__ import annotations

from collections import Counter

from fastapi import Request
from fastapi._compat import field_annotation_is_sequence
from fastapi.routing import APIRoute

from shared.errors import InvalidInput


async def refuse_repeated_scalars(request: Request) -> None:
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    counts = Counter(name for name, _ in request.query_params.multi_items())
    for parameter in route.dependant.query_params:
        repeated = counts[parameter.alias] > 1
        if repeated and not field_annotation_is_sequence(parameter.field_info.annotation):
            raise InvalidInput(("query", parameter.alias), "give this parameter once")
