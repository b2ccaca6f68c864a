"""Feedback on long work: a progress bar on a terminal, plain lines in CI logs, nothing
with --quiet; and the time each stage took, for the summary."""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO


@dataclass
class Stage:
    name: str
    seconds: float = 0.0
    detail: str = ""


@dataclass
class Progress:
    stream: TextIO | None = field(default_factory=lambda: sys.stderr)
    stages: list[Stage] = field(default_factory=list)

    @property
    def interactive(self) -> bool:
        return bool(self.stream and self.stream.isatty())

    @contextmanager
    def stage(self, name: str, total: int = 0):
        """Time one stage; the body may call the yielded `advance(n)` and set `.detail`."""
        stage = Stage(name)
        started = time.perf_counter()
        done = 0
        last_draw = 0.0
        drawn = self.interactive and total  # asked once: a stage may advance 40,000 times

        def advance(n: int = 1) -> None:
            nonlocal done, last_draw
            done += n
            if not drawn:
                return
            now = time.perf_counter()
            if now - last_draw > 0.1:
                last_draw = now
                width = 30
                filled = int(width * done / total)
                self.stream.write(f"\r{name:<8} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
                self.stream.flush()

        advance.stage = stage  # type: ignore[attr-defined]
        yield advance
        stage.seconds = time.perf_counter() - started
        self.stages.append(stage)
        if self.stream:
            clear = "\r\033[K" if self.interactive else ""
            detail = f": {stage.detail}" if stage.detail else ""
            self.stream.write(f"{clear}{name:<8} {stage.seconds:6.2f} s{detail}\n")
            self.stream.flush()
