"""Which tasks of a batch are done (aligner.batch.tasks, engine.done_before): by their
batch_task row or by a stored alignment of the same texts, encoder and settings; the
reconstruction labels and pairing links of a rerun; all read in a few IN (...) queries
however many tasks there are. A task is its PairSpec and more. On SQLite and PostgreSQL;
toy documents, no encoder."""

from __future__ import annotations

import pickle
from dataclasses import fields

import pytest

from aligner.align import AlignConfig
from aligner.batch.discover import PairSpec
from aligner.batch.engine import done_before
from aligner.batch.tasks import (PairTask, file_sha256, find_done, find_done_many, read_task,
                                 reconstruction_files, record_done, task_hashes, task_key)
from aligner.pipeline import store_pair
from aligner.store.db import open_store
from aligner.store.errors import NotFoundError
from aligner.store.pairing import link_alignments, save_pairing
from aligner.store.pairing_models import PairingPair
from aligner.store.service import get_or_create_project
from support.batch import statements
from support.store import toy_alignment, toy_document

ENCODER = "toy 1"


def pair(k: int, kind: str = "archival"):
    """The k-th toy bitext: a source of ``kind``, an archival target."""
    return (toy_document([f"Предложение {k}-{i}." for i in range(3)], "ru", kind=kind),
            toy_document([f"Sentence {k}-{i}." for i in range(3)], "en", kind="archival"))


def store(sessions, src, tgt, config: AlignConfig = AlignConfig(), project: str = "default") -> int:
    alignment = toy_alignment([((i,), (i,)) for i in range(3)])
    alignment.encoder, alignment.params = ENCODER, config.to_params()
    return store_pair(sessions, src, tgt, alignment, project=project).alignment_id


def wanted(src, tgt, config: AlignConfig = AlignConfig()):
    key = task_key(src.provenance.sha256, "ru", tgt.provenance.sha256, "en", ENCODER, config)
    return key, (src.provenance.sha256, "ru", tgt.provenance.sha256, "en", config)


def test_a_task_is_its_spec_and_what_the_engine_needs(tmp_path):
    (tmp_path / "a_ru.txt").write_text("Первое предложение. Второе.", encoding="utf-8")
    (tmp_path / "a_en.txt").write_text("The first sentence. The second.", encoding="utf-8")
    spec = PairSpec("a", tmp_path / "a_ru.txt", tmp_path / "a_en.txt", "ru", "en", "archival", None, "A")
    task = PairTask.from_spec(spec)
    assert isinstance(task, PairSpec)
    assert [getattr(task, f.name) for f in fields(PairSpec)] == [getattr(spec, f.name) for f in fields(PairSpec)]
    assert (task.partial, task.pair_id, task.src_doc, task.tgt_doc) == (False, None, None, None)
    sent = pickle.loads(pickle.dumps(task))  # as a worker gets it
    assert sent == task
    src, tgt = read_task(sent)
    assert (src.provenance.kind, src.title, tgt.lang) == ("archival", "A", "en")
    assert task_hashes(sent) == (file_sha256(spec.source), file_sha256(spec.translation)) == \
        (src.provenance.sha256, tgt.provenance.sha256)
    carried = PairTask("a", spec.source, spec.translation, "ru", "en", src_doc=src, tgt_doc=tgt)
    assert read_task(carried) == (src, tgt)


def test_done_by_row_or_by_alignment_of_the_same_texts_encoder_settings_and_project(db_url):
    _, sessions = open_store(db_url)
    docs = [pair(k) for k in range(6)]
    with_row = store(sessions, *docs[0])
    crashed = store(sessions, *docs[1])  # stored, its row never written
    store(sessions, *docs[2], config=AlignConfig(max_side=3))  # other settings
    in_other = store(sessions, *docs[3], project="other")  # another project
    older = store(sessions, *docs[4])
    store(sessions, *docs[4])  # the same texts again: the oldest is the task's
    keys = dict(wanted(*d) for d in docs)
    names = list(keys)
    with sessions() as s:
        record_done(s, names[0], "zero", with_row)
        project = get_or_create_project(s, "default")
        done = find_done_many(s, project, ENCODER, keys)
        assert done == {names[0]: with_row, names[1]: crashed, names[4]: older}
        assert find_done_many(s, project, "toy 2", keys) == {names[0]: with_row}  # the row names the encoder
        partial = AlignConfig(partial=True)
        assert find_done(s, wanted(*docs[1], partial)[0], project, *wanted(*docs[1], partial)[1][:4],
                         ENCODER, partial) is None
        assert find_done(s, names[1], project, *keys[names[1]][:4], ENCODER, AlignConfig()) == crashed
        # the task done in "default" (its row) is not done in another project: aligned there too
        other = get_or_create_project(s, "elsewhere")
        assert find_done_many(s, other, ENCODER, {names[0]: keys[names[0]]}) == {}
        assert find_done_many(s, get_or_create_project(s, "other"), ENCODER, keys) == {names[3]: in_other}


