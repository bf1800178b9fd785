"""What a line of an archival volume is: a record heading, a date line, or body text.

Conventions of Russian and English diplomatic records, diaries and telegrams:

* titles: «Запись беседы …», «Из дневника …», «Телеграмма …», "Memorandum of
  Conversation", "From M. M. Litvinov's Diary", "Telegram …" (strong: they open a record);
  «Письмо …», «Нота …», "Letter …", "Note …" (weak: a record only with a number or a date);
* numbers: «№ 239», "No. 239", "239." alone, or before a title ("239. Запись беседы …");
  a bare "471" (FRUS prints its document numbers so, and OCR its page numbers) only
  joins a heading, it opens none;
* FRUS print furniture (*Foreign Relations of the United States*): the file note
  "761.93 Manchuria/155: Telegram" and the address line "The Chargé in the Soviet Union
  (Kirk) to the Secretary of State";
* date lines: «7 августа 1938 г.», «Москва, 7 августа 1938 г.», «7.VIII.1938», "Moscow,
  August 7, 1938—10 p.m.", "7 August 1938", and the FRUS "[Received August 8—9 a.m.]";
* classification marks: «Секретно», «Совершенно секретно», "Strictly confidential".

A heading is a short line, not a sentence: a keyword that starts a sentence of the body
("Телеграмма была получена вчера.") is not one. OCR noise is tolerated: Latin/Cyrillic
look-alike letters (a Latin "e" in «бесeды»), digits for letters ("Te1egram", "l938"),
letter-spaced words («З а п и с ь»), and one-letter slips in keywords and month names
(rapidfuzz ratio >= 85).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from aligner.lexicon.numbers import EN_MONTH_ALTERNATION, EN_MONTHS, ru_month_number

# --- weights: a block of heading lines opens a record at STRONG or more -----------------

STRONG = 2.0
WEAK = 1.0
MARK = 0.5

RU_STRONG = ("запись беседы", "запись разговора", "протокол беседы", "из дневника",
             "телеграмма", "шифртелеграмма", "шифровка", "радиограмма", "телефонограмма",
             "памятная записка", "докладная записка", "сообщение тасс", "меморандум")
RU_WEAK = ("письмо", "нота", "записка", "заявление", "сообщение", "справка", "протокол",
           "постановление", "донесение", "выписка", "приложение", "доклад", "документ",
           "беседа", "интервью", "речь", "отчет", "коммюнике", "циркуляр", "директива",
           "дневник", "проект")
EN_STRONG = ("memorandum of conversation", "record of conversation", "record of a conversation",
             "from the diary", "telegram", "cablegram", "radiogram", "aide-memoire",
             "aide memoire", "note verbale", "despatch", "dispatch")
EN_WEAK = ("memorandum", "letter", "note", "statement", "communique", "report", "minutes",
           "protocol", "extract", "excerpt", "enclosure", "annex", "document", "declaration",
           "circular", "press release", "diary", "record")
# Words that may follow a title keyword in a heading (not in a sentence of the body).
_CONNECTORS = frozenset("""
    с со от к из о об по на в во для между № no nr of from to by for with on in at between
    the a an no. № number paraphrase
    полпреда посла поверенного наркома народного заместителя временного советника
    генерального консула министра военного председателя секретаря правительства тасс
    нкид мид агентства
