/* Room for the beads: the side panel can be hidden (p, the Panel button), which gives its
 * width to the two text columns; the choice is remembered in this browser.
 */
import { $ } from "./dom.js";

const KEY = "aligner-panel";

export function setPanel(open) {
  document.body.dataset.panel = open ? "open" : "closed";
  $("#panel-btn").setAttribute("aria-pressed", open ? "true" : "false");
  localStorage.setItem(KEY, open ? "open" : "closed");
}

export function togglePanel() {
  setPanel(document.body.dataset.panel === "closed");
}

export function initLayout() {
  setPanel(localStorage.getItem(KEY) !== "closed");
  $("#panel-btn").addEventListener("click", togglePanel);
}

/* Which view fills the page: "review" (bead list, panel, provenance), "renderings" or
 * "pairing". The one place that hides the others, so two views are never shown at once. */
const VIEWS = {
  review: ["#list-wrap", "#panel", "#provenance"],
  renderings: ["#renderings-view"],
  pairing: ["#pairing-view"],
};

export function currentView() { return document.body.dataset.view; }

export function showView(name) {
  document.body.dataset.view = name;
  for (const [view, ids] of Object.entries(VIEWS)) for (const id of ids) $(id).hidden = view !== name;
}
