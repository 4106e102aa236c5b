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
from collections.abc import Callable, Sequence

from services.registry.statistics.schemas import Cell

CSV = "text/csv"
SDMX_CSV = "application/vnd.sdmx.data+csv"
MEDIA_TYPES = (CSV, SDMX_CSV)

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


def negotiate(accept: str | None) -> str | None:
    """The table format asked for in Accept, or None for JSON."""
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        if media in MEDIA_TYPES:
            return media
    return None


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
