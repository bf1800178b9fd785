/* Read-only views beside the review list (loaded after app.js, uses its helpers):
 *  - renderings: one document with every rendering of it, one column per alignment;
 *  - concordance: a phrase in every document, grouped by how it was rendered;
 *  - fidelity: the evidence behind a bead's flags, in the side panel.
 * User text only ever goes in with textContent / text nodes (el()).
 */
"use strict";

const RV_PAGE = 100;  // rows fetched per request in the renderings view

const views = { pivots: [], doc: null, rows: 0, total: 0, loading: false };

/* ---------------------------------------------------------------- fidelity (side panel) */

const FLAG_NAMES = {
  "number-mismatch": "Numbers differ", "date-mismatch": "Dates differ",
  "name-one-side": "Name on one side only", "name-variant": "Name spelled two ways",
  omission: "Omission (1-0)", addition: "Addition (0-1)", "length-ratio": "Odd length ratio",
  "ocr-suspect": "OCR-suspect word",
};

function flagEvidence(f) {
  const d = f.details || {};
  const parts = [];
  if (d.src_only && d.src_only.length) parts.push(`source only: ${d.src_only.join(", ")}`);
  if (d.tgt_only && d.tgt_only.length) parts.push(`target only: ${d.tgt_only.join(", ")}`);
  if (d.forms) parts.push(`forms: ${Object.entries(d.forms).map(([w, n]) => `${w} ×${n}`).join(", ")}`);
  return parts.join(" · ");
}

async function renderFidelity(bead) {
  const box = $("#fidelity");
  box.replaceChildren();
  const codes = (bead.flags || []).filter((f) => f in FLAG_NAMES);
  if (!codes.length) return;
  box.append(el("p", { class: "hint", text: "Checking fidelity…" }));
  const aid = state.aid;
  const flags = await api(`/api/alignments/${aid}/beads/${bead.id}/fidelity`).catch(() => null);
  if (state.aid !== aid || beadAt(state.cur) !== bead) return; // the user moved on
  box.replaceChildren(el("h3", { text: "Fidelity" }));
  if (!flags) { box.append(el("p", { class: "hint", text: "Could not load the checks." })); return; }
  if (!flags.length) {
    box.append(el("p", { class: "hint", text: "No fidelity flag on this bead as it is now (it changed since it was aligned)." }));
    return;
  }
  const list = el("ul", { class: "fidelity" });
  for (const f of flags) {
    const side = { src: "source", tgt: "target", both: "both sides" }[f.side] || f.side;
    const evidence = flagEvidence(f);
    list.append(el("li", { dataset: { code: f.code } },
      el("b", { text: FLAG_NAMES[f.code] || f.code }), ` (${side}): `, f.message,
      evidence ? el("div", { class: "hint", text: evidence }) : null,
      f.suggestion ? el("div", { class: "suggestion" }, "Suggested reading: ",
        el("q", { text: f.suggestion }), el("span", { class: "hint", text: " — not applied; edit the sentence if it is right." })) : null));
  }
  box.append(list);
}

/* ---------------------------------------------------------------- renderings view */

function inRenderings() { return document.body.dataset.view === "renderings"; }

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
  const cell = el("div", { class: "rv-cell", role: "cell", lang });
  if (!sentences.length) cell.append(el("p", { class: "gap", text: emptyText }));
  for (const s of sentences) {
    cell.append(el("p", { class: "sent", title: `Sentence ${s.ord + 1}${s.page ? `, page ${s.page}` : ""}` },
      el("span", { class: "num", text: String(s.ord + 1) }), el("span", { class: "txt", text: s.text })));
  }
  return cell;
}

