"""The review workflow of issue 14 in real headless Chromium: correcting a sentence and undoing
it, applying an OCR suggestion, bulk confirm and undo, exporting TMX and XLIFF from the page,
importing a TMX and an InterText alignment and reviewing them, the layout at 1280×720, find
in the alignment, the overview strip, and every key listed under "?"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
if not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()):
    pytest.skip("needs Debian chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): "
                "apt-get install -y chromium chromium-driver", allow_module_level=True)
pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install '.[test]')")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from aligner.document import document_from_text  # noqa: E402
from aligner.export import render_export  # noqa: E402
from aligner.fidelity import flag_alignment  # noqa: E402
from aligner.store import review, service  # noqa: E402
from aligner.types import Alignment, Bead  # noqa: E402
from support.api import demo_documents  # noqa: E402
from support.browser import (  # noqa: E402, F401 - fixtures
    LiveServer,
    allow_downloads,
    downloaded,
    driver,
    live,
    open_page,
    press,
    reset_viewport,
    row,
    selected_pos,
    toast,
    viewport,
    wait,
    wait_version,
)

FRONT = Path(__file__).resolve().parents[1] / "frontend"
OCR_EN = ["The Japanese ambassador came at two.", "Then the Japanese side replied.",
          "The Jaranese reply came late.", "We waited for the Japanese answer.", "The end."]
OCR_RU = ["Посол Японии пришёл в два часа.", "Японская сторона ответила.",
          "Японский ответ пришёл поздно.", "Мы ждали ответа японцев.", "Конец."]
SCORES = [0.99, 0.97, 0.5, 0.96, 0.2, 0.95, 0.94, 0.6, 0.98, 0.1]


def _store(factory, src, tgt, alignment, project="p") -> int:
    with factory() as s:
        pid = service.get_or_create_project(s, project)
        a = service.import_document(s, pid, src, "source")
        b = service.import_document(s, pid, tgt, "translation")
        return service.store_alignment(s, a, b, alignment)


def store_ocr(factory) -> int:
    """Five 1-1 beads; bead 2's target has the OCR error "Jaranese" (flagged)."""
    src = document_from_text("\n".join(OCR_RU), "ru", filename="ocr.ru.txt", presplit=True, kind="archival")
    tgt = document_from_text("\n".join(OCR_EN), "en", filename="ocr.en.txt", presplit=True,
                             kind="translation")
    alignment = Alignment(beads=[Bead((i,), (i,), 0.9) for i in range(5)], encoder="digits 1")
    flag_alignment(src, tgt, alignment)
    assert alignment.beads[2].flags == ["ocr-suspect"]
    return _store(factory, src, tgt, alignment)


def store_scored(factory) -> int:
    """Ten 1-1 beads of the demo bitext with the scores :data:`SCORES`."""
    src, tgt = demo_documents(len(SCORES))
    beads = [Bead((i,), (i,), s) for i, s in enumerate(SCORES)]
    return _store(factory, src, tgt, Alignment(beads=beads, encoder="digits 1"))


def statuses(srv) -> list[str]:
    with srv.session() as s:
        return [b["status"] for b in service.list_beads(s, srv.aid, 0, 1000)["beads"]]


def body(drv, name):
    return drv.find_element(By.TAG_NAME, "body").get_attribute(f"data-{name}")


@pytest.fixture()
def ocr(tmp_path):
    with LiveServer(tmp_path / "ocr.db", 0, store=store_ocr) as srv:
        yield srv


@pytest.fixture()
def scored(tmp_path):
    with LiveServer(tmp_path / "scored.db", 0, store=store_scored) as srv:
        yield srv


# --- correcting text -------------------------------------------------------------------

