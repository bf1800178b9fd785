"""A tqdm progress bar fed by the aligner's ``progress(stage, done, total)`` callbacks."""

from __future__ import annotations

import sys

from tqdm import tqdm


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
            self._bar = tqdm(total=total, desc=stage, unit="sent" if stage != "align" else "row",
                             file=sys.stderr, leave=False)
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
