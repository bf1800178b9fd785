/* One bead as a row of the list: position and type, source and target sentences (each
 * clickable to show it in its raw page), score, status, note count and flags.
 */
import { state } from "./state.js";
import { el, scoreColour } from "./dom.js";

function renderSentences(bead, side) {
  const doc = side === "src" ? state.meta.src_document_id : state.meta.tgt_document_id;
  const cell = el("div", { class: `side ${side}`, lang: side === "src" ? state.meta.src_lang : state.meta.tgt_lang });
  const sents = bead[side];
  if (!sents.length) {
    cell.append(el("p", { class: "gap", text: side === "src" ? "— nothing in the source (0-1: added in translation) —" : "— nothing in the target (1-0: omitted) —" }));
    return cell;
  }
  for (const s of sents) {
    const fixed = s.original !== undefined && s.original !== null;
    const title = `Sentence ${s.ord + 1}${s.page ? `, page ${s.page}` : ""} — click to see it in the raw text`
      + (fixed ? ` · corrected; as segmented: “${s.original}”` : "");
    cell.append(el("p", { class: "sent" + (fixed ? " corrected" : ""), dataset: { side, ord: s.ord, sid: s.id, doc }, title },
      el("span", { class: "num", text: String(s.ord + 1) }),
      el("span", { class: "txt", text: s.text })));
  }
  return cell;
}

export function renderBead(bead) {
  const row = el("div", {
    class: `bead status-${bead.status}`,
    role: "row",
    dataset: { pos: bead.position, id: bead.id, type: bead.type, status: bead.status },
  });
  row.style.setProperty("--score", scoreColour(bead.score));
  const meta = el("div", { class: "meta" },
    el("span", { class: "pos", text: `#${bead.position + 1}` }),
    el("span", { class: "type" + (bead.type === "1-1" ? "" : " odd"), text: bead.type }));
  const flags = el("div", { class: "flags" });
  for (const f of bead.flags || []) flags.append(el("span", { class: "flag", text: f }));
  if (bead.origin === "manual") flags.append(el("span", { class: "flag manual", text: "manual" }));
  const statusText = { confirmed: "✓ confirmed", rejected: "✗ rejected", unreviewed: "· unreviewed" }[bead.status] || bead.status;
  const info = el("div", { class: "info" },
    el("span", { class: "score", style: `background:${scoreColour(bead.score)}`, title: "confidence score (0–1)", text: Number(bead.score).toFixed(2) }),
    el("span", { class: "status", text: statusText }),
    bead.notes ? el("span", { class: "notes-count", title: `${bead.notes} note(s)`, text: `✎${bead.notes}` }) : null,
    flags);
  row.append(meta, renderSentences(bead, "src"), renderSentences(bead, "tgt"), info);
  return row;
}
