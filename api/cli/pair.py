"""``aligner pair``: which record translates which, without aligning; and the records of
a file for ``aligner segment --records``."""

from __future__ import annotations

import json

import typer

from aligner.types import RECONSTRUCTION_LABEL, reconstruction_note
from api.cli.common import (Encoder, LeftoverThreshold, PairThreshold, StripMarkup, check_format, pair_config,
                            split_with, user_errors)

PAIR_HELP = ("Source files or folders (searched recursively for .txt/.xml/.tei), then "
             "--with and the target files or folders: SRC... --with TGT...")


def register(app: typer.Typer) -> None:
    app.command("pair", context_settings={"ignore_unknown_options": True,
                                          "allow_extra_args": False})(pair_command)


@user_errors
def pair_command(
    paths: list[str] = typer.Argument(..., metavar="SRC... --with TGT...", help=PAIR_HELP),
    src_lang: str = typer.Option(..., "--src-lang", help="Language of the source records, e.g. ru."),
    tgt_lang: str = typer.Option(..., "--tgt-lang", help="Language of the target records, e.g. en."),
    fmt: str = typer.Option("text", "--format", help="text | json"),
    threshold: PairThreshold = None,
    leftover_threshold: LeftoverThreshold = None,
    encoder: Encoder = None,
    strip_markup: StripMarkup = True,
) -> None:
    """Find which target document renders which source record, without aligning.

    Prints the pairs, their scores and evidence, and what is left unpaired. Nothing is
    aligned or stored (`aligner batch SRC... --with TGT... --pair auto` does both).

    JSON: {"pairs": [{"source": {"file", "title", "start", "end", "date", "id", "ref", "label"},
    "target": {...}, "score", "partial", "evidence"}], "unpaired_source": [...],
    "unpaired_target": [...], "params": {...}, "skipped": [{"file", "reason"}]} (docs/pairing.md;
    skipped: files in the folders that could not be used; evidence.tentative: a pair chosen in
    the leftover round, under the threshold).

    Example: aligner pair corpora/litvinov-1938-08-07/ru.reconstructed.txt --with
    corpora/frus-1938-khasan/frus1938v03_d464-d478.tei.xml --src-lang ru --tgt-lang en
    """
    from aligner.batch.auto import labelled_ref, leftover_lines
    from aligner.embed import get_encoder
    from aligner.pairing import pair_paths

    check_format(fmt, ("text", "json"))
    sources, targets = split_with(paths, required=True)
    result = pair_paths(sources, targets, src_lang, tgt_lang, get_encoder(encoder),
                        config=pair_config(threshold, leftover_threshold, strip_markup))
    entries = [e for p in result["pairs"] for e in (p["source"], p["target"])] + \
        result["unpaired_source"] + result["unpaired_target"]
    for file in dict.fromkeys(e["file"] for e in entries if e["label"] == RECONSTRUCTION_LABEL):
        typer.echo(reconstruction_note(file), err=True)
    if fmt == "json":
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    typer.echo(f"{len(result['pairs'])} pair(s)")
    for p in result["pairs"]:
        marks = ("  partial" if p["partial"] else "") + ("  tentative" if p["evidence"]["tentative"] else "")
        typer.echo(f"  {p['score']:.3f}{marks:20s}  {labelled_ref(p['source'])}  →  {labelled_ref(p['target'])}")
        typer.echo(f"         {p['source']['title'][:60]!r}  →  {p['target']['title'][:60]!r}")
    for line in leftover_lines(result):
        typer.echo(line)


def print_records(file: str, lang: str, fmt: str) -> None:
    """``aligner segment FILE --records``: one line per record (reference, offsets, date,
    title; a test reconstruction's references carry its label), or JSON ``[{"index", "ref",
    "title", "date", "start", "end", "body_start", "id", "label"}]`` (``label``: the file's
    provenance label). Raises InputError as :func:`aligner.records.read_records`."""
    from aligner.batch.auto import labelled_ref
    from aligner.records import read_records, record_refs
    from aligner.types import kind_label

    read = read_records(file, lang)
    if read.kind == "reconstruction":
        typer.echo(reconstruction_note(file), err=True)
    label = kind_label(read.kind)
    records = read.records
    refs = record_refs(records)
    rows = [{"index": r.index, "ref": ref, "title": r.title, "date": r.date, "start": r.start,
             "end": r.end, "body_start": r.body_start, "id": r.id or None, "label": label}
            for r, ref in zip(records, refs)]
    if fmt == "json":
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        ref = labelled_ref({"ref": f"{file}#{row['ref']}", "label": label})
        typer.echo(f"{ref}\t{row['start']}-{row['end']}\t{row['date'] or '—'}\t{row['title']}")
