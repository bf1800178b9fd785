"""aligner.segment: the cases archive documents need, for English and Russian."""

from __future__ import annotations

import pytest

from aligner.errors import UnknownLanguageError
from aligner.segment import SUPPORTED_LANGS, segment, split_sentences

EN_CASES = {
    "initials": (
        "From M. M. Litvinov's Diary. I said to Shigemitsu that I wanted to go.",
        ["From M. M. Litvinov's Diary.", "I said to Shigemitsu that I wanted to go."],
    ),
    "spaced acronym": (
        "It is ridiculous to draw the U S S R into a war with Japan. I think so.",
        ["It is ridiculous to draw the U S S R into a war with Japan.", "I think so."],
    ),
    "dotted acronym mid-sentence": (
        "There will be two representatives of the U.S.S.R. and, on the other, one each from Japan. Done.",
        ["There will be two representatives of the U.S.S.R. and, on the other, one each from Japan.", "Done."],
    ),
    "i. e.": (
        "The troops existed prior to July 29, i. e., the beginning of military operations. When calm returns, we talk.",
        ["The troops existed prior to July 29, i. e., the beginning of military operations.", "When calm returns, we talk."],
    ),
    "Def. Doc.": (
        "Def. Doc. No. 1504 was submitted. It was read.",
        ["Def. Doc. No. 1504 was submitted.", "It was read."],
    ),
    "Hill 588 after an OCR stray full stop": (
        "Japanese troops attacked our border guaras. who were defending Hill 588 situated 22 kilometers "
        "south-west of Grodekovo. Our reinforcements came.",
        ["Japanese troops attacked our border guaras. who were defending Hill 588 situated 22 kilometers "
         "south-west of Grodekovo.", "Our reinforcements came."],
    ),
    "quotes": (
        'Shigemitsu said "I agree." Then he left. "Where?" he asked. He asked: "Why?" Nobody answered.',
        ['Shigemitsu said "I agree."', "Then he left.", '"Where?" he asked.', 'He asked: "Why?"', "Nobody answered."],
    ),
}  # fmt: skip

