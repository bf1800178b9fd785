"""Schemas of the word links of beads (``GET /api/alignments/{id}/beads/{bead_id}/links``, and
``GET /api/alignments/{id}/links?beads=...`` for many)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import Id


class LinkSentenceOut(BaseModel):
    """A sentence of the bead side, in bead order (tokens' ``sentence`` indexes these)."""

    id: Id
    ord: int
    text: str


class LinkTokenOut(BaseModel):
    """A token: ``sentences[sentence].text[start:end] == text`` (characters)."""

    sentence: int
    start: int
    end: int
    text: str


class LinkSideOut(BaseModel):
    lang: str
    sentences: list[LinkSentenceOut]
    tokens: list[LinkTokenOut]


class WordLinkOut(BaseModel):
    """Source token ``src`` renders target token ``tgt``. ``style``: "full" for a 1-1 link,
    "partial" for a link inside an m-n group larger than 1-1 (one word rendered by
    several, or several by one)."""

    src: int
    tgt: int
    confidence: float = Field(ge=0, le=1)
    origin: Literal["match", "function-word", "span"]
    style: Literal["full", "partial"]


class BeadLinksOut(BaseModel):
    """The word links of one bead: tokens per side with offsets into each sentence, and
    the links between them (computed on first request, then cached in the store)."""

    alignment_id: Id
    bead_id: Id
    method: str
    encoder: str
    cached: bool
    src: LinkSideOut
    tgt: LinkSideOut
    links: list[WordLinkOut]


class BatchLinksOut(BaseModel):
    """The word links of several beads of one alignment, in the order asked for."""

    alignment_id: Id
    beads: list[BeadLinksOut]
