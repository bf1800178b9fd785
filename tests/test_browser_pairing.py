"""The pairing view in headless Chromium: records left, candidates right; mark a record
untranslated, confirm a proposed pair (a job aligns it; the row then links to the
alignment), follow that link back to the review list, and back/forward, reload, Esc and
"Back to review" (all through the page's one URL-hash mechanism, frontend/hash.js; the
Pairing button is a step Back undoes; an unknown run in the hash is named); a second
rendering added to a record, and the question before a decision rejects confirmed pairs;
the Other target… list naming each target by its reference."""

from __future__ import annotations

import pytest

from test_browser import CHROMEDRIVER, CHROMIUM, LiveServer, driver, toast, wait  # noqa: F401
from test_pairing import write_made_up

pytestmark = pytest.mark.browser
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):  # pragma: no cover - test_browser skips first
    pytest.skip("needs Debian chromium and chromium-driver", allow_module_level=True)

from selenium.common.exceptions import StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

from aligner.batch.auto import pair_and_store  # noqa: E402


@pytest.fixture()
def paired(tmp_path, default_encoder):
    ru, en = write_made_up(tmp_path)
    with LiveServer(tmp_path / "browser.db", 12) as srv:
        stored = pair_and_store([ru], [en], "ru", "en", default_encoder, srv.app.state.session_factory)
        yield srv, stored


def _row(drv, ref_end):
    for row in drv.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]"):
        if ref_end in row.text:
            return row
    raise AssertionError(f"no record row with {ref_end!r}")


def _view(drv) -> str:
    return drv.find_element(By.TAG_NAME, "body").get_attribute("data-view")


def _settled(find):
    """``find()``, or False while the view is being redrawn (rows replaced under us)."""
    def attempt(drv):
        try:
            return find(drv)
        except (StaleElementReferenceException, AssertionError):
            return False
    return attempt


def test_pairing_view_untranslated_confirm_and_open_the_alignment(driver, paired):  # noqa: F811
    srv, stored = paired
    driver.get(f"{srv.url}#pr={stored.run_id}")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1", what="ready")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
    assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-view") == "pairing"
    assert not driver.find_element(By.ID, "list-wrap").is_displayed()
    assert "3 source records · 3 targets · 2 paired" in driver.find_element(By.ID, "pv-count").text
    row102 = _row(driver, "volume.txt#102")
    assert "telegram_112.txt" in row102.text and "partial" in row102.text and "proposed" in row102.text

    _row(driver, "volume.txt#103").find_element(By.CSS_SELECTOR, 'button[data-act="untranslated"]').click()
    wait(driver, _settled(lambda d: "marked untranslated" in _row(d, "volume.txt#103").text), what="untranslated mark")

    _row(driver, "volume.txt#101").find_element(By.CSS_SELECTOR, 'button[data-act="confirm"]').click()
    wait(driver, _settled(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "0"
                          and _row(d, "volume.txt#101").find_elements(By.CSS_SELECTOR, "a[data-aid]")),
         timeout=60, what="the confirmed pair's alignment link")
    row = _row(driver, "volume.txt#101")
    assert "confirmed" in row.text
    link = row.find_element(By.CSS_SELECTOR, "a[data-aid]")
    aid = link.get_attribute("data-aid")
    link.click()
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-view") == "review", what="review view")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead[data-pos="0"]'), what="first bead")
    assert driver.execute_script("return location.hash") == f"#a={aid}&p=0", toast(driver)
    assert not driver.find_element(By.ID, "pairing-view").is_displayed()
    assert driver.find_element(By.ID, "alignment-select").get_attribute("value") == aid

    # back: the pairing view of the run again, with the decisions made; forward: the alignment
    driver.back()
    wait(driver, lambda d: _view(d) == "pairing", what="pairing view after back")
    assert driver.execute_script("return location.hash") == f"#pr={stored.run_id}"
    assert not driver.find_element(By.ID, "list-wrap").is_displayed()
    wait(driver, _settled(lambda d: "marked untranslated" in _row(d, "volume.txt#103").text), what="decisions shown")
    driver.forward()
    wait(driver, lambda d: _view(d) == "review", what="review view after forward")
    wait(driver, lambda d: d.find_element(By.ID, "alignment-select").get_attribute("value") == aid,
         what=f"alignment {aid} open")
    assert driver.execute_script("return location.hash") == f"#a={aid}&p=0"

    # one view at a time: Renderings from the pairing view hides the pairing view
    driver.find_element(By.ID, "pairing-btn").click()
    wait(driver, lambda d: d.find_element(By.ID, "pairing-view").is_displayed(), what="pairing view again")
    driver.find_element(By.ID, "renderings-btn").click()
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-view") == "renderings",
         what="renderings view")
    assert not driver.find_element(By.ID, "pairing-view").is_displayed()
    assert not driver.find_element(By.ID, "list-wrap").is_displayed()


