"""Splitting volumes into records (aligner.records, aligner.headings) on made-up volumes."""

from __future__ import annotations

import pytest

from aligner.errors import InputError
from aligner.headings import classify_line, parse_date
from aligner.records import read_records, record_documents, split_records

RU_VOLUME = """\
НАРОДНЫЙ КОМИССАРИАТ ИНОСТРАННЫХ ДЕЛ

№ 101
Запись беседы народного комиссара иностранных дел СССР с послом Германии Шуленбургом
3 марта 1939 г.

Шуленбург посетил меня по поручению своего правительства и сообщил, что германская сторона готова возобновить переговоры о кредитном соглашении.
Я ответил, что советское правительство не может согласиться на прежние условия.
Литвинов
3 марта 1939 г.

№ 102
Секретно
Запись беседы с послом Японии Того
12 марта 1939 г.

Того заявил протест по поводу задержания японской рыболовной шхуны у берегов Камчатки.
10 марта 1939 г. пограничный катер доставил шхуну в Петропавловск, где экипаж находится до сих пор.

15 марта 1939 г.

Телеграмма была получена вчера, и посол просил ответить на нее до конца недели.
Того сказал, что передаст наш ответ в Токио.

103. Запись беседы с посланником Польши Гжибовским
20 марта 1939 г.
Гжибовский сообщил, что польское правительство обеспокоено задержками транзитных грузов.
"""

EN_VOLUME = """\
FOREIGN RELATIONS, 1939, VOLUME III

761.94/1120: Telegram

The Chargé in the Soviet Union (Kirk) to the Secretary of State

Moscow, March 13, 1939—6 p.m.
[Received March 13—2:20 p.m.]

112. The Japanese Ambassador saw Litvinov yesterday. The following is the Soviet account of the conversation.
On March 12, 1939, the Ambassador protested against the seizure of a schooner.
Note that the Ambassador did not raise the question of the concessions.

Record of a conversation with the German Ambassador Schulenburg
March 3, 1939
Schulenburg called on me on the instructions of his Government.
I replied that the Soviet Government could not agree to the former terms.

No. 239
Moscow, August 7, 1938
Litvinov made the following declaration to the Ambassador.
"""


def test_russian_volume_records_titles_dates_numbers():
    records = split_records(RU_VOLUME, "ru")
    assert [r.id for r in records] == ["101", "102", "103"]
    assert [r.date for r in records] == ["1939-03-03", "1939-03-12", "1939-03-20"]
    assert records[0].title.startswith("Запись беседы народного комиссара")
    assert records[2].title == "103. Запись беседы с посланником Польши Гжибовским"
    # the title page before the first heading is too short to be a record
    assert records[0].text.startswith("№ 101")
    # the signature's date closes record 101 (it is not record 102's heading)
    assert records[0].text.endswith("Литвинов\n3 марта 1939 г.")
    # a paragraph that starts with a date, a lone date line and a sentence that starts with
    # a title keyword, inside record 102, start nothing
    body = records[1].text
    assert "10 марта 1939 г. пограничный катер" in body and "15 марта 1939 г." in body
    assert "Телеграмма была получена вчера" in body and body.endswith("передаст наш ответ в Токио.")


def test_offsets_index_the_file_text():
    records = split_records(RU_VOLUME, "ru")
    for record in records:
        assert RU_VOLUME[record.start:record.end] == record.text
    assert records[0].start == RU_VOLUME.index("№ 101")
    assert records[-1].end == len(RU_VOLUME.rstrip())


def test_english_volume_frus_furniture_and_numbered_heading():
    records = split_records(EN_VOLUME, "en")
    assert len(records) == 3
    frus, record, numbered = records
    assert frus.text.startswith("761.94/1120: Telegram")
    assert frus.title == "761.94/1120: Telegram / The Chargé in the Soviet Union (Kirk) to the Secretary of State"
    assert frus.date == "1939-03-13"
    # "On March 12, 1939, ..." and "Note that ..." are sentences of the body
    assert "Note that the Ambassador" in frus.text
    assert record.title == "Record of a conversation with the German Ambassador Schulenburg"
    assert record.date == "1939-03-03"
    assert (numbered.id, numbered.date) == ("239", "1938-08-07")


