"""Clients generated from each live service's OpenAPI document type-check under
``mypy --strict`` and talk to the real services, problems included, so the
contract cannot silently rot."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.support.live import LiveSystem
from tests.support.tokens import bearer

pytestmark = pytest.mark.e2e

SERVICES = ("registry", "consular", "notifications")
BIN = Path(sys.executable).parent
# The generator's fixed client.py forwards ``*args: object`` to httpx's __exit__,
# which mypy rejects; nothing in our documents shapes that file. Every generated
# model and operation is still checked strictly.
MYPY_CONFIG = """\
[mypy]
strict = True
[mypy-*.client]
disable_error_code = arg-type
"""


@pytest.fixture(scope="module")
def generated(live: LiveSystem, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("clients")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for service in SERVICES:
        document = httpx.get(f"{live.urls[service]}/openapi.json", timeout=30).json()
        (root / f"{service}.json").write_text(json.dumps(document))
        (root / f"{service}.yaml").write_text(f"package_name_override: {service}_client\n")
        subprocess.run(
            [
                str(BIN / "openapi-python-client"),
                "generate",
                "--path",
                str(root / f"{service}.json"),
                "--config",
                str(root / f"{service}.yaml"),
                "--meta",
                "none",
                "--output-path",
                str(root / f"{service}_client"),
            ],
            check=True,
            cwd=root,
            env=env,
            capture_output=True,
        )
    sys.path.insert(0, str(root))
    yield root
    sys.path.remove(str(root))
    for name in [m for m in sys.modules if m.split(".")[0].endswith("_client")]:
        del sys.modules[name]


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def _client(generated: Path, live: LiveSystem, service: str, headers: dict[str, str]) -> Any:
    token = headers["Authorization"].removeprefix("Bearer ")
    client_module = _module(f"{service}_client")
    return client_module.AuthenticatedClient(base_url=live.urls[service], token=token)


def test_generated_clients_pass_mypy_strict(generated: Path) -> None:
    (generated / "mypy.ini").write_text(MYPY_CONFIG)
    packages = [f"{service}_client" for service in SERVICES]
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental", *packages],
        cwd=generated,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_registry_client_registers_and_parses_a_duplicate_as_a_problem(
    generated: Path, live: LiveSystem
) -> None:
    register = _module("registry_client.api.persons.persons_register")
    models = _module("registry_client.models")
    client = _client(generated, live, "registry", bearer("registrar"))
    body = models.PersonCreate(
        pin="21403199012345",
        last_name="Абдыкадыров",
        first_name="Нурлан",
        sex=models.Sex.M,
        birth_date=date(1990, 3, 14),
        region="KG-O",
    )
    created = register.sync_detailed(client=client, body=body)
    assert created.status_code == 201
    assert isinstance(created.parsed, models.PersonOut)
    assert created.parsed.sex is models.Sex.M

    duplicate = register.sync_detailed(client=client, body=body)
    assert duplicate.status_code == 409
    problem = duplicate.parsed
    assert isinstance(problem, models.Problem)
    assert problem.type_.endswith("/pin-already-registered")
    assert problem.id == str(created.parsed.id)


def test_consular_client_parses_a_missing_case_as_a_problem(
    generated: Path, live: LiveSystem
) -> None:
    read = _module("consular_client.api.cases.cases_read")
    listed = _module("consular_client.api.consulates.consulates_list")
    models = _module("consular_client.models")
    client = _client(generated, live, "consular", bearer("consular_supervisor"))
    consulates = listed.sync_detailed(client=client)
    assert consulates.status_code == 200
    assert isinstance(consulates.parsed, models.ConsulateList)
    assert consulates.parsed.items

    missing = read.sync_detailed(client=client, case_id=uuid.uuid4())
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Problem)
    assert missing.parsed.status == 404


def test_notifications_client_parses_a_refused_message_as_a_problem(
    generated: Path, live: LiveSystem
) -> None:
    send = _module("notifications_client.api.messages.messages_send")
    models = _module("notifications_client.models")
    sender = bearer("service", scopes=("notifications:send",), subject="service:consular")
    client = _client(generated, live, "notifications", sender)
    body = models.MessageIn(
        to="+996700123456",
        template="case_opened",
        language=models.Language.KY,
        # The hotline is optional (its sentence is left out without one); the
        # case number is not.
        params=models.MessageInParams.from_dict({"hotline": "+996312000000"}),
    )
    refused = send.sync_detailed(client=client, body=body)
    assert refused.status_code == 422
    problem = refused.parsed
    assert isinstance(problem, models.Problem)
    assert problem.errors
    assert {(e.field, e.in_) for e in problem.errors} == {("params.case_number", "body")}