function renderRow(row, columns, pivotLang) {
  const tr = el("div", { class: "rv-row", role: "row", dataset: { row: row.index } });
  tr.append(sentenceList(row.pivot, pivotLang, "—"));
  row.cells.forEach((cell, c) => {
    const col = columns[c];
    const node = sentenceList(cell.sentences, col.document.lang, "— not rendered here —");
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

async function loadRenderingRows() {
  if (views.loading || views.doc === null) return;
  views.loading = true;
  try {
    const doc = views.doc;
    const page = await api(`/api/documents/${doc}/renderings?offset=${views.rows}&limit=${RV_PAGE}`);
    if (views.doc !== doc) return;
    const table = $("#rv-table");
    if (views.rows === 0) {
      const n = page.columns.length + 1;
      table.style.setProperty("--rv-cols", String(n));
      const head = el("div", { class: "rv-row rv-head", role: "row" },
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
    $("#rv-count").textContent = `${views.rows} of ${page.total} rows · ${page.columns.length} rendering(s)`;
    $("#rv-more-wrap").hidden = views.rows >= page.total;
  } finally {
    views.loading = false;
  }
}

async function openRenderings(docId) {
  document.body.dataset.view = "renderings";
  for (const id of ["#list-wrap", "#panel", "#provenance"]) $(id).hidden = true;
  $("#renderings-view").hidden = false;
  await loadPivots(); // alignments may have been added since
  if (!views.pivots.some((p) => p.document.id === docId)) {
    if (!views.pivots.length) { toast("No document stored yet.", "info"); return; }
    docId = views.pivots[0].document.id;
  }
  $("#pivot-select").value = String(docId);
  views.doc = docId;
  views.rows = 0;
  $("#rv-table").replaceChildren();
  history.replaceState(null, "", `#d=${docId}`);
  await loadRenderingRows();
}

async function leaveRenderings(aid = null, pos = 0) {
  document.body.dataset.view = "review";
  $("#renderings-view").hidden = true;
  for (const id of ["#list-wrap", "#panel", "#provenance"]) $(id).hidden = false;
  views.doc = null;
  if (aid !== null && state.alignments.some((a) => a.id === aid)) await openAlignment(aid, pos);
  else if (state.aid === null && state.alignments.length) await openAlignment(state.alignments[0].id, 0);
  else writeHash();
  $("#beads").focus();
}

/* The source of the alignment under review, or its target if only that has renderings. */
function openRenderingsForCurrent() {
  const doc = state.meta ? state.meta.src_document_id : (views.pivots[0] || {}).id;
  return openRenderings(doc ?? 0);
}

/* ---------------------------------------------------------------- concordance */

function marked(text, spans) {
  const out = [];
  let at = 0;
  for (const [a, z] of [...spans].sort((x, y) => x[0] - y[0])) {
    if (a < at) continue;
    out.push(document.createTextNode(text.slice(at, a)), el("mark", { text: text.slice(a, z) }));
    at = z;
  }
  out.push(document.createTextNode(text.slice(at)));
  return out;
}

function renderHit(hit) {
  const item = el("li", { class: "hit" },
    el("div", { class: "hit-doc hint", text: `${hit.document_title} [${hit.lang}, ${hit.provenance_label}] · sentence ${hit.sentence_ord + 1}` }),
    el("div", { class: "hit-text", lang: hit.lang }, ...marked(hit.text, hit.spans)));
  if (!hit.aligned.length) item.append(el("div", { class: "hint", text: "not aligned to anything yet" }));
  for (const a of hit.aligned) {
    const nums = a.sentence_ords.map((o) => o + 1).join(", ");
    const where = `${a.document_title} [${a.lang}, ${a.provenance_label}]${nums ? ` · sentence ${nums}` : ""}`;
    item.append(el("div", { class: "aligned", lang: a.lang },
      el("div", { class: "hint" }, where, " · ",
        el("a", { href: `#a=${a.alignment_id}&b=${a.bead_id}`, text: "review this bead" })),
      a.text ? el("div", {}, ...marked(a.text, a.spans)) : el("div", { class: "gap", text: "— not rendered (omitted) —" }),
      a.rendering ? el("div", { class: "hint", text: `rendering: “${a.rendering}” (cos ${Number(a.similarity).toFixed(2)})` }) : null));
  }
  return item;
}

async function runSearch(ev) {
  if (ev) ev.preventDefault();
  const q = $("#search-input").value.trim();
  if (!q) return;
  const fuzzy = $("#search-fuzzy").checked;
  const dlg = $("#search-dialog");
  const status = $("#search-status");
  const results = $("#search-results");
  results.replaceChildren();
  status.textContent = `Searching for “${q}”${fuzzy ? " (fuzzy)" : ""}…`;
  if (!dlg.open) dlg.show(); // not modal: the search box stays usable for the next search
  try {
    const r = await api(`/api/search?q=${encodeURIComponent(q)}&fuzzy=${fuzzy}`);
    status.textContent = r.count
      ? `${r.count} sentence(s) with “${q}”${fuzzy ? " (fuzzy)" : ""}, in ${r.renderings.length} group(s) by rendering.`
      : `“${q}” was not found${fuzzy ? "" : " (try fuzzy for OCR errors)"}.`;
    for (const g of r.renderings) {
      const title = g.key ? `Rendered as “${g.label}” (${g.lang})` : "No rendering marked";
      const hits = [...new Set(g.hits)]; // a sentence in two alignments is listed once
      const section = el("section", { class: "rendering-group" },
        el("h3", {}, title, el("span", { class: "hint", text: ` — ${hits.length} sentence(s)` })));
      const list = el("ul", { class: "hits" });
      for (const i of hits) list.append(renderHit(r.hits[i]));
      section.append(list);
      results.append(section);
    }
  } catch (err) {
    status.textContent = err.message;
  }
}

/* ---------------------------------------------------------------- navigation by hash */

async function followHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (h.get("d")) return openRenderings(Number(h.get("d")));
  const aid = Number(h.get("a"));
  if (!aid) return;
  let pos = Number(h.get("p")) || 0;
  if (h.get("b")) {
    const bead = await api(`/api/alignments/${aid}/beads/${Number(h.get("b"))}`).catch(() => null);
    if (!bead) { toast("That bead no longer exists (it was merged or split since).", "warn"); }
    else pos = bead.position;
  }
  if ($("#search-dialog").open) $("#search-dialog").close();
  if (inRenderings() || aid !== state.aid) await leaveRenderings(aid, pos);
  else await goTo(pos);
}

/* Keys while the renderings view is shown; true if handled (review keys are off there). */
function viewKey(ev) {
  const k = ev.key;
  if ($("#search-dialog").open) { // review keys are off while the results are shown
    if (k === "Escape") { $("#search-dialog").close(); ev.preventDefault(); }
    else if (k === "/") { $("#search-input").focus(); ev.preventDefault(); }
    return true;
  }
  if (k === "/" && !ev.ctrlKey && !ev.metaKey) { $("#search-input").focus(); ev.preventDefault(); return true; }
  if (!inRenderings()) return false;
  if (k === "Escape") { leaveRenderings().catch(showError); ev.preventDefault(); }
  return true;
}

function wireViews() {
  $("#search-form").addEventListener("submit", runSearch);
  $("#search-close").addEventListener("click", () => $("#search-dialog").close());
  $("#renderings-btn").addEventListener("click", () => openRenderingsForCurrent().catch(showError));
  $("#rv-back").addEventListener("click", () => leaveRenderings().catch(showError));
  $("#rv-more").addEventListener("click", () => loadRenderingRows().catch(showError));
  $("#pivot-select").addEventListener("change", (ev) => openRenderings(Number(ev.target.value)).catch(showError));
  window.addEventListener("hashchange", () => followHash().catch(showError));
}
