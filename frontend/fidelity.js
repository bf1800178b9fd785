/* Fidelity evidence in the side panel: what each flag of the selected bead rests on
 * (numbers, dates, names found on one side only, a suggested OCR reading), fetched anew
 * because the bead may have changed since it was aligned. FLAG_NAMES also labels flags
 * in the renderings view.
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, el } from "./dom.js";
import { beadAt } from "./list.js";
import { showEvidence } from "./links.js";
import { applySuggestion } from "./textedit.js";

export const FLAG_NAMES = {
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

function suggestionLine(bead, f) {
  const word = f.details && f.details.word;
  const btn = el("button", { type: "button", class: "apply-suggestion", dataset: { word: word || "" },
    title: "Correct the sentence with this reading (o applies the bead's first); undo with u" }, "Apply");
  btn.disabled = !word;
  btn.addEventListener("click", () => applySuggestion(bead.id, word, f.suggestion));
  return el("div", { class: "suggestion" }, "Suggested reading: ", el("q", { text: f.suggestion }), " ", btn);
}

export async function renderFidelity(bead) {
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
      f.suggestion ? suggestionLine(bead, f) : null));
  }
  box.append(list);
  showEvidence(bead.id, flags).catch(() => {}); // the words in the row, with their counterparts
}
