"""Calls to the three services with the signed-in user's own token, so every rule
(jurisdiction, need-to-know, audit) is enforced once, in the services, and the audit
trail names the real person. One shared ``httpx.AsyncClient`` per app."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request

from services.console import i18n
from services.console.i18n import N_
from services.console.session import Staff

FORM_ALTERED = N_("The form was altered or is out of date. Check the entries and send it again.")


class ApiProblem(Exception):
    """A 4xx/5xx answer from a service, with its problem+json body."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status}: {problem.get('detail')}")
        self.status = status
        self.problem = problem

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or self.problem.get("title") or "")

    def field_errors(self) -> dict[str, str]:
        """``errors[]`` by field name (the last dotted part names the form input)."""
        found: dict[str, str] = {}
        for error in self.problem.get("errors") or []:
            name = str(error.get("field", "")).split(".")[-1] or "_form"
            found.setdefault(name, str(error.get("reason", "")))
        return found


# What a header may carry: visible ASCII and spaces (a form's hidden fields can be edited).
_HEADER_VALUE = re.compile(r"[\x20-\x7e]{1,200}")
# The form field each forwarded header comes from, to name it in the error.
_HEADER_FIELDS = {"If-Match": "version", "Idempotency-Key": "idempotency_key"}


def _refuse_unsendable(headers: dict[str, str], gettext: Callable[[str], str]) -> None:
    """A value no HTTP header can carry is the user's input error (422), not a crash."""
    bad = [name for name, value in headers.items() if not _HEADER_VALUE.fullmatch(value)]
    if bad:
        said = gettext(FORM_ALTERED)
        errors = [{"field": _HEADER_FIELDS.get(name, name), "reason": said} for name in bad]
        raise ApiProblem(422, {"title": "Invalid input", "detail": said, "errors": errors})


class ApiUnavailable(Exception):
    """A service did not answer (down, timed out)."""


@dataclass
class Answer:
    status: int
    body: Any
    headers: httpx.Headers = field(default_factory=httpx.Headers)


@dataclass
class Api:
    client: httpx.AsyncClient
    urls: dict[str, str]
    token: str
    # The user's language, for the few messages the console itself writes here.
    gettext: Callable[[str], str] = str

    async def get(self, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
        return (await self.call("GET", service, path, params=params)).body

    async def send(
        self,
        method: str,
        service: str,
        path: str,
        body: dict[str, Any],
        *,
        etag: str | None = None,
        idempotency_key: str | None = None,
    ) -> Answer:
        headers = {}
        if etag:
            headers["If-Match"] = etag
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        _refuse_unsendable(headers, self.gettext)
        return await self.call(method, service, path, json=body, headers=headers)

    async def download(
        self, service: str, path: str, params: dict[str, Any], accept: str
    ) -> httpx.Response:
        response = await self._request("GET", service, path, params=params, accept=accept)
        if response.status_code >= 400:
            raise _problem(response)
        return response

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        response = await self._request(method, service, path, params, json, headers)
        if response.status_code >= 400:
            raise _problem(response)
        body = response.json() if response.content else None
        return Answer(response.status_code, body, response.headers)

    async def _request(
        self,
        method: str,
        service: str,
        path: str,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        accept: str = "application/json",
    ) -> httpx.Response:
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        all_headers = {
            "Authorization": f"Bearer {self.token}",
            "Accept": accept,
            **(headers or {}),
        }
        try:
            return await self.client.request(
                method, self.urls[service] + path, params=clean, json=json, headers=all_headers
            )
        except httpx.HTTPError as exc:
            raise ApiUnavailable(service) from exc


def _problem(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = {"detail": response.reason_phrase}
    return ApiProblem(response.status_code, body if isinstance(body, dict) else {})


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


async def _api(request: Request, user: Staff) -> Api:
    state = request.app.state
    language = i18n.choose_language(request, state.settings.default_language)
    gettext = i18n.translations(language).gettext
    return Api(client=state.http, urls=state.api_urls, token=user.token, gettext=gettext)


UserApi = Annotated[Api, Depends(_api)]
