"""InterText XML as an alignment: the ``<linkGrp fromDoc toDoc>`` with its two documents,
given as three files or as one zip holding them (as :mod:`aligner.export.intertext` writes).

The fromDoc is our source. A document's alignable elements are those with an ``id`` and no
element with an id inside (``<s id="1:2">`` within ``<p id="1">``); ids are matched as
written, else as InterText matches them (the trailing ``N`` or ``N:M``, separators
``. : - _ ,`` all read as ``:``) where that reading is unambiguous. ``xtargets="toDoc ids;fromDoc ids"`` (InterText's order); ``status="man"`` reads as
confirmed, ``auto``/``plain`` as unreviewed, ``mark`` as the flag "marked"; our namespace's
attributes and notes (status, reviewer, score, flags, notes) win where present. Languages:
the root's ``lang``/``xml:lang``, else the version part of ``text.VERSION.xml``, else the
ones given. A document's provenance kind and file are its root's ``al:kind`` and ``al:file``
(our export), else "other" and the file's name. Raises InputError (gaps, unknown ids, missing document).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath

from lxml import etree

from aligner.errors import InputError
from aligner.export.xliff import NS
from aligner.imports.common import Imported, check_cover, document_of, lang_code, status_of
from aligner.types import PROVENANCE_KINDS, Alignment, Bead, BeadNote

_ID = re.compile(r"([0-9]+([.:\-_,][0-9]+)?)$")
_PARSER = dict(resolve_entities=False, no_network=True, huge_tree=True)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _norm_id(raw: str) -> str:
    m = _ID.search(raw.strip())
    return re.sub(r"[.\-_,]", ":", m.group(1)) if m else raw.strip()


def _parse(data: bytes, name: str):
    try:
        return etree.fromstring(data, etree.XMLParser(**_PARSER))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{name}: not well-formed XML ({exc.msg})") from None


def _lang_of(root, name: str, given: str | None, what: str) -> str:
    lang = root.get("lang") or root.get(XML_LANG)
    if not lang:
        parts = PurePosixPath(name).name.split(".")
        lang = parts[-2] if len(parts) >= 3 and re.fullmatch(r"[A-Za-z]{2,3}", parts[-2]) else None
    return lang_code(given or lang, what)


def _kind_of(root) -> str:
    """The provenance kind our export put on a document's root (``al:kind``), else "other"."""
    kind = root.get(f"{{{NS}}}kind")
    return kind if kind in PROVENANCE_KINDS else "other"


def read_document_xml(data: bytes, name: str) -> tuple[list[str], list[str], list[int], object]:
    """``(ids, sentence texts, paragraph numbers, root)`` of an InterText document."""
    root = _parse(data, name)
    ids, texts, paras, parents = [], [], [], {}
    for e in root.iter():
        if not isinstance(e.tag, str) or e.get("id") is None:
            continue
        if any(c.get("id") is not None for c in e.iterdescendants() if isinstance(c.tag, str)):
            continue
        ids.append(e.get("id").strip())
        texts.append(" ".join("".join(e.itertext()).split()))
        parent = e.getparent()
        paras.append(parents.setdefault(id(parent) if parent is not root else -len(ids), len(parents)))
    if not ids:
        raise InputError(f"{name}: no element with an id (InterText's alignable elements)")
    if len(set(ids)) != len(ids):
        dup = next(i for i in ids if ids.count(i) > 1)
        raise InputError(f"{name}: the id {dup!r} is used twice")
    return ids, texts, paras, root


def _index(ids: list[str]) -> dict[str, int]:
    """id → place, by the id as written and, where that is unambiguous, by InterText's
    reading of it (``"s1.2"`` → ``"1:2"``)."""
    at = {i: k for k, i in enumerate(ids)}
    norm = [_norm_id(i) for i in ids]
    if len(set(norm)) == len(norm):
        at.update({n: k for k, n in enumerate(norm) if n not in at})
    return at


def _files_from_zip(data: bytes, name: str) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            big = [i.filename for i in z.infolist() if i.file_size > 200 * 1024 * 1024]
            if big:
                raise InputError(f"{name}: {big[0]} is too large to read")
            return {PurePosixPath(i.filename).name: z.read(i) for i in z.infolist()
                    if not i.is_dir() and i.filename.lower().endswith(".xml")}
    except zipfile.BadZipFile:
        raise InputError(f"{name}: not a zip file") from None


