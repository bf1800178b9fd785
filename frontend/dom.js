/* Building and announcing: $(), el() to make nodes, toast() and showError() to tell the
 * user, scoreColour() for confidence chips.
 *
 * Safety: user text is only ever put in the page with textContent / text nodes (el()).
 */
import { ApiError } from "./api.js";

export const $ = (sel) => document.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

let toastTimer = null;
export function toast(message, kind = "info", ms = 4500) {
  const t = $("#toast");
  t.textContent = message;
  t.className = kind;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, ms);
}

export function showError(err) {
  console.error(err);
  const msg = err instanceof ApiError ? err.message : `Unexpected problem: ${err && err.message}`;
  toast(msg, "error", 8000);
}

export function scoreColour(score) {
  const s = Math.max(0, Math.min(1, Number(score) || 0));
  return `hsl(${Math.round(s * 120)}, 65%, 38%)`;
}
