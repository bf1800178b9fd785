"""The aligner core (aligner.align) on built bitexts and on the Litvinov seed pair.

Cases are derived from one hand-made 12-sentence Russian record and its English
translation (one sentence each, different content): merge, split, deletion, insertion,
displaced sentence/fragment, identity. The expected beads follow from how each case is
built, never from a previous run. Uses the real default encoder (use-m3, offline).
"""

from __future__ import annotations

import numpy as np
import pytest

from aligner.align import AlignConfig, align_documents, align_embeddings, align_texts
from aligner.align.anchors import _anchor_chain
from aligner.align.dp import _bead_scores
from aligner.align.search import _prepare
from aligner.document import prepare_document
from aligner.types import Alignment

RU = [
    "Посол Японии Сигемицу посетил меня сегодня в три часа дня по поручению своего правительства.",
    "Он заявил, что японское правительство желает мирно урегулировать пограничный инцидент у озера Хасан.",
    "Я ответил, что советские войска не перейдут границу, установленную Хуньчуньским соглашением.",
    "Сигемицу предложил создать смешанную комиссию для демаркации спорного участка.",
    "Я возразил, что граница ясно обозначена на картах, приложенных к соглашению 1886 года.",
    "Затем посол попросил отложить публикацию сообщения ТАСС до окончания переговоров.",
    "Я обещал сообщить об этой просьбе Народному комиссару в течение вечера.",
    "Посол выразил беспокойство по поводу ареста японских рыбаков на Камчатке.",
    "Я сказал, что рыбаки нарушили условия рыболовной конвенции и будут преданы суду.",
    "Мы также коротко обсудили обмен военнопленными после прекращения огня.",
    "Сигемицу поблагодарил за прием и сказал, что передаст мой ответ в Токио сегодня же.",
    "Беседа продолжалась около двух часов и проходила в спокойном тоне.",
]
EN = [
    "The Japanese Ambassador Shigemitsu called on me today at three o'clock in the afternoon "
    "on behalf of his government.",
    "He stated that the Japanese Government wished to settle the frontier incident at Lake Khasan peacefully.",
    "I replied that the Soviet troops would not cross the frontier established by the Hunchun Agreement.",
    "Shigemitsu proposed setting up a mixed commission to demarcate the disputed sector.",
    "I objected that the frontier was clearly marked on the maps attached to the agreement of 1886.",
    "The Ambassador then asked that the publication of the TASS communique be postponed until "
    "the end of the negotiations.",
    "I promised to inform the People's Commissar of this request during the evening.",
    "The Ambassador expressed concern about the arrest of Japanese fishermen in Kamchatka.",
    "I said that the fishermen had violated the terms of the fisheries convention and would be "
    "brought to trial.",
    "We also briefly discussed an exchange of prisoners of war after the cease-fire.",
    "Shigemitsu thanked me for the reception and said that he would transmit my answer to Tokyo the same day.",
    "The conversation lasted about two hours and was conducted in a calm tone.",
]
assert len(RU) == len(EN) == 12

# --- helpers ---------------------------------------------------------------------------------


def assert_valid(alignment: Alignment, n_src: int, n_tgt: int) -> None:
    """The aligner's contract: beads cover every sentence of both sides once, in order,
    each side of a bead is consecutive, no bead is empty, scores lie in [0, 1]."""
    src_ids = [i for b in alignment.beads for i in b.src]
    tgt_ids = [j for b in alignment.beads for j in b.tgt]
    assert src_ids == list(range(n_src))
    assert tgt_ids == list(range(n_tgt))
    for b in alignment.beads:
        assert b.src or b.tgt, "empty bead"
        for side in (b.src, b.tgt):
            if side:  # consecutive ids
                assert list(side) == list(range(side[0], side[0] + len(side)))
        assert 0.0 <= b.score <= 1.0
        assert isinstance(b.score, float)
        assert ("omission" in b.flags) == (bool(b.src) and not b.tgt)
        assert ("addition" in b.flags) == (bool(b.tgt) and not b.src)
    for c in alignment.crossings:
        assert 0.0 <= c.score <= 1.0
        assert all(0 <= i < n_src for i in c.src) and all(0 <= j < n_tgt for j in c.tgt)


def pairs(alignment: Alignment) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.tgt) for b in alignment.beads]


def one_to_one(src_range, shift: int = 0) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """1-1 beads source i <-> target i + shift for i in ``src_range``."""
    return [((i,), (i + shift,)) for i in src_range]