RU_CASES = {
    "initials": (
        "Из дневника М. М. Литвинова. Запись беседы.",
        ["Из дневника М. М. Литвинова.", "Запись беседы."],
    ),
    "т. before a surname": (
        "Выступил т. Ворошилов. Затем слово взял т. Литвинов.",
        ["Выступил т. Ворошилов.", "Затем слово взял т. Литвинов."],
    ),
    "г. inside a sentence": (
        "Договор подписан 7 августа 1938 г. в Москве. Затем все разошлись.",
        ["Договор подписан 7 августа 1938 г. в Москве.", "Затем все разошлись."],
    ),
    "г. ending a sentence": (
        "Это было в 1938 г. Затем началась война.",
        ["Это было в 1938 г.", "Затем началась война."],
    ),
    "г. before initials": (
        "В 1938 г. М. М. Литвинов был наркомом.",
        ["В 1938 г. М. М. Литвинов был наркомом."],
    ),
    "т. е.": (
        "Положение войск до 29 июля, т. е. до начала военных действий. Когда спокойствие будет восстановлено, начнем.",
        ["Положение войск до 29 июля, т. е. до начала военных действий.",
         "Когда спокойствие будет восстановлено, начнем."],
    ),
    "quotes": (
        "Он сказал: «Мы готовы!» Затем ушел. Он снижает цену «миролюбивых» предложений. Дальше.",
        ["Он сказал: «Мы готовы!»", "Затем ушел.", "Он снижает цену «миролюбивых» предложений.", "Дальше."],
    ),
    "высота 588": (
        "Они обороняли высоту 588, которая находится в 22 километрах от Гродеково. Вскоре подоспело подкрепление.",
        ["Они обороняли высоту 588, которая находится в 22 километрах от Гродеково.",
         "Вскоре подоспело подкрепление."],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(EN_CASES))
def test_english_cases(case):
    text, expected = EN_CASES[case]
    assert split_sentences(text, "en") == expected


@pytest.mark.parametrize("case", sorted(RU_CASES))
def test_russian_cases(case):
    text, expected = RU_CASES[case]
    assert split_sentences(text, "ru") == expected


def test_reconstruction_heading_lines_stay_whole(ru_path):
    text = ru_path.read_text(encoding="utf-8").replace("\n", "\n\n")
    sents = split_sentences(text, "ru")
    assert sents[:4] == [
        "Из дневника М. М. Литвинова",
        "Запись беседы с Сигемицу",
        "7 августа 1938 г.",
        "Я сказал Сигемицу, что хочу воспользоваться его посещением, чтобы выразить свое "
        "удивление по следующему поводу.",
    ]


def test_spans_are_stripped_and_never_cross_a_paragraph_break():
    text = "  First sentence without end\n\nsecond paragraph starts lower. And ends.  "
    spans = segment(text, "en")
    assert [text[s:e] for s, e in spans] == [
        "First sentence without end",
        "second paragraph starts lower.",
        "And ends.",
    ]
    for s, e in spans:
        assert "\n" not in text[s:e] and text[s:e] == text[s:e].strip()


def test_repeated_sentences_get_their_own_spans():
    text = "Yes. No. Yes. No."
    assert segment(text, "en") == [(0, 4), (5, 8), (9, 13), (14, 17)]


@pytest.mark.parametrize(
    ("lang", "text", "n"),
    [
        ("de", "Das ist z. B. ein Test. Er endet hier.", 2),
        ("fr", "M. Dupont est arrivé. Il est parti.", 2),
        ("zh", "我们到了。他们走了。", 2),
        ("en-US", "One. Two.", 2),
        ("uk", "Перше речення. Друге речення.", 2),
    ],
)
def test_other_languages(lang, text, n):
    assert len(split_sentences(text, lang)) == n


def test_unknown_language_lists_supported():
    with pytest.raises(UnknownLanguageError) as err:
        segment("Text.", "xx")
    assert "'xx'" in str(err.value) and "en, es" in str(err.value)
    assert {"en", "ru", "de", "fr", "zh"} <= set(SUPPORTED_LANGS)


def test_sentences_inside_a_quotation_are_split():
    # pysbd keeps quoted speech whole; razdel splits the Russian, so we must too.
    text = "“Very good. Whose dog is it? I won’t let this pass!” he said."
    assert split_sentences(text, "en") == [
        "“Very good.", "Whose dog is it?", "I won’t let this pass!” he said.",
    ]


def test_abbreviations_inside_a_quotation_still_hold():
    text = "“Mr. Smith met M. M. Litvinov at noon. Then he left.”"
    assert split_sentences(text, "en") == ["“Mr. Smith met M. M. Litvinov at noon.", "Then he left.”"]


def test_a_megabyte_line_is_segmented_in_linear_time_and_exactly():
    """An OCR dump with no line breaks: cut into chunks at sentence ends first."""
    from aligner.segment import LINE_CHUNK, segment

    sentence = "The troops crossed the border near the lake and fired on the guards."
    line = (sentence + " ") * 15_000
    assert len(line) > 200 * LINE_CHUNK
    spans = segment(line, "en")
    assert len(spans) == 15_000 and all(line[a:b] == sentence for a, b in spans)


def test_a_run_on_block_without_punctuation_is_cut_at_spaces():
    from aligner.segment import MAX_SENTENCE_CHARS, segment

    text = "слово " * 3_000
    spans = segment(text, "ru")
    assert 9 <= len(spans) <= 12 and max(b - a for a, b in spans) <= MAX_SENTENCE_CHARS
    assert " ".join(text[a:b] for a, b in spans).split() == text.split()  # nothing lost


def test_segmenting_in_several_threads_gives_the_same_sentences():
    """pysbd's Segmenter keeps the text it is given on the instance; shared between a batch
    worker and the main thread it returned another call's sentences (a 39-work batch once
    counted 388 English sentences for a text that has 391)."""
    import threading

    texts = [" ".join(f"Mr. Smith went to Washington on day {i}. He said: \"It is fine.\" "
                      "Then he left." for i in range(40)),
             " ".join(f"The ambassador replied at {i} p.m. that it was impossible. We disagreed."
                      for i in range(40))]
    want = [split_sentences(t, "en") for t in texts]
    assert [len(w) for w in want] == [120, 80]
    wrong: list[int] = []

    def run(k: int) -> None:
        for _ in range(15):
            if split_sentences(texts[k], "en") != want[k]:
                wrong.append(k)

    threads = [threading.Thread(target=run, args=(k % 2,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
