"""The review page for a team, in real headless Chromium: signing in, a viewer who cannot
edit, and two reviewers in two browser sessions editing different beads of one alignment
without a conflict and seeing each other's edits (polling), on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
import tempfile

import pytest

from test_browser import CHROMEDRIVER, CHROMIUM, press, row, toast, wait, wait_version  # noqa: E402 (skips without chromium)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from sqlalchemy import select  # noqa: E402

from aligner.store.accounts.service import add_user  # noqa: E402
from aligner.store.models import Edit  # noqa: E402
from api.main import create_app  # noqa: E402
from api.settings import Settings  # noqa: E402
from support.api import DigitEncoder, store_demo_alignment  # noqa: E402
from api.threaded import ThreadedServer  # noqa: E402

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


def _chrome():
    profile = tempfile.mkdtemp(prefix="aligner-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1400,900"):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    drv.set_page_load_timeout(30)
    return drv, profile


@pytest.fixture(scope="module")
def browsers():
    """Two browsers with separate profiles (two people, two sessions)."""
    made = [_chrome(), _chrome()]
    yield [d for d, _ in made]
    for d, profile in made:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def team_server(db_url):
    """An accounts-mode server (anna, ivan: reviewers; vera: viewer) over the demo alignment."""
    app = create_app(Settings(db=db_url, auth="accounts"), encoder_provider=lambda n=None: DigitEncoder())
    with app.state.session_factory() as s:
        for name, role in (("anna", "reviewer"), ("ivan", "reviewer"), ("vera", "viewer")):
            add_user(s, name, PASSWORD, role)
    aid = store_demo_alignment(app.state.session_factory, 20)
    with ThreadedServer(app) as server:
        yield app, aid, server.url


def sign_in(drv, url, name, password=PASSWORD):
    drv.delete_all_cookies()
    drv.get(url)
    wait(drv, lambda d: d.find_elements(By.ID, "login-form"), what="sign-in form")
    drv.find_element(By.ID, "login-user").send_keys(name)
    drv.find_element(By.ID, "login-password").send_keys(password)
    drv.find_element(By.ID, "login-submit").click()


def signed_in(drv, name):
    wait(drv, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1",
         what=f"{name}'s page ready")
    wait(drv, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead[data-pos="0"]'), what="first bead")
    assert drv.find_element(By.ID, "user-btn").text.startswith(name)


def status(drv, pos):
    """A row's review status, None while the row is being re-rendered."""
    try:
        return row(drv, pos).get_attribute("data-status")
    except (StaleElementReferenceException, NoSuchElementException):
        return None


def log_users(app, aid):
    with app.state.session_factory() as s:
        return [(e.operation, e.user) for e in s.scalars(select(Edit).where(Edit.alignment_id == aid)
                                                         .order_by(Edit.id))]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_sign_in_and_a_viewer_cannot_edit(browsers, team_server):
    app, aid, url = team_server
    drv = browsers[0]
    sign_in(drv, url, "vera", "not the password")
    wait(drv, lambda d: "wrong account name or password" in d.find_element(By.ID, "login-status").text,
         what="refusal")
    assert not drv.find_elements(By.CSS_SELECTOR, ".bead")  # nothing shown before signing in
    drv.find_element(By.ID, "login-password").send_keys(PASSWORD)
    drv.find_element(By.ID, "login-submit").click()
    signed_in(drv, "vera")
    body = drv.find_element(By.TAG_NAME, "body")
    assert body.get_attribute("data-can-edit") == "0"
    assert not drv.find_element(By.ID, "undo-btn").is_displayed()
    press(drv, "c")
    wait(drv, lambda d: "viewer" in toast(d), what="refusal of the viewer's edit")
    assert status(drv, 0) == "unreviewed"
    assert log_users(app, aid) == []


def test_two_reviewers_edit_different_beads_and_see_each_other(browsers, team_server):
    app, aid, url = team_server
    anna, ivan = browsers
    for drv, name in ((anna, "anna"), (ivan, "ivan")):
        sign_in(drv, url, name)
        signed_in(drv, name)
    # ivan hears nothing for now: his page stays at version 1 while anna edits
    ivan.execute_script("document.body.dataset.poll = 'off'")
    press(anna, "c")                                      # anna confirms bead 1 (position 0)
    wait_version(anna, 2)
    for _ in range(5):
        press(ivan, "j")
    wait(ivan, lambda d: d.find_element(By.CSS_SELECTOR, ".bead.selected").get_attribute("data-pos") == "5",
         what="ivan on bead 6")
    press(ivan, "r")                                      # ivan rejects bead 6 from version 1
    wait(ivan, lambda d: status(d, 5) == "rejected", what="ivan's edit")
    assert "Not applied" not in toast(ivan)
    wait_version(ivan, 3)
    assert status(ivan, 0) == "confirmed"  # his reload shows anna's
    # anna's page learns of ivan's edit by polling, with no reload
    wait(anna, lambda d: status(d, 5) == "rejected", timeout=20,
         what="ivan's edit on anna's page")
    wait(anna, lambda d: "ivan: reject" in toast(d), what="who changed it")
    assert anna.find_element(By.TAG_NAME, "body").get_attribute("data-version") == "3"
    assert log_users(app, aid) == [("confirm", "anna"), ("reject", "ivan")]