def bead_of(alignment: Alignment, *, src: int | None = None, tgt: int | None = None):
    for b in alignment.beads:
        if (src is not None and src in b.src) or (tgt is not None and tgt in b.tgt):
            return b
    raise AssertionError("sentence not in any bead")


@pytest.fixture(scope="module")
def align(default_encoder):
    """Align with the default encoder and check the contract on every result."""

    def run(src, tgt, config: AlignConfig | None = None) -> Alignment:
        result = align_texts(src, tgt, default_encoder, config)
        assert_valid(result, len(src), len(tgt))
        return result

    return run


# --- built cases -----------------------------------------------------------------------------


def test_identity_is_all_one_to_one_with_high_confidence(align):
    a = align(RU, EN)
    assert pairs(a) == one_to_one(range(12))
    assert all(b.score >= 0.9 for b in a.beads), [b.score for b in a.beads]
    assert all(b.flags == [] for b in a.beads)
    assert a.crossings == []
    assert a.encoder.startswith("use-m3")
    assert a.params["max_side"] == AlignConfig().max_side


def test_merge_gives_two_to_one_bead(align):
    k = 4  # English sentences 4 and 5 joined into one
    merged = EN[:k] + [EN[k][:-1] + ", and " + EN[k + 1][0].lower() + EN[k + 1][1:]] + EN[k + 2 :]
    a = align(RU, merged)
    expected = one_to_one(range(k)) + [((k, k + 1), (k,))] + one_to_one(range(k + 2, 12), -1)
    assert pairs(a) == expected
    assert bead_of(a, tgt=k).type == "2-1"


def test_split_gives_one_to_two_bead(align):
    k = 8  # English sentence 8 split in two
    split = EN[:k] + [
        "I said that the fishermen had violated the terms of the fisheries convention.",
        "They would therefore be brought to trial.",
    ] + EN[k + 1 :]
    a = align(RU, split)
    expected = one_to_one(range(k)) + [((k,), (k, k + 1))] + one_to_one(range(k + 1, 12), 1)
    assert pairs(a) == expected
    assert bead_of(a, src=k).type == "1-2"


@pytest.mark.parametrize("k", [1, 6, 10])
def test_deletion_gives_flagged_omission(align, k):
    a = align(RU, EN[:k] + EN[k + 1 :])
    expected = one_to_one(range(k)) + [((k,), ())] + one_to_one(range(k + 1, 12), -1)
    assert pairs(a) == expected
    omitted = bead_of(a, src=k)
    assert omitted.type == "1-0" and "omission" in omitted.flags
    # The omitted sentence has no translation anywhere, so it must not be offered as a
    # crossing link to some other sentence on the same topic.
    assert not [c for c in a.crossings if k in c.src], a.crossings


def test_insertion_gives_flagged_addition(align):
    k = 5
    extra = "The weather in Moscow was unusually hot that week."
    a = align(RU, EN[:k] + [extra] + EN[k:])
    expected = one_to_one(range(k)) + [((), (k,))] + one_to_one(range(k, 12), 1)
    assert pairs(a) == expected
    added = bead_of(a, tgt=k)
    assert added.type == "0-1" and "addition" in added.flags


def test_displaced_sentence_is_a_crossing_candidate(align):
    # English sentence 3 moved six places down, after sentence 9.
    moved = EN[:3] + EN[4:10] + [EN[3]] + EN[10:]
    new_pos = moved.index(EN[3])
    a = align(RU, moved)
    found = [c for c in a.crossings if c.src == (3,) and c.tgt == (new_pos,)]
    assert found, a.crossings
    assert found[0].score >= AlignConfig().crossing_min
    # The best candidate for that target sentence is the right one, and both ends are flagged.
    best = max((c for c in a.crossings if new_pos in c.tgt), key=lambda c: c.score)
    assert best.src == (3,)
    assert "crossing-candidate" in bead_of(a, src=3).flags
    assert "crossing-candidate" in bead_of(a, tgt=new_pos).flags


@pytest.mark.parametrize("gap", [6, 1])
def test_displaced_lower_case_fragment_is_linked_to_its_sentence(align, gap):
    """OCR line displacement: the end of sentence 2 ("the Hunchun Agreement.") turns up
    ``gap`` sentences later; with gap 1 the host sits in the neighbouring bead."""
    head = "I replied that the Soviet troops would not cross the frontier established by"
    tgt = EN[:2] + [head] + EN[3 : 3 + gap] + ["the Hunchun Agreement."] + EN[3 + gap :]
    frag = tgt.index("the Hunchun Agreement.")
    a = align(RU, tgt)
    mine = [c for c in a.crossings if c.tgt == (frag,)]
    assert mine, a.crossings
    best = max(mine, key=lambda c: c.score)
    assert best.src == (2,)
    assert "lower case" in best.reason
    assert "crossing-candidate" in bead_of(a, tgt=frag).flags