def test_reconstruction_files_and_links_of_many_alignments(db_url):
    _, sessions = open_store(db_url)
    rec, plain = pair(0, kind="reconstruction"), pair(1)
    a_rec, a_plain = store(sessions, *rec), store(sessions, *plain)
    with sessions() as s:
        assert reconstruction_files(s, [a_rec, a_plain, a_rec]) == {a_rec: ["ru.txt"]}
        assert reconstruction_files(s, []) == {}
        _, ids = save_pairing(s, get_or_create_project(s, "default"), src_lang="ru", tgt_lang="en",
                              encoder=ENCODER, params={}, settings={},
                              sources=[{"file": "a", "ref": "a"}, {"file": "b", "ref": "b"}],
                              targets=[{"file": "c", "ref": "c"}],
                              pairs=[{"s": 0, "t": 0, "score": 0.9, "partial": False, "status": "proposed"},
                                     {"s": 1, "t": 0, "score": 0.2, "partial": False, "status": "candidate"}])
        first, second = ids[0, 0], ids[1, 0]
        assert link_alignments(s, {first: a_rec, second: a_plain}) == 2
        assert link_alignments(s, {first: a_rec, second: a_rec}) == 1  # only the change is written
        with pytest.raises(NotFoundError, match="pair 999999 not found"):
            link_alignments(s, {first: a_plain, 999999: a_plain})
    with sessions() as s:
        assert {p.id: p.alignment_id for p in s.query(PairingPair)} == {first: a_rec, second: a_rec}


def test_a_rerun_reads_what_is_done_in_the_same_few_statements_for_3_or_30_tasks(db_url):
    engine, sessions = open_store(db_url)
    docs = [pair(k, kind="reconstruction" if k % 2 else "archival") for k in range(30)]
    stored = [store(sessions, *d) for d in docs]
    with sessions() as s:
        project = get_or_create_project(s, "default")
        for k, ((src, tgt), aid) in enumerate(zip(docs, stored)):
            if k % 10 != 2:  # pairs 2, 12, 22 crashed before their row was written
                record_done(s, wanted(src, tgt)[0], "t", aid)
        _, ids = save_pairing(s, project, src_lang="ru", tgt_lang="en", encoder=ENCODER, params={},
                              settings={}, sources=[{"file": f"s{k}", "ref": f"s{k}"} for k in range(30)],
                              targets=[{"file": f"t{k}", "ref": f"t{k}"} for k in range(30)],
                              pairs=[{"s": k, "t": k, "score": 0.9, "partial": False, "status": "proposed"}
                                     for k in range(30)])
    tasks = [PairTask(f"p{k}", f"s{k}", f"t{k}", "ru", "en", pair_id=ids[k, k], src_doc=src, tgt_doc=tgt)
             for k, (src, tgt) in enumerate(docs)]
    tasks.append(PairTask("new", "s", "t", "ru", "en", src_doc=pair(99)[0], tgt_doc=pair(99)[1]))
    sent = {}
    for n in (3, 30):
        part = tasks[:n] + tasks[-1:]
        with statements(engine) as sent[n]:
            results, todo = done_before(part, sessions, project, ENCODER, AlignConfig())
        assert todo == [n]  # the new pair alone is run
        assert [(results[i].status, results[i].alignment_id) for i in range(n)] == \
            [("skipped", aid) for aid in stored[:n]]
        assert [results[i].reconstructions for i in range(n)] == \
            [["ru.txt"] if k % 2 else [] for k in range(n)]
    with sessions() as s:
        assert {p.id: p.alignment_id for p in s.query(PairingPair)} == \
            {ids[k, k]: stored[k] for k in range(30)}
    assert len(sent[3]) == len(sent[30]) <= 8, sent[30]
    # the first rerun wrote the links once (one executemany); nothing is written again
    again = {}
    with statements(engine) as again[30]:
        done_before(tasks, sessions, project, ENCODER, AlignConfig())
    assert not [q for q in again[30] if q.lstrip().upper().startswith(("UPDATE", "INSERT"))]
