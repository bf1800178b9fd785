"""Word-alignment commands: ``words`` (link the words of pre-tokenised sentence pairs) and
``evaluate-words`` (P/R/F1/AER of Pharaoh links against a gold, Och & Ney 2003)."""

from __future__ import annotations

import typer

from api.cli.common import Encoder, user_errors


def register(app: typer.Typer) -> None:
    app.command("words")(words_command)
    app.command("evaluate-words")(evaluate_words_command)


@user_errors
def words_command(
    pairs: str = typer.Argument(..., help="Pairs TSV: source tokens TAB target tokens (tokens separated "
                                          "by single spaces, as in XL-WA); further columns ignored."),
    src_lang: str = typer.Option(..., "--src-lang", help="Source language code, e.g. en."),
    tgt_lang: str = typer.Option(..., "--tgt-lang", help="Target language code, e.g. ru."),
    output: str = typer.Option(None, "-o", "--output", help="Output file (default: stdout)."),
    encoder: Encoder = None,
) -> None:
    """Link the words of each sentence pair: one line of Pharaoh links `i-j` per pair.

    Token indices are 0-based, as the tokens are given."""
    from aligner.embed import get_encoder
    from aligner.evaluate_words import read_pairs, run_words

    read_pairs(pairs)  # a malformed file is refused before the encoder loads
    lines = run_words(pairs, src_lang, tgt_lang, output, get_encoder(encoder))
    if output is None:
        typer.echo("".join(line + "\n" for line in lines), nl=False)
    else:
        typer.echo(f"{len(lines)} sentence pairs linked → {output}", err=True)


@user_errors
def evaluate_words_command(
    test: str = typer.Argument(..., help="Pharaoh file to score: one line of `i-j` links per pair."),
    gold: str = typer.Argument(..., help="Gold: a Pharaoh file (`i-j` sure, `i?j` possible links) "
                                         "or a pairs TSV whose third column holds the links (XL-WA)."),
) -> None:
    """Precision, recall, F1 and AER (Och & Ney 2003) of word links against a gold."""
    from aligner.evaluate_words import run_evaluate_words

    typer.echo(run_evaluate_words(test, gold).format())
