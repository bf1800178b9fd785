"""The browser-test harness: the API served by uvicorn in a thread over a fresh SQLite
file, headless Debian Chromium driven by Selenium, and small helpers (wait for a version,
press keys, read rows). Test modules skip first when Chromium or Selenium is missing, then
import this (``from support.browser import driver, live, ...``)."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from api.main import create_app
from api.threaded import ThreadedServer
from api.settings import Settings
from support.api import DigitEncoder, store_demo_alignment

N = 30          # sentence pairs of the demo bitext → 29 beads (bead 1 is 2-2)
SCRIPT_AT = 5   # the sentence pair carrying <script> text (bead 4)


class LiveServer(ThreadedServer):
    """uvicorn in a thread (:class:`api.threaded.ThreadedServer`); ``url``, ``app``, ``aid``
    (the demo alignment, or what ``store(session_factory)`` stores and returns)."""

    def __init__(self, db: Path, n: int, store=None) -> None:
        app = create_app(Settings(db=db, auth="local"), encoder_provider=lambda name=None: DigitEncoder())
        self.aid = (store or (lambda f: store_demo_alignment(f, n, html_at=SCRIPT_AT)))(app.state.session_factory)
        super().__init__(app)

    def session(self):
        return self.app.state.session_factory()


@pytest.fixture(scope="module")
def driver():
    profile = tempfile.mkdtemp(prefix="aligner-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 f"--user-data-dir={profile}", "--window-size=1400,900"):
        opts.add_argument(flag)
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture()
def live(tmp_path):
    with LiveServer(tmp_path / "browser.db", N) as srv:
        yield srv


# --- helpers -------------------------------------------------------------------------

def wait(drv, cond, timeout=15, what="condition"):
    try:
        return WebDriverWait(drv, timeout).until(lambda d: cond(d))
    except TimeoutException:
        raise AssertionError(f"timed out waiting for {what}; toast: {toast(drv)!r}") from None


def toast(drv) -> str:
    els = drv.find_elements(By.ID, "toast")
    return els[0].get_attribute("textContent") if els else ""


def open_page(drv, url):
    drv.get(url)
    wait(drv, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1",
         what="page ready")
    wait(drv, lambda d: d.find_elements(By.CSS_SELECTOR, '.bead[data-pos="0"]'), what="first bead")


def press(drv, keys, ctrl=False):
    chain = ActionChains(drv)
    if ctrl:
        chain.key_down(Keys.CONTROL).send_keys(keys).key_up(Keys.CONTROL)
    else:
        chain.send_keys(keys)
    chain.perform()


def wait_version(drv, v):
    wait(drv, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-version") == str(v)
         and d.find_element(By.TAG_NAME, "body").get_attribute("data-busy") == "0",
         what=f"version {v}")


def row(drv, pos):
    return drv.find_element(By.CSS_SELECTOR, f'.bead[data-pos="{pos}"]')


def selected_pos(drv) -> int:
    return int(drv.find_element(By.CSS_SELECTOR, ".bead.selected").get_attribute("data-pos"))


def viewport(drv, width: int, height: int) -> None:
    """Make the page's viewport exactly ``width`` × ``height`` CSS pixels (the window
    size includes the browser's frame); :func:`reset_viewport` undoes it."""
    drv.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def reset_viewport(drv) -> None:
    drv.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def allow_downloads(drv, folder: Path) -> None:
    """Save downloads to ``folder`` (headless Chromium refuses them by default)."""
    params = {"behavior": "allow", "downloadPath": str(folder)}
    try:
        drv.execute_cdp_cmd("Browser.setDownloadBehavior", {**params, "eventsEnabled": False})
    except Exception:  # older Chromium: the page-level command
        drv.execute_cdp_cmd("Page.setDownloadBehavior", params)


def downloaded(folder: Path, suffix: str, timeout: float = 15) -> Path:
    """The file ending in ``suffix`` that appears in ``folder`` (complete: no
    ``.crdownload`` left), waiting up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.name.endswith(suffix)]
        if done and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no {suffix} download in {folder}: {sorted(p.name for p in folder.iterdir())}")
