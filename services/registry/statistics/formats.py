"""Tables as CSV and SDMX-CSV, for the statistics office's own tools and for
the national SDG platform and ILOSTAT without retyping.

SDMX-CSV (SDMX 2.1 CSV format): one row per cell, the DATAFLOW first, then
dimensions with SDMX's usual concept ids and code lists (REF_AREA, SEX,
AGE, COUNTERPART_AREA, ECONOMIC_ACTIVITY, OCCUPATION, TIME_PERIOD), then
OBS_VALUE and the OBS_STATUS attribute: ``C`` (confidential) for a withheld
cell, whose OBS_VALUE is empty. ``_U`` is SDMX's code for "not recorded".
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence

from services.registry.statistics.errors import NotAcceptable
from services.registry.statistics.schemas import Cell

JSON = "application/json"
CSV = "text/csv"
SDMX_CSV = "application/vnd.sdmx.data+csv"
OFFERED = (JSON, CSV, SDMX_CSV)

DATAFLOWS = {"stock": "KG_MIGREG:DF_LM_STOCK(1.0)", "flows": "KG_MIGREG:DF_LM_FLOWS(1.0)"}


def _age(label: str) -> str:
    if label.endswith("+"):
        return f"Y_GE{label[:-1]}"
    low, high = label.split("-")
    return f"Y{low}T{high}"


# key → (SDMX concept id, code of a value)
SDMX_DIMENSIONS: dict[str, tuple[str, Callable[[str], str]]] = {
    "movement": ("FLOW", lambda v: {"departure": "OUT", "return": "RET"}[v]),
    "region": ("REF_AREA", str),
    "sex": ("SEX", str),
    "age_group": ("AGE", _age),
    "destination_country": ("COUNTERPART_AREA", str),
    "sector": ("ECONOMIC_ACTIVITY", lambda v: f"ISIC4_{v}"),
    "occupation": ("OCCUPATION", lambda v: f"ISCO08_{v}"),
}


# RFC 9110: a token, a quoted string, a list element, a parameter and a qvalue.
_TCHARS = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_ELEMENT = re.compile(rf'(?:[^,"]|{_QUOTED})+')
_PARAMETER = re.compile(rf"\s*;\s*({_TCHARS})\s*=\s*({_TCHARS}|{_QUOTED})")
_RANGE = re.compile(rf"\s*({_TCHARS})/({_TCHARS})")
_QVALUE = re.compile(r"0(?:\.\d{0,3})?|1(?:\.0{0,3})?")


def _media_ranges(accept: str) -> list[tuple[str, str, float]]:
    """(type, subtype, quality) of each media range in an Accept header; an element
    that is not a media range (or has a malformed q) is left out."""
    ranges = []
    for element in _ELEMENT.findall(accept):
        found = _RANGE.match(element)
        if not found:
            continue
        quality, end = 1.0, found.end()
        while parameter := _PARAMETER.match(element, end):
            name, value = parameter.groups()
            if name.lower() == "q":
                quality = float(value) if _QVALUE.fullmatch(value) else -1.0
            end = parameter.end()
        if quality >= 0 and not element[end:].strip():
            ranges.append((found[1].lower(), found[2].lower(), quality))
    return ranges


def _quality(offer: str, ranges: list[tuple[str, str, float]]) -> tuple[float, int]:
    """The quality the most specific matching range gives ``offer``, and how specific
    it was (``text/csv;q=0, */*`` excludes CSV and admits the rest)."""
    kind, subtype = offer.split("/")
    best = (0.0, -1)
    for range_kind, range_subtype, quality in ranges:
        if range_kind == range_subtype == "*":
            specificity = 0
        elif range_kind == kind and range_subtype == "*":
            specificity = 1
        elif (range_kind, range_subtype) == (kind, subtype):
            specificity = 2
        else:
            continue
        if specificity > best[1]:
            best = (quality, specificity)
    return best


def negotiate(accept: str | None) -> str:
    """The format to answer in: the one of highest quality in Accept, a more specific
    match breaking a tie, then JSON before CSV before SDMX-CSV. No Accept: JSON."""
    if not accept or not accept.strip():
        return JSON
    ranges = _media_ranges(accept)
    chosen, best = JSON, (0.0, -1)
    for offer in OFFERED:  # strictly better only: on a tie the earlier offer stays
        found = _quality(offer, ranges)
        if found > best:
            chosen, best = offer, found
    if best[0] <= 0:
        raise NotAcceptable(OFFERED)
    return chosen


def plain_csv(keys: Sequence[str], cells: Sequence[Cell]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*keys, "count", "suppressed"])
    for cell in cells:
        values = cell.model_dump()
        count = "" if cell.count is None else cell.count
        writer.writerow([*(values[k] or "" for k in keys), count, str(cell.suppressed).lower()])
    return out.getvalue()


def sdmx_csv(
    table: str, keys: Sequence[str], cells: Sequence[Cell], country: str, period: str
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    dims = [k for k in keys if k in SDMX_DIMENSIONS]
    area = [] if "region" in dims else ["REF_AREA"]
    writer.writerow(
        [
            "DATAFLOW",
            *area,
            *(SDMX_DIMENSIONS[k][0] for k in dims),
            "TIME_PERIOD",
            "OBS_VALUE",
            "UNIT_MEASURE",
            "OBS_STATUS",
        ]
    )
    for cell in cells:
        values = cell.model_dump()
        codes = [SDMX_DIMENSIONS[k][1](values[k]) if values[k] else "_U" for k in dims]
        count = "" if cell.count is None else cell.count
        status = "C" if cell.suppressed else "A"
        writer.writerow(
            [DATAFLOWS[table], *([country] if area else []), *codes, period, count, "PS", status]
        )
    return out.getvalue()
