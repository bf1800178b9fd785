"""Batch alignment of many bitexts into the store, resumable: :mod:`~aligner.batch.discover`
finds the pairs (a folder or a manifest), :mod:`~aligner.batch.auto` finds them by content
(record pairing, stored for review), :mod:`~aligner.batch.tasks` keys each pair as an
idempotent task, :mod:`~aligner.batch.engine` runs the tasks on an executor
(:mod:`~aligner.batch.executors`: a local process pool or a Dask cluster;
:mod:`~aligner.batch.worker` is a worker's side) and stores them through
:mod:`aligner.pipeline`; :mod:`~aligner.batch.summary` reports what happened."""

from aligner.batch.discover import (
    ManifestError,
    PairSpec,
    discover_pairs,
    find_pairs,
    read_manifest,
    unpaired_files,
)
from aligner.batch.summary import PairResult, format_summary

__all__ = ["ManifestError", "PairResult", "PairSpec", "discover_pairs", "find_pairs",
           "format_summary", "read_manifest", "unpaired_files"]
