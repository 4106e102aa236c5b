"""Arrows point down: the shared floor imports no service, and no service imports
another (only the ``migreg`` command line above them wires them together)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imported(source: str) -> set[str]:
    """Every module a source imports, at any depth (functions too), absolute names only."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _imports(package: str) -> dict[str, set[str]]:
    return {
        str(path.relative_to(ROOT)): _imported(path.read_text())
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _offending(package: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        path: sorted(n for n in names if n.split(".")[0] in forbidden)
        for path, names in _imports(package).items()
        if any(n.split(".")[0] in forbidden for n in names)
    }


def test_shared_imports_no_service_and_not_the_command_line() -> None:
    assert _imports("shared"), "no files found under shared/"
    assert _offending("shared", ("services", "migreg")) == {}


def test_services_do_not_import_the_command_line() -> None:
    assert _offending("services", ("migreg",)) == {}


def test_the_walk_sees_an_upward_import_in_any_form() -> None:
    # Lazy imports inside functions count too, or the tests above could miss one.
    source = "import services.registry\ndef f():\n    from services.consular import app\n"
    assert _imported(source) == {"services.registry", "services.consular"}
