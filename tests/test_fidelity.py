"""aligner.fidelity: number/date, name, length, omission and OCR checks on made-up beads and
on the Litvinov seed (English OCR exhibit; the Russian is a TEST RECONSTRUCTION)."""

from __future__ import annotations

import pytest

from aligner.document import document_from_text
from aligner.fidelity import (
    ADDITION, DATE_MISMATCH, LENGTH_RATIO, NAME_ONE_SIDE, NAME_VARIANT, NUMBER_MISMATCH,
    OCR_SUSPECT, OMISSION, LengthModel, alignment_flags, bead_flags, build_context,
    document_name_variants, ocr_suspects,
)
from aligner.lexicon.translit import name_key, transliterate
from aligner.segment import split_sentences
from aligner.types import Alignment, Bead


def codes(flags) -> list[str]:
    return [f.code for f in flags]


def only(flags, code):
    found = [f for f in flags if f.code == code]
    assert len(found) == 1, flags
    return found[0]


# --- numbers and dates --------------------------------------------------------------------

@pytest.mark.parametrize("en, ru", [
    ("Our guards were defending Hill 588.", "Наши пограничники обороняли высоту 588."),
    ("It began in 1938.", "Это началось в 1938 г."),
    ("The Government on August 4th brought out the proposal.",
     "Правительство 4 августа выступило с предложением."),
    ("By the 8th or 9th of August, there will be calm.", "К 8 или 9 августа наступит спокойствие."),
    ("They left ten hand-grenades.", "Они оставили 10 ручных гранат."),
    ("Two representatives of the U.S.S.R.", "Два представителя СССР."),
    ("It was signed in May.", "Оно было подписано в мае."),
    ("Chapter XIV ends here.", "Здесь кончается глава XIV."),
    ("Chapter XIV ends here.", "Здесь кончается глава 14."),
    ("It cost 1,500 roubles.", "Это стоило 1 500 рублей."),
    ("It weighed 2.5 tons.", "Это весило 2,5 тонны."),
])
def test_matching_numbers_and_dates_raise_nothing(en, ru):
    assert bead_flags([ru], [en], "ru", "en") == []


def test_different_number_is_flagged_with_both_values():
    flags = bead_flags(["Высота находится в 20 километрах от Гродеково."],
                       ["The hill is 22 kilometers from Grodekovo."], "ru", "en")
    flag = only(flags, NUMBER_MISMATCH)
    assert flag.details == {"src_only": ["20"], "tgt_only": ["22"]}
    assert flag.side == "both"


def test_number_missing_on_one_side():
    flag = only(bead_flags(["Они оставили 10 гранат и 50 запалов."],
                           ["They left hand-grenades and 50 detonators."], "ru", "en"),
                NUMBER_MISMATCH)
    assert flag.details == {"src_only": ["10"], "tgt_only": []}
    assert flag.side == "src"


@pytest.mark.parametrize("ru_date", ["5 августа", "5-го августа"])
def test_different_day_is_a_date_mismatch_not_a_number_mismatch(ru_date):
    flags = bead_flags([f"{ru_date} он внес предложение."],
                       ["On August 4th he brought out the proposal."], "ru", "en")
    assert codes(flags) == [DATE_MISMATCH]
    assert flags[0].details == {"src_only": ["5 August"], "tgt_only": ["4 August"]}


@pytest.mark.parametrize("ru_month, en_month", [
    ("января", "January"), ("феврале", "February"), ("мартом", "March"), ("апрелю", "April"),
    ("июне", "June"), ("июля", "July"), ("сентябрь", "September"), ("октябре", "October"),
    ("ноября", "November"), ("декабрем", "December"),
])
def test_russian_month_names_in_every_case(ru_month, en_month):
    assert bead_flags([f"Это было в {ru_month}."], [f"It was in {en_month}."], "ru", "en") == []
    flags = bead_flags([f"Это было в {ru_month}."], ["It was in August."], "ru", "en")
    assert codes(flags) == [DATE_MISMATCH]


def test_roman_numeral_against_a_different_arabic_number():
    flag = only(bead_flags(["Глава 12."], ["Chapter XIV."], "ru", "en"), NUMBER_MISMATCH)
    assert flag.details == {"src_only": ["12"], "tgt_only": ["XIV"]}


def test_number_words_do_not_raise_flags_by_themselves():
    # "one" is also a pronoun: words only excuse digits, they are never flagged.
    assert bead_flags(["Это единственная граница."], ["It is the only one we can speak of."],
                      "ru", "en") == []


# --- names --------------------------------------------------------------------------------

