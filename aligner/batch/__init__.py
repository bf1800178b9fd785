"""Batch alignment of many bitexts into the store, resumable: :mod:`~aligner.batch.discover`
finds the pairs (a folder or a manifest), :mod:`~aligner.batch.run` aligns and stores them
through :mod:`aligner.pipeline`, :mod:`~aligner.batch.summary` reports what happened."""

from aligner.batch.discover import (
    ManifestError,
    PairSpec,
    discover_pairs,
    find_pairs,
    read_manifest,
    unpaired_files,
)
from aligner.batch.run import PREFETCH_CHUNK, align_and_store, run_batch
from aligner.batch.summary import PairResult, format_summary

__all__ = ["PREFETCH_CHUNK", "ManifestError", "PairResult", "PairSpec", "align_and_store",
           "discover_pairs", "find_pairs", "format_summary", "read_manifest", "run_batch",
           "unpaired_files"]
