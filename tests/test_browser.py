"""The review page in real headless Chromium (Debian chromium + chromium-driver, Selenium).

Each test runs the API on 127.0.0.1 with a free port in a thread, over a fresh SQLite
file holding a pre-built demo alignment (tests/support/api.py), and stops it at the end
(the harness: tests/support/browser.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.browser
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip("needs Debian chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): "
                "apt-get install -y chromium chromium-driver", allow_module_level=True)
webdriver = pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install '.[test]')")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from sqlalchemy import select  # noqa: E402

from aligner.store import review, service  # noqa: E402
from aligner.store.models import Edit  # noqa: E402
from support.api import SCRIPT_TEXT  # noqa: E402
from support.browser import (  # noqa: E402, F401 - fixtures
    N,
    SCRIPT_AT,
    LiveServer,
    driver,
    live,
    open_page,
    press,
    row,
    selected_pos,
    toast,
    wait,
    wait_version,
)


def shape_in_db(live, pos):
    with live.session() as s:
        b = service.list_beads(s, live.aid, pos, 1)["beads"][0]
        return tuple(x["ord"] for x in b["src"]), tuple(x["ord"] for x in b["tgt"]), b["status"]


# --- tests ---------------------------------------------------------------------------

def test_page_shows_beads_numbers_scores_and_provenance(driver, live):
    open_page(driver, live.url)
    r0 = row(driver, 0)
    nums = [e.text for e in r0.find_elements(By.CSS_SELECTOR, ".num")]
    assert nums == ["1", "1"]  # source and target sentence numbers
    assert r0.find_element(By.CSS_SELECTOR, ".side.src .txt").text == "Предложение номер 1 о границе."
    assert r0.find_element(By.CSS_SELECTOR, ".side.tgt .txt").text == "Sentence number 1 about the border."
    assert r0.find_element(By.CSS_SELECTOR, ".score").text == "0.95"
    low = row(driver, 2).find_element(By.CSS_SELECTOR, ".score")
    assert low.text == "0.30"
    assert low.value_of_css_property("background-color") != r0.find_element(
        By.CSS_SELECTOR, ".score").value_of_css_property("background-color")
    assert "low-confidence" in row(driver, 2).text
    assert row(driver, 1).find_element(By.CSS_SELECTOR, ".type").text == "2-2"
    banner = driver.find_element(By.ID, "provenance").text
    assert "TEST RECONSTRUCTION — not the archival text" in banner
    assert "demo.ru.reconstructed.txt" in banner and "demo.en.txt" in banner
    assert "TEST RECONSTRUCTION" in driver.find_element(By.ID, "src-head").text
    assert "0 / 29 reviewed" in driver.find_element(By.ID, "progress-text").text


def test_keyboard_review_persists_after_reload(driver, live):
    open_page(driver, live.url)
    assert selected_pos(driver) == 0
    press(driver, "c")                                   # confirm bead 0
    wait_version(driver, 2)
    assert row(driver, 0).get_attribute("data-status") == "confirmed"
    press(driver, "j")                                   # to bead 1 (2-2)
    wait(driver, lambda d: selected_pos(d) == 1, what="selection on bead 1")
    press(driver, "m")                                   # merge with next → 3-3
    wait_version(driver, 3)
    assert row(driver, 1).get_attribute("data-type") == "3-3"
    press(driver, "s")                                   # split after the first sentences
    wait_version(driver, 4)
    assert [row(driver, p).get_attribute("data-type") for p in (1, 2)] == ["1-1", "2-2"]
    press(driver, "u")                                   # undo the split
    wait_version(driver, 5)
    assert row(driver, 1).get_attribute("data-type") == "3-3"
    press(driver, "y", ctrl=True)                        # redo it
    wait_version(driver, 6)
    assert row(driver, 1).get_attribute("data-type") == "1-1"
    press(driver, "z", ctrl=True)                        # undo again
    wait_version(driver, 7)
    press(driver, "k")
    wait(driver, lambda d: selected_pos(d) == 0, what="selection back on bead 0")
    press(driver, "]")                                   # move last source sentence of bead 0 on
    wait_version(driver, 8)
    assert row(driver, 0).get_attribute("data-type") == "0-1"

    driver.refresh()                                     # edits are kept
    open_page(driver, driver.current_url)
    assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-version") == "8"
    assert row(driver, 0).get_attribute("data-type") == "0-1"
    assert row(driver, 1).get_attribute("data-type") == "4-3"
    assert "reviewed" in driver.find_element(By.ID, "progress-text").text

    # ...and they are in the database
    assert shape_in_db(live, 0)[:2] == ((), (0,))
    assert shape_in_db(live, 1)[:2] == ((0, 1, 2, 3), (1, 2, 3))
    with live.session() as s:
        assert service.get_alignment(s, live.aid)["version"] == 8
        ops = [e.operation for e in s.scalars(select(Edit).where(Edit.alignment_id == live.aid)
                                               .order_by(Edit.id))]
        assert ops[:3] == ["confirm", "merge", "split"] and len(ops) == 7


def test_script_and_html_show_as_text(driver, live):
    open_page(driver, live.url)
    cell = row(driver, SCRIPT_AT - 1).find_element(By.CSS_SELECTOR, ".side.src .txt")
    assert SCRIPT_TEXT in cell.text
    assert driver.execute_script("return window.__pwned === undefined")
    assert driver.find_elements(By.CSS_SELECTOR, "#beads script, #beads b") == []
    cell.click()  # the raw panel too
    wait(driver, lambda d: SCRIPT_TEXT in d.find_element(By.CSS_SELECTOR, "#raw-text mark").text,
         what="raw panel")
    assert driver.find_elements(By.CSS_SELECTOR, "#panel script, #panel b") == []
    assert driver.execute_script("return window.__pwned === undefined")


def test_click_shows_sentence_in_raw_page(driver, live):
    open_page(driver, live.url)
    row(driver, 2).find_element(By.CSS_SELECTOR, ".side.tgt .sent").click()
    wait(driver, lambda d: d.find_element(By.CSS_SELECTOR, "#raw-text mark").text
         == "Sentence number 4 about the border.", what="highlight")
    assert "Target sentence 4" in driver.find_element(By.ID, "raw-title").text
    pre = driver.find_element(By.ID, "raw-text").text
    assert pre.startswith("Sentence number 1 about the border.")


def test_stale_version_reloads_and_tells_the_user(driver, live):
    open_page(driver, live.url)
    driver.execute_script("document.body.dataset.poll = 'off'")  # the conflict, not the poll, must tell
    with live.session() as s:  # another reviewer rejects the selected bead (0) meanwhile
        bid = service.list_beads(s, live.aid, 0, 1)["beads"][0]["id"]
        review.reject(s, live.aid, 1, [bid], user="anna")
    press(driver, "c")
    wait(driver, lambda d: "Not applied" in toast(d), what="conflict message")
    assert "reject by anna" in toast(driver)
    wait_version(driver, 2)
    wait(driver, lambda d: row(d, 0).get_attribute("data-status") == "rejected", what="reloaded bead")
    press(driver, "c")                                   # retry works
    wait_version(driver, 3)
    assert row(driver, 0).get_attribute("data-status") == "confirmed"


def test_help_overlay_and_queue(driver, live):
    open_page(driver, live.url)
    help_box = driver.find_element(By.ID, "help")
    assert not help_box.is_displayed()
    press(driver, "?")
    wait(driver, lambda d: help_box.is_displayed(), what="help overlay")
    text = help_box.text
    for key in ("confirm", "merge with next", "split", "undo", "redo", "move"):
        assert key in text
    press(driver, Keys.ESCAPE)
    wait(driver, lambda d: not help_box.is_displayed(), what="help closed")
    press(driver, "l")                                   # next low-confidence → bead 2
    wait(driver, lambda d: selected_pos(d) == 2, what="low-confidence bead")
    driver.find_element(By.CSS_SELECTOR, '#queue button[data-kind="non-1-1"]').click()
    wait(driver, lambda d: selected_pos(d) == 1, what="non-1-1 bead")


def test_large_alignment_is_paged(driver, tmp_path):
    with LiveServer(tmp_path / "big.db", 3000) as big:
        t0 = time.monotonic()
        open_page(driver, big.url)
        first_paint = time.monotonic() - t0
        rendered = len(driver.find_elements(By.CSS_SELECTOR, ".bead"))
        assert rendered <= 300  # only the blocks near the viewport
        press(driver, Keys.END)
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead.selected[data-pos="2998"]'),
             what="last bead")
        assert "3000" in driver.find_element(By.CSS_SELECTOR, ".bead.selected .side.src .txt").text
        assert len(driver.find_elements(By.CSS_SELECTOR, ".bead")) <= 900
        press(driver, "c")                               # edit far down the list
        wait_version(driver, 2)
        assert row(driver, 2998).get_attribute("data-status") == "confirmed"
        press(driver, Keys.HOME)
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead.selected[data-pos="0"]'),
             what="first bead again")
        assert row(driver, 0).is_displayed()
        with big.session() as s:
            assert service.list_beads(s, big.aid, 2998, 1)["beads"][0]["status"] == "confirmed"
        print(f"3000-bead alignment: first rows in {first_paint:.2f} s, {rendered} rows in the DOM")


def test_note_and_resegmentation_from_the_panel(driver, live):
    open_page(driver, live.url)
    press(driver, "a")                                   # focus the note box
    note = driver.find_element(By.ID, "note-input")
    wait(driver, lambda d: d.switch_to.active_element == note, what="note box focused")
    note.send_keys("check the <b>date</b>" + Keys.ENTER)
    wait(driver, lambda d: "check the <b>date</b>" in d.find_element(By.ID, "notes").text, what="note shown")
    assert row(driver, 0).find_element(By.CSS_SELECTOR, ".notes-count").text == "✎1"
    # split target sentence 1 at "… number 1| about the border."
    row(driver, 0).find_element(By.CSS_SELECTOR, ".side.tgt .sent").click()
    wait(driver, lambda d: d.find_element(By.ID, "sent-edit").text == "Sentence number 1 about the border.",
         what="sentence in the panel")
    driver.execute_script("""
        const node = document.getElementById('sent-edit').firstChild;
        const r = document.createRange(); r.setStart(node, 17); r.collapse(true);
        const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);""")
    driver.find_element(By.ID, "split-sent-btn").click()
    wait_version(driver, 2)
    texts = [e.text for e in row(driver, 0).find_elements(By.CSS_SELECTOR, ".side.tgt .txt")]
    assert texts == ["Sentence number 1", "about the border."]
    assert [e.text for e in row(driver, 1).find_elements(By.CSS_SELECTOR, ".side.tgt .num")] == ["3", "4"]


def test_upload_and_align_from_the_page(driver, live, tmp_path):
    open_page(driver, live.url)
    src, tgt = tmp_path / "new.ru.txt", tmp_path / "new.en.txt"
    src.write_text("Первое предложение 1.\nВторое предложение 2.\nТретье 3.\n", encoding="cp1251")
    tgt.write_text("First sentence 1.\nSecond sentence 2.\nThird 3.\n", encoding="utf-8")
    driver.find_element(By.ID, "new-btn").click()
    form = driver.find_element(By.ID, "new-form")
    name = form.find_element(By.NAME, "project")
    name.clear()
    name.send_keys("uploaded")
    form.find_element(By.NAME, "src_file").send_keys(str(src))
    form.find_element(By.NAME, "tgt_file").send_keys(str(tgt))
    form.find_element(By.NAME, "max_side").send_keys("3")
    form.find_element(By.CSS_SELECTOR, 'button[type="submit"]').click()
    wait(driver, lambda d: "new.ru" in d.find_element(By.ID, "alignment-select").text
         and d.find_element(By.TAG_NAME, "body").get_attribute("data-version") == "1"
         and "new.ru.txt" in d.find_element(By.ID, "provenance").text, timeout=30, what="new alignment open")
    assert row(driver, 0).find_element(By.CSS_SELECTOR, ".side.tgt .txt").text.startswith("First sentence 1")
    assert "archival text" in driver.find_element(By.ID, "provenance").text
    # the settings it was made with are shown, and kept with the alignment
    assert "settings: max_side 3" in driver.find_element(By.CSS_SELECTOR, "#provenance .settings").text


# --- renderings view, concordance, fidelity evidence ------------------------------------

def _second_rendering(live) -> tuple[int, int]:
    """A second English rendering of the demo source: sentences 1+2 of the source become
    one target sentence, and sentence 5 (0-based 4) carries a wrong number (flagged).
    Returns (source document id, new alignment id)."""
    from support.store import toy_document
    from aligner.types import Alignment, Bead

    texts = ["Sentence number 1, second rendering.",
             "Sentences number 2 and 3 together, second rendering."]
    texts += [f"Sentence number {k + 1 if k != 4 else 55}, second rendering." for k in range(3, N)]
    beads = [Bead((0,), (0,), 0.9), Bead((1, 2), (1,), 0.8)]
    beads += [Bead((i,), (i - 1,), 0.9, ["number-mismatch"] if i == 4 else []) for i in range(3, N)]
    with live.session() as s:
        src_id = service.get_alignment(s, live.aid)["src_document_id"]
        doc = toy_document(texts, "en", kind="translation", title="Second rendering")
        tgt_id = service.import_document(s, service.get_document(s, src_id)["project_id"], doc,
                                         "translation")
        return src_id, service.store_alignment(s, src_id, tgt_id, Alignment(beads=beads, encoder="digits 1"))


def test_renderings_view_shows_one_column_per_rendering(driver, live):
    src_id, aid2 = _second_rendering(live)
    open_page(driver, live.url)
    press(driver, "g")  # all renderings of the source under review
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rv-table .rv-row")) > 1, what="rows")
    heads = [h.text for h in driver.find_elements(By.CSS_SELECTOR, ".rv-head > div")]
    assert heads[0] == "Demo (ru) (ru)" and heads[1].startswith("Demo (en)") and heads[2].startswith("Second rendering")
    rows = driver.find_elements(By.CSS_SELECTOR, "#rv-table .rv-row:not(.rv-head)")
    # Source 1+2 are one bead in both alignments (2-2 and 2-1): one row; 30 sentences → 29 rows.
    assert len(rows) == N - 1
    cells = rows[1].find_elements(By.CSS_SELECTOR, ".rv-cell")
    assert [e.text for e in cells[0].find_elements(By.CSS_SELECTOR, ".num")] == ["2", "3"]
    assert cells[1].find_element(By.CSS_SELECTOR, ".rv-bead").text == "2-2 · 0.70"
    assert cells[2].find_element(By.CSS_SELECTOR, ".rv-bead").text == "2-1 · 0.80"
    assert "TEST RECONSTRUCTION" in driver.find_element(By.ID, "rv-provenance").text
    assert not driver.find_element(By.ID, "list-wrap").is_displayed()
    # A bead link opens that bead of the second alignment for review, with its evidence.
    rows[3].find_elements(By.CSS_SELECTOR, ".rv-cell")[2].find_element(By.CSS_SELECTOR, ".rv-bead").click()
    wait(driver, lambda d: d.find_element(By.ID, "alignment-select").get_attribute("value") == str(aid2)
         and selected_pos(d) == 3, what="bead 4 of the second alignment")
    wait(driver, lambda d: "Numbers differ" in d.find_element(By.ID, "fidelity").text, what="fidelity")
    fid = driver.find_element(By.ID, "fidelity").text
    assert "source only: 5" in fid and "target only: 55" in fid


def test_concordance_from_the_page(driver, live):
    _second_rendering(live)
    open_page(driver, live.url)
    press(driver, "q")  # "/" finds in this alignment; q in every document (issue 14)
    box = driver.find_element(By.ID, "search-input")
    assert driver.switch_to.active_element == box
    box.send_keys("номер 7 о", Keys.ENTER)
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results .hit"), what="hits")
    hit = driver.find_element(By.CSS_SELECTOR, "#search-results .hit")
    assert hit.find_element(By.CSS_SELECTOR, ".hit-text mark").text == "номер 7 о"
    aligned = [e.text for e in hit.find_elements(By.CSS_SELECTOR, ".aligned")]
    assert len(aligned) == 2  # one per alignment holding the sentence
    assert any("Sentence number 7 about the border." in a for a in aligned)
    assert any("Sentence number 7, second rendering." in a for a in aligned)
    hit.find_elements(By.LINK_TEXT, "review this bead")[0].click()
    wait(driver, lambda d: not d.find_element(By.ID, "search-dialog").get_attribute("open")
         and selected_pos(d) == 5, what="bead of sentence 7")
    box = driver.find_element(By.ID, "search-input")
    box.clear()
    box.send_keys("<script>", Keys.ENTER)
    wait(driver, lambda d: "not found" in d.find_element(By.ID, "search-status").text
         or d.find_elements(By.CSS_SELECTOR, "#search-results .hit"), what="search answered")
    assert driver.execute_script("return window.__pwned") is None