def test_edit_a_sentence_and_undo(driver, live):
    open_page(driver, live.url)
    row(driver, 0).find_element(By.CSS_SELECTOR, ".side.tgt .sent").click()
    wait(driver, lambda d: d.find_element(By.ID, "sent-edit").text == "Sentence number 1 about the border.",
         what="sentence in the panel")
    press(driver, "e")
    box = driver.find_element(By.ID, "sent-text")
    wait(driver, lambda d: d.switch_to.active_element == box, what="editor focused")
    box.clear()
    box.send_keys("Sentence number one about the frontier.")
    box.send_keys(Keys.CONTROL, Keys.ENTER)
    wait_version(driver, 2)
    cell = row(driver, 0).find_element(By.CSS_SELECTOR, ".side.tgt .sent")
    assert cell.find_element(By.CSS_SELECTOR, ".txt").text == "Sentence number one about the frontier."
    assert "corrected" in cell.get_attribute("class")
    assert "Sentence number 1 about the border." in cell.get_attribute("title")  # the original
    # the raw text is never changed, and the sentence is still shown at its place in it
    wait(driver, lambda d: d.find_element(By.ID, "sent-edit").text == "Sentence number one about the frontier.",
         what="panel shows the corrected text")
    assert driver.find_element(By.CSS_SELECTOR, "#raw-text mark").text == "Sentence number 1 about the border."
    assert "Sentence number 1 about the border." in driver.find_element(By.ID, "sent-original").text
    with live.session() as s:
        sent = service.list_beads(s, live.aid, 0, 1)["beads"][0]["tgt"][0]
        assert sent["text"] == "Sentence number one about the frontier."
        assert sent["original"] == "Sentence number 1 about the border."
        assert review.history(s, live.aid)[0]["operation"] == "edit-text"
    press(driver, "u")
    wait_version(driver, 3)
    cell = row(driver, 0).find_element(By.CSS_SELECTOR, ".side.tgt .sent")
    assert cell.find_element(By.CSS_SELECTOR, ".txt").text == "Sentence number 1 about the border."
    assert "corrected" not in cell.get_attribute("class")
    with live.session() as s:
        assert "original" not in service.list_beads(s, live.aid, 0, 1)["beads"][0]["tgt"][0]


def test_apply_an_ocr_suggestion_with_one_click_and_one_key(driver, ocr):
    open_page(driver, ocr.url)
    row(driver, 2).click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#fidelity .apply-suggestion"),
         what="the suggestion's button")
    button = driver.find_element(By.CSS_SELECTOR, "#fidelity .apply-suggestion")
    assert button.get_attribute("data-word") == "Jaranese"
    assert "Japanese" in driver.find_element(By.CSS_SELECTOR, "#fidelity .suggestion q").text
    button.click()
    wait_version(driver, 2)
    assert row(driver, 2).find_element(By.CSS_SELECTOR, ".side.tgt .txt").text == "The Japanese reply came late."
    assert "ocr-suspect" not in row(driver, 2).text  # the flags were recomputed
    with ocr.session() as s:
        assert review.history(s, ocr.aid)[0]["operation"] == "apply-suggestion"
    press(driver, "u")  # undone: the error and its flag are back
    wait_version(driver, 3)
    assert "Jaranese" in row(driver, 2).text and "ocr-suspect" in row(driver, 2).text
    press(driver, "o")  # the key applies the bead's first suggestion
    wait_version(driver, 4)
    assert row(driver, 2).find_element(By.CSS_SELECTOR, ".side.tgt .txt").text == "The Japanese reply came late."


# --- review at speed ---------------------------------------------------------------------

