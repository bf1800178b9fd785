/* The side panel's account of the selected bead: its notes and edit history, the crossing
 * candidates touching it (with a Link button each), its fidelity evidence (fidelity.js),
 * and the note form.
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, el, toast, showError } from "./dom.js";
import { queueOp } from "./queue.js";
import { beadAt, reloadAll } from "./list.js";
import { goTo, current } from "./nav.js";
import { runOp } from "./ops.js";
import { renderFidelity } from "./fidelity.js";

let detailTimer = null;
export function showDetails() {
  clearTimeout(detailTimer);
  detailTimer = setTimeout(loadDetails, 150); // j/j/j held down should not flood the server
}

async function loadDetails() {
  const bead = beadAt(state.cur);
  if (!bead) return;
  $("#detail-title").textContent = `#${bead.position + 1} (${bead.type}, id ${bead.id})`;
  const hist = await api(`/api/alignments/${state.aid}/beads/${bead.id}/history`).catch(() => null);
  if (!hist || beadAt(state.cur) !== bead) return;
  const notes = $("#notes");
  notes.replaceChildren(...hist.notes.map((n) => el("li", {}, el("b", { text: n.user }), `: ${n.text}`)));
  if (!hist.notes.length) notes.append(el("li", { class: "hint", text: "no notes" }));
  const h = $("#history");
  h.replaceChildren(...hist.edits.map((e) => el("li", { class: e.undone ? "undone" : "" },
    `v${e.version} ${e.operation} by ${e.user}${e.undone ? " (undone)" : ""}`,
    e.summary ? el("div", { class: "hint", text: e.summary }) : null)));
  if (!hist.edits.length) h.append(el("li", { class: "hint", text: "as aligned automatically" }));
  renderCrossingsFor(bead);
  renderFidelity(bead).catch(showError);
}

function renderCrossingsFor(bead) {
  const box = $("#crossings");
  box.replaceChildren();
  const src = new Set(bead.src.map((s) => s.id));
  const tgt = new Set(bead.tgt.map((s) => s.id));
  const mine = state.crossings.filter((c) => c.src.some((s) => src.has(s.id)) || c.tgt.some((s) => tgt.has(s.id)));
  if (!mine.length) return;
  box.append(el("h3", { text: "Crossing candidates" }));
  for (const c of mine) {
    const label = `source ${c.src.map((s) => s.ord + 1).join(",")} ↔ target ${c.tgt.map((s) => s.ord + 1).join(",")} (${Number(c.score).toFixed(2)})`;
    const btn = el("button", { type: "button", text: c.linked ? "linked" : "Link" });
    btn.disabled = !!c.linked;
    btn.addEventListener("click", () => runOp("crossing-links", { crossing_id: c.id }, `crossing link ${label}`));
    box.append(el("div", { class: "crossing" }, el("span", { text: `${label} ${c.reason || ""} ` }), btn));
  }
}

/* Submit handler of the note form. */
export function addNote(ev) {
  ev.preventDefault();
  const b = current();
  const text = $("#note-input").value.trim();
  if (!b || !text) return;
  queueOp(async () => {
    await api(`/api/alignments/${state.aid}/beads/${b.id}/notes`, { method: "POST", body: { text } });
    $("#note-input").value = "";
    $("#beads").focus();
    await reloadAll();
    await goTo(state.cur);
    toast("Note added.", "ok", 2000);
  });
}
