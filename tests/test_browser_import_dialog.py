"""The page's Import… dialog in real headless Chromium says what is wrong in the page's
words: an empty file is "file is empty" (the page used to leave a 0-byte file out, and the
server then asked for a missing field), a language the file lacks is asked for by the
dialog's field, not by a command-line option; and a failed import leaves no empty project
behind (the dialog used to create the project before importing)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
if not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists()):
    pytest.skip("needs Debian chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver): "
                "apt-get install -y chromium chromium-driver", allow_module_level=True)
pytest.importorskip("selenium.webdriver", reason="needs selenium (pip install '.[test]')")

from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

from support.browser import driver, live, open_page, press, wait  # noqa: E402, F401 - fixtures

NO_SRCLANG = ("<tmx version='1.4'><header/><body><tu><tuv xml:lang='en'><seg>One.</seg></tuv>"
              "<tuv xml:lang='ru'><seg>Один.</seg></tuv></tu></body></tmx>").encode()


def _status_after_upload(driver, path: Path, fmt: str = "") -> str:
    """Choose ``path`` in the open Import dialog, submit, and return the status line the
    dialog shows once the server has answered."""
    status = driver.find_element(By.ID, "import-status")
    driver.execute_script("arguments[0].textContent = ''", status)
    Select(driver.find_element(By.ID, "import-format")).select_by_value(fmt)
    driver.find_element(By.ID, "import-alignment").send_keys(str(path))
    driver.find_element(By.CSS_SELECTOR, '#import-form button[type="submit"]').click()
    wait(driver, lambda d: status.text not in ("", "Importing…"), what="the import's answer")
    return status.text


def test_import_dialog_messages(driver, live, tmp_path):
    (tmp_path / "empty.tmx").write_bytes(b"")
    (tmp_path / "bare.tmx").write_bytes(NO_SRCLANG)
    open_page(driver, live.url)
    press(driver, "I")
    wait(driver, lambda d: d.find_element(By.ID, "import-dialog").get_attribute("open") is not None,
         what="import dialog")
    project = driver.find_element(By.CSS_SELECTOR, '#import-form input[name="project"]')
    project.clear()
    project.send_keys("pg-failed")
    assert _status_after_upload(driver, tmp_path / "empty.tmx") == "empty.tmx: file is empty"
    message = _status_after_upload(driver, tmp_path / "bare.tmx", "tmx")
    assert message == "the source language is not in the file: give it (in the Source language field, e.g. ru)"
    assert driver.find_element(By.ID, "import-dialog").get_attribute("open") is not None  # still open to fix
    with urllib.request.urlopen(f"{live.url}api/projects") as r:
        assert "pg-failed" not in [p["name"] for p in json.load(r)]