def test_empty_sides_give_null_beads(align):
    a = align([], EN[:3])
    assert pairs(a) == [((), (0,)), ((), (1,)), ((), (2,))]
    assert all("addition" in b.flags for b in a.beads)
    b = align(RU[:2], [])
    assert pairs(b) == [((0,), ()), ((1,), ())]
    assert all("omission" in x.flags for x in b.beads)
    assert align([], []).beads == []
    assert a.crossings == b.crossings == []


def test_align_embeddings_empty_and_nonempty(default_encoder):
    empty = np.zeros((0, 512), dtype=np.float32)
    emb = default_encoder.encode(RU[:3])
    assert [(b.src, b.tgt) for b in align_embeddings(empty, emb, [], [10] * 3)] == [
        ((), (0,)), ((), (1,)), ((), (2,))
    ]
    beads = align_embeddings(emb, default_encoder.encode(EN[:3]), [len(s) for s in RU[:3]],
                             [len(s) for s in EN[:3]])
    assert [(b.src, b.tgt) for b in beads] == one_to_one(range(3))


# --- anchor pass and banded search ----------------------------------------------------------


def chain(pairs_, weights, n_tgt):
    return _anchor_chain(np.asarray(pairs_, dtype=np.int64).reshape(-1, 2),
                         np.asarray(weights, dtype=np.float64), n_tgt)


def test_anchor_chain_hand_computed():
    # Diagonal chain 1 + 2 + 2 + 1 = 6 beats (0,2)->(1,3) = 5.5 and (0,2)->(3,3) = 5.5.
    p = [(0, 0), (0, 2), (1, 1), (1, 3), (2, 2), (3, 3)]
    w = [1.0, 4.5, 2.0, 1.0, 2.0, 1.0]
    assert chain(p, w, 4) == [(0, 0), (1, 1), (2, 2), (3, 3)]
    # Heavier (0,2) and (1,3): (0,2)->(1,3) = 8.0 beats (0,2)->(3,3) = 7.5 and the diagonal 6.
    w2 = [1.0, 6.5, 2.0, 1.5, 2.0, 1.0]
    assert chain(p, w2, 4) == [(0, 2), (1, 3)]


def test_anchor_chain_one_pair_per_row_and_column():
    # Two candidates of one source row: a chain takes only one of them.
    assert chain([(0, 0), (0, 1)], [3.0, 2.0], 2) == [(0, 0)]
    # Same target column in two rows: j must strictly increase -> (1,1) then (2,2) = 4 > 3.
    assert chain([(0, 1), (1, 1), (2, 2)], [2.0, 3.0, 1.0], 3) == [(1, 1), (2, 2)]
    # A heavy crossing pair wins over the monotone run only when it outweighs it.
    run = [(0, 3), (1, 0), (2, 1), (3, 2)]
    assert chain(run, [10.0, 3.0, 3.0, 3.0], 4) == [(0, 3)]
    assert chain(run, [8.0, 3.0, 3.0, 3.0], 4) == [(1, 0), (2, 1), (3, 2)]
    assert chain([], [], 5) == []


@pytest.fixture(scope="module")
def litvinov(default_encoder, ru_path, en_ocr_path):
    """(source, target, default alignment) of the bundled Litvinov pair."""
    src = prepare_document(ru_path, "ru")
    tgt = prepare_document(en_ocr_path, "en")
    return src, tgt, align_documents(src, tgt, default_encoder)


def test_banded_search_matches_full_search(litvinov, default_encoder):
    src, tgt, full = litvinov
    n, m = len(src.sentences), len(tgt.sentences)
    banded_config = AlignConfig(full_dp_cells=0)
    emb_s, emb_t = default_encoder.encode(src.texts), default_encoder.encode(tgt.texts)
    search = _prepare(emb_s, emb_t, [len(s) for s in src.texts], [len(t) for t in tgt.texts],
                      banded_config)
    # The anchor band is really narrower than the full matrix...
    assert int((search.hi - search.lo + 1).sum()) < (n + 1) * (m + 1) // 2
    # ...and contains every bead end of the full search's path.
    p = q = 0
    for b in full.beads:
        p, q = p + len(b.src), q + len(b.tgt)
        assert search.lo[p] <= q <= search.hi[p]
    banded = align_documents(src, tgt, default_encoder, banded_config)
    assert_valid(banded, n, m)
    assert pairs(banded) == pairs(full)



