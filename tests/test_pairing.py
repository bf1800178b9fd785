"""Pairing records across languages (aligner.pairing, aligner.pairscore, aligner.evidence).

The made-up case: a Russian volume of three records of conversation; in English a full
translation of the first, a telegram that renders only the end of the second (a partial
rendering), and an embassy report on the same topic as the second (a decoy); the third
record was never translated. The FRUS/Litvinov case uses only the bundled corpora.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from aligner.errors import InputError
from aligner.evidence import record_facts, shared_facts
from aligner.pairassign import Candidate, assign, first_round
from aligner.pairing import PairConfig, find_files, load_entries, pair_paths, pair_probability
from aligner.pairscore import PairScore, ScoreConfig, Side, _chain, score_pair

RU_VOLUME = """\
НАРОДНЫЙ КОМИССАРИАТ ИНОСТРАННЫХ ДЕЛ

№ 101
Запись беседы народного комиссара иностранных дел СССР с послом Германии Шуленбургом
3 марта 1939 г.

Шуленбург посетил меня по поручению своего правительства и сообщил, что германская сторона готова возобновить переговоры о кредитном соглашении. По его словам, в Берлине считают, что прежние разногласия о процентной ставке можно устранить.
Я ответил, что советское правительство всегда стремилось к развитию торговли, но не может согласиться на условия, которые делают поставки невыгодными для нас. Шуленбург спросил, какой срок кредита мы считаем приемлемым. Я сказал, что речь может идти о семи годах при ставке не выше пяти процентов.
Посол заметил, что такие условия потребуют согласования с министерством экономики. Затем он выразил надежду, что торговая делегация сможет прибыть в Москву до конца месяца. Я обещал сообщить о его предложении правительству и дать ответ в ближайшие дни.
Литвинов
3 марта 1939 г.

№ 102
Запись беседы с послом Японии Того
12 марта 1939 г.

Того заявил протест по поводу задержания японской рыболовной шхуны у берегов Камчатки. Он утверждал, что шхуна находилась за пределами территориальных вод и была задержана незаконно.
Я ответил, что по нашим данным шхуна вела лов в трех милях от берега, то есть в советских водах. Того попросил освободить экипаж до окончания расследования. Я сказал, что этот вопрос будет рассмотрен, когда пограничные власти представят свой доклад.
10 марта 1939 г. пограничный катер доставил шхуну в Петропавловск, где экипаж находится до сих пор.
Затем посол перешел к вопросу о рыболовной конвенции. Он напомнил, что срок временного соглашения истекает в апреле и японская сторона желает его продлить. Я ответил, что советское правительство не возражает против переговоров, но не намерено продлевать соглашение на прежних условиях. Мы потребуем повышения арендной платы за рыболовные участки и сокращения числа участков.
Того сказал, что передаст наш ответ в Токио, и выразил сожаление по поводу жесткости нашей позиции.

№ 103
Запись беседы с послом Польши Гжибовским
20 марта 1939 г.

Гжибовский сообщил, что польское правительство обеспокоено задержками транзитных грузов на станции Негорелое. По его словам, за последний месяц на границе скопилось более двухсот вагонов.
Я ответил, что задержки вызваны ремонтом путей и будут устранены в течение недели. Посол спросил, нельзя ли временно направить часть грузов через Шепетовку. Я обещал выяснить этот вопрос у народного комиссариата путей сообщения.
"""

EN_FULL = """\
Record of a conversation between the People's Commissar for Foreign Affairs and the German Ambassador Schulenburg
March 3, 1939

Schulenburg called on me on the instructions of his Government and said that the German side was ready to resume the negotiations on a credit agreement. According to him, Berlin believed that the former differences over the rate of interest could be removed.
I replied that the Soviet Government had always sought to develop trade, but could not agree to terms that made deliveries unprofitable for us. Schulenburg asked what term of credit we considered acceptable. I said that it could be a matter of seven years at a rate not higher than five per cent.
The Ambassador remarked that such terms would have to be agreed with the Ministry of Economics. He then expressed the hope that a trade delegation could arrive in Moscow before the end of the month. I promised to report his proposal to the Government and to give an answer in the next few days.
"""

EN_PARTIAL = """\
Telegram
Moscow, March 13, 1939—6 p.m.

