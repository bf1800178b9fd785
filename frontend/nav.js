/* Which bead is selected: moving the selection (goTo, next in a review queue), the bead
 * under it (current), and the URL hash #a=<alignment>&p=<position> that mirrors it;
 * setHash, how every view writes its hash.
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { toast } from "./dom.js";
import { BLOCK, loadBlock, markSelected, beadAt } from "./list.js";
import { showDetails } from "./details.js";

/* Write the URL hash of what the page shows. `push`: the user switched view (a button, a
 * key), so a new history entry, and Back returns to where they were; it keeps the hash it
 * came from (history.state.back: hash.js backToReview). Otherwise the entry changes in
 * place (a bead selected, a hash the browser followed already, a run or document picked
 * inside a view), keeping its state. */
export function setHash(hash, push = false) {
  if (push && hash !== location.hash) history.pushState({ back: location.hash }, "", hash);
  else history.replaceState(history.state, "", hash);
}

export function writeHash() {
  if (state.aid === null) return;
  setHash(`#a=${state.aid}&p=${state.cur}`);
}

export async function goTo(pos, { scroll = true } = {}) {
  if (state.total === 0) return;
  pos = Math.max(0, Math.min(pos, state.total - 1));
  state.cur = pos;
  const b = state.blocks[Math.floor(pos / BLOCK)];
  if (!b.beads) {
    b.el.scrollIntoView({ block: "start" });
    await loadBlock(b);
  }
  const row = markSelected();
  if (row && scroll) row.scrollIntoView({ block: "nearest" });
  writeHash();
  showDetails();
}

export function current() {
  const bead = beadAt(state.cur);
  if (!bead) toast("No bead selected (still loading?)", "warn");
  return bead;
}

export async function nextInQueue(kind) {
  const r = await api(`/api/alignments/${state.aid}/next?kind=${encodeURIComponent(kind)}&after=${state.cur}`);
  if (!r.bead) { toast(`No ${kind} bead left.`, "info"); return; }
  await goTo(r.bead.position);
}