def test_neighbour_margin_matches_bertalign_formula():
    """Search scores with the neighbour margin equal Bertalign's formula computed by hand:
    cos(bead) - w/2 * (mean cos of the source side with the target sentences either side
    + the same the other way), a missing neighbour at a text edge left out of the mean."""
    rng = np.random.default_rng(7)
    unit = lambda v: v / np.linalg.norm(v, axis=-1, keepdims=True)  # noqa: E731
    src, tgt = unit(rng.normal(size=(6, 16))).astype(np.float32), unit(rng.normal(size=(7, 16))).astype(np.float32)
    config = AlignConfig(margin=False, length_penalty=False, neighbour_margin=0.8, length_weighted=0.0)
    search = _prepare(src, tgt, [10] * 6, [10] * 7, config)

    def by_hand(p: int, a: int, q: int, b: int) -> float:  # bead src[p-a:p] <-> tgt[q-b:q]
        x, y = unit(src[p - a : p].sum(axis=0)), unit(tgt[q - b : q].sum(axis=0))
        t_nb = [float(tgt[j] @ x) for j in (q - b - 1, q) if 0 <= j < 7]
        s_nb = [float(src[i] @ y) for i in (p - a - 1, p) if 0 <= i < 6]
        mean = lambda v: sum(v) / len(v) if v else 0.0  # noqa: E731
        return float(x @ y) - 0.5 * 0.8 * (mean(t_nb) + mean(s_nb))

    for p, a in ((1, 1), (3, 2), (6, 1), (6, 3)):
        got = _bead_scores(search.inp, p, a, 0, 7, 3, config)  # b = 1..3, q = 0..7
        for b in (1, 2, 3):
            for q in range(b, 8):
                assert got[b - 1, q] == pytest.approx(by_hand(p, a, q, b), abs=1e-5), (p, a, q, b)


# --- the real seed: Litvinov–Shigemitsu, 7 August 1938 ---------------------------------------


def test_litvinov_seed(litvinov):
    """ru.reconstructed.txt is a TEST RECONSTRUCTION, not the archival Russian text."""
    src, tgt, a = litvinov
    assert src.provenance.kind == "reconstruction"
    assert_valid(a, len(src.sentences), len(tgt.sentences))
    one_one = sum(b.type == "1-1" for b in a.beads)
    assert one_one > 2 * len(a.beads) / 3

    manchukuo = tgt.texts.index("not fire toward Manchukuo.")
    ago = tgt.texts.index("ago.")
    crossing_tgts = {j for c in a.crossings for j in c.tgt}
    # The displaced fragment and the interleaved line are candidates; the lacuna's lone
    # surviving word "ago." is not (tests/test_lineorder.py checks the reasons).
    attack = next(j for j, t in enumerate(tgt.texts) if "we will attack them" in t)
    assert manchukuo in crossing_tgts and attack in crossing_tgts and ago not in crossing_tgts
    # The displaced fragment ends Litvinov's summary ("… and will | not fire toward
    # Manchukuo."): its best candidate is the Russian sentence that says so.
    summary = next(i for i, t in enumerate(src.texts) if "стрелять в сторону Маньчжоу-Го" in t)
    best = max((c for c in a.crossings if c.tgt == (manchukuo,)), key=lambda c: c.score)
    assert best.src == (summary,)
    # "ago." is the surviving end of a lost sentence; it stays with the lacuna's rendering.
    lacuna = next(i for i, t in enumerate(src.texts) if t.startswith("[…]"))
    assert lacuna in bead_of(a, tgt=ago).src


# --- partial renderings (local alignment) -----------------------------------------------

EXCERPT_SRC = ["Утром посол Японии прибыл в наркомат.", "Мы говорили о положении на границе у озера Хасан.",
      "Посол предложил прекратить военные действия.", "Я ответил, что японские войска должны отойти.",
      "Затем речь зашла о торговом договоре.", "Посол спросил о рыболовной конвенции.",
      "Я сказал, что этот вопрос обсуждается в Токио.", "Сегодня получено сообщение о новом нападении у высоты 588.",
      "С нашей стороны ранено несколько человек.", "Протестовать, очевидно, бесполезно.",
      "Мы не допустим безнаказанного обстрела наших пограничников.", "Беседа продолжалась два часа."]
