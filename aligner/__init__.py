"""Bilingual parallel-text alignment workbench.

Pipeline stages, one module each: :mod:`aligner.read` → :mod:`aligner.clean` →
:mod:`aligner.segment` → :mod:`aligner.embed` → :mod:`aligner.align` →
:mod:`aligner.store` → review (``api/``) → page (``frontend/``).
"""

__version__ = "0.1.0"
