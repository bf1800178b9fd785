/* The renderings view: one document with every rendering of it, one column per alignment,
 * fetched RV_PAGE rows at a time; each bead chip links to that bead for review. Replaces
 * the review list while shown (body[data-view="renderings"]); leaving it returns there
 * (hash.js: backToReview, openReview).
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, el, toast, scoreColour } from "./dom.js";
import { FLAG_NAMES } from "./fidelity.js";
import { showView } from "./layout.js";
import { setHash } from "./nav.js";

const RV_PAGE = 100;  // rows fetched per request in the renderings view

const views = { pivots: [], doc: null, first: 0, rows: 0, total: 0, loading: false, focusOrd: null };

export function inRenderings() { return document.body.dataset.view === "renderings"; }

async function loadPivots() {
  views.pivots = await api("/api/renderings");
  const sel = $("#pivot-select");
  sel.replaceChildren();
  for (const p of views.pivots) {
    const d = p.document;
    const n = p.alignments;
    const what = n === 0 ? "alone" : n === 1 ? "1 rendering" : `${n} renderings`;
    sel.append(el("option", { value: d.id, text: `${d.title || d.provenance.file} [${d.lang}] — ${what}` }));
  }
}

function provenanceChip(label, doc) {
  const p = doc.provenance || {};
  const recon = p.kind === "reconstruction";
  return el("div", { class: "prov" + (recon ? " recon" : "") },
    el("b", { text: label }), ` ${doc.title || p.file} (${doc.lang}) · ${p.file || ""} · `,
    el("span", { text: recon ? "TEST RECONSTRUCTION — not the archival text" : (p.label || p.kind || "") }),
    p.note ? el("span", { class: "hint", text: ` · ${p.note}` }) : null);
}

function sentenceList(sentences, lang, emptyText) {
  const cell = el("div", { class: "rv-cell table-cell", role: "cell", lang });
  if (!sentences.length) cell.append(el("p", { class: "gap", text: emptyText }));
  for (const s of sentences) {
    cell.append(el("p", { class: "sent", dataset: { sid: s.id }, title: `Sentence ${s.ord + 1}${s.page ? `, page ${s.page}` : ""}` },
      el("span", { class: "num", text: String(s.ord + 1) }), el("span", { class: "txt", text: s.text })));
  }
  return cell;
}

function renderRow(row, columns, pivotLang) {
  const tr = el("div", { class: "rv-row table-row", role: "row", dataset: { row: row.index } });
  tr.append(sentenceList(row.pivot, pivotLang, "—"));
  row.cells.forEach((cell, c) => {
    const col = columns[c];
    const node = sentenceList(cell.sentences, col.document.lang, "— not rendered here —");
    Object.assign(node.dataset, { aid: col.alignment_id, pivot: col.pivot_side, beads: cell.beads.map((b) => b.id).join(",") });
    const links = el("div", { class: "rv-beads" });
    for (const b of cell.beads) {
      const a = el("a", { class: "rv-bead", href: `#a=${col.alignment_id}&p=${b.position}`,
        title: `Review bead #${b.position + 1} of alignment ${col.alignment_id} (${b.status})`,
        text: `${b.type} · ${Number(b.score).toFixed(2)}` });
      a.style.background = scoreColour(b.score);
      links.append(a);
      // An empty cell already says "not rendered here": no omission/addition chip.
      for (const f of b.flags) {
        if (f in FLAG_NAMES && f !== "omission" && f !== "addition") links.append(el("span", { class: "flag", text: f }));
      }
    }
    node.append(links);
    tr.append(node);
  });
  return tr;
}

export async function loadRenderingRows() {
  if (views.loading || views.doc === null) return;
  views.loading = true;
  try {
    const doc = views.doc;
    const first = views.rows === 0;
    const where = first && views.focusOrd !== null ? `ord=${views.focusOrd}` : `offset=${views.rows}`;
    const page = await api(`/api/documents/${doc}/renderings?${where}&limit=${RV_PAGE}`);
    if (views.doc !== doc) return;
    const table = $("#rv-table");
    if (first) {
      views.first = views.rows = page.offset;
      const n = page.columns.length + 1;
      table.style.setProperty("--rv-cols", String(n));
      const head = el("div", { class: "rv-row rv-head table-row table-head", role: "row" },
        el("div", { role: "columnheader", text: `${page.document.title} (${page.document.lang})` }),
        ...page.columns.map((c) => el("div", { role: "columnheader" },
          `${c.document.title} (${c.document.lang}) `,
          el("a", { href: `#a=${c.alignment_id}&p=0`, text: `alignment ${c.alignment_id}` }))));
      table.replaceChildren(head);
      const prov = $("#rv-provenance");
      prov.replaceChildren(provenanceChip("Pivot:", page.document),
        ...page.columns.map((c, i) => provenanceChip(`Column ${i + 2}:`, c.document)));
      if (!page.columns.length) {
        prov.append(el("div", { class: "hint", text: "This document is not aligned yet: it is shown alone. Align it to a source or another rendering with New… or the API." }));
      }
    }
    for (const row of page.rows) table.append(renderRow(row, page.columns, page.document.lang));
    views.rows += page.rows.length;
    views.total = page.total;
    const span = views.first ? `rows ${views.first + 1}–${views.rows}` : `${views.rows}`;
    $("#rv-count").textContent = `${span} of ${page.total} rows · ${page.columns.length} rendering(s)`;
    $("#rv-more-wrap").hidden = views.rows >= page.total;
    if (first && page.focus_row !== null && page.focus_row !== undefined) {
      const row = table.querySelector(`.rv-row[data-row="${page.focus_row}"]`);
      if (row) { row.classList.add("focus"); row.scrollIntoView({ block: "center" }); }
    }
  } finally {
    views.loading = false;
  }
}

/* `push`: opened by the user from another view (a new history entry: nav.js setHash). */
export async function openRenderings(docId, ord = null, { push = false } = {}) {
  showView("renderings");
  await loadPivots(); // alignments may have been added since
  if (!views.pivots.some((p) => p.document.id === docId)) {
    if (!views.pivots.length) { toast("No document stored yet.", "info"); return; }
    docId = views.pivots[0].document.id;
  }
  $("#pivot-select").value = String(docId);
  views.doc = docId;
  views.rows = views.first = 0;
  views.focusOrd = ord;
  $("#rv-table").replaceChildren();
  setHash(ord === null ? `#d=${docId}` : `#d=${docId}&o=${ord}`, push);
  await loadRenderingRows();
}

/* The source of the alignment under review, or its target if only that has renderings
 * (the Renderings button, g): a new history entry. */
export function openRenderingsForCurrent() {
  const doc = state.meta ? state.meta.src_document_id : (views.pivots[0] || {}).id;
  return openRenderings(doc ?? 0, null, { push: true });
}
