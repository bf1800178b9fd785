"""Sentence encoders (aligner.embed): the default use-m3 encoder, the embedding cache, and
the optional sentence-transformers path on a tiny model built by the test (no download)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from aligner.embed import CachedEncoder, get_encoder, normalize_rows
from aligner.errors import ModelError

RU = ["Посол заявил решительный протест против нарушения границы.",
      "Переговоры о рыболовной конвенции будут продолжены в Москве."]
EN = ["The Ambassador lodged a firm protest against the violation of the frontier.",
      "The negotiations on the fisheries convention will be continued in Moscow."]
UNRELATED = "Mix two eggs with the flour and bake the cake for forty minutes."


class CountingEncoder:
    """Wraps an encoder and records every batch it is asked to encode."""

    def __init__(self, inner, version: str | None = None):
        self.inner = inner
        self.name = inner.name
        self.version = version or inner.version
        self.dim = inner.dim
        self.calls: list[list[str]] = []

    def encode(self, sentences):
        self.calls.append(list(sentences))
        return self.inner.encode(sentences)


@pytest.fixture(scope="module")
def base_encoder(default_encoder):
    """The uncached use-m3 encoder under the session's CachedEncoder."""
    assert isinstance(default_encoder, CachedEncoder)
    return default_encoder.inner


def assert_unit_rows(matrix: np.ndarray, n: int, dim: int) -> None:
    assert matrix.shape == (n, dim)
    assert matrix.dtype == np.float32
    assert np.all(np.isfinite(matrix))
    np.testing.assert_allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)


# --- the default encoder ---------------------------------------------------------------------


def test_default_encoder_shape_dtype_norms(default_encoder):
    out = default_encoder.encode(RU + EN + [""])  # an empty string must not give NaNs
    assert_unit_rows(out, 5, 512)
    assert default_encoder.name == "use-m3" and default_encoder.dim == 512
    empty = default_encoder.encode([])
    assert empty.shape == (0, 512) and empty.dtype == np.float32
    assert get_encoder() is default_encoder  # loaded once per process
    assert get_encoder("use-m3") is not None
    # the built-in encoder's names are read in any letter case: one model, loaded once
    assert get_encoder("USE") is get_encoder("Use-M3") is get_encoder("default")


def test_translation_pair_beats_unrelated_pair(base_encoder):
    ru, en, other = base_encoder.encode(RU), base_encoder.encode(EN), base_encoder.encode([UNRELATED])
    for i in range(2):
        assert float(ru[i] @ en[i]) > float(ru[i] @ other[0]) + 0.2
        assert float(ru[i] @ en[i]) > float(ru[i] @ en[1 - i])


def test_normalize_rows_keeps_zero_rows():
    out = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


# --- the cache -------------------------------------------------------------------------------


def test_cache_hits_in_memory(base_encoder):
    counting = CountingEncoder(base_encoder)
    cached = CachedEncoder(counting)
    first = cached.encode(RU)
    assert counting.calls == [RU]
    again = cached.encode(RU)
    assert counting.calls == [RU]  # no new inner call
    np.testing.assert_array_equal(first, again)
    assert (cached.hits, cached.misses) == (2, 2)
    # Only the sentence not seen yet is encoded; duplicates in one call are encoded once.
    mixed = cached.encode([EN[0], RU[1], EN[0]])
    assert counting.calls[1:] == [[EN[0]]]
    np.testing.assert_array_equal(mixed[0], mixed[2])
    np.testing.assert_array_equal(mixed[1], first[1])
    np.testing.assert_allclose(mixed[0], base_encoder.encode([EN[0]])[0], atol=1e-6)
    assert cached.encode([]).shape == (0, 512)


def test_cache_on_disk_is_reused_by_a_new_instance(base_encoder, tmp_path):
    path = tmp_path / "cache" / "embeddings.sqlite"
    writer = CountingEncoder(base_encoder)
    first = CachedEncoder(writer, path).encode(RU + EN)
    assert path.is_file() and len(writer.calls) == 1

    reader = CountingEncoder(base_encoder)
    second = CachedEncoder(reader, path).encode(EN + RU)
    assert reader.calls == []  # everything came from the file
    np.testing.assert_array_equal(second, np.concatenate([first[2:], first[:2]]))
    assert second.dtype == np.float32

    # The key includes the encoder version: another version must not reuse the vectors.
    other = CountingEncoder(base_encoder, version="other-version")
    CachedEncoder(other, path).encode(RU)
    assert other.calls == [RU]


# --- sentence-transformers (optional extra) --------------------------------------------------

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "ambassador", "protest", "frontier",
         "moscow", "said", "that", "a", "of", "to", "and", "war", "peace", ".", ","]


def _tiny_model(folder) -> None:
    """Save a 1-layer, 32-dim BERT sentence-transformers model (random weights) in ``folder``."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    try:  # sentence-transformers >= 6
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:  # pragma: no cover - older releases
        from sentence_transformers.models import Pooling, Transformer
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    hf = folder.parent / "hf-bert"
    hf.mkdir()
    (hf / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=1,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(hf)
    BertTokenizer(str(hf / "vocab.txt")).save_pretrained(hf)
    modules = [Transformer(str(hf), max_seq_length=32), Pooling(32, "mean")]
    SentenceTransformer(modules=modules, device="cpu").save(str(folder))


@pytest.fixture
def st_available():
    missing = []
    for module in ("torch", "sentence_transformers"):
        try:
            __import__(module)
        except ImportError:
            missing.append(module)
    if missing:
        pytest.skip(f"needs the [st] extra ({', '.join(missing)} not installed): "
                    "pip install torch==2.13.0 then pip install '.[st]'")


@pytest.mark.st
def test_sentence_transformers_folder_model(st_available, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    folder = tmp_path / "tiny-st"
    _tiny_model(folder)

    encoder = get_encoder(str(folder))
    assert encoder.dim == 32 and encoder.name == "st:tiny-st"
    sentences = ["the ambassador said that a protest .", "peace and war", "moscow"]
    out = encoder.encode(sentences)
    assert_unit_rows(out, 3, 32)
    # Deterministic: the model itself (not the cache) gives the same vectors twice.
    np.testing.assert_allclose(encoder.inner.encode(sentences), out, atol=1e-6)
    np.testing.assert_allclose(encoder.inner.encode(sentences[::-1]), out[::-1], atol=1e-5)
    assert encoder.inner.encode([]).shape == (0, 32)
    # Different inputs give different vectors (the model is not a constant).
    assert float(out[0] @ out[1]) < 0.9999
    assert get_encoder(f"st:{folder}").dim == 32


@pytest.mark.st
def test_sentence_transformers_unknown_model_fails_fast_offline(st_available, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    started = time.monotonic()
    with pytest.raises(ModelError, match="no-such-org/no-such-model"):
        get_encoder("no-such-org/no-such-model")
    # Offline mode must refuse at once rather than try (and time out on) the network.
    assert time.monotonic() - started < 5.0
