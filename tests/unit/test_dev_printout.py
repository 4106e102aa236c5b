"""What `migreg dev` prints is what a second shell needs: pasting its `export` lines
lets `migreg audit verify` hold the chain against the run's signed checkpoints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from migreg import dev
from services.registry.settings import RegistrySettings


def test_the_printed_exports_name_the_audit_checkpoints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MIGREG_HOME", str(tmp_path))
    url = "postgresql+psycopg://postgres:@/migreg_registry?host=%2Ftmp"
    dev._print_ready({"registry": 8001}, {"registry": url})
    exports = dict(re.findall(r"^export (\w+)='([^']*)'$", capsys.readouterr().out, re.M))
    for name, value in exports.items():
        monkeypatch.setenv(name, value)
    settings = RegistrySettings()
    assert settings.audit_checkpoint_dir == tmp_path / "audit" / "checkpoints"
    assert settings.audit_checkpoint_key_file is not None
    assert settings.audit_checkpoint_key_file.is_file()
