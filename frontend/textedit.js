/* Correcting a sentence's text (OCR errors, typos) from the side panel: e (or Edit text)
 * opens the sentence shown there in an editor, Ctrl+Enter saves, Esc cancels. A suggested
 * OCR reading is applied with one click in the fidelity panel, or o for the bead's first.
 * Each correction is an undoable edit; the raw text (the OCR as received) never changes.
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, toast, showError } from "./dom.js";
import { runOp } from "./ops.js";
import { current } from "./nav.js";
import { showRaw, shownSentence } from "./raw.js";
import { setPanel } from "./layout.js";

export async function openSentenceEditor() {
  let s = shownSentence();
  if (!s) {
    const b = current();
    if (!b) return;
    const side = b.tgt.length ? "tgt" : "src";
    const first = b[side][0];
    const doc = side === "src" ? state.meta.src_document_id : state.meta.tgt_document_id;
    await showRaw(doc, first.ord, first.id);
    s = shownSentence();
  }
  if (document.body.dataset.panel === "closed") setPanel(true);
  $("#sent-text").value = s.text;
  $("#sent-editor").hidden = false;
  $("#sent-edit").hidden = true;
  $("#sent-text").focus();
}

export function closeSentenceEditor() {
  $("#sent-editor").hidden = true;
  $("#sent-edit").hidden = false;
}

function saveSentence() {
  const s = shownSentence();
  const text = $("#sent-text").value.trim();
  if (!s || !text) return;
  if (text === s.text) { closeSentenceEditor(); return; }
  closeSentenceEditor();
  $("#beads").focus();
  runOp("edit-text", { sentence_id: s.sid, text }, `corrected sentence ${s.ord + 1}`)
    .then(() => showRaw(s.doc, s.ord, s.sid)).catch(showError);
}

export function applySuggestion(beadId, word, reading) {
  return runOp("apply-suggestion", { bead_id: beadId, word }, `“${word}” → “${reading}”`);
}

export async function applyFirstSuggestion() {
  const b = current();
  if (!b) return;
  const flags = await api(`/api/alignments/${state.aid}/beads/${b.id}/fidelity`);
  const f = flags.find((x) => x.code === "ocr-suspect" && x.suggestion && x.details && x.details.word);
  if (!f) { toast("No suggested OCR reading on this bead.", "info"); return; }
  await applySuggestion(b.id, f.details.word, f.suggestion);
}

export function initTextEdit() {
  $("#edit-sent-btn").addEventListener("click", () => openSentenceEditor().catch(showError));
  $("#sent-save").addEventListener("click", saveSentence);
  $("#sent-cancel").addEventListener("click", closeSentenceEditor);
  $("#sent-text").addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); saveSentence(); }
    else if (ev.key === "Escape") { ev.preventDefault(); closeSentenceEditor(); $("#beads").focus(); }
  });
}
