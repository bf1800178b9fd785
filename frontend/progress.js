/* The secondary figures of the open alignment, refreshed after every edit: the progress
 * bar, the review-queue counts, the undo/redo buttons' state and the crossing candidates.
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $ } from "./dom.js";

export async function refreshProgress() {
  const p = await api(`/api/alignments/${state.aid}/progress`);
  state.progress = p;
  const done = p.beads - p.unreviewed;
  $("#progress-fill").style.width = `${Math.round(p.reviewed_fraction * 100)}%`;
  $("#progress-text").textContent = `${done} / ${p.beads} reviewed (${Math.round(p.reviewed_fraction * 100)}%) · v${p.version}`;
  const counts = { unreviewed: p.unreviewed, "low-confidence": p.low_confidence,
    "non-1-1": p.beads - (p.types["1-1"] || 0), flagged: p.flagged, crossing: p.crossing };
  for (const btn of document.querySelectorAll("#queue button")) {
    btn.querySelector("b").textContent = String(counts[btn.dataset.kind] ?? "");
  }
  $("#undo-btn").disabled = !p.undo;
  $("#undo-btn").title = p.undo ? `Undo ${p.undo} (u, Ctrl+Z)` : "Nothing to undo";
  $("#redo-btn").disabled = !p.redo;
  $("#redo-btn").title = p.redo ? `Redo ${p.redo} (Ctrl+Y)` : "Nothing to redo";
}

export async function loadCrossings() {
  state.crossings = await api(`/api/alignments/${state.aid}/crossings`).catch(() => []);
}
