"""A tqdm progress bar fed by the aligner's ``progress(stage, done, total)`` callbacks, and a
context-wide hook for stages deep inside reading (segmenting a long text): :func:`reporting`
sets the callback for the code run inside it, :func:`report` calls it if one is set."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from tqdm import tqdm

_HOOK: ContextVar[Callable[[str, int, int], None] | None] = ContextVar("aligner_progress", default=None)
#: Units the bar shows per stage (default: sentences).
UNITS = {"align": "row", "segment": "char"}


@contextmanager
def reporting(progress: Callable[[str, int, int], None] | None) -> Iterator[None]:
    """Within the block, :func:`report` calls ``progress(stage, done, total)`` (None: off)."""
    token = _HOOK.set(progress)
    try:
        yield
    finally:
        _HOOK.reset(token)


def report(stage: str, done: int, total: int) -> None:
    """Tell the callback set by :func:`reporting`, if any, how far ``stage`` is."""
    hook = _HOOK.get()
    if hook is not None:
        hook(stage, done, total)


class ProgressBar:
    """Context manager: one tqdm bar per stage ("encode", "align", "refine") on stderr.

    Disabled when ``enabled`` is False or stderr is not a terminal, so logs and tests
    stay clean.
    """

    def __init__(self, enabled: bool = True):
        self.enabled = enabled and sys.stderr.isatty()
        self._bar: tqdm | None = None
        self._stage = ""

    def update(self, stage: str, done: int, total: int) -> None:
        """Callback for :func:`aligner.align.align_texts`."""
        if not self.enabled:
            return
        if stage != self._stage or self._bar is None:
            self.close()
            self._stage = stage
            self._bar = tqdm(total=total, desc=stage, unit=UNITS.get(stage, "sent"),
                             file=sys.stderr, leave=False, unit_scale=stage == "segment")
        self._bar.n = done
        self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