def test_transliteration_keys_match_across_romanisations():
    assert transliterate("Хуньчунь") == "Khunchun"
    assert name_key("Hunch'un") == name_key("Khunchun") == name_key("Хуньчунь")
    assert transliterate("Литвинов") == "Litvinov"


@pytest.mark.parametrize("ru, en", [
    ("Я сказал Сигемицу, что это так.", "I said to Shigemitsu that it is so."),
    ("Граница установлена Хуньчуньским соглашением.", "The frontier was set by the Hunchun agreement."),
    ("Это сказал Литвинов.", "This was said by Litvinov."),
    ("Это граница Маньчжоу-Го и Японии.", "It is the boundary of Manchukuo and Japan."),
    ("Это в Гродековском районе.", "It is in the Grodekovo district."),
    ("Он втягивает СССР в войну.", "He draws the U S S R into a war."),
    ("Сигемицу заявил это.", "Shigemitsu stated this."),
])
def test_names_present_on_both_sides_raise_nothing(ru, en):
    assert bead_flags([ru], [en], "ru", "en") == []


def test_name_on_one_side_is_flagged():
    flag = only(bead_flags(["Он видел телеграмму в НКИД."], ["He had seen a telegram."], "ru", "en"),
                NAME_ONE_SIDE)
    assert flag.details == {"src_only": ["НКИД"], "tgt_only": []}
    flag = only(bead_flags(["Я сказал ему, что это так."], ["I said to Shigemitsu that it is so."],
                           "ru", "en"), NAME_ONE_SIDE)
    assert flag.details == {"src_only": [], "tgt_only": ["Shigemitsu"]}


def test_different_names_on_both_sides():
    flag = only(bead_flags(["Я сказал Литвинову, что это так."], ["I said to Shigemitsu that it is so."],
                           "ru", "en"), NAME_ONE_SIDE)
    assert flag.details == {"src_only": ["Литвинову"], "tgt_only": ["Shigemitsu"]}
    assert flag.side == "both"


def test_capitalised_common_english_words_are_not_names():
    # "Japanese", "Government", "Soviet" are capitalised in English, lowercase in Russian.
    assert bead_flags(["Японское правительство и советская сторона."],
                      ["The Japanese Government and the Soviet side."], "ru", "en") == []


def test_common_words_starting_a_sentence_are_not_names():
    # "From" is also capitalised mid-sentence in the exhibit ("#1504 From M. M. Litvinov's Diary").
    ctx = build_context(["Из дневника Литвинова."], ["Def. Doc. #1504 From M. M. Litvinov's Diary"],
                        "ru", "en")
    assert bead_flags(["Из дневника Литвинова."], ["From M. M. Litvinov's Diary"], "ru", "en",
                      context=ctx) == []
    assert bead_flags(["Конечно, это так."], ["Of course it is."], "ru", "en", context=ctx) == []


def test_name_variants_across_a_document():
    texts = [
        "The frontier was established by the Khunchun and other agreements.",
        "According to their interpretation of the Khunchun agreement, it stands.",
        "The position on the Hunch'un Agreement was explained.",
        "The map of the Hunch'un Agreement shows this line.",
        "It is the Hunchun line that counts.",
        "He spoke to Shigemitsu, and the Japanese agreed; Japan was silent.",
    ]
    groups = document_name_variants(texts)
    assert len(groups) == 1
    assert set(groups[0].forms) == {"Khunchun", "Hunch'un", "Hunchun"}
    assert groups[0].forms["Khunchun"] == 2 and groups[0].forms["Hunch'un"] == 2


def test_inflected_russian_names_are_not_variants():
    texts = ["Граница установлена Хуньчуньским соглашением.",
             "Согласно толкованию Хуньчуньского соглашения, это так.",
             "Это сказал Литвинов, а потом и Литвинова поддержали."]
    assert document_name_variants(texts) == []


# --- omissions, length, OCR ---------------------------------------------------------------

def test_omission_and_addition():
    assert codes(bead_flags(["Протестовать бесполезно."], [], "ru", "en")) == [OMISSION]
    assert codes(bead_flags([], ["not fire toward Manchukuo."], "ru", "en")) == [ADDITION]
    assert bead_flags([], [], "ru", "en") == []


def test_length_ratio_against_the_document_median():
    pairs = [(100 + 7 * i, 110 + 8 * i) for i in range(20)]
    model = LengthModel.fit(pairs)
    assert model.ratio == pytest.approx(1.1, abs=0.05)
    ctx = build_context([], [], "ru", "en", pairs)
    src, tgt = "а" * 120, "b" * 130
    assert bead_flags([src], [tgt], "ru", "en", context=ctx) == []
    flag = only(bead_flags(["а" * 300], ["b" * 40], "ru", "en", context=ctx), LENGTH_RATIO)
    assert flag.side == "src" and flag.details["delta"] < -3


