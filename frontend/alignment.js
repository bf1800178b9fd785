/* Which alignment is open: the list in the picker, opening one (its beads, counts and
 * crossing candidates) and the provenance banner and column heads for its two documents.
 */
import { state, setVersion } from "./state.js";
import { api } from "./api.js";
import { $, el } from "./dom.js";
import { buildBlocks } from "./list.js";
import { refreshProgress, loadCrossings } from "./progress.js";
import { refreshOverview } from "./overview.js";
import { goTo } from "./nav.js";

function pickerLabel(a) {
  return `#${a.id} ${a.src_title || a.src_lang} ↔ ${a.tgt_title || a.tgt_lang} (${a.beads} beads)`;
}

export async function loadAlignments() {
  state.alignments = await api("/api/alignments");
  const sel = $("#alignment-select");
  sel.replaceChildren();
  for (const a of state.alignments) sel.append(el("option", { value: a.id, text: pickerLabel(a) }));
  $("#empty").hidden = state.alignments.length > 0;
  $("#beads").hidden = state.alignments.length === 0;
}

export async function openAlignment(aid, pos = 0) {
  state.aid = aid;
  $("#alignment-select").value = String(aid);
  state.meta = await api(`/api/alignments/${aid}`);
  setVersion(state.meta.version);
  renderProvenance(state.meta);
  buildBlocks(state.meta.beads);
  state.cur = Math.max(0, Math.min(pos, state.total - 1));
  await Promise.all([refreshProgress(), loadCrossings(), refreshOverview()]);
  await goTo(state.cur);
}

/* The alignment record again, after the beads were reloaded (an edit, another reviewer's):
 * a re-align, and its undo or redo, changes the adaptation and settings it was made with,
 * which the provenance banner shows; merges and splits change the picker's bead count.
 * A reply older than the record shown is dropped. */
export async function refreshMeta() {
  const aid = state.aid;
  if (aid === null) return;
  const meta = await api(`/api/alignments/${aid}`);
  if (state.aid !== aid || (state.meta && meta.version < state.meta.version)) return;
  state.meta = meta;
  renderProvenance(meta);
  const k = state.alignments.findIndex((a) => a.id === aid);
  if (k >= 0) state.alignments[k] = meta;
  const option = $(`#alignment-select option[value="${aid}"]`);
  if (option) option.textContent = pickerLabel(meta);
}

function renderProvenance(meta) {
  const box = $("#provenance");
  box.replaceChildren();
  const sides = [
    ["Source", meta.src_lang, meta.src_title, meta.src_provenance, "#src-head"],
    ["Target", meta.tgt_lang, meta.tgt_title, meta.tgt_provenance, "#tgt-head"],
  ];
  for (const [role, lang, title, prov, head] of sides) {
    const p = prov || {};
    const isRecon = p.kind === "reconstruction";
    const item = el("div", { class: "prov" + (isRecon ? " recon" : "") },
      el("b", { text: `${role} (${lang})` }), " ",
      el("span", { class: "title", text: title || p.file || "" }), " · ",
      el("span", { class: "file", text: p.file || "" }), " · ",
      el("span", { class: "kind", text: p.label || p.kind || "" }),
      p.sha256 ? el("span", { class: "sha", title: p.sha256, text: ` · sha256 ${p.sha256.slice(0, 12)}…` }) : null,
      p.note ? el("span", { class: "note", text: ` · ${p.note}` }) : null);
    box.append(item);
    const h = $(head);
    h.replaceChildren(`${role} (${lang})`);
    if (isRecon) h.append(" ", el("span", { class: "recon-tag", text: "TEST RECONSTRUCTION — not the archival text" }));
  }
  box.append(settingsChip(meta));
  const imp = meta.imported;
  if (imp) {
    box.append(el("div", { class: "prov imported", title: `sha256 ${imp.sha256 || ""}` },
      el("b", { text: "Imported" }), ` from ${imp.file} (${imp.format}${imp.tool ? `, ${imp.tool}` : ""}) via ${imp.via}${imp.user ? ` by ${imp.user}` : ""}`));
  }
}

/* The encoder and the settings the alignment was made with (those that differ from the
 * defaults; every setting in the tooltip), and the adaptation to the project's confirmed
 * beads if any (`aligner adapt`): re-alignment uses them again. */
function settingsChip(meta) {
  const changed = Object.entries(meta.settings_changed || {}).map(([k, v]) => `${k} ${v}`);
  const all = Object.entries(meta.params || {}).filter(([k]) => k !== "adaptation")
    .map(([k, v]) => `${k} = ${v}`).join("\n");
  return el("div", { class: "prov settings", title: all || "no settings stored (made elsewhere)" },
    el("b", { text: "Aligned" }), ` with ${[meta.encoder, meta.encoder_version].filter(Boolean).join(" ") || "?"}`,
    ` · settings: ${changed.length ? changed.join(", ") : "defaults"}`,
    meta.adaptation ? el("span", { class: "adapted", text: ` · ${meta.adaptation}` }) : null);
}
