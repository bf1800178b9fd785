"""The fidelity flag type and its codes (one per check module of this package)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

NUMBER_MISMATCH = "number-mismatch"
DATE_MISMATCH = "date-mismatch"
NAME_ONE_SIDE = "name-one-side"
NAME_VARIANT = "name-variant"
OMISSION = "omission"
ADDITION = "addition"
LENGTH_RATIO = "length-ratio"
OCR_SUSPECT = "ocr-suspect"

FLAG_CODES = (
    NUMBER_MISMATCH, DATE_MISMATCH, NAME_ONE_SIDE, NAME_VARIANT,
    OMISSION, ADDITION, LENGTH_RATIO, OCR_SUSPECT,
)


@dataclass
class Flag:
    """One fidelity remark on a bead.

    ``code`` is one of :data:`FLAG_CODES`; ``message`` a one-line human text; ``side`` is
    ``"src"``, ``"tgt"`` or ``"both"``; ``details`` holds the evidence (e.g.
    ``{"src_only": ["22"], "tgt_only": ["20"]}``); ``suggestion`` a proposed reading (OCR
    checks only), never applied.
    """

    code: str
    message: str
    side: str = "both"
    details: dict = field(default_factory=dict)
    suggestion: str | None = None

    def to_dict(self) -> dict:
        """JSON-ready form (for the store and the API)."""
        return asdict(self)