def read_intertext(alignment: tuple[str, bytes], source: tuple[str, bytes] | None = None,
                   target: tuple[str, bytes] | None = None, *, src_lang: str | None = None,
                   tgt_lang: str | None = None) -> Imported:
    """Read an InterText alignment (module doc): ``alignment`` is ``(name, bytes)`` of the
    linkGrp file or of a zip with all three; ``source``/``target`` the fromDoc/toDoc
    documents when not in a zip."""
    name, data = alignment
    if data[:4] == b"PK\x03\x04":
        files = _files_from_zip(data, name)
        grp_name = next((n for n, d in files.items() if b"<linkGrp" in d[:4096]), None)
        if grp_name is None:
            raise InputError(f"{name}: no alignment (<linkGrp>) in the zip")
        grp = _parse(files[grp_name], grp_name)
        docs = [(d, files.get(PurePosixPath(grp.get(d) or "").name)) for d in ("fromDoc", "toDoc")]
        missing = [grp.get(d) or d for d, b in docs if b is None]
        if missing:
            raise InputError(f"{name}: the zip lacks {missing[0]}, named by the alignment")
        source, target = ((grp.get(d), b) for d, b in docs)
        name = f"{name}#{grp_name}"
    else:
        grp = _parse(data, name)
        if etree.QName(grp).localname != "linkGrp":
            raise InputError(f"{name}: not an InterText alignment (no <linkGrp>)")
        if source is None or target is None:
            raise InputError(f"{name}: give the two documents too (fromDoc {grp.get('fromDoc')!r}, "
                             f"toDoc {grp.get('toDoc')!r}), or a zip holding all three")
    if etree.QName(grp).localname != "linkGrp":
        raise InputError(f"{name}: not an InterText alignment (no <linkGrp>)")
    s_ids, s_texts, s_paras, s_root = read_document_xml(source[1], source[0])
    t_ids, t_texts, t_paras, t_root = read_document_xml(target[1], target[0])
    s_at, t_at = _index(s_ids), _index(t_ids)
    beads = []
    for n, link in enumerate(grp.iter("link"), start=1):
        to_part, sep, from_part = (link.get("xtargets") or "").partition(";")
        if not sep:
            raise InputError(f"{name}: link {n} has no xtargets \"to ids;from ids\"")
        try:
            src = tuple(s_at[i] if i in s_at else s_at[_norm_id(i)] for i in from_part.split())
            tgt = tuple(t_at[i] if i in t_at else t_at[_norm_id(i)] for i in to_part.split())
        except KeyError as exc:
            raise InputError(f"{name}: link {n} names {exc.args[0]!r}, which is in neither "
                             "document's ids") from None
        ours = lambda key: link.get(f"{{{NS}}}{key}")  # noqa: E731
        status = status_of(ours("status")) if ours("status") else (
            "confirmed" if link.get("status") == "man" else "unreviewed")
        flags = [f for f in (ours("flags") or "").split(",") if f]
        if link.get("mark") not in (None, "", "0") and not ours("status"):
            flags.append("marked")
        try:
            score = float(ours("score")) if ours("score") else 1.0
        except ValueError:
            score = 1.0
        notes = [BeadNote("".join(x.itertext()), x.get("by", ""), x.get("when", ""))
                 for x in link.iter(f"{{{NS}}}note")]
        beads.append(Bead(src, tgt, score, flags, status=status, reviewer=ours("reviewer") or "",
                          origin="manual" if ours("origin") == "manual" else "auto", notes=notes))
    if not beads:
        raise InputError(f"{name}: the alignment has no <link>")
    check_cover(beads, len(s_ids), len(t_ids), name)
    src_doc, tgt_doc = (
        document_of(texts, _lang_of(root, file, lang, role), paragraphs=paras,
                    file=root.get(f"{{{NS}}}file") or PurePosixPath(file).name,
                    title=PurePosixPath(file).stem, kind=_kind_of(root))
        for role, file, lang, texts, paras, root in (
            ("source", source[0], src_lang, s_texts, s_paras, s_root),
            ("target", target[0], tgt_lang, t_texts, t_paras, t_root)))
    return Imported(src_doc, tgt_doc, Alignment(beads=beads, encoder=grp.get(f"{{{NS}}}encoder", "")),
                    {"format": "intertext", "tool": "InterText"})
