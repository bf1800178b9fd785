/* The URL hash names what the page shows, and every way of getting there goes through
 * followHash (a link inside the page, back/forward, a reload):
 *   #a=<alignment>&p=<position>, #a=<alignment>&b=<bead id>  that bead, for review (from the
 *       renderings and pairing views and the concordance);
 *   #d=<document>[&o=<sentence ord>]  the renderings view of that document (at that
 *       sentence's row, from a concordance hit);
 *   #pr=<run>  the pairing view of that pairing run.
 * openReview is the one way back from another view to the review list. Switching view by a
 * button or key is a new history entry (nav.js setHash), so Back returns to the bead under
 * review; Esc and "Back to review" go back to it (backToReview).
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, toast } from "./dom.js";
import { goTo, writeHash } from "./nav.js";
import { loadAlignments, openAlignment } from "./alignment.js";
import { currentView, showView } from "./layout.js";
import { openRenderings } from "./renderings.js";
import { openPairing } from "./pairing.js";

/* The views other than review a hash opens: its key, and how to open it. */
const VIEWS = {
  d: (h) => openRenderings(Number(h.get("d")), h.has("o") ? Number(h.get("o")) : null),
  pr: (h) => openPairing(h.get("pr")),  // as written: an unknown run is named as given
};

/* Show what the hash names; false if it names nothing (the caller opens a default). */
export async function followHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  const key = Object.keys(VIEWS).find((k) => h.get(k));
  if (key) {
    if ($("#search-dialog").open) $("#search-dialog").close();
    await VIEWS[key](h);
    return true;
  }
  const aid = Number(h.get("a"));
  if (!aid) return false;
  let pos = Number(h.get("p")) || 0;
  if (h.get("b")) {
    const bead = await api(`/api/alignments/${aid}/beads/${Number(h.get("b"))}`).catch(() => null);
    if (!bead) { toast("That bead no longer exists (it was merged or split since).", "warn"); }
    else pos = bead.position;
  }
  if ($("#search-dialog").open) $("#search-dialog").close();
  if (currentView() !== "review" || aid !== state.aid) await openReview(aid, pos);
  else await goTo(pos);
  return true;
}

/* The review list, from any view: alignment `aid` at bead `pos` (the one open: the bead is
 * selected, as in the review view; Back and Esc come here); without `aid`, the
 * alignment reviewed before (where it was), else the first one. An alignment made since
 * the list was loaded (a pairing job, another reviewer) is fetched first. `push`: as a new
 * history entry (its hash is written in place below, on the entry pushed here). */
export async function openReview(aid = null, pos = 0, { push = false } = {}) {
  if (push) history.pushState(null, "", location.href);
  showView("review");
  const known = () => state.alignments.some((a) => a.id === aid);
  if (aid !== null && !known()) await loadAlignments();
  if (aid !== null && !known()) toast(`Alignment ${aid} no longer exists.`, "warn");
  if (aid !== null && aid === state.aid) await goTo(pos);  // still open behind the view, kept current (poll.js)
  else if (aid !== null && known()) await openAlignment(aid, pos);
  else if (state.aid === null && state.alignments.length) await openAlignment(state.alignments[0].id, 0);
  else if (state.aid !== null) writeHash();
  else history.replaceState(null, "", location.pathname + location.search);  // nothing to review: no view's hash left
  $("#beads").focus();
}

/* Leave another view for the review list (Esc, "Back to review"). Opened from the review
 * list (the entry before is a review hash: setHash kept it), go back to that entry, so
 * Back and Forward stay in step with the steps the user took; opened from a link or a
 * bookmark, the review list is a new entry, and Back returns to the view. */
export function backToReview() {
  const from = (history.state && history.state.back) || "";
  if (from.startsWith("#a=")) {
    history.back();  // hashchange → followHash opens the bead that entry names
    return Promise.resolve();
  }
  return openReview(null, 0, { push: true });
}