def test_pairing_view_marks_a_tentative_pair(driver, paired):  # noqa: F811
    from sqlalchemy import select

    from aligner.store.pairing_models import PairingPair

    srv, stored = paired
    with srv.app.state.session_factory() as session:  # as the leftover round stores one
        pairs = session.scalars(select(PairingPair).where(PairingPair.run_id == stored.run_id,
                                                          PairingPair.status == "proposed")).all()
        partial = next(p for p in pairs if p.partial)
        partial.evidence = {**partial.evidence, "tentative": True}
        session.commit()
    driver.get(f"{srv.url}#pr={stored.run_id}")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
    assert _row(driver, "volume.txt#102").find_elements(By.CSS_SELECTOR, ".pv-tentative")
    assert not _row(driver, "volume.txt#101").find_elements(By.CSS_SELECTOR, ".pv-tentative")


def test_pairing_view_reload_esc_and_links_to_the_open_alignment(driver, paired):  # noqa: F811
    srv, stored = paired
    driver.get(f"{srv.url}#a={srv.aid}&p=3")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead.selected[data-pos="3"]'), what="bead 3 selected")
    driver.find_element(By.ID, "pairing-btn").click()
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
    assert driver.execute_script("return location.hash") == f"#pr={stored.run_id}"

    driver.refresh()  # a reload on a pairing URL opens the pairing view again
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1", what="ready")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="rows after reload")
    assert _view(driver) == "pairing" and not driver.find_element(By.ID, "list-wrap").is_displayed()
    assert driver.find_element(By.ID, "pv-select").get_attribute("value") == str(stored.run_id)

    # a link to the alignment already open in the review list (hidden behind this view)
    driver.execute_script("location.hash = arguments[0]", f"#a={srv.aid}&p=5")
    wait(driver, lambda d: _view(d) == "review", what="review view")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead.selected[data-pos="5"]'), what="bead 5 selected")
    assert driver.find_element(By.ID, "list-wrap").is_displayed()
    assert not driver.find_element(By.ID, "pairing-view").is_displayed()

    # Esc and "Back to review" return to the bead under review, where it was
    for leave in (lambda: driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE),
                  lambda: driver.find_element(By.ID, "pv-back").click()):
        driver.find_element(By.ID, "pairing-btn").click()
        wait(driver, lambda d: _view(d) == "pairing", what="pairing view")
        assert driver.execute_script("return location.hash") == f"#pr={stored.run_id}"
        leave()
        wait(driver, lambda d: _view(d) == "review", what="review view")
        assert driver.execute_script("return location.hash") == f"#a={srv.aid}&p=5"
        assert driver.find_element(By.CSS_SELECTOR, ".bead.selected").get_attribute("data-pos") == "5"
        assert driver.find_element(By.ID, "list-wrap").is_displayed()


def test_back_from_the_pairing_view_returns_to_the_bead(driver, paired):  # noqa: F811
    srv, stored = paired
    review_hash = f"#a={srv.aid}&p=5"
    driver.get(f"{srv.url}{review_hash}")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead.selected[data-pos="5"]'), what="bead 6 selected")
    start = driver.execute_script("return history.length")
    driver.find_element(By.ID, "pairing-btn").click()  # a step the browser's Back undoes
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
    assert driver.execute_script("return [location.hash, history.length]") == [f"#pr={stored.run_id}", start + 1]
    driver.back()
    wait(driver, lambda d: _view(d) == "review", what="review view after Back")
    wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead.selected[data-pos="5"]'), what="bead 6 after Back")
    assert driver.execute_script("return location.hash") == review_hash
    driver.forward()
    wait(driver, _settled(lambda d: _view(d) == "pairing" and len(d.find_elements(By.CSS_SELECTOR, ".pv-row")) > 1),
         what="pairing view after Forward")
    driver.find_element(By.ID, "pv-back").click()  # back to the entry it came from: no new one
    wait(driver, lambda d: _view(d) == "review", what="review view")
    assert driver.execute_script("return [location.hash, history.length]") == [review_hash, start + 1]
    driver.forward()
    wait(driver, lambda d: _view(d) == "pairing", what="pairing view after Forward again")


