"""Keeping the search index current, and asking it (tables: :mod:`aligner.store.search_schema`;
words and stems: :mod:`aligner.concordance.tokens`).

:func:`sync` drains ``search_queue`` (filled by triggers on ``sentence``): each queued
sentence's stems go to the word index, its new words to the vocabulary. It runs inside
the transaction of every session commit (a ``before_commit`` hook installed by
:func:`aligner.store.db.make_session_factory`), so an import, a re-segmentation or a text
edit is searchable the moment it is committed, and before every search (for writes made
outside a session). On PostgreSQL queue rows are taken ``FOR UPDATE SKIP LOCKED``, so
concurrent writers never index the same sentence at once.

Queries: :func:`phrase_ids` (a phrase of stems, in order), :func:`any_ids` (every group
has one of its stems: the candidates of fuzzy search), :func:`variants` (vocabulary words
near a word: FTS5 trigram / pg_trgm candidates, kept if rapidfuzz's ratio reaches the
minimum). Ids come in sentence-id order (≈ document order).
"""

from __future__ import annotations

import weakref

from sqlalchemy import Connection, bindparam, column, delete, event, select, table, text
from sqlalchemy.orm import Session

from aligner.store.models import DocumentRow, SentenceRow

_QUEUE = table("search_queue", column("id"), column("sentence_id"))
_BATCH = 2000
#: Engines known to have (True) or lack (False) the search tables.
_HAS_INDEX: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: Vocabulary words known to be stored, per engine (saves re-inserting them).
_KNOWN_WORDS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_MAX_KNOWN = 500_000
#: pg_trgm similarity a vocabulary word needs to be a variant candidate (PostgreSQL).
TRGM_THRESHOLD = 0.15


def has_index(conn: Connection) -> bool:
    engine = conn.engine
    known = _HAS_INDEX.get(engine)
    if known is None:
        from sqlalchemy import inspect

        known = _HAS_INDEX[engine] = inspect(conn).has_table("search_queue")
    return known


def pending(conn: Connection) -> bool:
    """True if sentences wait to be indexed."""
    return conn.execute(select(_QUEUE.c.id).limit(1)).first() is not None


def sync(conn: Connection) -> int:
    """Index every queued sentence (in ``conn``'s transaction); return how many queue
    rows were drained."""
    from aligner.concordance.tokens import stem, stems_of, words_of

    postgres = conn.dialect.name == "postgresql"
    done = 0
    while True:
        q = select(_QUEUE.c.id, _QUEUE.c.sentence_id).order_by(_QUEUE.c.id).limit(_BATCH)
        rows = conn.execute(q.with_for_update(skip_locked=True) if postgres else q).all()
        if not rows:
            return done
        conn.execute(delete(_QUEUE).where(_QUEUE.c.id.in_([r.id for r in rows])))
        ids = sorted({r.sentence_id for r in rows})
        texts = dict(conn.execute(select(SentenceRow.id, SentenceRow.text)
                                  .where(SentenceRow.id.in_(ids))).all())
        entries = [{"id": i, "stems": stems_of(texts[i])} for i in ids if i in texts]
        if postgres:
            if entries:
                conn.execute(text("INSERT INTO sentence_search (sentence_id, stems) VALUES (:id, :stems) "
                                  "ON CONFLICT (sentence_id) DO UPDATE SET stems = EXCLUDED.stems"),
                             entries)
        else:
            conn.execute(text("DELETE FROM sentence_fts WHERE rowid IN :ids")
                         .bindparams(bindparam("ids", expanding=True)), {"ids": ids})
            if entries:
                conn.execute(text("INSERT INTO sentence_fts (rowid, stems) VALUES (:id, :stems)"), entries)
        known = _KNOWN_WORDS.setdefault(conn.engine, set())
        new = sorted(set().union(*(words_of(t) for t in texts.values())) - known)
        if new:
            sql = ("INSERT INTO search_vocab (word, stem) VALUES (:w, :s) ON CONFLICT (word) DO NOTHING"
                   if postgres else "INSERT OR IGNORE INTO search_vocab (word, stem) VALUES (:w, :s)")
            conn.execute(text(sql), [{"w": w, "s": stem(w)} for w in new])
            if len(known) + len(new) > _MAX_KNOWN:
                known.clear()
            known.update(new)
        done += len(rows)


def _before_commit(session: Session) -> None:
    if not session.in_transaction():
        return
    conn = session.connection()
    if has_index(conn) and pending(conn):
        sync(conn)


