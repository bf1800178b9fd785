"""Test fixtures written as code (tiny bitexts, fake encoders, demo alignments), shared by the
tests and ``bench/api_load.py``; not part of the shipped package."""
