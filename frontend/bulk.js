/* Confirming many beads at once (InterText's "confirm all above"): every unreviewed bead
 * scoring at least a threshold (b, the Bulk… dialog), or every unreviewed bead up to and
 * including the selected one (C). Each is one edit against the version seen, undone by u.
 */
import { state } from "./state.js";
import { $, toast } from "./dom.js";
import { runOp } from "./ops.js";
import { current } from "./nav.js";

export function confirmUpToHere() {
  const b = current();
  if (!b) return;
  runOp("bulk-status", { status: "confirmed", end: b.position + 1 },
    `confirmed every unreviewed bead up to #${b.position + 1}`);
}

export function openBulkDialog() {
  if (state.aid === null) return;
  const dlg = $("#bulk-dialog");
  $("#bulk-status").textContent = state.progress
    ? `${state.progress.unreviewed} of ${state.progress.beads} beads are unreviewed.` : "";
  dlg.showModal();
  $("#bulk-score").focus();
  $("#bulk-score").select();
}

function confirmAboveScore(ev) {
  ev.preventDefault();
  const score = Number($("#bulk-score").value);
  if (!(score >= 0 && score <= 1)) { toast("The score is between 0 and 1.", "warn"); return; }
  $("#bulk-dialog").close();
  runOp("bulk-status", { status: "confirmed", min_score: score },
    `confirmed every unreviewed bead scoring ≥ ${score}`);
}

export function initBulk() {
  $("#bulk-btn").addEventListener("click", openBulkDialog);
  $("#bulk-form").addEventListener("submit", confirmAboveScore);
  $("#bulk-cancel").addEventListener("click", () => $("#bulk-dialog").close());
  $("#bulk-upto").addEventListener("click", () => { $("#bulk-dialog").close(); confirmUpToHere(); });
}