def install() -> None:
    """Index queued sentences before every session commit (idempotent)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)


def ensure_current(session: Session) -> None:
    """Drain the queue in a transaction of its own if anything waits (ends the session's
    transaction either way): a search then sees every committed write."""
    try:
        if pending(session.connection()):
            from aligner.store.db import write_transaction

            write_transaction(session)
            sync(session.connection())
            session.commit()
    finally:
        session.rollback()


# --- queries -------------------------------------------------------------------------------

def _fts_literal(stems: list[str]) -> str:
    return '"' + " ".join(stems) + '"'


def _filters(lang: str | None, project_id: int | None) -> tuple[str, str, dict]:
    """(join, where) SQL restricting sentences to a language / project, and parameters."""
    if lang is None and project_id is None:
        return "", "", {}
    where, params = [], {}
    if lang is not None:
        where.append("d.lang = :lang")
        params["lang"] = lang
    if project_id is not None:
        where.append("d.project_id = :project")
        params["project"] = project_id
    join = (f" JOIN {SentenceRow.__tablename__} s ON s.id = {{id}} "
            f"JOIN {DocumentRow.__tablename__} d ON d.id = s.document_id")
    return join, " AND " + " AND ".join(where), params


def _query(conn: Connection, match: str, pg_query: str, lang, project_id, offset: int,
           limit: int | None, count: bool) -> tuple[int | None, list[int]]:
    join, where, params = _filters(lang, project_id)
    if conn.dialect.name == "postgresql":
        base = (f"FROM sentence_search x{join.format(id='x.sentence_id')} "
                f"WHERE x.tsv @@ {pg_query}{where}")
        key = "x.sentence_id"
    else:
        base = (f"FROM sentence_fts x{join.format(id='x.rowid')} "
                f"WHERE sentence_fts MATCH :match{where}")
        key = "x.rowid"
    params["match"] = match
    total = conn.execute(text(f"SELECT count(*) {base}"), params).scalar() if count else None
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    ids = conn.execute(text(f"SELECT {key} {base} ORDER BY {key}{page}"), params).scalars().all()
    return total, list(ids)


def phrase_ids(conn: Connection, stems: list[str], *, lang: str | None = None,
               project_id: int | None = None, offset: int = 0, limit: int | None = None,
               count: bool = True) -> tuple[int | None, list[int]]:
    """``(total, ids)`` of sentences holding the stems consecutively, ids of the page
    ``[offset, offset + limit)`` (all if ``limit`` is None); total None unless ``count``."""
    match = _fts_literal(stems) if conn.dialect.name == "sqlite" else " ".join(stems)
    return _query(conn, match, "phraseto_tsquery('simple', :match)", lang, project_id, offset,
                  limit, count)


def any_ids(conn: Connection, groups: list[list[str]], *, lang: str | None = None,
            project_id: int | None = None, offset: int = 0, limit: int | None = None,
            count: bool = True) -> tuple[int | None, list[int]]:
    """Like :func:`phrase_ids` for sentences holding, for every group, one of its stems."""
    if conn.dialect.name == "postgresql":
        q = " & ".join("(" + " | ".join(f"'{s}'" for s in g) + ")" for g in groups)
        return _query(conn, q, "to_tsquery('simple', :match)", lang, project_id, offset, limit, count)
    q = " AND ".join("(" + " OR ".join(f'"{s}"' for s in g) + ")" for g in groups)
    return _query(conn, q, "", lang, project_id, offset, limit, count)


def variants(conn: Connection, word: str, minimum: float, limit: int = 2000) -> list[tuple[str, str, float]]:
    """``(word, stem, ratio)`` of vocabulary words whose rapidfuzz ratio to ``word`` (a
    folded word) is at least ``minimum`` (0–100), best first; candidates come from the
    trigram index: the ``limit`` words sharing the most (rarest) trigrams with ``word``,
    padded with spaces (FTS5 bm25 rank; pg_trgm similarity)."""
    from rapidfuzz import fuzz

    if len(word) < 3:
        rows = conn.execute(text("SELECT word, stem FROM search_vocab WHERE word = :w"), {"w": word}).all()
    elif conn.dialect.name == "postgresql":
        # pg_trgm's default threshold (0.3) misses short words with a swapped letter
        # ("pots"/"post": 0.25); rapidfuzz decides below. For this transaction only.
        conn.execute(text("SELECT set_config('pg_trgm.similarity_threshold', :t, true)"),
                     {"t": str(TRGM_THRESHOLD)})
        rows = conn.execute(text("SELECT word, stem FROM search_vocab WHERE word % :w "
                                 "ORDER BY similarity(word, :w) DESC LIMIT :n"),
                            {"w": word, "n": limit}).all()
    else:
        padded = f" {word} "
        grams = " OR ".join(sorted({f'"{padded[i:i + 3]}"' for i in range(len(padded) - 2)}))
        rows = conn.execute(text("SELECT v.word, v.stem FROM search_vocab_trgm t JOIN search_vocab v "
                                 "ON v.id = t.rowid WHERE search_vocab_trgm MATCH :q "
                                 "ORDER BY t.rank LIMIT :n"), {"q": grams, "n": limit}).all()
    scored = [(w, s, fuzz.ratio(word, w)) for w, s in rows]
    return sorted((x for x in scored if x[2] >= minimum), key=lambda x: (-x[2], x[0]))