def test_a_file_with_one_record_is_one_record():
    text = "Из дневника М. М. Литвинова\nЗапись беседы с Сигемицу\n7 августа 1938 г.\nЯ сказал Сигемицу, что удивлен.\n"
    (record,) = split_records(text, "ru")
    assert (record.start, record.end) == (0, len(text.rstrip()))
    assert record.title == "Из дневника М. М. Литвинова / Запись беседы с Сигемицу"
    assert record.date == "1938-08-07"
    (plain,) = split_records("Just a paragraph of text.\nAnd another one.", "en")
    assert plain.title == "Just a paragraph of text." and plain.date is None


def test_a_diary_is_cut_at_its_date_lines():
    diary = ("Из дневника М. М. Литвинова\n\n"
             "7 августа 1938 г.\nПринял японского посла Сигемицу. Беседа продолжалась два часа.\n\n"
             "8 августа 1938 г.\nПринял английского посла. Говорили о положении в Испании.\n\n"
             "9 августа 1938 г.\nПринял полпреда в Китае Луганца-Орельского.\n")
    records = split_records(diary, "ru")
    assert [r.date for r in records] == ["1938-08-07", "1938-08-08", "1938-08-09"]
    assert records[1].text.startswith("8 августа 1938 г.\nПринял английского посла")


def test_ocr_noise_in_headings():
    # a Latin "e" in «бесeды», a digit in "Te1egram", letter-spacing, "Augnst" and "l938"
    assert classify_line("Запись бесeды с Сигемицу", "ru").weight >= 2
    assert classify_line("Te1egram No. 239", "en").weight >= 2
    assert classify_line("З а п и с ь  б е с е д ы", "ru").weight >= 2
    assert classify_line("Moscow, Augnst 7, l938", "en").date == "1938-08-07"
    assert parse_date("7.viii.1938") == "1938-08-07"
    noisy = ("Запись бесeды с послом Японии\n7 августа 1938 r.\nПосол заявил протест.\n\n"
             "Запись беседы с послом Англии\n8 aвгуста 1938 г.\nПосол спросил о торговле.\n")
    records = split_records(noisy, "ru")
    assert [r.date for r in records] == ["1938-08-07", "1938-08-08"]


def test_body_sentences_are_not_headings():
    for line in ("Телеграмма была получена вчера.", "Note that the ambassador did not reply.",
                 "On August 7, 1938, the Ambassador called on Litvinov.",
                 "7 августа 1938 г. японские войска атаковали наши посты у высоты Заозерной.",
                 "Письмо было доставлено послу."):
        assert classify_line(line, "ru").weight == 0, line


def test_tei_records_and_documents(tei_path):
    file = read_records(tei_path, "en")
    records = file.records
    assert [r.id for r in records][:3] == ["d464", "d465", "d466"] and len(records) == 12
    d471 = next(r for r in records if r.id == "d471")
    assert d471.date == "1938-08-08"
    assert file.raw.text[d471.start:d471.end] == d471.text
    docs = record_documents(file, "en")
    doc = docs[records.index(d471)]
    assert doc.provenance.file == f"{tei_path.name}#d471" and doc.provenance.kind == "archival"
    for s in doc.sentences:  # sentence offsets + the record's start index the file's text
        assert file.raw.text[d471.start + s.raw_start:d471.start + s.raw_end] == doc.raw_text[s.raw_start:s.raw_end]


def test_record_documents_of_a_volume(tmp_path):
    path = tmp_path / "volume_ru.txt"
    path.write_text(RU_VOLUME, encoding="utf-8")
    file = read_records(path, "ru")
    docs = record_documents(file, "ru")
    assert [d.provenance.file for d in docs] == ["volume_ru.txt#101", "volume_ru.txt#102", "volume_ru.txt#103"]
    assert docs[1].title == "Запись беседы с послом Японии Того"  # not the «Секретно» mark
    for record, doc in zip(file.records, docs):
        assert doc.raw_text == record.text
        for s in doc.sentences:
            assert RU_VOLUME[record.start + s.raw_start:record.start + s.raw_end] == doc.raw_text[s.raw_start:s.raw_end]
    assert "Шуленбург посетил меня" in docs[0].texts[1]