def test_an_unknown_pairing_run_is_named_and_the_hash_shows_the_run_opened(driver, paired):  # noqa: F811
    srv, stored = paired
    driver.get(f"{srv.url}#pr={stored.run_id}")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
    assert not driver.find_element(By.ID, "toast").is_displayed()  # a known run: nothing to say
    for asked in ("999", "abc", "0"):
        driver.get(f"{srv.url}#pr={asked}")
        said = f"Pairing run {asked} does not exist; showing run {stored.run_id}."
        wait(driver, lambda d: toast(d) == said, what=f"the warning on run {asked}")
        wait(driver, lambda d: d.execute_script("return location.hash") == f"#pr={stored.run_id}", what="the hash fixed")
        assert _view(driver) == "pairing"
        assert driver.find_element(By.ID, "pv-select").get_attribute("value") == str(stored.run_id)


def test_other_target_options_name_each_target_by_its_reference(driver, tmp_path, default_encoder):  # noqa: F811
    from test_pairing import EN_DECOY

    ru, en = write_made_up(tmp_path)  # a second report of that day: same title, same date
    (en / "davies_2.txt").write_text(EN_DECOY.replace("pessimistic", "gloomy"), encoding="utf-8")
    with LiveServer(tmp_path / "browser.db", 12) as srv:
        stored = pair_and_store([ru], [en], "ru", "en", default_encoder, srv.app.state.session_factory)
        driver.get(f"{srv.url}#pr={stored.run_id}")
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
        options = _row(driver, "volume.txt#103").find_elements(By.CSS_SELECTOR, 'select[data-src] option:not([value=""])')
        texts = [o.text for o in options]
        assert len(texts) == 4 and len(set(texts)) == 4, texts
        by_file = {text.rsplit(" — ", 1)[1]: text.rsplit(" — ", 1)[0] for text in texts}
        assert sorted(by_file) == ["davies.txt", "davies_2.txt", "schulenburg.txt", "telegram_112.txt"]
        assert by_file["davies.txt"] == by_file["davies_2.txt"]  # told apart by the reference only
        assert by_file["davies.txt"].startswith("The Ambassador in the Soviet Union (Davies) to the")
        assert by_file["davies.txt"].endswith("… · 1939-03-14")  # a long title is cut, the date kept
        assert by_file["telegram_112.txt"] == "Telegram · 1939-03-13"


def test_pairing_view_says_a_record_has_several_confirmed_renderings(driver, paired):  # noqa: F811
    from aligner.store import pairing

    srv, stored = paired
    with srv.app.state.session_factory() as session:
        sources = {s["ref"].rsplit("#", 1)[1]: s for s in pairing.pairing_view(session, stored.run_id)["sources"]}
    record = sources["101"]
    targets = {c["target"]["ref"].rsplit("/", 1)[1]: c["target"]["id"] for c in record["candidates"]}
    for name in ("schulenburg.txt", "telegram_112.txt"):  # the record, and a telegram quoting it
        with srv.app.state.session_factory() as session:
            pairing.decide(session, stored.run_id, record["id"], "confirm", targets[name], user="admin")
            session.commit()
    driver.get(f"{srv.url}#pr={stored.run_id}")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
    row = _row(driver, "volume.txt#101")
    left, right = row.find_elements(By.CSS_SELECTOR, ".pv-cell")
    assert left.find_element(By.CSS_SELECTOR, ".pv-several").text == "2 confirmed renderings"
    assert len(right.find_elements(By.CSS_SELECTOR, ".pv-cand.pv-confirmed")) == 2
    for other in ("volume.txt#102", "volume.txt#103"):  # one proposed or none: nothing to say
        assert not _row(driver, other).find_elements(By.CSS_SELECTOR, ".pv-several")
    assert "1 with several confirmed renderings" in driver.find_element(By.ID, "pv-count").text


def _cand(row, name):
    return next(c for c in row.find_elements(By.CSS_SELECTOR, ".pv-cand") if name in c.text)


def _asking(drv) -> bool:
    return drv.find_element(By.ID, "pv-ask").get_attribute("open") is not None


