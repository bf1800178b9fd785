"""The search index's tables, per database (created by migration 0007, or directly for an
in-memory store). Not ORM tables: full-text machinery differs between SQLite and
PostgreSQL, and the ORM never reads them (:mod:`aligner.store.search_index` does).

* ``search_queue(id, sentence_id)``: sentences to (re-)index. Filled by triggers on
  ``sentence`` (insert, update of ``text``) in plain SQL, so every writer — imports,
  re-segmentation, text edits, undo, a hand-run SQL statement — leaves its work here;
  drained before each commit of a session and before each search.
* ``search_vocab(id, word, stem)``: every folded word seen (OCR-tolerant search looks
  variants of a query word up here).
* SQLite: ``sentence_fts`` (FTS5, rowid = sentence id, column ``stems``, the
  ``unicode61 remove_diacritics 2`` tokenizer), ``search_vocab_trgm`` (FTS5 ``trigram``
  tokenizer over the vocabulary, each word padded with spaces as pg_trgm pads it; SQLite ≥ 3.34); a delete trigger drops a sentence's row.
* PostgreSQL: ``sentence_search(sentence_id → sentence ON DELETE CASCADE, stems, tsv)``
  with ``tsv = to_tsvector('simple', stems)`` (a stored generated column) under a GIN
  index, and a ``pg_trgm`` GIN index on ``search_vocab.word``. ``CREATE EXTENSION
  pg_trgm`` needs the database owner (PostgreSQL ≥ 13: a trusted extension) or a superuser.
"""

from __future__ import annotations

from sqlalchemy import Connection

#: Tables that are the search index's (and FTS5's shadow tables), not the ORM's.
SEARCH_TABLES = frozenset({
    "search_queue", "search_vocab", "sentence_search",
    *(f"{t}{s}" for t in ("sentence_fts", "search_vocab_trgm")
      for s in ("", "_data", "_idx", "_content", "_docsize", "_config")),
})

_SQLITE = [
    "CREATE TABLE search_queue (id INTEGER PRIMARY KEY, sentence_id INTEGER NOT NULL)",
    "CREATE TABLE search_vocab (id INTEGER PRIMARY KEY, word VARCHAR(40) NOT NULL UNIQUE, "
    "stem VARCHAR(40) NOT NULL)",
    "CREATE VIRTUAL TABLE sentence_fts USING fts5(stems, tokenize = 'unicode61 remove_diacritics 2')",
    # Words padded with a space at both ends, as pg_trgm pads them: a short word with a
    # misread middle letter ("jaran"/"japan") still shares its first and last trigrams.
    "CREATE VIRTUAL TABLE search_vocab_trgm USING fts5(word, tokenize = 'trigram')",
    "CREATE TRIGGER search_vocab_ai AFTER INSERT ON search_vocab BEGIN "
    "INSERT INTO search_vocab_trgm(rowid, word) VALUES (new.id, ' ' || new.word || ' '); END",
    "CREATE TRIGGER search_queue_ai AFTER INSERT ON sentence BEGIN "
    "INSERT INTO search_queue(sentence_id) VALUES (new.id); END",
    "CREATE TRIGGER search_queue_au AFTER UPDATE OF text ON sentence BEGIN "
    "INSERT INTO search_queue(sentence_id) VALUES (new.id); END",
    "CREATE TRIGGER search_index_ad AFTER DELETE ON sentence BEGIN "
    "DELETE FROM sentence_fts WHERE rowid = old.id; END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_index_ad", "DROP TRIGGER IF EXISTS search_queue_au",
    "DROP TRIGGER IF EXISTS search_queue_ai", "DROP TRIGGER IF EXISTS search_vocab_ai",
    "DROP TABLE IF EXISTS search_vocab_trgm", "DROP TABLE IF EXISTS sentence_fts",
    "DROP TABLE IF EXISTS search_vocab", "DROP TABLE IF EXISTS search_queue",
]
_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE TABLE search_queue (id BIGSERIAL PRIMARY KEY, sentence_id INTEGER NOT NULL)",
    "CREATE TABLE search_vocab (id SERIAL PRIMARY KEY, word VARCHAR(40) NOT NULL UNIQUE, "
    "stem VARCHAR(40) NOT NULL)",
    "CREATE INDEX ix_search_vocab_word_trgm ON search_vocab USING gin (word gin_trgm_ops)",
    "CREATE TABLE sentence_search (sentence_id INTEGER PRIMARY KEY REFERENCES sentence (id) "
    "ON DELETE CASCADE, stems TEXT NOT NULL, tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, stems)) STORED)",
    "CREATE INDEX ix_sentence_search_tsv ON sentence_search USING gin (tsv)",
    "CREATE FUNCTION aligner_search_enqueue() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "INSERT INTO search_queue(sentence_id) VALUES (NEW.id); RETURN NULL; END $$",
    "CREATE TRIGGER search_queue_ai AFTER INSERT ON sentence FOR EACH ROW "
    "EXECUTE FUNCTION aligner_search_enqueue()",
    "CREATE TRIGGER search_queue_au AFTER UPDATE OF text ON sentence FOR EACH ROW "
    "EXECUTE FUNCTION aligner_search_enqueue()",
]
_POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS search_queue_au ON sentence",
    "DROP TRIGGER IF EXISTS search_queue_ai ON sentence",
    "DROP FUNCTION IF EXISTS aligner_search_enqueue()",
    "DROP TABLE IF EXISTS sentence_search", "DROP TABLE IF EXISTS search_vocab",
    "DROP TABLE IF EXISTS search_queue",
]


def _statements(conn: Connection, create: bool) -> list[str]:
    name = conn.dialect.name
    if name == "sqlite":
        return _SQLITE if create else _SQLITE_DROP
    if name == "postgresql":
        return _POSTGRES if create else _POSTGRES_DROP
    raise NotImplementedError(f"no search index for {name} databases (SQLite and PostgreSQL only)")


def create(conn: Connection, *, enqueue_existing: bool = True) -> None:
    """Create the search index's tables on ``conn`` (in its transaction) and queue every
    stored sentence for indexing (drained on the next commit or search)."""
    for sql in _statements(conn, True):
        conn.exec_driver_sql(sql)
    if enqueue_existing:
        conn.exec_driver_sql("INSERT INTO search_queue (sentence_id) SELECT id FROM sentence ORDER BY id")


def drop(conn: Connection) -> None:
    """Drop them (migration downgrade)."""
    for sql in _statements(conn, False):
        conn.exec_driver_sql(sql)
