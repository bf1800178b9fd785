/* Side-by-side review page: the entry module. It wires the page's controls to the modules
 * that do the work and opens the alignment (or renderings view) named in the URL hash.
 * No build step, no external code: native ES modules served from /static/.
 *
 *   layout.js     side panel shown / hidden overview.js   the whole alignment, a strip
 *   find.js       find in this alignment    textedit.js   correct a sentence, OCR readings
 *   bulk.js       confirm many at once      exportmenu.js Export menu (every format)
 *   importdialog.js  import an alignment made elsewhere (TMX, InterText, Vecalign, TSV)
 *
 *   state.js      shared state               api.js        fetch wrapper, ApiError
 *   dom.js        el(), toast, showError     queue.js      edits one after another
 *   list.js       virtualised bead list      row.js        one bead as a row
 *   nav.js        selection, URL hash        progress.js   counts, undo/redo buttons
 *   alignment.js  open an alignment          details.js    side panel: notes, history
 *   fidelity.js   fidelity evidence          ops.js        review operations
 *   raw.js        raw page, sentence edits   keys.js       keyboard map, help
 *   renderings.js renderings side by side    search.js     concordance
 *   hash.js       URL hash → view; review    newalign.js   upload dialog
 *   links.js      word links: hover/select a word to light its rendering
 *   linkbodies.js word links fetched a screenful at a time, kept per bead
 *   login.js      sign-in, account, CSRF     poll.js       other reviewers' edits
 *   pairing.js    pairing view: which record translates which (confirm, reassign)
 *
 * Some modules import each other in a cycle (nav → details → ops → nav): safe, because no
 * module uses an import while it loads, only later, when an event calls it.
 */
import { state } from "./state.js";
import { $, showError } from "./dom.js";
import { goTo, nextInQueue } from "./nav.js";
import { loadAlignments, openAlignment } from "./alignment.js";
import { addNote } from "./details.js";
import { ops } from "./ops.js";
import { showRaw, splitSentenceAtCursor, joinSentenceWithNext } from "./raw.js";
import { onKey, toggleHelp } from "./keys.js";
import { openRenderings, loadRenderingRows, openRenderingsForCurrent } from "./renderings.js";
import { onSearchSubmit, initFind } from "./find.js";
import { initLayout } from "./layout.js";
import { initOverview } from "./overview.js";
import { initTextEdit } from "./textedit.js";
import { initBulk } from "./bulk.js";
import { initExport } from "./exportmenu.js";
import { initImport } from "./importdialog.js";
import { followHash, backToReview } from "./hash.js";
import { openNewDialog, closeNewDialog, submitNew } from "./newalign.js";
import { wireLinks } from "./links.js";
import { signIn, wireAccount } from "./login.js";
import { startPolling } from "./poll.js";
import { wirePairing } from "./pairing.js";

function wireReview() {
  document.addEventListener("keydown", onKey);
  $("#beads").addEventListener("click", (ev) => {
    const row = ev.target.closest(".bead");
    if (!row) return;
    goTo(Number(row.dataset.pos), { scroll: false }).catch(showError);
    const sent = ev.target.closest(".sent");
    if (sent) showRaw(Number(sent.dataset.doc), Number(sent.dataset.ord), Number(sent.dataset.sid)).catch(showError);
  });
  $("#alignment-select").addEventListener("change", (ev) => openAlignment(Number(ev.target.value), 0).catch(showError));
  for (const btn of document.querySelectorAll("#queue button")) {
    btn.addEventListener("click", () => nextInQueue(btn.dataset.kind).catch(showError));
  }
  $("#undo-btn").addEventListener("click", ops.undo);
  $("#redo-btn").addEventListener("click", ops.redo);
  $("#help-btn").addEventListener("click", () => toggleHelp());
  $("#help-close").addEventListener("click", () => toggleHelp(false));
  $("#split-sent-btn").addEventListener("click", splitSentenceAtCursor);
  $("#join-sent-btn").addEventListener("click", joinSentenceWithNext);
  $("#note-form").addEventListener("submit", addNote);
  $("#new-btn").addEventListener("click", openNewDialog);
  $("#new-cancel").addEventListener("click", closeNewDialog);
  $("#new-form").addEventListener("submit", submitNew);
}

function wireViews() {
  $("#search-form").addEventListener("submit", onSearchSubmit);
  initFind();
  initLayout();
  initOverview();
  initTextEdit();
  initBulk();
  initExport();
  initImport();
  $("#search-close").addEventListener("click", () => $("#search-dialog").close());
  $("#renderings-btn").addEventListener("click", () => openRenderingsForCurrent().catch(showError));
  for (const back of ["#rv-back", "#pv-back"]) $(back).addEventListener("click", () => backToReview().catch(showError));
  $("#rv-more").addEventListener("click", () => loadRenderingRows().catch(showError));
  $("#pivot-select").addEventListener("change", (ev) => openRenderings(Number(ev.target.value)).catch(showError));
  window.addEventListener("hashchange", () => followHash().catch(showError));
}

async function main() {
  wireReview();
  wireViews();
  wireLinks();
  wireAccount();
  wirePairing();
  try {
    await signIn();
    startPolling();
    await loadAlignments();
    if (await followHash()) return;  // the view or bead named in the URL (a reload, a bookmark)
    if (!state.alignments.length) return;
    await openAlignment(state.alignments[0].id, 0);
    $("#beads").focus();
  } catch (err) {
    showError(err);
  } finally {
    document.body.dataset.ready = "1";
  }
}

// Module scripts run once the document is parsed, before DOMContentLoaded.
document.addEventListener("DOMContentLoaded", main);
