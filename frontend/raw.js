/* The raw-text panel: a sentence shown highlighted in its raw (OCR) page, and the
 * sentence edits made from it (split at the cursor, join with the next sentence; its text
 * is corrected in textedit.js). A corrected sentence is still shown at its place in the raw
 * page, which never changes, with the text as segmented below it.
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, el, toast, showError } from "./dom.js";
import { current } from "./nav.js";
import { runOp } from "./ops.js";

let rawSentence = null; // {doc, ord, sid, text}

/* The sentence shown in the panel ({doc, ord, sid, text}), or null. */
export function shownSentence() { return rawSentence; }

export async function showRaw(doc, ord, sid) {
  const ctx = await api(`/api/documents/${doc}/sentences/${ord}/context`);
  rawSentence = { doc, ord, sid, text: ctx.text };
  const side = doc === state.meta.src_document_id ? "Source" : "Target";
  $("#raw-title").textContent = `${side} sentence ${ord + 1} — page ${ctx.page ?? "?"} of ${ctx.page_count}`;
  $("#raw-hint").textContent = `Raw text as read (${ctx.label}); characters ${ctx.raw_start}–${ctx.raw_end}.`;
  const pre = $("#raw-text");
  const t = ctx.page_text;
  const a = Math.max(0, Math.min(t.length, ctx.highlight_start));
  const z = Math.max(a, Math.min(t.length, ctx.highlight_end));
  const mark = el("mark", { text: t.slice(a, z) });
  pre.replaceChildren(document.createTextNode(t.slice(0, a)), mark, document.createTextNode(t.slice(z)));
  mark.scrollIntoView({ block: "center" });
  $("#sent-tools").hidden = false;
  $("#sent-editor").hidden = true;
  $("#sent-edit").hidden = false;
  $("#sent-edit").textContent = ctx.text;
  const orig = $("#sent-original");
  orig.hidden = !ctx.original;
  orig.textContent = ctx.original ? `Corrected; as segmented: “${ctx.original}”` : "";
}

export function showRawOfCurrent(side) {
  const b = current();
  if (!b || !b[side].length) return;
  const s = b[side][0];
  const doc = side === "src" ? state.meta.src_document_id : state.meta.tgt_document_id;
  showRaw(doc, s.ord, s.id).catch(showError);
}

export function splitSentenceAtCursor() {
  if (!rawSentence) return;
  const sel = window.getSelection();
  const box = $("#sent-edit");
  if (!sel.rangeCount || !box.contains(sel.anchorNode)) {
    toast("Click inside the sentence text (above the raw page) where it should be split.", "warn");
    return;
  }
  const offset = sel.anchorOffset;
  runOp("split-sentence", { sentence_id: rawSentence.sid, offset }, `split sentence ${rawSentence.ord + 1} at ${offset}`);
}

export function joinSentenceWithNext() {
  if (rawSentence) runOp("join-sentence", { sentence_id: rawSentence.sid }, `joined sentence ${rawSentence.ord + 1} with the next`);
}