def test_bulk_confirm_above_095_and_undo(driver, scored):
    open_page(driver, scored.url)
    press(driver, "b")
    dialog = driver.find_element(By.ID, "bulk-dialog")
    wait(driver, lambda d: dialog.get_attribute("open") is not None, what="bulk dialog")
    assert driver.find_element(By.ID, "bulk-score").get_attribute("value") == "0.95"
    driver.find_element(By.ID, "bulk-ok").click()
    wait_version(driver, 2)
    expected = ["confirmed" if s >= 0.95 else "unreviewed" for s in SCORES]
    assert statuses(scored) == expected
    assert [row(driver, p).get_attribute("data-status") for p in range(len(SCORES))] == expected
    wait(driver, lambda d: d.find_element(By.ID, "overview").get_attribute("data-confirmed") == "5",
         what="overview counts")
    press(driver, "u")  # one undo takes back the whole bulk edit
    wait_version(driver, 3)
    assert statuses(scored) == ["unreviewed"] * len(SCORES)
    for _ in range(4):
        press(driver, "j")
    wait(driver, lambda d: selected_pos(d) == 4, what="bead #5")
    press(driver, "C")  # everything up to and including this bead
    wait_version(driver, 4)
    assert statuses(scored) == ["confirmed"] * 5 + ["unreviewed"] * 5


def test_merge_leaves_the_bead_unreviewed_and_c_u_act_on_it(driver, live):
    open_page(driver, live.url)
    press(driver, "m")
    wait_version(driver, 2)
    assert row(driver, 0).get_attribute("data-type") == "3-3"
    assert row(driver, 0).get_attribute("data-status") == "unreviewed"  # no silent confirm
    press(driver, "c")
    wait_version(driver, 3)
    assert row(driver, 0).get_attribute("data-status") == "confirmed"
    press(driver, "c")  # nothing to change: no empty version
    wait(driver, lambda d: "already confirmed" in toast(d), what="already-confirmed note")
    assert body(driver, "version") == "3"
    press(driver, "u")  # undoes the confirmation, which was real
    wait_version(driver, 4)
    assert row(driver, 0).get_attribute("data-status") == "unreviewed"
    assert row(driver, 0).get_attribute("data-type") == "3-3"


def test_find_in_the_alignment_and_jump_between_hits(driver, live):
    open_page(driver, live.url)
    press(driver, "/")
    box = driver.find_element(By.ID, "search-input")
    wait(driver, lambda d: d.switch_to.active_element == box, what="find box")
    assert driver.find_element(By.ID, "search-scope").get_attribute("value") == "alignment"
    box.send_keys("NUMBER 2", Keys.ENTER)  # sentences 2, 20..29: beads #2 and #20..#29
    wait(driver, lambda d: selected_pos(d) == 1, what="first hit")
    assert driver.find_element(By.ID, "find-count").text == "1 / 11"
    box.send_keys(Keys.ENTER)
    wait(driver, lambda d: selected_pos(d) == 18, what="second hit")
    box.send_keys(Keys.SHIFT, Keys.ENTER)
    wait(driver, lambda d: selected_pos(d) == 1, what="back to the first")
    box.send_keys(Keys.ESCAPE)
    press(driver, ">")
    wait(driver, lambda d: selected_pos(d) == 18, what="> jumps on")
    press(driver, "<")
    wait(driver, lambda d: selected_pos(d) == 1, what="< jumps back")