112. The Japanese Ambassador saw Litvinov yesterday. The following is the Soviet account of the part of the conversation that dealt with the fisheries, as a member of the Commissariat gave it to me.
The Ambassador recalled that the term of the provisional agreement expired in April and that the Japanese side wished to extend it. Litvinov replied that the Soviet Government did not object to negotiations but did not intend to extend the agreement on the former terms. We shall demand an increase in the rent for the fishing lots and a reduction in the number of lots. Togo said that he would transmit the answer to Tokyo and expressed regret at the rigidity of the Soviet position.
The Embassy understands that the Japanese press has not yet reported the conversation.
"""

EN_DECOY = """\
The Ambassador in the Soviet Union (Davies) to the Secretary of State
Moscow, March 14, 1939

The seizure of Japanese fishing vessels off Kamchatka has again become a source of friction between Moscow and Tokyo. Japanese officials here maintain that the schooners are regularly detained outside Soviet territorial waters, while the Soviet authorities insist on a twelve-mile limit.
The question of the fisheries convention, which Japan is anxious to renew, is likely to be used by the Soviet Government as a means of pressure. Observers in Moscow expect prolonged and difficult negotiations, and some believe that the Soviet side will seek to reduce Japanese fishing rights considerably.
The Japanese Embassy appears pessimistic about an early settlement.
"""


def write_made_up(root: Path) -> tuple[Path, Path]:
    """The made-up case as two flat folders under ``root``: ``(ru folder, en folder)``."""
    (root / "ru").mkdir()
    (root / "en").mkdir()
    (root / "ru" / "volume.txt").write_text(RU_VOLUME, encoding="utf-8")
    for name, text in (("schulenburg.txt", EN_FULL), ("telegram_112.txt", EN_PARTIAL), ("davies.txt", EN_DECOY)):
        (root / "en" / name).write_text(text, encoding="utf-8")
    return root / "ru", root / "en"


@pytest.fixture(scope="module")
def made_up(tmp_path_factory, default_encoder):
    root = tmp_path_factory.mktemp("pairing")
    (root / "ru").mkdir()
    (root / "ru" / "volume.txt").write_text(RU_VOLUME, encoding="utf-8")
    nested = root / "en" / "embassy"
    nested.mkdir(parents=True)
    (root / "en" / "schulenburg.txt").write_text(EN_FULL, encoding="utf-8")
    (nested / "telegram_112.txt").write_text(EN_PARTIAL, encoding="utf-8")
    (nested / "davies.txt").write_text(EN_DECOY, encoding="utf-8")
    (nested / "notes.md").write_text("not taken from a folder", encoding="utf-8")
    return pair_paths([root / "ru"], [root / "en"], "ru", "en", default_encoder), root


def _by_target(result):
    return {Path(p["target"]["file"]).name: p for p in result["pairs"]}


def test_full_translation_is_paired_whole(made_up):
    result, _ = made_up
    pair = _by_target(result)["schulenburg.txt"]
    assert pair["source"]["id"] == "101" and pair["source"]["date"] == "1939-03-03"
    assert pair["source"]["ref"].endswith("volume.txt#101")
    assert pair["partial"] is False
    assert pair["score"] >= 0.9
    assert pair["evidence"]["source_coverage"] >= 0.9 and pair["evidence"]["target_coverage"] >= 0.9
    assert "Шуленбург = Schulenburg" in pair["evidence"]["shared"]["names"]
    assert pair["evidence"]["same_date"] is True  # both headings: 3 March 1939


def test_partial_rendering_is_paired_and_marked_partial(made_up):
    result, _ = made_up
    pair = _by_target(result)["telegram_112.txt"]
    assert pair["source"]["id"] == "102"
    assert pair["partial"] is True
    assert pair["score"] >= 0.5
    # what it renders is the end of record 102: the fisheries convention
    start, end = pair["evidence"]["source_span"]
    text = RU_VOLUME
    assert "арендной платы" in text[start:end]
    assert "задержания японской рыболовной шхуны" not in text[start:end]
    assert pair["evidence"]["source_coverage"] < 0.6


def test_untranslated_record_and_decoy_stay_unpaired(made_up):
    result, _ = made_up
    assert len(result["pairs"]) == 2
    assert [u["id"] for u in result["unpaired_source"]] == ["103"]
    (decoy,) = result["unpaired_target"]
    assert Path(decoy["file"]).name == "davies.txt"
    assert decoy["best"]["score"] < 0.5  # it was a candidate for record 102, and lost
    # the untranslated record and the decoy, both left over, are not paired in the leftover round
    assert not any(p["evidence"]["tentative"] for p in result["pairs"])
    json.dumps(result)  # JSON-ready


def _candidate(probability: float, links: int, sizes: tuple[int, int] = (20, 30)) -> Candidate:
    chain = PairScore(0.05, links, 0.1, 0.1, 0.3, (0, 0) if links else None, (0, 0) if links else None)
    return Candidate(chain, 0.0, {}, probability, sizes)


def test_leftover_round_pairs_mutual_best_records_left_unpaired_as_tentative():
    # sources 0, 1, 2; targets 0, 1, 2. (0, 0) is a sure pair; (1, 1) and (2, 2) score
    # under the threshold; source 1's best target is 0, already taken; (2, 2) has no link.
    scored = {(0, 0): _candidate(0.99, 9), (1, 0): _candidate(0.30, 2), (1, 1): _candidate(0.05, 1),
              (1, 2): _candidate(0.005, 1), (2, 2): _candidate(0.04, 0)}
    chosen, tentative = assign(scored, PairConfig(many=False))
    assert chosen == [(0, 0), (1, 1)] and tentative == {(1, 1)}
    assert assign(scored, PairConfig(many=False, leftover_threshold=0.06))[0] == [(0, 0)]
    assert assign(scored, PairConfig(many=False, leftover_threshold=1.0))[0] == [(0, 0)]
    # between two long records one link is chance, in either round: 3 % of the shorter
    # record's sentences are needed
    scored[1, 1] = _candidate(0.05, 2, sizes=(100, 500))
    assert assign(scored, PairConfig(many=False))[0] == [(0, 0)]
    scored[1, 1] = _candidate(0.05, 3, sizes=(100, 500))
    assert assign(scored, PairConfig(many=False))[0] == [(0, 0), (1, 1)]
    scored[1, 1] = _candidate(0.05, 1, sizes=(20, 500))  # a short telegram of a long record
    assert assign(scored, PairConfig(many=False))[0] == [(0, 0), (1, 1)]
    scored[0, 0] = _candidate(0.99, 1, sizes=(200, 500))  # a high score on one link: not taken
    assert assign(scored, PairConfig(many=False)) == ([(1, 0)], {(1, 0)})  # source 1's best left
    # nor as a "further rendering" (both records were free: the first round turned it down)
    scored = {(0, 0): _candidate(0.99, 2, sizes=(300, 400)), (0, 1): _candidate(0.02, 20, sizes=(300, 400))}
    assert assign(scored, PairConfig()) == ([(0, 1)], {(0, 1)})
    # a further rendering of a paired record still counts, and a target may render parts of two records
    scored = {(0, 0): _candidate(0.99, 9), (0, 1): _candidate(0.9, 3),  # (1, 0): another part of target 0
              (1, 0): Candidate(PairScore(0.05, 3, 0.1, 0.1, 0.3, (5, 6), (5, 6)), 0.0, {}, 0.8, (20, 30))}
    assert assign(scored, PairConfig()) == ([(0, 0), (0, 1), (1, 0)], set())
    # a candidate re-scored as a further rendering (its record's partner out) takes no part in
    # the first round, even above the partner: source 0 keeps target 0, target 1 is its further one
    scored = {(0, 0): _candidate(0.9, 9), (0, 1): replace(_candidate(0.95, 3), further=True)}
    assert first_round(scored, PairConfig()) == [(0, 0)]
    assert assign(scored, PairConfig()) == ([(0, 0), (0, 1)], set())
    scored[0, 1] = replace(_candidate(0.95, 1), further=True)  # a further rendering needs two links
    assert assign(scored, PairConfig()) == ([(0, 0)], set())


def test_frus_telegram_d471_is_a_partial_rendering_of_the_litvinov_record(ru_path, tei_path, default_encoder):
    result = pair_paths([ru_path], [tei_path], "ru", "en", default_encoder)
    assert [(p["target"]["id"], p["partial"]) for p in result["pairs"]] == [("d471", True)]
    assert result["pairs"][0]["score"] >= 0.5
    unpaired = sorted(u["id"] for u in result["unpaired_target"])
    assert unpaired == ["d464", "d465", "d466", "d468", "d469", "d470", "d472", "d474", "d475", "d476", "d478"]
    assert all(u["best"]["score"] < 0.5 for u in result["unpaired_target"])
    # d471 renders Litvinov's closing warning about the attack near Grodekovo: the last part
    start, end = result["pairs"][0]["evidence"]["source_span"]
    text = ru_path.read_text(encoding="utf-8")
    assert start > 0.75 * len(text) and "гранат" in text[start:end]
    assert "588" in result["pairs"][0]["evidence"]["shared"]["numbers"]
    # the other way round (the telegrams as sources) the pair is partial too: a part of the
    # record renders the telegram, so aligning them must leave the rest of the record out
    reverse = pair_paths([tei_path], [ru_path], "en", "ru", default_encoder)
    assert [(p["source"]["id"], p["partial"]) for p in reverse["pairs"]] == [("d471", True)]


def test_chain_dynamic_programme_matches_brute_force():
    rng = np.random.default_rng(7)
    skip, diagonal, cap, open_cost = 0.05, 0.1, 0.2, 0.1
    for _ in range(40):
        n, m = rng.integers(1, 7, size=2)
        gain = np.where(rng.random((n, m)) < 0.4, rng.uniform(0.01, 0.6, (n, m)), -np.inf).astype(np.float32)
        cells = [(i, j, float(gain[i, j])) for i, j in itertools.product(range(n), range(m))
                 if np.isfinite(gain[i, j])]
        score, chain = _chain(cells, skip, diagonal, cap, open_cost)
        # the recurrence written out over pairs of cells
        best = {}
        for i, j, _ in cells:
            prev = [best[c] + (diagonal if (i - c[0], j - c[1]) == (1, 1) else 0.0)
                    - skip * min(i - c[0] - 1 + j - c[1] - 1, cap / skip)
                    for c in best if c[0] < i and c[1] < j]
            best[i, j] = gain[i, j] + max([-open_cost] + prev)
        expected = max([0.0] + list(best.values()))
        assert score == pytest.approx(expected, abs=1e-5)
        if chain:  # the chain found adds up to its score
            total = sum(gain[c] for c in chain) - open_cost
            for a, b in zip(chain, chain[1:]):
                gap = b[0] - a[0] - 1 + b[1] - a[1] - 1
                total += (diagonal if gap == 0 else 0.0) - skip * min(gap, cap / skip)
            assert total == pytest.approx(score, abs=1e-5)
            assert all(a[0] < b[0] and a[1] < b[1] for a, b in zip(chain, chain[1:]))


def test_order_matters_a_shuffled_rendering_scores_less(default_encoder):
    ru = ["Посол заявил протест по поводу задержания шхуны.", "Я ответил, что шхуна была в наших водах.",
          "Посол попросил освободить экипаж.", "Я обещал рассмотреть вопрос после доклада пограничников.",
          "Затем посол заговорил о рыболовной конвенции.", "Он сказал, что Япония хочет продлить соглашение."]
    en = ["The Ambassador protested against the seizure of the schooner.", "I replied that the schooner had been in our waters.",
          "The Ambassador asked for the release of the crew.", "I promised to consider the question after the report of the border guards.",
          "Then the Ambassador spoke of the fisheries convention.", "He said that Japan wished to extend the agreement."]

    def side(texts, other):
        vectors = default_encoder.encode(texts)
        knn = np.full(len(texts), 0.2, dtype=np.float32)
        return Side(vectors, np.array([len(t) for t in texts], dtype=np.float32), knn)

    in_order = score_pair(side(ru, en), side(en, ru), ScoreConfig())
    shuffled = score_pair(side(ru, en), side([en[i] for i in (3, 0, 5, 2, 4, 1)], ru), ScoreConfig())
    assert in_order.links == 6 and in_order.source_coverage == 1.0
    assert shuffled.chain < in_order.chain / 2


def test_facts_shared_across_languages():
    ru = record_facts(["Японская рота атаковала высоту 588.3 у Гродеково 7 августа, сказал Сигемицу."], "ru")
    en = record_facts(["On August 7 a Japanese company attacked height 588 near Grodekovo, said Shigemitsu."], "en")
    shared = shared_facts(ru, en)
    assert shared["dates"] == [("08-07", "08-07")]
    assert ("588", "588") in shared["numbers"]
    names = {t for _, t in shared["names"]}
    assert {"grodekovo", "shigemicu"} <= names


def test_score_is_a_probability_that_grows_with_the_evidence():
    values = [pair_probability(c, e) for c, e in ((0.0, 0.0), (0.05, 0.0), (0.3, 0.0), (0.3, 10.0), (5.0, 0.0))]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert values[0] < values[1] < values[2] <= values[3] and values[2] <= values[4]
    assert values[0] < 0.05 and values[2] > 0.9


def test_bad_paths_give_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        find_files([tmp_path / "missing"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no .txt"):
        find_files([tmp_path / "empty"])
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.txt").write_bytes(b"\x00\x01 binary")
    (tmp_path / "bad" / "b.txt").write_bytes(b"")
    skipped: list[dict] = [{"file": "elsewhere.txt", "reason": "skipped by the other side"}]
    with pytest.raises(InputError, match=r"no usable ru file in .*bad: 2 skipped, e.g. a.txt: binary"):
        load_entries([tmp_path / "bad"], "ru", skipped=skipped)
