/* The Import… dialog: an alignment made elsewhere (TMX, InterText XML or zip, Vecalign /
 * Bertalign .align with its sentence files, LF Aligner / hunalign TSV) uploaded to
 * POST /api/imports, then opened for review like ours. The project is named in the form:
 * the server creates a new one only with the imported alignment, so a failed import leaves
 * no empty project behind.
 */
import { api } from "./api.js";
import { $, el, toast } from "./dom.js";
import { loadAlignments, openAlignment } from "./alignment.js";

let formats = [];

function showFiles() {
  const fmt = formats.find((f) => f.name === $("#import-format").value);
  const takes = !fmt || fmt.files.length > 0;
  $("#import-source-wrap").hidden = $("#import-target-wrap").hidden = !takes;
  $("#import-source").required = $("#import-target").required = !!(fmt && fmt.files_required);
}

export async function openImportDialog() {
  if (!formats.length) {
    formats = await api("/api/import-formats");
    $("#import-format").append(...formats.map((f) => el("option", { value: f.name, text: f.label })));
  }
  $("#import-status").textContent = "";
  showFiles();
  $("#import-dialog").showModal();
}

async function submitImport(ev) {
  ev.preventDefault();
  const f = new FormData($("#import-form"));
  const status = $("#import-status");
  try {
    const form = new FormData();
    form.append("project", f.get("project"));
    for (const key of ["alignment", "source", "target"]) {
      const file = f.get(key);
      // A chosen file goes even when empty (0 bytes): the server says "file is empty";
      // an input with no file chosen gives a nameless one.
      if (file && file.name) form.append(key, file);
    }
    for (const key of ["format", "src_lang", "tgt_lang"]) if (f.get(key)) form.append(key, f.get(key));
    form.append("cost", f.get("cost") ? "true" : "false");
    form.append("via", "page");
    status.textContent = "Importing…";
    const r = await api("/api/imports", { method: "POST", form });
    $("#import-dialog").close();
    await loadAlignments();
    await openAlignment(r.alignment_id, 0);
    toast(`Imported ${r.imported.format} ${r.imported.file}: ${r.beads} beads.`, "ok");
  } catch (err) {
    status.textContent = err.message;
  }
}

export function initImport() {
  $("#import-btn").addEventListener("click", () => openImportDialog().catch((err) => toast(err.message, "error")));
  $("#import-cancel").addEventListener("click", () => $("#import-dialog").close());
  $("#import-format").addEventListener("change", showFiles);
  $("#import-form").addEventListener("submit", submitImport);
}