def test_concordance_hit_opens_its_row_in_renderings(driver, live):
    open_page(driver, live.url)
    press(driver, "q")
    box = driver.find_element(By.ID, "search-input")
    box.send_keys("Sentence number 25", Keys.ENTER)
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results a.to-row"), what="hit")
    driver.find_element(By.CSS_SELECTOR, "#search-results a.to-row").click()
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".rv-row.focus"), what="focused row")
    focus = driver.find_element(By.CSS_SELECTOR, ".rv-row.focus")
    assert "Sentence number 25 about the border." in focus.text
    assert "Предложение номер 25 о границе." in focus.text
    assert driver.execute_script(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight;", focus)


def test_six_long_beads_fit_at_1280x720_and_the_overview_jumps(driver, tmp_path):
    long_en = ("The People's Commissar told the Ambassador that the Soviet Government could not agree "
               "to the demand to withdraw its troops from the heights near Lake Khasan, since those "
               "heights lie on Soviet territory.")
    long_ru = ("Народный комиссар сказал послу, что советское правительство не может согласиться с "
               "требованием отвести войска от высот у озера Хасан, потому что эти высоты находятся "
               "на советской территории.")

    def store(factory):
        n = 400
        src = document_from_text("\n".join(f"{k}. {long_ru}" for k in range(n)), "ru",
                                 filename="long.ru.txt", presplit=True, kind="archival")
        tgt = document_from_text("\n".join(f"{k}. {long_en}" for k in range(n)), "en",
                                 filename="long.en.txt", presplit=True, kind="translation")
        beads = [Bead((i,), (i,), 0.3 if i == 300 else 0.9, ["number-mismatch"] if i == 350 else [])
                 for i in range(n)]
        return _store(factory, src, tgt, Alignment(beads=beads, encoder="digits 1"))

    viewport(driver, 1280, 720)
    try:
        with LiveServer(tmp_path / "long.db", 0, store=store) as srv:
            open_page(driver, srv.url)
            fits = """const v = document.getElementById('beads').getBoundingClientRect();
              return [...document.querySelectorAll('#beads .bead')].filter((r) => {
                const b = r.getBoundingClientRect(); return b.top >= v.top - 1 && b.bottom <= v.bottom + 1;
              }).length;"""
            assert len(long_en) > 190 and driver.execute_script(fits) >= 6  # side panel shown
            press(driver, "p")  # hidden: the text columns get its width
            wait(driver, lambda d: not d.find_element(By.ID, "panel").is_displayed(), what="panel hidden")
            assert driver.execute_script(fits) >= 8
            strip = driver.find_element(By.ID, "overview")
            wait(driver, lambda d: strip.get_attribute("data-total") == "400", what="overview data")
            assert (strip.get_attribute("data-low"), strip.get_attribute("data-flagged")) == ("1", "1")
            height = strip.size["height"]
            assert height > 300
            # click at 3/4 of its height: the bead three quarters through the text
            driver.execute_script("""const c = arguments[0], r = c.getBoundingClientRect();
              c.dispatchEvent(new MouseEvent('click', {clientX: r.left + 9, clientY: r.top + r.height * 0.75, bubbles: true}));""", strip)
            wait(driver, lambda d: abs(selected_pos(d) - 300) <= 2, what="jump to 3/4")
            press(driver, "p")
    finally:
        reset_viewport(driver)


# --- export and import -----------------------------------------------------------------

def test_export_tmx_and_xliff_from_the_page(driver, live, tmp_path):
    from translate.storage import tmx, xliff

    with live.session() as s:
        beads = service.list_beads(s, live.aid, 0, 100)["beads"]
        review.add_note(s, live.aid, None, beads[0]["id"], "date checked in the archive", user="anna")
        v = review.edit_sentence(s, live.aid, 1, beads[3]["tgt"][0]["id"], "Sentence number five, corrected.",
                                 user="anna").version
        review.confirm(s, live.aid, v, beads[0]["id"], user="anna")
    allow_downloads(driver, tmp_path)
    open_page(driver, live.url)
    press(driver, "E")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '#export-list a[data-format="xliff2"]'),
         what="export menu")
    names = [li.get_attribute("data-format") for li in driver.find_elements(By.CSS_SELECTOR, "#export-list > li")]
    assert names == ["tsv", "json", "tmx", "xliff", "xliff2", "vecalign", "tei", "intertext"]
    driver.find_element(By.CSS_SELECTOR, '#export-list a[data-format="tmx"]').click()
    units = tmx.tmxfile.parsestring(downloaded(tmp_path, ".tmx").read_bytes()).units
    assert len(units) == 29 and units[0].getnotes() == "date checked in the archive"
    assert units[3].target == "Sentence number five, corrected."
    driver.find_element(By.CSS_SELECTOR, '#export-list li[data-format="xliff"] input[name="keep_nulls"]').click()
    driver.find_element(By.CSS_SELECTOR, '#export-list a[data-format="xliff"]').click()
    store = xliff.xlifffile.parsestring(downloaded(tmp_path, ".xlf").read_bytes())
    assert store.units[0].getnotes() == "date checked in the archive" and store.units[0].isapproved()
    assert store.units[3].target == "Sentence number five, corrected."