def test_pairing_view_adds_a_rendering_and_asks_before_rejecting_confirmed_ones(driver, paired):  # noqa: F811
    from aligner.store import pairing

    srv, stored = paired
    sessions = srv.app.state.session_factory

    def stored_101():
        with sessions() as session:
            s = next(s for s in pairing.pairing_view(session, stored.run_id)["sources"] if s["ref"].endswith("#101"))
        return s["decision"], {c["target"]["ref"].rsplit("/", 1)[1]: c["status"] for c in s["candidates"]}

    with sessions() as session:  # the exhibit is confirmed already
        record = next(s for s in pairing.pairing_view(session, stored.run_id)["sources"] if s["ref"].endswith("#101"))
        exhibit = next(c["target"]["id"] for c in record["candidates"] if c["target"]["ref"].endswith("schulenburg.txt"))
        pairing.decide(session, stored.run_id, record["id"], "confirm", exhibit, user="admin")
        session.commit()
    driver.get(f"{srv.url}#pr={stored.run_id}")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
    assert not _row(driver, "volume.txt#102").find_elements(By.CSS_SELECTOR, 'button[data-act="add"]')  # none confirmed

    # add the telegram as a second rendering, from the keyboard: stored, aligned, shown
    add = _cand(_row(driver, "volume.txt#101"), "telegram_112.txt").find_element(By.CSS_SELECTOR, 'button[data-act="add"]')
    assert add.text == "Add as another rendering"
    add.send_keys(Keys.ENTER)
    wait(driver, _settled(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "0"
                          and _cand(_row(d, "volume.txt#101"), "telegram_112.txt").find_elements(By.CSS_SELECTOR, "a[data-aid]")),
         timeout=60, what="the added rendering aligned")
    assert stored_101() == ("", {"schulenburg.txt": "confirmed", "telegram_112.txt": "confirmed", "davies.txt": "candidate"})
    row = _row(driver, "volume.txt#101")
    assert row.find_element(By.CSS_SELECTOR, ".pv-several").text == "2 confirmed renderings"
    assert len(row.find_elements(By.CSS_SELECTOR, ".pv-cand.pv-confirmed")) == 2

    # Assign on it asks first, naming both; Cancel, then Esc (Assign pressed from the keyboard), keep them
    for how in ("cancel", "esc"):
        assign = _cand(_row(driver, "volume.txt#101"), "davies.txt").find_element(By.CSS_SELECTOR, 'button[data-act="reassign"]')
        (assign.click if how == "cancel" else lambda: assign.send_keys(Keys.ENTER))()
        wait(driver, _asking, what="the question before Assign")
        text = driver.find_element(By.ID, "pv-ask").text
        assert "Assigning The Ambassador in the Soviet Union (Davies)" in text
        assert "rejects its 2 confirmed renderings" in text
        # who confirmed each: admin in the store above, the page's local user just now
        assert "schulenburg.txt (confirmed by admin)" in text and "telegram_112.txt (confirmed by local)" in text
        assert driver.switch_to.active_element.get_attribute("id") == "pv-ask-cancel"  # the safe answer first
        if how == "cancel":
            driver.find_element(By.ID, "pv-ask-cancel").click()
        else:
            driver.switch_to.active_element.send_keys(Keys.ESCAPE)
        wait(driver, lambda d: not _asking(d), what="the question closed")
        assert _view(driver) == "pairing"  # Esc closed the question, not the view
        assert driver.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "0"
        assert stored_101()[1] == {"schulenburg.txt": "confirmed", "telegram_112.txt": "confirmed", "davies.txt": "candidate"}
        assert _row(driver, "volume.txt#101").find_element(By.CSS_SELECTOR, ".pv-several").text == "2 confirmed renderings"

    # "Other target…" asks too
    from selenium.webdriver.support.ui import Select
    select = _row(driver, "volume.txt#101").find_element(By.CSS_SELECTOR, "select[data-src]")
    Select(select).select_by_visible_text(next(o.text for o in Select(select).options if "(Davies)" in o.text))
    wait(driver, _asking, what="the question before another target")
    driver.find_element(By.ID, "pv-ask-cancel").click()
    wait(driver, lambda d: not _asking(d), what="the question closed")
    assert select.get_attribute("value") == "" and stored_101()[1]["davies.txt"] == "candidate"

    # the question's "Add as another rendering instead" keeps both and adds a third
    _cand(_row(driver, "volume.txt#101"), "davies.txt").find_element(By.CSS_SELECTOR, 'button[data-act="reassign"]').click()
    wait(driver, _asking, what="the question before Assign")
    driver.find_element(By.ID, "pv-ask-add").click()
    wait(driver, _settled(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "0"
                          and _row(d, "volume.txt#101").find_element(By.CSS_SELECTOR, ".pv-several").text
                          == "3 confirmed renderings"), timeout=60, what="a third confirmed rendering")
    assert stored_101() == ("", {"schulenburg.txt": "confirmed", "telegram_112.txt": "confirmed", "davies.txt": "confirmed"})

    # Untranslated asks (no "add instead" there); saying yes rejects them, and the page says which
    _row(driver, "volume.txt#101").find_element(By.CSS_SELECTOR, 'button[data-act="untranslated"]').click()
    wait(driver, _asking, what="the question before Untranslated")
    assert not driver.find_element(By.ID, "pv-ask-add").is_displayed()
    yes = driver.find_element(By.ID, "pv-ask-replace")
    assert yes.text == "Reject them and mark untranslated"
    yes.click()
    wait(driver, _settled(lambda d: "marked untranslated" in _row(d, "volume.txt#101").text), what="untranslated mark")
    said = toast(driver)
    assert said.startswith("Rejected 3 confirmed renderings: ") and "Schulenburg · 1939-03-03 (confirmed by admin)" in said
    assert "Telegram · 1939-03-13 (confirmed by local)" in said and "(Davies)" in said
    assert stored_101() == ("untranslated", {"schulenburg.txt": "rejected", "telegram_112.txt": "rejected",
                                             "davies.txt": "rejected"})
    assert not _row(driver, "volume.txt#101").find_elements(By.CSS_SELECTOR, ".pv-several")


