/* The concordance: a phrase found in every document (exact or OCR-tolerant), each hit with
 * what it is aligned to, grouped by how it was rendered. Shown in a non-modal dialog so
 * the search box stays usable for the next search.
 */
import { api } from "./api.js";
import { $, el } from "./dom.js";

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
    el("div", { class: "hit-text", lang: hit.lang, dataset: { sid: hit.sentence_id } }, ...marked(hit.text, hit.spans)));
  if (!hit.aligned.length) item.append(el("div", { class: "hint", text: "not aligned to anything yet" }));
  for (const a of hit.aligned) {
    const nums = a.sentence_ords.map((o) => o + 1).join(", ");
    const where = `${a.document_title} [${a.lang}, ${a.provenance_label}]${nums ? ` · sentence ${nums}` : ""}`;
    const measure = a.method === "links" ? "score" : "cos";
    item.append(el("div", { class: "aligned", lang: a.lang, dataset: { aid: a.alignment_id, bead: a.bead_id } },
      el("div", { class: "hint" }, where, " · ",
        el("a", { href: `#a=${a.alignment_id}&b=${a.bead_id}`, text: "review this bead" }), " · ",
        el("a", { class: "to-row", href: `#d=${hit.document_id}&o=${hit.sentence_ord}`, text: "its row in Renderings" })),
      a.text ? el("div", { class: "aligned-text" }, ...marked(a.text, a.spans)) : el("div", { class: "gap", text: "— not rendered (omitted) —" }),
      a.rendering ? el("div", { class: "hint", text: `rendering: “${a.rendering}” (${measure} ${Number(a.similarity).toFixed(2)})` })
        : a.text && a.method ? el("div", { class: "gap not-rendered", text: "— not rendered here: no word of the phrase is linked in this bead —" }) : null));
  }
  return item;
}

export async function runSearch(ev) {
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
      const title = g.key ? `Rendered as “${g.label}” (${g.lang})` : "Not rendered here, or no rendering marked";
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
