/* Find inside the open alignment: "/" puts the cursor in the search box (scope "in this
 * alignment"), Enter jumps to the next bead whose text holds the phrase (case- and
 * accent-insensitive), Shift+Enter (or "<") to the previous one, ">" to the next. The
 * scope "in every document" ("q") runs the concordance instead (search.js).
 * Data: GET /api/alignments/{id}/find?q= (the positions of the hits).
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, toast, showError } from "./dom.js";
import { goTo } from "./nav.js";
import { runSearch } from "./search.js";

const find = { q: "", aid: null, version: null, positions: [], index: -1 };

export function focusFind(scope) {
  $("#search-scope").value = scope;
  const input = $("#search-input");
  input.focus();
  input.select();
}

function showCount() {
  const n = find.positions.length;
  $("#find-count").textContent = find.q ? (n ? `${find.index + 1} / ${n}` : "no hit") : "";
  $("#find-prev").hidden = $("#find-next").hidden = n < 2;
}

async function search(q) {
  const r = await api(`/api/alignments/${state.aid}/find?q=${encodeURIComponent(q)}`);
  Object.assign(find, { q, aid: state.aid, version: r.version, positions: r.positions, index: -1 });
  if (!r.total) toast(`“${q}” is not in this alignment (q searches every document).`, "info");
}

/* Jump to the next (dir 1) or previous (dir -1) hit after / before the selected bead. */
export async function jumpHit(dir = 1, q = null) {
  q = (q ?? find.q).trim();
  if (!q || state.aid === null) return;
  if (q !== find.q || find.aid !== state.aid || find.version !== state.version) await search(q);
  const hits = find.positions;
  if (!hits.length) { showCount(); return; }
  let k;
  if (dir > 0) { k = hits.findIndex((p) => p > state.cur); if (k < 0) k = 0; }
  else { k = hits.length - 1 - [...hits].reverse().findIndex((p) => p < state.cur); if (k >= hits.length) k = hits.length - 1; }
  if (find.index === -1 && hits.includes(state.cur) && dir > 0) k = hits.indexOf(state.cur);
  find.index = k;
  showCount();
  await goTo(hits[k]);
}

/* Submit handler of the search form: find here, or the concordance. */
export function onSearchSubmit(ev) {
  ev.preventDefault();
  if ($("#search-scope").value === "all") { runSearch(); return; }
  jumpHit(1, $("#search-input").value).catch(showError);
}

export function initFind() {
  const input = $("#search-input");
  input.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.shiftKey && $("#search-scope").value === "alignment") {
      ev.preventDefault();
      jumpHit(-1, input.value).catch(showError);
    } else if (ev.key === "Escape") {
      input.blur();
      $("#beads").focus();
    }
  });
  $("#find-next").addEventListener("click", () => jumpHit(1).catch(showError));
  $("#find-prev").addEventListener("click", () => jumpHit(-1).catch(showError));
  $("#search-scope").addEventListener("change", () => { find.q = ""; showCount(); });
}