def test_ocr_suspects_on_made_up_text():
    texts = ["The Japanese troops stood.", "The Japanese side agreed.", "The Japanese answer came.",
             "The Jaranese troops fired.", "He proposed the cessotion of fire.",
             "Those afeas were bombed."]
    found = ocr_suspects(texts, "en")
    assert found == {"Jaranese": "Japanese", "cessotion": "cessation", "afeas": "areas"}


def test_ocr_suggestion_is_attached_and_text_untouched():
    texts = ["The Japanese troops stood.", "The Japanese side agreed.", "The Jaranese troops fired."]
    ctx = build_context(["Японские войска стояли."] * 3, texts, "ru", "en")
    flags = bead_flags(["Японские войска стреляли."], [texts[2]], "ru", "en", context=ctx)
    flag = only(flags, OCR_SUSPECT)
    assert flag.suggestion == "Japanese" and flag.details == {"word": "Jaranese"}
    assert NAME_ONE_SIDE not in codes(flags)  # read as "Japanese", not as a name
    assert texts[2] == "The Jaranese troops fired."


def test_russian_text_without_ocr_errors_has_no_suspects(ru_path):
    assert ocr_suspects(split_sentences(ru_path.read_text(encoding="utf-8"), "ru"), "ru") == {}


# --- the real seed ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_en(en_ocr_path):
    return document_from_text(en_ocr_path.read_text(encoding="ascii"), "en",
                              filename=en_ocr_path.name)


def test_seed_ocr_suggestions(seed_en):
    found = ocr_suspects(seed_en.texts, "en")
    assert found["Jaranese"] == "Japanese"
    assert found["cessotion"] == "cessation"
    assert found["afeas"] == "areas"
    assert found["occuration"] == "occupation"
    # real words and names are left alone
    for word in ("Shigemitsu", "Litvinov", "Grodekovo", "Japanese", "redemarcation"):
        assert word not in found


def test_seed_name_variants(seed_en):
    groups = {g.canonical: g for g in document_name_variants(seed_en.texts)}
    assert set(groups["Hunch'un"].forms) == {"Hunch'un", "Khunchun"}
    assert {"Shigemit'su", "SHIGHMITSU"} <= set(groups["Shigemitsu"].forms)


def test_alignment_flags_on_a_hand_made_alignment():
    ru = document_from_text(
        "Японское правительство 4 августа выступило с предложением. "
        "Протестовать бесполезно. Высота 588 находится в 20 километрах от Гродеково.", "ru")
    en = document_from_text(
        "The Japanese Government on August 4th brought out the proposal. "
        "Hill 588 is situated 22 kilometers south-west of Grodekovo. "
        "Not fire toward Manchukuo.", "en")
    assert len(ru.sentences) == 3 and len(en.sentences) == 3
    alignment = Alignment(beads=[Bead((0,), (0,), 0.9), Bead((1,), (), 0.5),
                                 Bead((2,), (1,), 0.9), Bead((), (2,), 0.5)])
    flags = alignment_flags(ru, en, alignment)
    assert sorted(flags) == [1, 2, 3]
    assert codes(flags[1]) == [OMISSION]
    assert codes(flags[2]) == [NUMBER_MISMATCH]
    assert flags[2][0].details == {"src_only": ["20"], "tgt_only": ["22"]}
    assert codes(flags[3]) == [ADDITION]
    assert all(f.to_dict()["code"] == f.code for fl in flags.values() for f in fl)


def test_name_variant_flag_goes_on_the_bead_with_the_minority_spelling():
    ru = document_from_text("Хуньчуньское соглашение. Хуньчуньское соглашение. "
                            "Хуньчуньское соглашение.", "ru")
    en = document_from_text("The Hunch'un Agreement. The Hunch'un Agreement. "
                            "The Khunchun Agreement.", "en")
    alignment = Alignment(beads=[Bead((i,), (i,), 0.9) for i in range(3)])
    flags = alignment_flags(ru, en, alignment)
    assert list(flags) == [2]
    flag = only(flags[2], NAME_VARIANT)
    assert flag.suggestion == "Hunch'un" and flag.side == "tgt"


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=60), max_size=3), st.lists(st.text(max_size=60), max_size=3),
       st.sampled_from(["ru", "en", "de"]))
def test_bead_flags_never_raise_on_odd_text(src, tgt, lang):
    flags = bead_flags(src, tgt, lang, "en")
    assert all(f.code in {ADDITION, OMISSION, NUMBER_MISMATCH, DATE_MISMATCH, NAME_ONE_SIDE}
               for f in flags)
