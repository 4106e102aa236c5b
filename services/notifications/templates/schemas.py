"""Template bodies."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from shared.openapi import NamedEnum
from shared.schemas import FreeText, InputBody

Language = Annotated[
    Literal["ky", "ru", "en"],
    NamedEnum("Language", "The SMS language: Kyrgyz, Russian or English."),
]
SmsEncoding = Annotated[
    Literal["GSM-7", "UCS-2"],
    NamedEnum(
        "SmsEncoding",
        "GSM-7 (160 characters per single SMS, 153 per part) or UCS-2 (70, 67 per part), "
        "chosen by the text's characters.",
    ),
]
TemplateKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")]
_PARAM_RULE = "must be a string (at most 300 characters) or an integer"


def _one_param_error(value: object, handler: ValidatorFunctionWrapHandler) -> object:
    # One error naming params.<name>, not one per member of the union.
    try:
        return handler(value)
    except ValidationError:
        got = f"{len(value)} characters" if isinstance(value, str) else type(value).__name__
        raise PydanticCustomError("param_value", f"{_PARAM_RULE}, not {got}") from None


# Strict: a boolean, a float (NaN, 1e308) or null would render as "True",
# "nan" or "None" in a family's SMS.
ParamValue = Annotated[
    Annotated[str, StringConstraints(max_length=300, strict=True)] | StrictInt,
    WrapValidator(_one_param_error),
]
Params = Annotated[dict[str, ParamValue], Field(max_length=30)]


def stringify(params: dict[str, str | int]) -> dict[str, str]:
    return {name: str(value) for name, value in params.items()}


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str = Field(description="What the template is for, e.g. `case_opened`")
    language: Language
    version: int = Field(description="Grows by one with each stored edit; the ETag carries it")
    body: str = Field(
        description="The text with `{placeholder}` names, each needed in a message's `params`"
    )
    created_at: datetime = Field(description="When this version was stored (UTC)")


class TemplateList(BaseModel):
    items: list[TemplateOut]
    next_cursor: str | None = None


class TemplateIn(InputBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"body": "№{case_number} кайрылуу ачылды. Ишеним телефону: {hotline}"}]
        },
    )

    body: FreeText = Field(
        min_length=1, max_length=1000, description="Text with {name} placeholders"
    )


class PreviewIn(InputBody):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"params": {"case_number": "RU-MOW-2026-000123", "hotline": "+74951234567"}}
            ]
        },
    )

    params: Params = Field(default_factory=dict)


class PreviewOut(BaseModel):
    text: str
    encoding: SmsEncoding
    segments: int
    units: int = Field(description="Septets for GSM-7, UTF-16 code units for UCS-2")
    characters: int
    version: int = Field(description="The template version rendered")


class DraftPreviewIn(InputBody):
    """A body not yet stored, rendered as it would go out (for an editor, as they type)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"body": "Case {case_number} is open.", "params": {"case_number": "RU-MOW-1"}}
            ]
        },
    )

    body: FreeText = Field(min_length=1, max_length=1000)
    params: Params = Field(
        default_factory=dict,
        description="Values for some placeholders; the others are shown as `{name}`, and "
        "names the body does not have are ignored",
    )


class DraftPreviewOut(BaseModel):
    text: str
    encoding: SmsEncoding
    segments: int
    units: int = Field(description="Septets for GSM-7, UTF-16 code units for UCS-2")
    characters: int
    placeholders: list[str] = Field(description="The body's placeholder names, in order")
