"""Small bundled word lists used by the fidelity checks (:mod:`aligner.fidelity`).

Kept as Python data (no package-data files) and deliberately small:

- :mod:`aligner.lexicon.translit` — Russian→Latin transliteration (BGN/PCGN-like).
- :mod:`aligner.lexicon.names` — exonyms and acronyms that transliteration cannot match
  (Москва/Moscow, СССР/USSR, Маньчжоу-Го/Manchukuo).
- :mod:`aligner.lexicon.numbers` — number words (cardinal and ordinal) in English and Russian,
  and month names, so "ten" ↔ «10» and "August" ↔ «августа» count as the same.

The English spelling dictionary is not bundled: it comes from the ``pyspellchecker`` package
(a word-frequency list derived from OpenSubtitles, Norvig-style).
"""
