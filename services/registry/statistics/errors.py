"""Statistics domain errors."""

from __future__ import annotations

from collections.abc import Sequence

from shared.errors import ProblemError


class NotAcceptable(ProblemError):
    """None of the formats `Accept` admits is one a table comes in (JSON, CSV, SDMX-CSV)."""

    status, slug = 406, "not-acceptable"

    def __init__(self, offered: Sequence[str]) -> None:
        super().__init__(
            "Accept admits none of the formats a table comes in: " + ", ".join(offered) + "."
        )
