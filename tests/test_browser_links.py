"""Word links on the page, in real headless Chromium, over the Litvinov pair aligned and
stored by the pipeline with the default encoder (links need real words; the Russian side
is a TEST RECONSTRUCTION, not the archival text). Harness: tests/support/browser.py.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

import test_browser  # noqa: F401 - skips this module too when Chromium or Selenium is missing
from support.browser import LiveServer, driver, open_page, press, wait  # noqa: F401, E402

from api.threaded import ThreadedServer  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from aligner.pipeline import align_pair, read_document, store_pair  # noqa: E402
from aligner.store import service  # noqa: E402
from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402

PHRASE_RU, PHRASE_EN = "в нашем понимании", "in our understanding"

# Select `text` inside the element matching `selector` (walking its text nodes, so it works
# whether or not the sentence was already wrapped into word spans).
SELECT = """
const [selector, text] = arguments;
for (const box of document.querySelectorAll(selector)) {
  const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
  const nodes = []; let whole = "";
  for (let n = walker.nextNode(); n; n = walker.nextNode()) { nodes.push([n, whole.length]); whole += n.textContent; }
  const at = whole.indexOf(text);
  if (at < 0) continue;
  const find = (pos) => { for (const [n, s] of nodes) if (pos <= s + n.textContent.length) return [n, pos - s]; };
  const range = document.createRange();
  range.setStart(...find(at)); range.setEnd(...find(at + text.length));
  const sel = document.getSelection(); sel.removeAllRanges(); sel.addRange(range);
  return true;
}
return false;
"""
LIT = "return [...document.querySelectorAll(arguments[0])].map((w) => w.textContent);"
# The word-link requests the page made (the Resource Timing entries of its fetches).
LINK_REQUESTS = """return performance.getEntriesByType("resource").map((e) => e.name)
  .filter((u) => /\\/links(\\?|$)/.test(new URL(u).pathname + new URL(u).search));"""
# Ids of the bead rows on screen, and of those whose source text is wholly on screen.
ON_SCREEN = """
const view = document.querySelector("#beads").getBoundingClientRect();
const top = Math.max(view.top, 0), bottom = Math.min(view.bottom, innerHeight);
const rows = [...document.querySelectorAll("#beads .bead")];
const shown = rows.filter((r) => { const b = r.getBoundingClientRect(); return b.bottom > top && b.top < bottom; });
const whole = shown.filter((r) => { const t = r.querySelector(".side.src .txt");
  if (!t) return false; const b = t.getBoundingClientRect(); return b.top >= top && b.bottom <= bottom; });
