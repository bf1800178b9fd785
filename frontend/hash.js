/* Links inside the page: #a=<alignment>&p=<position> and #a=<alignment>&b=<bead id> (from
 * the renderings view and the concordance) open that bead for review; #d=<document> opens
 * the renderings view of that document, #d=<document>&o=<sentence ord> at that sentence's
 * row (from a concordance hit).
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, toast } from "./dom.js";
import { goTo } from "./nav.js";
import { openRenderings, leaveRenderings, inRenderings } from "./renderings.js";

export async function followHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (h.get("d")) {
    if ($("#search-dialog").open) $("#search-dialog").close();
    return openRenderings(Number(h.get("d")), h.has("o") ? Number(h.get("o")) : null);
  }
  const aid = Number(h.get("a"));
  if (!aid) return;
  let pos = Number(h.get("p")) || 0;
  if (h.get("b")) {
    const bead = await api(`/api/alignments/${aid}/beads/${Number(h.get("b"))}`).catch(() => null);
    if (!bead) { toast("That bead no longer exists (it was merged or split since).", "warn"); }
    else pos = bead.position;
  }
  if ($("#search-dialog").open) $("#search-dialog").close();
  if (inRenderings() || aid !== state.aid) await leaveRenderings(aid, pos);
  else await goTo(pos);
}
