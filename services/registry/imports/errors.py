"""Import job domain errors."""

from __future__ import annotations

import uuid

from shared.errors import NotFound


class ImportJobNotFound(NotFound):
    """No import job has this id."""

    slug = "import-job-not-found"

    def __init__(self, job_id: uuid.UUID) -> None:
        super().__init__(f"No import job has id {job_id}.")