""".split())
_SECRECY = re.compile(r"^(?:совершенно\s+|сов\.\s*)?секретно|^срочно|^вне\s+очереди|^лично"
                      r"|^(?:strictly\s+|most\s+)?(?:confidential|secret)|^top\s+secret"
                      r"|^personal(?:\s+and\s+confidential)?|^\[?paraphrase\]?|^urgent")
_RECEIVED = re.compile(r"^\[?\s*(?:received|получено|поступило)\b", re.I)
_NUMBER_LINE = re.compile(
    r"^(?:(?:№|no\.?|nr\.?|n°|n|док(?:умент)?\.?\s*№?|document(?:\s+no\.?)?)\s*(\d{1,5}[a-zа-я]?)|(\d{1,4})\.)$")
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_NUMBER_PREFIX = re.compile(r"^(?:№\s*|no\.\s*)?(\d{1,4})\.?\s+(?=\S)")
_FRUS_FILE = re.compile(r"^\d{3}\.\d{1,4}[\w ./’'()-]{0,60}:\s*(telegram|memorandum|note|letter|"
                        r"despatch|dispatch|report|instruction|circular|statement|"
                        r"[a-z ]{3,30})\b")
_ADDRESS = re.compile(r"^(?:the\s+)?[\w’'.,\- ]{3,80}\([\w’'.,\- ]{2,40}\)\s+to\s+(?:the\s+)?[\w’'.,\- ]{3,80}$")
_DIARY = re.compile(r"^(?:extract\s+|excerpt\s+)?from\b.{0,50}\bdiary\b|^(?:выписка\s+)?из\b.{0,50}\bдневника\b")
_SENTENCE_END = re.compile(r"[.!?…][\"'»”’)\]]*$")

_LAT_TO_CYR = str.maketrans("aceopxyABCEHKMOPTX", "асеорхуАВСЕНКМОРТХ")
_CYR_TO_LAT = str.maketrans("асеорхуАВСЕНКМОРТХ", "aceopxyABCEHKMOPTX")
_DIGIT_AS_LETTER = str.maketrans("01", "ol")
_SPACED = re.compile(r"(?<!\S)(?:\w ){3,}\w(?!\S)")
_MARKUP = re.compile(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>")


@dataclass(frozen=True)
class LineKind:
    """What one line is.

    ``weight``: heading strength (0 = body text; ``STRONG`` opens a record alone);
    ``kind``: ``"title"``, ``"number"``, ``"file"`` (FRUS file note), ``"address"``,
    ``"date"``, ``"mark"`` (classification, "[Received …]") or ``"body"``;
    ``date``: ISO date if the line is (or holds) a date; ``number``: the document number.
    """

    weight: float
    kind: str
    date: str | None = None
    number: str | None = None


BODY = LineKind(0.0, "body")


def normalise_line(line: str, *, lower: bool = True) -> str:
    """``line`` with markup dropped, look-alike letters put into the line's main script,
    digits inside words read as letters, letter-spacing closed up, white space collapsed,
    and (``lower``) lower-cased with ё read as е."""
    line = _MARKUP.sub(" ", line)
    line = _SPACED.sub(lambda m: m.group(0).replace(" ", ""), line)
    cyr = sum("\u0400" <= c <= "\u04ff" for c in line)
    lat = sum(c.isascii() and c.isalpha() for c in line)
    words = []
    for word in line.split():
        letters = sum(c.isalpha() for c in word)
        if letters >= 2 * sum(c.isdigit() for c in word) and not word[:1].isdigit():
            word = word.translate(_DIGIT_AS_LETTER)  # "Te1egram"; not "No.101" or "1938г."
        words.append(word.translate(_LAT_TO_CYR if cyr > lat else _CYR_TO_LAT))
    text = " ".join(words)
    return text.lower().replace("ё", "е").replace("é", "e") if lower else text


def classify_line(line: str, lang: str) -> LineKind:
    """Classify one line of a volume (see the module doc). ``lang`` is an ISO code; Russian
    and English keywords are both tried, whatever ``lang`` (volumes mix them)."""
    if len(line) > 300 or line.count(" ") > 45:  # a paragraph of the body: no need to look
        return BODY
    text = normalise_line(line)
    if not text or len(text) > 250:
        return BODY
    shape = normalise_line(line, lower=False).split()
    words = text.split()
    if len(words) > 30:
        return BODY
    iso = parse_date(text, date_line=True)
    if iso:
        return LineKind(WEAK, "date", date=iso)
    if _RECEIVED.match(text) or (len(words) <= 5 and _SECRECY.match(text)):
        return LineKind(MARK, "mark")
    number = _NUMBER_LINE.match(text.rstrip(":"))
    if number:
        return LineKind(WEAK, "number", number=number.group(1) or number.group(2))
    if _BARE_NUMBER.match(text):  # a FRUS document number, or a page number: joins a heading only
        return LineKind(MARK, "number", number=text)
    if _FRUS_FILE.match(text):
        return LineKind(STRONG, "file")
    if _ADDRESS.match(text.rstrip(".")) and len(words) <= 20:
        return LineKind(STRONG, "address")
    prefix = _NUMBER_PREFIX.match(text)
    rest = text[prefix.end():] if prefix else text
    weight = STRONG if _DIARY.match(rest) and len(words) <= 12 else _title_weight(rest, shape[len(text[:prefix.end()].split()):] if prefix else shape)
    if weight:
        # a heading may carry its date ("Record of a conversation … of August 7, 1938")
        return LineKind(weight + (WEAK if prefix else 0.0), "title", date=parse_date(rest),
                        number=prefix.group(1) if prefix else None)
    return BODY


def _title_weight(text: str, shape: list[str]) -> float:
    """STRONG/WEAK if ``text`` (normalised) opens with a title keyword and reads as a
    heading, not as a sentence of the body; else 0. ``shape``: the same words in their
    original case."""
    words = text.split()
    for keywords, weight in ((RU_STRONG + EN_STRONG, STRONG), (RU_WEAK + EN_WEAK, WEAK)):
        for keyword in keywords:
            size = len(keyword.split())
            head = " ".join(words[:size]).strip(".,:;()[]«»\"'")
            if head != keyword and not (len(keyword) >= 6 and fuzz.ratio(head, keyword) >= 85):
                continue
            after = words[size:]
            sentence = bool(_SENTENCE_END.search(text)) and len(words) > 2
            nxt = after[0].strip("«»\"'(") if after else ""
            opens_heading = (not after or nxt in _CONNECTORS or nxt[:1].isdigit()
                             or nxt[:1] in "№[(" or _names_next(shape, size))
            if weight == STRONG and (opens_heading or not sentence):
                return weight
            if weight == WEAK and opens_heading and not sentence:
                return weight
            return 0.0
    return 0.0


def _names_next(shape: list[str], size: int) -> bool:
    """Whether the word after the keyword is capitalised (a name or an initial: «Из
    дневника М. М. Литвинова», "Telegram Kirk") in a line that is not all capitals."""
    if len(shape) <= size or " ".join(shape).isupper():
        return False
    return shape[size][:1].isupper()


# --- dates ---------------------------------------------------------------------------------

_RU_MONTH = (r"(январ[ьяе]|феврал[ьяе]|марта?|апрел[ьяе]|ма[йя]|июн[ьяе]|июл[ьяе]|августа?|"
             r"сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])")
_EN_MONTH = "(" + EN_MONTH_ALTERNATION + r")\.?"
_YEAR = r"([12l][0-9lo]{3})"  # lower case: "l938" is an OCR'd 1938
_DAY = r"(\d{1,2}|l\d|\dl)"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(_DAY + r"\s*(?:-?го\s+)?" + _RU_MONTH + r"\s+" + _YEAR + r"\s*(?:г(?:ода?|г)?\.?|r\.)?"), "dmy_ru"),
    (re.compile(_EN_MONTH + r"\s+" + _DAY + r"(?:st|nd|rd|th|d)?,?\s+" + _YEAR), "mdy_en"),
    (re.compile(_DAY + r"(?:st|nd|rd|th|d)?\s+(?:of\s+)?" + _EN_MONTH + r",?\s+" + _YEAR), "dmy_en"),
    (re.compile(r"(\d{1,2})\.([ivx]{1,4}|\d{1,2})\.(\d{4}|\d{2})\s*(?:г(?:ода?)?\.?)?"), "numeric"),
    (re.compile(r"(\d{1,2})\s+(\w{3,9})\.?\s+" + _YEAR + r"\s*(?:г(?:ода?)?\.?)?"), "fuzzy_dmy"),
    (re.compile(r"(\w{3,9})\.?\s+(\d{1,2}),?\s+" + _YEAR), "fuzzy_mdy"),
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
          "x": 10, "xi": 11, "xii": 12}
_MONTH_NAMES = list(EN_MONTHS)[:12] + ["января", "февраля", "марта", "апреля", "мая", "июня",
                                        "июля", "августа", "сентября", "октября", "ноября", "декабря"]
_NOT_A_DATE_LINE_WORD = re.compile(r"[^\W\d_]{3,}")
# Words a date line may hold besides the date: place names (one or two), times, "г.".
_DATE_LINE_EXTRA = re.compile(
    r"\b(?:midnight|noon|a\.\s?m\.?|p\.\s?m\.?|час(?:ов|а)?|утра|вечера|дня|ночи|года?|"
    r"received|получено|new|san|den)\b")


def parse_date(text: str, *, date_line: bool = False) -> str | None:
    """The first date with day, month and year in ``text`` as ISO ``YYYY-MM-DD``, or None.

    ``text`` should be :func:`normalise_line` output (lower case). With ``date_line``, the
    line must be *only* a date: at most two other words (a place, "—10 p.m.", «г.»), no
    sentence around it (a dated paragraph of the body is not a date line).
    """
    for pattern, shape in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            iso = _iso(match.groups(), shape)
            if iso is None:
                continue
            if date_line and not _only_a_date(text, match):
                return None
            return iso
    return None


_BRACKETED = re.compile(r"\[.*?\]")


def _only_a_date(text: str, match: re.Match) -> bool:
    rest = text[:match.start()] + " " + text[match.end():]
    rest = _BRACKETED.sub(" ", rest)  # "[Received August 8—9 a.m.]"
    rest = _DATE_LINE_EXTRA.sub(" ", rest)
    return len(_NOT_A_DATE_LINE_WORD.findall(rest)) <= 2 and len(text) <= 90


def _iso(groups: tuple[str, ...], shape: str) -> str | None:
    try:
        if shape == "dmy_ru":
            day, month, year = groups[0], ru_month_number(groups[1]), groups[2]
        elif shape == "mdy_en":
            month, day, year = EN_MONTHS[groups[0]], groups[1], groups[2]
        elif shape == "dmy_en":
            day, month, year = groups[0], EN_MONTHS[groups[1]], groups[2]
        elif shape == "numeric":
            day, year = groups[0], groups[2]
            month = _ROMAN[groups[1]] if groups[1] in _ROMAN else int(groups[1])
            if len(year) == 2:
                year = "19" + year
        else:
            word, day, year = (groups[1], groups[0], groups[2]) if shape == "fuzzy_dmy" else groups
            month = _fuzzy_month(word)
            if month is None:
                return None
        y = int(str(year).translate(str.maketrans("lo", "10")))
        d = int(str(day).translate(str.maketrans("l", "1")))
        return date(y, int(month), d).isoformat()
    except (KeyError, ValueError):
        return None


def _fuzzy_month(word: str) -> int | None:
    """Month number of an OCR-damaged month name ("augnst", «авгуета»), or None."""
    found = process.extractOne(word, _MONTH_NAMES, scorer=fuzz.ratio, score_cutoff=80)
    if found is None:
        return None
    name = found[0]
    return EN_MONTHS[name] if name in EN_MONTHS else ru_month_number(name)
