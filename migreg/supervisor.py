"""Keeps the processes of a local run alive: one that dies is started again, after a
delay that doubles with each quick death (so a crash loop does not spin the machine)
and resets once the process has stayed up for a while."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rich.console import Console

FIRST_DELAY_SECONDS = 1.0
MAX_DELAY_SECONDS = 30.0
# Up this long and a death is news, not part of a crash loop: the delay starts over.
STABLE_SECONDS = 60.0


@dataclass(frozen=True)
class ProcessSpec:
    """A process of the local run: its name and its ``migreg`` arguments."""

    name: str
    args: tuple[str, ...]


@dataclass
class _Child:
    spec: ProcessSpec
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None


def restart_delay(quick_deaths: int) -> float:
    """1 s, 2 s, 4 s … up to 30 s, by the number of deaths in a row."""
    return float(min(MAX_DELAY_SECONDS, FIRST_DELAY_SECONDS * 2 ** max(0, quick_deaths - 1)))


class Supervisor:
    def __init__(self, specs: Sequence[ProcessSpec], env: Mapping[str, str], console: Console):
        self._children = [_Child(spec) for spec in specs]
        self._env = dict(env)
        self._console = console

    def start_all(self) -> None:
        for child in self._children:
            self._start(child)

    def _start(self, child: _Child) -> None:
        child.process = subprocess.Popen(
            [sys.executable, "-m", "migreg", *child.spec.args], env=self._env
        )
        child.started_at = time.monotonic()
        child.restart_at = None

    def tend(self) -> None:
        """Notice deaths and start again whatever is due; call every fraction of a second."""
        now = time.monotonic()
        for child in self._children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    self._start(child)
                    self._console.print(f"[yellow]{child.spec.name}[/]: started again")
                continue
            code = child.process.poll() if child.process else None
            if code is None:
                continue
            lived = now - child.started_at
            child.quick_deaths = 1 if lived >= STABLE_SECONDS else child.quick_deaths + 1
            delay = restart_delay(child.quick_deaths)
            child.restart_at = now + delay
            self._console.print(
                f"[red]{child.spec.name}[/] exited with code {code} after {lived:.0f} s; "
                f"starting it again in {delay:g} s",
                soft_wrap=True,
            )

    def stop_all(self) -> None:
        running = [c.process for c in self._children if c.process and c.process.poll() is None]
        for process in running:
            process.send_signal(signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