def _upload(driver, fmt, files: dict, **fields):
    press(driver, "I")
    wait(driver, lambda d: d.find_element(By.ID, "import-dialog").get_attribute("open") is not None,
         what="import dialog")
    Select(driver.find_element(By.ID, "import-format")).select_by_value(fmt)
    for role, path in files.items():
        driver.find_element(By.ID, f"import-{role}").send_keys(str(path))
    for name, value in fields.items():
        driver.find_element(By.CSS_SELECTOR, f'#import-form input[name="{name}"]').send_keys(value)
    driver.find_element(By.CSS_SELECTOR, '#import-form button[type="submit"]').click()


def test_import_a_tmx_and_an_intertext_alignment_and_review_them(driver, live, tmp_path):
    with live.session() as s:
        src, tgt, alignment = service.load_bitext(s, live.aid)
    alignment.beads[1].status = "confirmed"
    (tmp_path / "memory.tmx").write_bytes(render_export("tmx", src, tgt, alignment, {"keep_nulls": True}))
    zipped = render_export("intertext", src, tgt, alignment)
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(zipped)) as z:
        for name in z.namelist():
            (tmp_path / name).write_bytes(z.read(name))
    link, from_doc, to_doc = sorted(z.namelist(), key=lambda n: (n.count("."), n))[::-1][0], None, None
    grp = (tmp_path / link).read_text()
    from_doc = re.search(r'fromDoc="([^"]+)"', grp).group(1)
    to_doc = re.search(r'toDoc="([^"]+)"', grp).group(1)

    open_page(driver, live.url)
    _upload(driver, "tmx", {"alignment": tmp_path / "memory.tmx"})
    wait(driver, lambda d: "Imported from memory.tmx" in d.find_element(By.ID, "provenance").text,
         what="the imported TMX opened")
    assert row(driver, 1).get_attribute("data-status") == "confirmed"  # its review states came along
    assert row(driver, 1).get_attribute("data-type") == "2-2"
    press(driver, "c")  # reviewed like ours
    wait_version(driver, 2)
    assert row(driver, 0).get_attribute("data-status") == "confirmed"

    _upload(driver, "intertext", {"alignment": tmp_path / link, "source": tmp_path / from_doc,
                                  "target": tmp_path / to_doc})
    wait(driver, lambda d: "Imported from " + link in d.find_element(By.ID, "provenance").text,
         what="the imported InterText alignment opened")
    assert body(driver, "version") == "1"
    assert row(driver, 1).get_attribute("data-type") == "2-2"
    press(driver, "j")
    press(driver, "m")  # structure edits work on it too
    wait_version(driver, 2)
    assert row(driver, 1).get_attribute("data-type") == "3-3"
    with live.session() as s:
        imported = [a for a in service.list_alignments(s) if a["imported"]]
    assert [(a["imported"]["format"], a["imported"]["via"]) for a in imported] == [
        ("tmx", "page"), ("intertext", "page")]


def test_every_key_is_listed_under_help():
    keys_js = (FRONT / "keys.js").read_text(encoding="utf-8")
    block = keys_js.split("const actions = {", 1)[1].split("};", 1)[0]
    keys = set(re.findall(r'(?:^|[\s,{])"?([^\s:,"{]+)"?\s*:', block))
    html = (FRONT / "index.html").read_text(encoding="utf-8")
    helptext = html.split('id="help"', 1)[1].split("</table>", 1)[0]
    listed = {re.sub(r"&(lt|gt);", lambda m: "<" if m.group(1) == "lt" else ">", k)
              for k in re.findall(r"<kbd>([^<]+)</kbd>", helptext)}
    names = {"ArrowDown": "↓", "ArrowUp": "↑", "Escape": "Esc"}
    missing = sorted(k for k in keys if names.get(k, k) not in listed)
    assert missing == []
