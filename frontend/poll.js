/* Other reviewers' edits, without a reload: every POLL_MS the page asks what changed after
 * the version it shows (GET /api/alignments/{id}/changes?since=N); if anything did, it
 * reloads the beads on screen and says who did what. Paused while the tab is hidden and
 * while one's own edit is on its way (the edit reloads anyway).
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { toast } from "./dom.js";
import { queueOp } from "./queue.js";
import { reloadAll, positionOfBead } from "./list.js";
import { goTo } from "./nav.js";

export const POLL_MS = 3000;
let timer = null;

function describe(edits) {
  const mine = state.me ? state.me.username : null;
  const others = edits.filter((e) => e.user !== mine);
  if (!others.length) return null;
  const shown = others.slice(-3).map((e) => {
    const at = e.bead_ids.map(positionOfBead).filter((p) => p !== null && p !== undefined);
    return `${e.user}: ${e.operation}${at.length ? ` #${at[0] + 1}` : ""}`;
  });
  const more = others.length > 3 ? ` and ${others.length - 3} more` : "";
  return `Changed by others: ${shown.join("; ")}${more}.`;
}

async function pollOnce() {
  if (state.aid === null || state.version === null || document.hidden) return;
  if (document.body.dataset.poll === "off") return; // tests switch it off: <body data-poll="off">
  if (document.body.dataset.busy === "1") return;
  const aid = state.aid;
  const since = state.version;
  const r = await api(`/api/alignments/${aid}/changes?since=${since}`);
  if (r.version <= since || state.aid !== aid) return;
  await queueOp(async () => {
    if (state.aid !== aid || state.version >= r.version) return; // an edit of ours caught up
    const message = describe(r.edits);
    await reloadAll();
    await goTo(state.cur, { scroll: false });
    if (message) toast(message, "info", 5000);
  });
}

export function startPolling(ms = POLL_MS) {
  clearInterval(timer);
  timer = setInterval(() => { pollOnce().catch(() => null); }, ms);
}

export function stopPolling() {
  clearInterval(timer);
  timer = null;
}
