"""The bulk import's field-by-field validation gives what the request model gives."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError, model_validator

from services.registry.persons.schemas import PersonCreate
from shared.schemas import FieldwiseValidator, InputBody

EXAMPLES: Any = PersonCreate.model_config.get("json_schema_extra")
ROW: dict[str, Any] = dict(EXAMPLES["examples"][0])  # the documented example body
# Each value once as it should be, once as a list might hold it (cleaned to the
# same), once wrong: every combination below is checked against the model.
VARIANTS: dict[str, list[Any]] = {
    "pin": ["  21403199012345 ", "2140319901234x", "2" * 33],
    "last_name": ["Абдыкадыров\u0301", "Abdykadyrov", "\u202eАбды"],
    "patronymic": ["", "Бакыт уулу", "Bakyt"],
    "sex": ["F", "X", "m"],
    "birth_date": ["1990-3-14", "0", "1990-02-30"],
    "locality": ["Ош\x07", "x" * 121, " Кара-Суу "],
    "language": ["ky", "de", ""],
}


def model_answer(raw: dict[str, Any]) -> dict[str, Any] | None:
    try:
        return PersonCreate.model_validate(raw, strict=False).model_dump()
    except ValidationError:
        return None


def test_every_row_gets_the_models_values_or_is_left_to_the_model() -> None:
    fieldwise = FieldwiseValidator(PersonCreate)
    rows = [dict(ROW)]
    for (a, av), (b, bv) in itertools.combinations(VARIANTS.items(), 2):
        rows += [{**ROW, a: x, b: y} for x in av for y in bv]
    rows += [{k: v for k, v in ROW.items() if k != drop} for drop in ROW]
    rows.append({**ROW, "nickname": "Нуке"})
    accepted = 0
    for raw in rows * 2:  # the second time from what was remembered
        expected = model_answer(raw)
        assert fieldwise.values(raw) == expected, raw
        accepted += expected is not None
    assert 0 < accepted < len(rows) * 2


def test_a_model_whose_fields_depend_on_each_other_is_refused() -> None:
    class Period(InputBody):
        start: int
        end: int

        @model_validator(mode="after")
        def _ordered(self) -> Period:
            return self

    with pytest.raises(TypeError):
        FieldwiseValidator(Period)

    class Plain(BaseModel):
        value: int = 0

    assert FieldwiseValidator(Plain).values({"value": "3"}) == {"value": 3}
