"""Helpers of the batch tests (tests/test_batch.py, tests/test_batch_engine.py,
tests/test_batch_tasks.py): input folders, store counts, the engine on a local pool, and a
count of the SQL statements a piece of code makes."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import event, func, select

TOPICS = ("the harvest", "the railway", "the treaty", "the fishing lots", "the border post",
          "the trade credit", "the embassy", "the press")
RU_TOPICS = ("урожай", "железную дорогу", "договор", "рыболовные участки", "пограничный пост",
             "торговый кредит", "посольство", "печать")


def write_pairs(folder: Path, n: int, sentences: int = 6, *, nested: bool = False,
                heading: bool = False) -> list[str]:
    """``n`` pairs ``workNN_ru.txt``/``workNN_en.txt`` in ``folder`` (each in a folder
    ``workNN/`` of its own if ``nested``) of ``sentences`` sentences each, varied (so the
    encoder has real work and the aligner a real answer), after an ``<h1>`` heading (one
    more sentence once the markup is stripped) if ``heading``. Returns the names."""
    names = []
    for k in range(n):
        name = f"work{k:02d}"
        where = folder / name if nested else folder
        where.mkdir(parents=True, exist_ok=True)
        ru = " ".join(f"Делегат {k} в заседании {i} обсуждал {RU_TOPICS[(i * 3 + k) % 8]} и число {i * 7 + k}."
                      for i in range(sentences))
        en = " ".join(f"Delegate {k} at sitting {i} discussed {TOPICS[(i * 3 + k) % 8]} and the number {i * 7 + k}."
                      for i in range(sentences))
        if heading:
            ru, en = f"<h1>Глава {k}</h1>\n{ru}", f"<h1>Chapter {k}</h1>\n{en}"
        (where / f"{name}_ru.txt").write_text(ru + "\n", encoding="utf-8")
        (where / f"{name}_en.txt").write_text(en + "\n", encoding="utf-8")
        names.append(name)
    return names


def counts(db) -> dict[str, int]:
    """Rows in the store ``db``: documents (and distinct by content hash and language),
    alignments (and distinct document pairs: fewer means a pair was stored twice), and
    batch tasks done."""
    from aligner.store.db import open_store
    from aligner.store.models import AlignmentRow, DocumentRow
    from aligner.store.pairing_models import BatchTask

    engine, sessions = open_store(db)
    with sessions() as s:
        out = {
            "documents": s.scalar(select(func.count()).select_from(DocumentRow)),
            "distinct_documents": len(s.execute(select(DocumentRow.sha256, DocumentRow.lang).distinct()).all()),
            "alignments": s.scalar(select(func.count()).select_from(AlignmentRow)),
            "distinct_pairs": len(s.execute(select(AlignmentRow.src_document_id,
                                                   AlignmentRow.tgt_document_id).distinct()).all()),
            "tasks": s.scalar(select(func.count()).select_from(BatchTask)),
        }
    engine.dispose()
    return out


def run_batch(pairs: Iterable, sessions, encoder, *, workers: int = 1, **options):
    """The CLI's batch path (:func:`aligner.batch.engine.run_tasks`) on a local pool of
    ``workers`` processes, for ``pairs`` (PairSpec or PairTask); returns the BatchReport
    (results in the order of ``pairs``). ``options`` go to ``run_tasks``."""
    from aligner.batch.engine import run_tasks
    from aligner.batch.executors import LocalExecutor
    from aligner.batch.tasks import PairTask

    tasks = [p if isinstance(p, PairTask) else PairTask.from_spec(p) for p in pairs]
    with LocalExecutor(workers, None) as executor:
        return run_tasks(tasks, sessions, executor, encoder, progress=None, **options)


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL statements ``engine`` sends while the block runs (an executemany counts
    once, as one round trip)."""
    sent: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)
