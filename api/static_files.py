"""The page's static files (``/static/...``), served so native ES modules load and stay in step.

* ``.js`` is always ``text/javascript; charset=utf-8``: browsers refuse a module script served
  with any non-JavaScript type, and Python's ``mimetypes`` reads the OS table (the Windows
  registry may say ``text/plain``), so the type is not left to it (WHATWG HTML, "fetch a
  single module script": the MIME type must be a JavaScript MIME type).
* ``Cache-Control: no-cache`` on every file: the browser revalidates (a cheap 304) instead of
  keeping a module from an older install next to a newer one that imports a name it lacks.
"""

from __future__ import annotations

import os

from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

JS_TYPE = "text/javascript; charset=utf-8"


class PageFiles(StaticFiles):
    """``StaticFiles`` with a fixed JavaScript type and ``no-cache`` (see the module docstring)."""

    def file_response(self, full_path: str | os.PathLike, stat_result: os.stat_result,
                      scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["cache-control"] = "no-cache"
        if response.status_code != 304 and os.fspath(full_path).endswith(".js"):
            response.headers["content-type"] = JS_TYPE
        return response
