/* The Export menu: every format the server offers (GET /api/formats, the same registry as
 * `aligner export`), each with its yes/no options, downloaded from
 * /api/alignments/{id}/export?format=…&option=… as an attachment.
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, el, showError } from "./dom.js";

let formats = null;

function href(fmt, box) {
  const q = new URLSearchParams({ format: fmt.name });
  for (const input of box.querySelectorAll("input[type=checkbox]")) q.set(input.name, input.checked ? "true" : "false");
  return `/api/alignments/${state.aid}/export?${q}`;
}

function formatItem(fmt) {
  const link = el("a", { class: "download", dataset: { format: fmt.name }, download: "",
    title: `Download ${fmt.label}` }, `Download ${fmt.suffix}`);
  const item = el("li", { dataset: { format: fmt.name } }, el("b", { text: fmt.label }), " ", link);
  for (const o of fmt.options || []) {
    const box = el("input", { type: "checkbox", name: o.name, checked: o.default || undefined });
    box.addEventListener("change", () => { link.href = href(fmt, item); });
    item.append(el("label", { class: "option", title: o.help }, box, ` ${o.name.replace(/_/g, " ")}`,
      el("span", { class: "hint", text: ` — ${o.help}` })));
  }
  link.href = href(fmt, item);
  return item;
}

export async function openExportDialog() {
  if (state.aid === null) return;
  try {
    formats = formats || await api("/api/formats");
  } catch (err) { showError(err); return; }
  $("#export-list").replaceChildren(...formats.map(formatItem));
  $("#export-dialog").showModal();
  const first = $("#export-list a.download");
  if (first) first.focus();
}

export function initExport() {
  $("#export-btn").addEventListener("click", openExportDialog);
  $("#export-close").addEventListener("click", () => $("#export-dialog").close());
}