return [shown.map((r) => Number(r.dataset.id)), whole.map((r) => Number(r.dataset.id))];
"""


class LitvinovServer(LiveServer):
    """The API over the stored Litvinov alignment, the default encoder for links."""

    def __init__(self, db, encoder, src, tgt) -> None:  # noqa: D107 - LiveServer's, other data
        app = create_app(Settings(db=db, auth="local"), encoder_provider=lambda name=None: encoder)
        self.aid = store_pair(app.state.session_factory, src, tgt, align_pair(src, tgt, encoder),
                              project="seed").alignment_id
        ThreadedServer.__init__(self, app)


@pytest.fixture(scope="module")
def seed(tmp_path_factory, default_encoder, ru_path, en_ocr_path):
    src, tgt = read_document(ru_path, "ru"), read_document(en_ocr_path, "en")
    with LitvinovServer(tmp_path_factory.mktemp("links") / "seed.db", default_encoder, src, tgt) as srv:
        with srv.session() as s:
            srv.beads = service.list_beads(s, srv.aid, 0, 1000)["beads"]
        yield srv


def _ids_with(seed, words):
    return [b["id"] for b in seed.beads if any(words in s["text"] for s in b["src"])]


def _has_run(texts, words):
    return any(texts[i:i + len(words)] == words for i in range(len(texts)))


def test_selecting_a_phrase_lights_its_rendering_in_both_beads(driver, seed):
    open_page(driver, seed.url)
    first, second = _ids_with(seed, PHRASE_RU)
    assert driver.execute_script(SELECT, f'.bead[data-id="{first}"] .side.tgt .txt', PHRASE_EN)
    for bead in (first, second):
        wait(driver, lambda d: _has_run(d.execute_script(LIT, f'.bead[data-id="{bead}"] .side.src .w.lit'),
                                        PHRASE_RU.split()), what=f"«{PHRASE_RU}» lit in bead {bead}")
        focus = driver.execute_script(LIT, f'.bead[data-id="{bead}"] .side.tgt .w.focus')
        assert _has_run(focus, PHRASE_EN.split())  # the phrase itself, in both beads
    # A collapsed selection (a click elsewhere) puts the lights out.
    driver.execute_script("document.getSelection().removeAllRanges();")
    wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "#beads .w.lit"), what="lights out")


def test_pointing_at_words_full_and_partial_links_look_different(driver, seed):
    open_page(driver, seed.url)
    (bead,) = _ids_with(seed, "японские войска прекратят")
    row = driver.find_element(By.CSS_SELECTOR, f'.bead[data-id="{bead}"]')
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", row)
    src = next(t for t in row.find_elements(By.CSS_SELECTOR, ".side.src .txt")
               if "японские войска прекратят" in t.get_attribute("textContent"))
    ActionChains(driver).move_to_element(src).perform()
    wait(driver, lambda d: src.get_attribute("data-words") == "1", what="words wrapped")
    words = {}
    for w in src.find_elements(By.CSS_SELECTOR, ".w"):
        words.setdefault(w.get_attribute("textContent"), w)
    # «японские» ↔ "Japanese": a one-to-one link, lit solid.
    ActionChains(driver).move_to_element(words["японские"]).perform()
    wait(driver, lambda d: "Japanese" in d.execute_script(LIT, f'.bead[data-id="{bead}"] .side.tgt .w.lit'),
         what="Japanese lit")
    full = row.find_element(By.CSS_SELECTOR, ".side.tgt .w.lit:not(.partial)")
    assert full.text == "Japanese"
    # «войска» ↔ "the troops": a 1-2 group, so both links are partial: striped, dashed.
    ActionChains(driver).move_to_element(words["войска"]).perform()
    wait(driver, lambda d: d.execute_script(LIT, f'.bead[data-id="{bead}"] .side.tgt .w.lit.partial')[:2]
         == ["the", "troops"], what="the troops lit as partial")
    partial = row.find_element(By.CSS_SELECTOR, ".side.tgt .w.lit.partial")
    assert partial.value_of_css_property("outline-style") == "dashed"
    assert full.value_of_css_property("outline-style") != "dashed"
    assert partial.value_of_css_property("background-image") != full.value_of_css_property("background-image")
    assert "partial link" in driver.find_element(By.ID, "help").get_attribute("textContent")


def test_fidelity_evidence_is_highlighted_on_both_sides(driver, seed):
    flagged = next(b for b in seed.beads if any("Чжангофын" in s["text"] for s in b["src"])
                   and "name-one-side" in b["flags"])
    driver.get(f"{seed.url}#a={seed.aid}&p={flagged['position']}")
    wait(driver, lambda d: "Name on one side only" in d.find_element(By.ID, "fidelity").text, what="flag")
    sel = f'.bead[data-id="{flagged["id"]}"]'
    wait(driver, lambda d: "Чжангофын" in d.execute_script(LIT, f"{sel} .side.src .w.evidence")
         and "Changkufeng" in d.execute_script(LIT, f"{sel} .side.tgt .w.evidence"), what="evidence")


def test_renderings_view_and_concordance_light_the_links(driver, seed):
    open_page(driver, seed.url)
    press(driver, "g")  # the source with its rendering, one column
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#rv-table .rv-row")) > 2, what="rows")
    assert driver.execute_script(SELECT, "#rv-table .rv-row .rv-cell:nth-child(1) .txt", PHRASE_RU)
    wait(driver, lambda d: _has_run(d.execute_script(LIT, "#rv-table .rv-cell:nth-child(2) .w.lit"),
                                    PHRASE_EN.split()), what="rendering lit in the column")
    requests = driver.execute_script(LINK_REQUESTS)  # the row, the rows on screen, the spread
    assert requests and all(urlparse(u).path == f"/api/alignments/{seed.aid}/links" for u in requests)
    asked = [b for u in requests for b in _asked(u)]
    # how many rows are on screen to batch depends on the window: at most three requests
    # (the row, the rest of the screen, the spread), and no bead asked for twice
    assert len(requests) <= 3 and len(asked) == len(set(asked))
    press(driver, Keys.ESCAPE)
    press(driver, "q")  # the concordance over every document ("/" finds in this alignment)
    driver.find_element(By.ID, "search-input").send_keys(PHRASE_EN, Keys.ENTER)
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#search-results .hit")) == 2, what="hits")
    assert [m.text for m in driver.find_elements(By.CSS_SELECTOR, "#search-results .aligned-text mark")] \
        == [PHRASE_RU, PHRASE_RU]
    assert driver.execute_script(SELECT, "#search-results .hit-text", PHRASE_EN)
    for k in (1, 2):  # the selected phrase is in both hits: both renderings light up
        wait(driver, lambda d: _has_run(d.execute_script(LIT, f"#search-results .hit:nth-child({k}) .aligned-text .w.lit"),
                                        PHRASE_RU.split()), what=f"hit {k} lit")


def _asked(url: str) -> list[int]:
    return [int(b) for b in parse_qs(urlparse(url).query)["beads"][0].split(",")]


def test_pointing_along_the_list_costs_two_requests_for_the_rows_on_screen(driver, seed):
    open_page(driver, seed.url)
    driver.execute_script("performance.clearResourceTimings();")
    on_screen, whole = driver.execute_script(ON_SCREEN)
    assert len(on_screen) >= 5 and len(whole) >= 3, (on_screen, whole)
    for bead in (whole[0], whole[-1], whole[len(whole) // 2]):  # one row, then others on screen
        txt = driver.find_element(By.CSS_SELECTOR, f'.bead[data-id="{bead}"] .side.src .txt')
        ActionChains(driver).move_to_element(txt).perform()
        wait(driver, lambda d: txt.get_attribute("data-words") == "1", what=f"words of bead {bead} wrapped")
    requests = driver.execute_script(LINK_REQUESTS)
    # the row pointed at first, on its own (its words light up without waiting for a
    # screenful to be linked), then the rest of the screen in one batch: not one per bead
    assert len(requests) == 2, requests
    assert all(urlparse(u).path == f"/api/alignments/{seed.aid}/links" for u in requests)
    own, rest = map(_asked, requests)
    assert own == [whole[0]] and whole[0] not in rest and set(on_screen) <= {whole[0], *rest}
    assert len(rest) == len(set(rest))
    # The words light up from the batch's links as they did bead by bead.
    ActionChains(driver).move_to_element(driver.find_element(
        By.CSS_SELECTOR, f'.bead[data-id="{whole[-1]}"] .side.src .w')).perform()
    wait(driver, lambda d: d.execute_script(LIT, f'.bead[data-id="{whole[-1]}"] .side.tgt .w.lit'),
         what="a word lit from the batch")
    assert len(driver.execute_script(LINK_REQUESTS)) == 2
