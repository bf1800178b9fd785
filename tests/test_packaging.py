"""A wheel (non-editable install) carries the page and the Alembic scripts."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_carries_frontend_and_migrations(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(ROOT)], check=True, cwd=tmp_path)
    [wheel] = tmp_path.glob("aligner-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for page in sorted((ROOT / "frontend").iterdir()):
        assert f"aligner/_frontend/{page.name}" in names
    for script in ["env.py", "script.py.mako"] + [f"versions/{p.name}" for p in
                                                   sorted((ROOT / "migrations" / "versions").glob("*.py"))]:
        assert f"aligner/_migrations/{script}" in names
    assert "aligner/store/renderings.py" in names and "api/routes/views.py" in names
