/* The keyboard map (the help overlay in index.html lists it) and the help overlay itself.
 * Keys typed into a field or while a modal dialog is open are left alone; while the
 * concordance is shown or another view (renderings, pairing) is open, the review keys are
 * off and Esc goes back to review. Every action of the page has a key here.
 */
import { state } from "./state.js";
import { $, showError } from "./dom.js";
import { goTo, nextInQueue } from "./nav.js";
import { ops, openSplitDialog } from "./ops.js";
import { showRawOfCurrent } from "./raw.js";
import { inRenderings, openRenderingsForCurrent } from "./renderings.js";
import { backToReview } from "./hash.js";
import { focusFind, jumpHit } from "./find.js";
import { openSentenceEditor, applyFirstSuggestion } from "./textedit.js";
import { confirmUpToHere, openBulkDialog } from "./bulk.js";
import { openExportDialog } from "./exportmenu.js";
import { openImportDialog } from "./importdialog.js";
import { togglePanel, currentView } from "./layout.js";
import { joinSentenceWithNext } from "./raw.js";

export function toggleHelp(show) {
  const h = $("#help");
  h.hidden = show === undefined ? !h.hidden : !show;
}

/* Keys of the concordance and the other views; true if handled (review keys are off there). */
function viewKey(ev) {
  const k = ev.key;
  if ($("#search-dialog").open) { // review keys are off while the results are shown
    if (k === "Escape") { $("#search-dialog").close(); ev.preventDefault(); }
    else if (k === "/") { $("#search-input").focus(); ev.preventDefault(); }
    return true;
  }
  if (k === "/" && !ev.ctrlKey && !ev.metaKey) { focusFind(inRenderings() ? "all" : "alignment"); ev.preventDefault(); return true; }
  if (k === "q" && !ev.ctrlKey && !ev.metaKey && !ev.altKey) { focusFind("all"); ev.preventDefault(); return true; }
  if (currentView() === "review") return false;
  if (k === "Escape") { backToReview().catch(showError); ev.preventDefault(); }
  return true;
}

export function onKey(ev) {
  const tag = (ev.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select") return;
  if (document.querySelector("dialog[open]:not(#search-dialog)")) return; // a modal dialog has the keys
  if (viewKey(ev)) return;
  const k = ev.key;
  const ctrl = ev.ctrlKey || ev.metaKey;
  if (!$("#help").hidden && (k === "Escape" || k === "?")) { toggleHelp(false); ev.preventDefault(); return; }
  if (ctrl) {
    if (k === "z" || k === "Z") { ev.shiftKey ? ops.redo() : ops.undo(); ev.preventDefault(); }
    else if (k === "y" || k === "Y") { ops.redo(); ev.preventDefault(); }
    return;
  }
  if (ev.altKey || state.aid === null) { if (k === "?") toggleHelp(true); return; }
  const actions = {
    j: () => goTo(state.cur + 1), ArrowDown: () => goTo(state.cur + 1),
    k: () => goTo(state.cur - 1), ArrowUp: () => goTo(state.cur - 1),
    Home: () => goTo(0), End: () => goTo(state.total - 1),
    c: ops.confirm, r: ops.reject, 0: ops.unreview,
    m: () => ops.merge("next"), M: () => ops.merge("previous"),
    s: ops.split, S: openSplitDialog,
    "[": () => ops.move("src", "previous"), "]": () => ops.move("src", "next"),
    "{": () => ops.move("tgt", "previous"), "}": () => ops.move("tgt", "next"),
    d: ops.detach, u: ops.undo, A: ops.realign,
    n: () => nextInQueue("unreviewed"), l: () => nextInQueue("low-confidence"),
    t: () => nextInQueue("non-1-1"), f: () => nextInQueue("flagged"), x: () => nextInQueue("crossing"),
    v: () => showRawOfCurrent("src"), V: () => showRawOfCurrent("tgt"),
    a: () => $("#note-input").focus(),
    g: openRenderingsForCurrent,
    C: confirmUpToHere, b: openBulkDialog,
    e: openSentenceEditor, o: applyFirstSuggestion, J: joinSentenceWithNext,
    ">": () => jumpHit(1), "<": () => jumpHit(-1),
    p: togglePanel, E: openExportDialog, I: openImportDialog,
    N: () => $("#new-btn").click(), R: () => $("#user-btn").click(),
    "?": () => toggleHelp(true), Escape: () => toggleHelp(false),
  };
  const fn = actions[k];
  if (!fn) return;
  ev.preventDefault();
  Promise.resolve(fn()).catch(showError);
}
