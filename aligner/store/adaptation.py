"""A project's adaptation: the post-pass's weights fitted on its confirmed beads
(:mod:`aligner.adapt`), kept in ``project.adaptation`` and used by every later alignment
and re-alignment in the project.

    stretches = confirmed_stretches(session, project_id)   # [[(src texts, tgt texts), ...], ...]
    adaptation = adapt_project(session, project_id, encoder)  # fits and saves; None below MIN_BEADS
    project_adaptation(session, project_id, encoder.name)  # what the aligner then uses

Fitting is explicit (``aligner adapt``); using it is automatic. The stored value is
:meth:`~aligner.adapt.Adaptation.to_json` plus ``"encoder"`` (the encoder's name: the
weights are in that encoder's similarity units, so an alignment made with another encoder
does not use them) and ``"fitted"`` (ISO time).
"""

from __future__ import annotations

from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import Session

from aligner.adapt import MIN_BEADS, Adaptation, ConfirmedBead, fit_adaptation
from aligner.align.config import AlignConfig
from aligner.errors import InputError
from aligner.store.models import (
    AlignmentRow,
    BeadRow,
    BeadSentence,
    DocumentRow,
    Project,
    SentenceRow,
    utcnow,
)
from aligner.store.service.common import _get, _writing


def confirmed_stretches(session: Session, project_id: int) -> list[list[ConfirmedBead]]:
    """The project's confirmed beads as stretches: runs of consecutive confirmed beads
    (adjacent positions) of one alignment, by alignment id then position. Each bead is
    ``(source sentence texts, target sentence texts)`` in document order, each text the
    sentence's current (possibly corrected) text. Raises NotFoundError (project)."""
    _get(session, Project, project_id, "project")
    rows = session.execute(
        select(BeadRow.alignment_id, BeadRow.position, BeadSentence.side, SentenceRow.text)
        .join(BeadSentence, BeadSentence.bead_id == BeadRow.id)
        .join(SentenceRow, SentenceRow.id == BeadSentence.sentence_id)
        .join(AlignmentRow, AlignmentRow.id == BeadRow.alignment_id)
        .join(DocumentRow, DocumentRow.id == AlignmentRow.src_document_id)
        .where(DocumentRow.project_id == project_id, BeadRow.status == "confirmed")
        .order_by(BeadRow.alignment_id, BeadRow.position, BeadSentence.side, BeadSentence.ord))
    stretches: list[list[ConfirmedBead]] = []
    last: tuple[int, int] | None = None
    for (aid, pos), members in groupby(rows, key=lambda r: (r[0], r[1])):
        texts = {"src": [], "tgt": []}
        for _, _, side, text in members:
            texts[side].append(text)
        if last is None or last != (aid, pos - 1):
            stretches.append([])
        stretches[-1].append((texts["src"], texts["tgt"]))
        last = (aid, pos)
    return stretches


def project_adaptation(session: Session, project_id: int,
                       encoder_name: str | None = None) -> Adaptation | None:
    """The project's stored adaptation, or None: nothing fitted, fitted with another
    encoder than ``encoder_name`` (when given), or unreadable (an older method's weights
    are not applied; ``aligner adapt`` fits them again). Raises NotFoundError (project)."""
    stored = _get(session, Project, project_id, "project").adaptation
    if not stored:
        return None
    if encoder_name and stored.get("encoder") and stored["encoder"] != encoder_name:
        return None
    try:
        return Adaptation.from_json(stored)
    except InputError:
        return None


def adapt_project(session: Session, project_id: int, encoder,
                  config: AlignConfig | None = None, *,
                  stretches: list[list[ConfirmedBead]] | None = None) -> Adaptation | None:
    """Fit the post-pass's weights on the project's confirmed beads
    (:func:`confirmed_stretches`, :func:`aligner.adapt.fit_adaptation`) and save them as the
    project's adaptation, replacing an earlier one (also when the fit keeps the defaults:
    that is what the beads now say).

    Returns the :class:`~aligner.adapt.Adaptation`, or None — and nothing is saved — when
    the project has fewer than :data:`aligner.adapt.MIN_BEADS` confirmed beads or the
    post-pass of ``config`` is off (:func:`confirmed_stretches` tells how many there are).
    Raises NotFoundError (project), InputError (a bead with no sentence), ModelError.
    """
    if stretches is None:  # the caller may have read them already
        stretches = confirmed_stretches(session, project_id)
    session.rollback()  # end the read: the fit takes a while and holds no transaction
    adaptation = fit_adaptation(stretches, encoder, config)
    if adaptation is None:
        return None
    with _writing(session):
        project = _get(session, Project, project_id, "project")
        project.adaptation = {**adaptation.to_json(), "encoder": encoder.name,
                              "fitted": utcnow().isoformat()}
    return adaptation


def adapt_and_describe(session: Session, project_id: int, encoder) -> tuple[Adaptation | None, str]:
    """:func:`adapt_project` and its one line for ``aligner adapt`` and the API: as
    :func:`describe`, or ``"only 12 confirmed beads in project X; at least 30 needed
    (nothing stored)"``. Raises as :func:`adapt_project`."""
    name = _get(session, Project, project_id, "project").name
    stretches = confirmed_stretches(session, project_id)
    beads = sum(len(s) for s in stretches)
    if beads < MIN_BEADS:
        return None, (f"only {beads} confirmed bead{'s' if beads != 1 else ''} in project "
                      f"{name}; at least {MIN_BEADS} needed (nothing stored)")
    adaptation = adapt_project(session, project_id, encoder, stretches=stretches)
    if adaptation is None:
        return None, "not adapted: the post-pass is off (nothing stored)"
    return adaptation, describe(adaptation)


def describe(adaptation: Adaptation) -> str:
    """One line on a fit, e.g. ``"adapted on 240 confirmed beads in 3 stretches: weights
    changed null −0.10, length +0.03 (cross-validated gain +0.012)"`` or ``"defaults kept:
    …"`` when the cross-validation showed no gain."""
    from aligner.align.rescore import DEFAULT_WEIGHTS, FEATURES

    what = (f"{adaptation.beads} confirmed beads in {adaptation.stretches} "
            f"stretch{'es' if adaptation.stretches != 1 else ''}")
    if not adaptation.changed:
        return (f"defaults kept: the weights fitted on {what} did not do better on the "
                "held-out half (two-fold cross-validation)")
    moves = ", ".join(f"{name} {_signed(value - DEFAULT_WEIGHTS[FEATURES.index(name)])}"
                      for name, value in adaptation.changed.items())
    return (f"adapted on {what}: weights changed {moves} "
            f"(cross-validated gain {adaptation.gain:+.3f})")


def _signed(delta: float) -> str:
    return f"{delta:+.2f}".replace("-", "−")  # a typographic minus, as in the docs
