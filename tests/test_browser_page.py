"""The review page in headless Chromium, what a fresh user runs into: the provenance banner
follows the alignment record through a re-align, its undo and redo (the adaptation it was
made with; the picker's bead count too), and switching view is a step in the browser's history (Back returns to the
bead under review; Esc goes back to it, or forward when the view was opened directly)."""

from __future__ import annotations

import pytest

from test_browser import CHROMEDRIVER, CHROMIUM  # noqa: F401 - skips first without Chromium

pytestmark = pytest.mark.browser
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):  # pragma: no cover - test_browser skips first
    pytest.skip("needs Debian chromium and chromium-driver", allow_module_level=True)

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402

from aligner.store import review, service  # noqa: E402
from aligner.store.adaptation import adapt_project  # noqa: E402
from support.api import DigitEncoder, store_demo_alignment  # noqa: E402
from support.browser import (  # noqa: E402, F401 - fixtures
    LiveServer,
    driver,
    live,
    open_page,
    press,
    selected_pos,
    toast,
    wait,
    wait_version,
)


def _view(drv) -> str:
    return drv.find_element(By.TAG_NAME, "body").get_attribute("data-view")


def _hash(drv) -> str:
    return drv.execute_script("return location.hash")


def _adapted(drv) -> str:
    """The banner's adaptation ("" when it shows none)."""
    found = drv.find_elements(By.CSS_SELECTOR, "#provenance .settings .adapted")
    return found[0].text if found else ""


def _store_adapted_project(factory) -> int:
    """Project "demo": a fully confirmed alignment (31 beads) and the project's adaptation
    fitted on it (with the encoder the server re-aligns with), and a second alignment of 11
    beads made before the adaptation; returns the second one's id."""
    done = store_demo_alignment(factory, 32)
    fresh = store_demo_alignment(factory, 12)
    with factory() as s:
        ids = [b["id"] for b in service.list_beads(s, done, 0, 1000)["beads"]]
        review.confirm(s, done, 1, ids, user="admin")
        assert adapt_project(s, service.get_alignment(s, done)["project_id"], DigitEncoder()) is not None
    return fresh


@pytest.fixture()
def adapted(tmp_path):
    with LiveServer(tmp_path / "browser.db", 0, store=_store_adapted_project) as srv:
        yield srv


def test_the_banner_follows_the_adaptation_through_realign_undo_and_redo(driver, adapted):  # noqa: F811
    open_page(driver, f"{adapted.url}#a={adapted.aid}&p=0")
    with adapted.session() as s:
        before = service.get_alignment(s, adapted.aid)
    assert before["adaptation"] is None and _adapted(driver) == ""

    press(driver, "A")  # re-align the unconfirmed part: the project's adaptation is used
    wait(driver, expected_conditions.alert_is_present(), what="the question").accept()
    wait_version(driver, before["version"] + 1)
    with adapted.session() as s:
        after = service.get_alignment(s, adapted.aid)
    summary = after["adaptation"]
    assert summary.startswith("adapted on 31 confirmed beads")
    wait(driver, lambda d: _adapted(d) == f"· {summary}", what="the adaptation in the banner")
    assert (before["beads"], after["beads"]) == (11, 12)  # the 2-2 bead is two 1-1 beads now
    picked = driver.find_element(By.CSS_SELECTOR, f'#alignment-select option[value="{adapted.aid}"]')
    assert picked.text.endswith("(12 beads)")

    press(driver, "u")  # undo gives back the record the beads were made with: none
    wait_version(driver, before["version"] + 2)
    wait(driver, lambda d: _adapted(d) == "", what="no adaptation after undo")

    press(driver, "y", ctrl=True)
    wait_version(driver, before["version"] + 3)
    wait(driver, lambda d: _adapted(d) == f"· {summary}", what="the adaptation again after redo")
    assert "settings: defaults" in driver.find_element(By.CSS_SELECTOR, "#provenance .settings").text


def test_back_returns_from_the_renderings_view_to_the_bead(driver, live):  # noqa: F811
    with live.session() as s:
        src = service.get_alignment(s, live.aid)["src_document_id"]
    review_hash = f"#a={live.aid}&p=5"
    open_page(driver, f"{live.url}{review_hash}")
    wait(driver, lambda d: selected_pos(d) == 5, what="bead 6 selected")
    start = driver.execute_script("return history.length")
    for switch in (lambda: press(driver, "g"), lambda: driver.find_element(By.ID, "renderings-btn").click()):
        switch()
        wait(driver, lambda d: _view(d) == "renderings" and _hash(d) == f"#d={src}", what="renderings view")
        assert driver.execute_script("return history.length") == start + 1  # one entry, not replaced
        driver.back()  # back in the page, to the bead under review
        wait(driver, lambda d: _view(d) == "review" and _hash(d) == review_hash, what="review after Back")
        wait(driver, lambda d: selected_pos(d) == 5, what="bead 6 selected after Back")
        driver.forward()
        wait(driver, lambda d: _view(d) == "renderings" and _hash(d) == f"#d={src}", what="renderings after Forward")
        driver.back()
        wait(driver, lambda d: _view(d) == "review" and _hash(d) == review_hash, what="review again")

    # Esc from a view opened from the review list goes back to that entry: Forward reopens the view
    press(driver, "g")
    wait(driver, lambda d: _view(d) == "renderings", what="renderings view")
    driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait(driver, lambda d: _view(d) == "review" and _hash(d) == review_hash, what="review after Esc")
    assert driver.execute_script("return history.length") == start + 1
    driver.forward()
    wait(driver, lambda d: _view(d) == "renderings", what="renderings after Forward")

    # a view opened directly (a bookmark): "Back to review" is a new entry, Back returns to the view
    driver.get(f"{live.url}#d={src}")
    wait(driver, lambda d: _view(d) == "renderings" and d.find_elements(By.CSS_SELECTOR, "#rv-table .rv-row"),
         what="renderings rows")
    driver.find_element(By.ID, "rv-back").click()
    wait(driver, lambda d: _view(d) == "review" and _hash(d).startswith(f"#a={live.aid}&p="), what="review")
    driver.back()
    wait(driver, lambda d: _view(d) == "renderings" and _hash(d) == f"#d={src}", what="renderings after Back")