def test_one_record_file_is_the_same_document_as_prepare_document(ru_path):
    from aligner.document import prepare_document

    file = read_records(ru_path, "ru")
    (doc,) = record_documents(file, "ru")
    plain = prepare_document(ru_path, "ru")
    assert doc.provenance.sha256 == plain.provenance.sha256 and doc.texts == plain.texts
    assert doc.provenance.kind == "reconstruction"


def test_empty_text_is_refused():
    with pytest.raises(InputError):
        split_records("  \n\n ", "ru")


def test_records_are_named_for_references_and_loaded_back(tmp_path, tei_path):
    from aligner.records import load_record, record_refs

    path = tmp_path / "volume_ru.txt"
    path.write_text(RU_VOLUME, encoding="utf-8")
    doc = load_record(f"{path}#102", "ru")
    assert doc.title == "Запись беседы с послом Японии Того" and doc.provenance.file == "volume_ru.txt#102"
    with pytest.raises(InputError, match="no record '999'.*101, 102, 103"):
        load_record(f"{path}#999", "ru")
    with pytest.raises(InputError, match="holds 3 records"):
        load_record(path, "ru")
    assert load_record(f"{tei_path}#d471", "en").provenance.file.endswith("#d471")
    twice = split_records("№ 5\n1 мая 1939 г.\nТекст первой записи.\n\n№ 5\n2 мая 1939 г.\nТекст второй записи.\n", "ru")
    assert record_refs(twice) == ["r1", "r2"]  # the same number twice: positions instead


def _frus_as_printed_text(tei_path) -> str:
    """The twelve FRUS telegrams laid out as the printed volume has them: document number,
    file note, heading, dateline with "[Received …]", paragraphs, signature."""
    import re

    from lxml import etree

    body = re.sub(r"^<!--.*?-->", "", tei_path.read_text(encoding="utf-8"), flags=re.S)
    root = etree.fromstring(f'<r xmlns:frus="urn:x">{body}</r>'.encode())

    def text(el) -> str:
        return " ".join("".join(el.itertext()).split())

    documents = []
    for div in (d for d in root.iter("div") if d.get("type") == "document"):
        parts = [div.get("n")]
        for el in div:
            if el.tag == "note" and el.get("type") == "source" or el.tag in ("head", "p", "list", "closer"):
                parts.append(text(el))
            elif el.tag == "opener":
                parts.append(text(el).replace(" [Received", "\n[Received"))
        documents.append("\n\n".join(parts))
    return "\n\n\n".join(documents)


def test_frus_printed_layout_is_split_at_each_telegram(tei_path):
    text = _frus_as_printed_text(tei_path)
    records = split_records(text, "en")
    assert [r.id for r in records] == ["464", "465", "466", "468", "469", "470", "471", "472", "474", "475", "476", "478"]
    assert [r.date for r in records][:4] == ["1938-08-04", "1938-08-05", "1938-08-05", "1938-08-07"]
    d471 = records[6]
    assert d471.title == "761.93 Manchuria/169: Telegram / The Chargé in the Soviet Union (Kirk) to the Secretary of State"
    assert d471.text.startswith("471\n\n761.93") and d471.text.endswith("Kirk")
    assert "239. My 238, August 7, midnight." in text[d471.body_start:d471.end][:60]


def test_tei_given_as_a_string_whatever_its_declared_encoding(tei_path):
    xml = '<?xml version="1.0" encoding="windows-1251"?>\n<TEI><text><body>' \
          '<div type="document" xml:id="d1"><head>Записка</head><p>Текст записки о границе.</p></div>' \
          '<div type="document" xml:id="d2"><head>Нота</head><p>Текст ноты.</p></div></body></text></TEI>'
    records = split_records(xml, "ru", is_tei=True)
    assert [(r.id, r.title, r.text) for r in records] == [
        ("d1", "Записка", "Записка\nТекст записки о границе."), ("d2", "Нота", "Нота\nТекст ноты.")]
    assert records[1].start == len(records[0].text) + 2 and records[0].body_start == len("Записка\n")
