"""`migreg import movements`: departures and returns by PIN, the API's rules, once."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
from typer.testing import CliRunner, Result

from migreg.main import app
from services.registry.settings import RegistrySettings
from tests.registry.conftest import REGISTRAR, MakePerson, depart
from tests.registry.test_registry_import import rejected_rows

HEADER = ["person_pin", "kind", "date", "destination_country", "purpose", "reason"]


def write_movements(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(rows)
    return path


def run(settings: RegistrySettings, path: Path) -> Result:
    env = {"REGISTRY_DATABASE_URL": settings.database_url}
    return CliRunner().invoke(app, ["import", "movements", str(path)], env=env)


async def test_movements_go_in_once_with_the_apis_rules_and_status(
    tmp_path: Path,
    registry: httpx.AsyncClient,
    registry_settings: RegistrySettings,
    make_person: MakePerson,
) -> None:
    away = await make_person()
    back = await make_person()
    path = write_movements(
        tmp_path / "moves.csv",
        [
            [away["pin"], "departure", "2024-03-01", "RU", "work", ""],
            [back["pin"], "departure", "2023-02-01", "KZ", "work", ""],
            [back["pin"], "return", "2023-11-20", "", "", "contract_end"],
            [back["pin"], "return", "2024-01-05", "", "", "health"],  # no departure since
            [away["pin"], "departure", "2030-01-01", "RU", "", ""],  # in the future
            [away["pin"], "departure", "2024-05-01", "KG", "", ""],  # home is not abroad
            [away["pin"], "journey", "2024-05-01", "RU", "", ""],
            ["29999999999999", "departure", "2024-05-01", "RU", "", ""],
        ],
    )

    first = run(registry_settings, path)
    again = run(registry_settings, path)

    assert "3 loaded" in first.output and "5 rejected" in first.output, first.output
    assert "0 loaded, 3 already present, 5 rejected" in again.output, again.output
    by_row = {int(r["row"]): r for r in rejected_rows(tmp_path / "moves")}
    assert by_row[5]["field"] == "sequence" and "no departure since" in by_row[5]["reason"]
    assert (by_row[6]["field"], by_row[7]["field"]) == ("date", "destination_country")
    assert (by_row[8]["field"], by_row[9]["field"]) == ("kind", "person_pin")

    # The API refuses the same future departure and names the same field's reason.
    answer = await depart(registry, away["id"], on="2030-01-01")
    assert answer.status_code == 422
    (error,) = answer.json()["errors"]
    assert (error["field"], error["reason"]) == ("departed_on", by_row[6]["reason"])

    for person, status, count in ((away, "abroad", 1), (back, "returned", 2)):
        read = await registry.get(f"/v1/persons/{person['id']}", headers=REGISTRAR)
        assert read.json()["status"] == status
        listed = await registry.get(f"/v1/persons/{person['id']}/movements", headers=REGISTRAR)
        assert len(listed.json()["items"]) == count
