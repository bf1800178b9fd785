"""Shared fixtures: paths to the bundled corpora and to ../shared (optional)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT / "corpora"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def en_ocr_path() -> Path:
    """The Litvinov OCR exhibit (English, real input)."""
    return CORPORA / "litvinov-1938-08-07" / "en.ocr.txt"


@pytest.fixture(scope="session")
def ru_path() -> Path:
    """The Russian TEST RECONSTRUCTION (not the archival text)."""
    return CORPORA / "litvinov-1938-08-07" / "ru.reconstructed.txt"


@pytest.fixture(scope="session")
def tei_path() -> Path:
    """FRUS 1938 vol. III TEI excerpt (d464-d478)."""
    return CORPORA / "frus-1938-khasan" / "frus1938v03_d464-d478.tei.xml"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """/work/shared (../shared from the clone); skips when absent."""
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED} (CI only)")
    return SHARED


@pytest.fixture(scope="session")
def default_encoder():
    """The default encoder (use-m3, offline), loaded once per test session."""
    from aligner.embed import get_encoder

    return get_encoder()


# --- stores on SQLite and on a real PostgreSQL server -------------------------------------

@pytest.fixture(scope="session")
def pg_databases():
    """Fresh databases on a throw-away PostgreSQL cluster (one per test session, started
    with initdb + pg_ctl in a temp folder, stopped at the end; tests/support/pg.py).
    Skips, with the reason, where the server binaries or the driver are missing;
    ALIGNER_TEST_POSTGRES=0 skips on purpose."""
    import os

    from support.pg import Cluster, Databases, find_binaries

    if os.environ.get("ALIGNER_TEST_POSTGRES", "1") == "0":
        pytest.skip("PostgreSQL tests switched off (ALIGNER_TEST_POSTGRES=0)")
    bindir, why = find_binaries()
    if bindir is None:
        pytest.skip(why)
    cluster = Cluster(bindir)
    try:
        yield Databases(cluster)
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A migrated, empty store: a SQLite file, then a PostgreSQL database (the tests that
    take it run on both)."""
    if request.param == "sqlite":
        from aligner.store.db import upgrade_database

        path = tmp_path / "store.db"
        upgrade_database(path)
        yield str(path)
        return
    dbs = request.getfixturevalue("pg_databases")
    url = dbs.create()
    try:
        yield url
    finally:
        dbs.drop(url)
