/* The virtualised bead list. Beads are fetched in blocks of BLOCK as they scroll into view
 * and blocks far from the viewport are emptied again (their measured height is kept), so a
 * 10,000-bead alignment keeps only a few hundred rows in the DOM.
 *
 * Every page read carries the alignment version: one newer than ours means someone else
 * edited, and the beads on screen are reloaded.
 */
import { state, setVersion } from "./state.js";
import { api } from "./api.js";
import { $, el, toast, showError } from "./dom.js";
import { queueOp } from "./queue.js";
import { renderBead } from "./row.js";
import { refreshProgress, loadCrossings } from "./progress.js";
import { refreshOverview, drawOverview } from "./overview.js";
import { refreshMeta } from "./alignment.js";

export const BLOCK = 100;   // beads per fetched block
const ROW_ESTIMATE = 56;    // px, height of a row before it is measured
const MAX_LOADED = 8;       // blocks kept rendered at once

let observer = null;

export function buildBlocks(total) {
  const list = $("#beads");
  if (observer) observer.disconnect();
  list.replaceChildren();
  state.blocks = [];
  observer = new IntersectionObserver(onIntersect, { root: list, rootMargin: "600px 0px" });
  setTotal(total);
}

function setTotal(total) {
  state.total = total;
  const list = $("#beads");
  const n = Math.ceil(total / BLOCK);
  while (state.blocks.length > n) {
    const b = state.blocks.pop();
    observer.unobserve(b.el);
    b.el.remove();
  }
  while (state.blocks.length < n) {
    const index = state.blocks.length;
    const elb = el("div", { class: "block", dataset: { block: index } });
    const b = { index, count: 0, el: elb, beads: null, loading: null, height: null };
    state.blocks.push(b);
    list.append(elb);
    observer.observe(elb);
  }
  state.blocks.forEach((b, i) => {
    b.count = Math.min(BLOCK, total - i * BLOCK);
    if (!b.beads) b.el.style.height = `${(b.height || b.count * ROW_ESTIMATE)}px`;
  });
}

function onIntersect(entries) {
  for (const e of entries) {
    if (!e.isIntersecting) continue;
    const b = state.blocks[Number(e.target.dataset.block)];
    if (b && !b.beads && !b.loading) loadBlock(b).catch(showError);
  }
}

function fetchPage(index) {
  return api(`/api/alignments/${state.aid}/beads?offset=${index * BLOCK}&limit=${BLOCK}`);
}

/* Fetch one block as it scrolls into view. If the server's version moved on (someone
 * else edited), the beads on screen are stale: reload them instead. */
export async function loadBlock(b) {
  if (b.loading) return b.loading;
  const p = (async () => {
    const page = await fetchPage(b.index);
    if (state.version !== null && page.version < state.version) {
      setTimeout(() => loadBlock(b).catch(showError), 0); // read before our own edit: again
      return;
    }
    if (state.version !== null && page.version > state.version) {
      toast(`The alignment was changed elsewhere (now version ${page.version}); beads reloaded.`, "warn");
      queueOp(() => reloadAll());
      return;
    }
    renderBlock(b, page.beads);
    evictFarBlocks();
  })();
  b.loading = p;
  try { await p; } finally { if (b.loading === p) b.loading = null; }
}

function renderBlock(b, beads) {
  b.beads = beads;
  const frag = document.createDocumentFragment();
  for (const bead of beads) frag.append(renderBead(bead));
  b.el.replaceChildren(frag);
  b.el.style.height = "";
  markSelected();
}

function unloadBlock(b) {
  b.height = b.el.offsetHeight || b.height;
  b.el.style.height = `${b.height || b.count * ROW_ESTIMATE}px`;
  b.el.replaceChildren();
  b.beads = null;
}

function evictFarBlocks() {
  const loaded = state.blocks.filter((b) => b.beads);
  if (loaded.length <= MAX_LOADED) return;
  const curBlock = Math.floor(state.cur / BLOCK);
  loaded.sort((a, b) => Math.abs(b.index - curBlock) - Math.abs(a.index - curBlock));
  for (const b of loaded.slice(0, loaded.length - MAX_LOADED)) {
    if (Math.abs(b.index - curBlock) > 1) unloadBlock(b);
  }
}

function nearViewport(b) {
  const view = $("#beads").getBoundingClientRect();
  const r = b.el.getBoundingClientRect();
  return r.bottom >= view.top - 300 && r.top <= view.bottom + 300;
}

/* After an edit (ours or someone else's): re-fetch the blocks on screen and the one
 * holding the selection; other loaded blocks are emptied and re-fetched when scrolled
 * to (a page read costs the server a scan of the alignment, so fetch few). */
export async function reloadAll() {
  for (let attempt = 0; attempt < 3; attempt++) {
    const curIndex = Math.floor(Math.max(0, Math.min(state.cur, state.total - 1)) / BLOCK);
    const wanted = state.blocks.filter((b) => b.index === curIndex || ((b.beads || b.loading) && nearViewport(b)));
    if (!wanted.length && state.blocks.length) wanted.push(state.blocks[0]);
    const pages = await Promise.all(wanted.map((b) => fetchPage(b.index)));
    const v = pages.length ? pages[0].version : (await api(`/api/alignments/${state.aid}`)).version;
    if (pages.some((pg) => pg.version !== v)) continue; // an edit landed in between: again
    setVersion(v);
    for (const b of state.blocks) if (b.beads && !wanted.includes(b)) unloadBlock(b);
    setTotal(pages.length ? pages[0].total : 0);
    wanted.forEach((b, i) => { if (state.blocks[b.index] === b && b.index * BLOCK < state.total) renderBlock(b, pages[i].beads); });
    break;
  }
  // Counts, crossing candidates and the record (provenance) are secondary: refresh them
  // without holding up edits.
  Promise.all([refreshProgress(), loadCrossings(), refreshOverview(), refreshMeta()]).catch(showError);
}

export function beadAt(pos) {
  const b = state.blocks[Math.floor(pos / BLOCK)];
  return b && b.beads ? b.beads[pos % BLOCK] : null;
}

export function positionOfBead(id) {
  for (const b of state.blocks) {
    if (!b.beads) continue;
    const hit = b.beads.find((x) => x.id === id);
    if (hit) return hit.position;
  }
  return null;
}

export function markSelected() {
  for (const r of document.querySelectorAll(".bead.selected")) {
    r.classList.remove("selected");
    r.removeAttribute("aria-selected");
  }
  const row = document.querySelector(`.bead[data-pos="${state.cur}"]`);
  if (row) {
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
  }
  drawOverview();
  return row;
}
