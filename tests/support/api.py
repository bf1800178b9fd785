"""Small deterministic fixtures for API tests, browser tests and ``bench/api_load.py``.

* :class:`DigitEncoder`: a fake sentence encoder (no model): sentences sharing numbers
  get similar vectors, so synthetic bitexts whose sentences carry a number align exactly.
* :func:`synthetic_bitext`: ``n`` numbered Russian/English sentence pairs, with
  optional HTML/``<script>`` text to test that the page never renders user text as HTML.
* :func:`store_demo_alignment`: store such a bitext with a pre-built alignment (1-1
  beads, a 2-2 bead, low scores, a crossing candidate) without encoding anything.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
from sqlalchemy.orm import Session, sessionmaker

from aligner.document import document_from_text
from aligner.store import service
from aligner.types import Alignment, Bead, Crossing, Document

_NUM = re.compile(r"\d+")
SCRIPT_TEXT = "<script>window.__pwned = 1</script><b>bold?</b>"


class DigitEncoder:
    """Fake encoder: one-hot hashed features of the numbers in a sentence (dim 64),
    plus a small shared component; rows L2-normalised. Deterministic, instant."""

    name = "digits"
    version = "1"
    dim = 64

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        out = np.full((len(sentences), self.dim), 0.05, dtype=np.float32)
        for i, s in enumerate(sentences):
            for tok in _NUM.findall(s):
                h = int(hashlib.md5(tok.encode()).hexdigest(), 16) % self.dim
                out[i, h] += 1.0
        out /= np.linalg.norm(out, axis=1, keepdims=True)
        return out


def synthetic_bitext(n: int, *, html_at: int | None = None) -> tuple[str, str]:
    """``(source, target)`` texts of ``n`` lines, one sentence per line, line ``i`` being
    a Russian / English sentence carrying the number ``i + 1``. ``html_at``: put
    :data:`SCRIPT_TEXT` into that source and target sentence."""
    src, tgt = [], []
    for i in range(n):
        k = i + 1
        extra = f" {SCRIPT_TEXT}" if html_at == i else ""
        src.append(f"Предложение номер {k} о границе.{extra}")
        tgt.append(f"Sentence number {k} about the border.{extra}")
    return "\n".join(src) + "\n", "\n".join(tgt) + "\n"


def demo_documents(n: int, *, html_at: int | None = None,
                   src_kind: str = "reconstruction") -> tuple[Document, Document]:
    """The :func:`synthetic_bitext` as presplit documents (source ru, target en)."""
    src_text, tgt_text = synthetic_bitext(n, html_at=html_at)
    src = document_from_text(src_text, "ru", filename="demo.ru.reconstructed.txt", presplit=True,
                             kind=src_kind, title="Demo (ru)")
    tgt = document_from_text(tgt_text, "en", filename="demo.en.txt", presplit=True,
                             kind="translation", title="Demo (en)")
    return src, tgt


def demo_alignment(n: int) -> Alignment:
    """1-1 beads for ``n`` >= 4 sentence pairs, except: sentences 1 and 2 (0-based) of
    both sides form one 2-2 bead (so split tests have something to split), the bead of
    sentence 3 (position 2) is low-confidence, and a crossing candidate links source 0 / target 3.
    Scores fall from 0.95 along the text so colours vary."""
    if n < 4:
        raise ValueError("demo_alignment needs n >= 4")
    beads = [Bead((0,), (0,), 0.95)]
    beads.append(Bead((1, 2), (1, 2), 0.7, ["multi"]))
    beads.append(Bead((3,), (3,), 0.3, ["low-confidence", "crossing-candidate"]))
    for i in range(4, n):
        beads.append(Bead((i,), (i,), round(0.95 - 0.4 * i / n, 3)))
    return Alignment(beads=beads, crossings=[Crossing((0,), (3,), 0.6, "demo crossing")],
                     encoder="digits 1", params={"demo": True})


def store_demo_alignment(session_factory: sessionmaker[Session], n: int = 12, *,
                         html_at: int | None = None, project: str = "demo") -> int:
    """Store the demo bitext and :func:`demo_alignment`; return the alignment id."""
    src, tgt = demo_documents(n, html_at=html_at)
    with session_factory() as session:
        pid = service.get_or_create_project(session, project)
        sid = service.import_document(session, pid, src, "source")
        tid = service.import_document(session, pid, tgt, "translation")
        return service.store_alignment(session, sid, tid, demo_alignment(n))