def test_a_decision_on_an_out_of_date_view_is_refused_and_the_view_reloads(driver, paired):  # noqa: F811
    from aligner.store import pairing

    srv, stored = paired
    sessions = srv.app.state.session_factory
    with sessions() as session:  # the exhibit is confirmed when the page opens
        record = next(s for s in pairing.pairing_view(session, stored.run_id)["sources"] if s["ref"].endswith("#101"))
        ids = {c["target"]["ref"].rsplit("/", 1)[1]: c["target"]["id"] for c in record["candidates"]}
        pairing.decide(session, stored.run_id, record["id"], "confirm", ids["schulenburg.txt"], user="admin")
        session.commit()
    driver.get(f"{srv.url}#pr={stored.run_id}")
    wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record]")) == 3, what="3 record rows")
    with sessions() as session:  # another reviewer adds the telegram while this page is open
        pairing.decide(session, stored.run_id, record["id"], "confirm", ids["telegram_112.txt"], user="bob")
        session.commit()
    _cand(_row(driver, "volume.txt#101"), "davies.txt").find_element(By.CSS_SELECTOR, 'button[data-act="reassign"]').click()
    wait(driver, _asking, what="the question before Assign")
    yes = driver.find_element(By.ID, "pv-ask-replace")
    assert yes.text == "Reject it and assign"  # the one rendering this page shows
    yes.click()
    # refused: bob's rendering is named, nothing is rejected, and the view shows both now
    wait(driver, lambda d: "changed since you loaded the page" in toast(d), what="the refusal")
    assert "telegram_112.txt (confirmed by bob)" in toast(driver)
    wait(driver, _settled(lambda d: _row(d, "volume.txt#101").find_element(By.CSS_SELECTOR, ".pv-several").text
                          == "2 confirmed renderings"), what="the view reloaded")
    with sessions() as session:
        now = next(s for s in pairing.pairing_view(session, stored.run_id)["sources"] if s["ref"].endswith("#101"))
    assert {c["target"]["ref"].rsplit("/", 1)[1]: c["status"] for c in now["candidates"]} == \
        {"schulenburg.txt": "confirmed", "telegram_112.txt": "confirmed", "davies.txt": "candidate"}


def test_a_further_rendering_is_marked(driver, tmp_path, default_encoder, ru_path, en_ocr_path, tei_path):  # noqa: F811
    """The README's case: the exhibit renders the whole record, telegram d471 a part of it."""
    with LiveServer(tmp_path / "further.db", 12) as srv:
        stored = pair_and_store([ru_path], [en_ocr_path, tei_path], "ru", "en", default_encoder,
                                srv.app.state.session_factory)
        driver.get(f"{srv.url}#pr={stored.run_id}")
        wait(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ".pv-row[data-record] .pv-cand"), what="candidates")
        cards = {c.find_element(By.CSS_SELECTOR, ".hint").text.split(" · ")[0]: c
                 for c in driver.find_elements(By.CSS_SELECTOR, ".pv-row[data-record] .pv-cand")}
        d471 = next(c for ref, c in cards.items() if ref.endswith("#d471"))
        exhibit = next(c for ref, c in cards.items() if ref.endswith("en.ocr.txt"))
        assert sorted(m.text for m in d471.find_elements(By.CSS_SELECTOR, ".pv-further, .pv-partial")) == \
            ["further rendering", "partial"]
        assert "proposed" in d471.text and "3 sentences linked" in d471.text
        assert not exhibit.find_elements(By.CSS_SELECTOR, ".pv-further")
        # the other telegrams were scored as further renderings too, and turned down: no mark
        marked = [ref for ref, c in cards.items() if c.find_elements(By.CSS_SELECTOR, ".pv-further")]
        assert [ref.rsplit("#", 1)[1] for ref in marked] == ["d471"], marked