EXCERPT_TGT = ["The following is the text of a communiqué published this morning.",
      "The weather in Moscow has been unusually warm this week.",
      "A new attack near height 588 was reported today.",
      "Several men on our side were wounded.",
      "It is evidently useless to protest.",
      "We will not permit the unpunished firing on our border guards.",
      "The editorial of Pravda discusses the harvest in the Ukraine."]


def test_partial_mode_leaves_the_unrendered_part_as_1_0_and_0_1(default_encoder):
    """An English excerpt renders source sentences 7-10 and adds unrelated lines: the
    default search forces every sentence into a bead (a 4-1 of unrelated text), the
    partial config links only the rendered part."""
    forced = align_texts(EXCERPT_SRC, EXCERPT_TGT, default_encoder)
    assert any(len(b.src) >= 2 and b.tgt for b in forced.beads[:3])
    local = align_texts(EXCERPT_SRC, EXCERPT_TGT, default_encoder, AlignConfig(partial=True))
    linked = [(b.src, b.tgt) for b in local.beads if b.src and b.tgt]
    assert linked == [((7,), (2,)), ((8,), (3,)), ((9,), (4,)), ((10,), (5,))]
    assert sorted(i for b in local.beads if not b.tgt for i in b.src) == [0, 1, 2, 3, 4, 5, 6, 11]
    assert sorted(j for b in local.beads if not b.src for j in b.tgt) == [0, 1, 6]
    assert all(b.score >= 0.7 for b in local.beads)
    # Leaving the rest out is what a partial rendering does: no omission/addition flags,
    # neither from the aligner nor from the fidelity checks.
    from aligner.document import document_from_text
    from aligner.fidelity import flag_alignment

    src_doc = document_from_text("\n".join(EXCERPT_SRC), "ru", filename="s.txt", presplit=True)
    tgt_doc = document_from_text("\n".join(EXCERPT_TGT), "en", filename="t.txt", presplit=True)
    flag_alignment(src_doc, tgt_doc, local, partial=True)
    assert not any({"omission", "addition"} & set(b.flags) for b in local.beads)
    # The forced search links the unrendered sentences to unrelated ones, and says it is unsure.
    assert all("low-confidence" in b.flags for b in forced.beads[:2])
    assert AlignConfig(partial=True).resolved().skip == 0.0 and AlignConfig().min_bead_similarity is None


def test_partial_mode_on_a_five_sentence_excerpt_of_the_exhibit(ru_path, en_ocr_path, default_encoder):
    """The documents' length ratio (100 : 5 sentences) says how much is missing, not how
    long a translation runs: the partial search takes its ratio from anchor pairs."""
    from aligner.document import document_from_text, prepare_document

    lines = en_ocr_path.read_text(encoding="ascii").splitlines()[41:48]  # lines 42-48
    excerpt = document_from_text("\n".join(lines) + "\n", "en", filename="excerpt.txt")
    ru = prepare_document(ru_path, "ru")
    a = align_documents(ru, excerpt, default_encoder, AlignConfig(partial=True))
    linked = {b.tgt: b.src for b in a.beads if b.src and b.tgt}
    assert excerpt.texts[0] == "I summarize what I have said above."
    assert linked[(0,)] == (ru.texts.index("Резюмирую сказанное выше."),)
    assert len(linked) >= 4 and sum(len(b.src) for b in a.beads if not b.tgt) >= 90


@pytest.mark.parametrize("n, m", [(1, 1), (1, 6), (6, 1), (7, 9)])
def test_similarity_stats_match_brute_force(n, m):
    """kNN means and top-k candidates against sorting the whole matrix (a one-row block
    once lost its row statistics to the column pass)."""
    from aligner.align.scores import _similarity_stats

    rng = np.random.default_rng(n * 10 + m)
    src = rng.normal(size=(n, 8)).astype(np.float32)
    tgt = rng.normal(size=(m, 8)).astype(np.float32)
    stats = _similarity_stats(src, tgt, knn=4, top_k=5)
    full = src @ tgt.T
    np.testing.assert_allclose(stats.src_knn, np.sort(full, axis=1)[:, ::-1][:, :4].mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(stats.tgt_knn, np.sort(full, axis=0)[::-1][:4].mean(axis=0), rtol=1e-5)
    np.testing.assert_array_equal(stats.src_top, np.argsort(-full, axis=1)[:, :5])
    np.testing.assert_array_equal(stats.tgt_top, np.argsort(-full.T, axis=1)[:, :5])
