/* Side-by-side review page. No build step, no external code.
 *
 * Beads are fetched in blocks of BLOCK as they scroll into view and blocks far from the
 * viewport are emptied again (their measured height is kept), so a 10,000-bead alignment
 * keeps only a few hundred rows in the DOM.
 *
 * Safety: user text is only ever put in the page with textContent / text nodes.
 * Every edit sends the alignment version it was made against; a 409 "stale_version"
 * reloads the beads and tells the user.
 */
"use strict";

const BLOCK = 100;          // beads per fetched block
const ROW_ESTIMATE = 56;    // px, height of a row before it is measured
const MAX_LOADED = 8;       // blocks kept rendered at once

const $ = (sel) => document.querySelector(sel);

const state = {
  alignments: [],
  aid: null,
  meta: null,           // alignment dict from the API
  version: null,
  total: 0,
  blocks: [],           // {index, count, el, beads: null | [...], loading: Promise|null, height}
  cur: 0,               // selected bead position
  crossings: [],
  progress: null,
  user: localStorage.getItem("aligner-user") || "reviewer",
};

let observer = null;
let opChain = Promise.resolve();
let pendingOps = 0;

/* ---------------------------------------------------------------- HTTP */

class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.body = body || {};
  }
}

async function api(path, { method = "GET", body, form } = {}) {
  const headers = { "X-User": encodeURIComponent(state.user) }; // headers are Latin-1 only
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, { method, headers, body: payload });
  } catch (err) {
    throw new ApiError(0, "The server cannot be reached (is `aligner serve` running?)");
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = { detail: text.slice(0, 300) }; }
  }
  if (!res.ok) {
    const detail = (data && data.detail) || `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, typeof detail === "string" ? detail : JSON.stringify(detail), data);
  }
  return data;
}

/* ---------------------------------------------------------------- UI helpers */

function el(tag, attrs = {}, ...children) {
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
function toast(message, kind = "info", ms = 4500) {
  const t = $("#toast");
  t.textContent = message;
  t.className = kind;
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, ms);
}

function setBusy(delta) {
  pendingOps += delta;
  document.body.dataset.busy = pendingOps > 0 ? "1" : "0";
}

function setVersion(v) {
  state.version = v;
  document.body.dataset.version = String(v);
}

function scoreColour(score) {
  const s = Math.max(0, Math.min(1, Number(score) || 0));
  return `hsl(${Math.round(s * 120)}, 65%, 38%)`;
}

/* ---------------------------------------------------------------- alignments */

async function loadAlignments() {
  state.alignments = await api("/api/alignments");
  const sel = $("#alignment-select");
  sel.replaceChildren();
  for (const a of state.alignments) {
    const label = `#${a.id} ${a.src_title || a.src_lang} ↔ ${a.tgt_title || a.tgt_lang} (${a.beads} beads)`;
    sel.append(el("option", { value: a.id, text: label }));
  }
  $("#empty").hidden = state.alignments.length > 0;
  $("#beads").hidden = state.alignments.length === 0;
}

function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  return { aid: Number(h.get("a")) || null, pos: Number(h.get("p")) || 0 };
}

function writeHash() {
  if (state.aid === null) return;
  history.replaceState(null, "", `#a=${state.aid}&p=${state.cur}`);
}

async function openAlignment(aid, pos = 0) {
  state.aid = aid;
  $("#alignment-select").value = String(aid);
  state.meta = await api(`/api/alignments/${aid}`);
  setVersion(state.meta.version);
  renderProvenance(state.meta);
  buildBlocks(state.meta.beads);
  state.cur = Math.max(0, Math.min(pos, state.total - 1));
  await Promise.all([refreshProgress(), loadCrossings()]);
  await goTo(state.cur);
}

function renderProvenance(meta) {
  const box = $("#provenance");
  box.replaceChildren();
  const sides = [
    ["Source", meta.src_lang, meta.src_title, meta.src_provenance, "#src-head"],
    ["Target", meta.tgt_lang, meta.tgt_title, meta.tgt_provenance, "#tgt-head"],
  ];
  for (const [role, lang, title, prov, head] of sides) {
    const p = prov || {};
    const isRecon = p.kind === "reconstruction";
    const item = el("div", { class: "prov" + (isRecon ? " recon" : "") },
      el("b", { text: `${role} (${lang})` }), " ",
      el("span", { class: "title", text: title || p.file || "" }), " · ",
      el("span", { class: "file", text: p.file || "" }), " · ",
      el("span", { class: "kind", text: p.label || p.kind || "" }),
      p.sha256 ? el("span", { class: "sha", title: p.sha256, text: ` · sha256 ${p.sha256.slice(0, 12)}…` }) : null,
      p.note ? el("span", { class: "note", text: ` · ${p.note}` }) : null);
    box.append(item);
    const h = $(head);
    h.replaceChildren(`${role} (${lang})`);
    if (isRecon) h.append(" ", el("span", { class: "recon-tag", text: "TEST RECONSTRUCTION — not the archival text" }));
  }
}

/* ---------------------------------------------------------------- blocks (virtual list) */

function buildBlocks(total) {
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
async function loadBlock(b) {
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
async function reloadAll() {
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
  // Counts and crossing candidates are secondary: refresh them without holding up edits.
  Promise.all([refreshProgress(), loadCrossings()]).catch(showError);
}

function beadAt(pos) {
  const b = state.blocks[Math.floor(pos / BLOCK)];
  return b && b.beads ? b.beads[pos % BLOCK] : null;
}

function positionOfBead(id) {
  for (const b of state.blocks) {
    if (!b.beads) continue;
    const hit = b.beads.find((x) => x.id === id);
    if (hit) return hit.position;
  }
  return null;
}

/* ---------------------------------------------------------------- rendering a bead */

function renderSentences(bead, side) {
  const doc = side === "src" ? state.meta.src_document_id : state.meta.tgt_document_id;
  const cell = el("div", { class: `side ${side}`, lang: side === "src" ? state.meta.src_lang : state.meta.tgt_lang });
  const sents = bead[side];
  if (!sents.length) {
    cell.append(el("p", { class: "gap", text: side === "src" ? "— nothing in the source (0-1: added in translation) —" : "— nothing in the target (1-0: omitted) —" }));
    return cell;
  }
  for (const s of sents) {
    cell.append(el("p", { class: "sent", dataset: { side, ord: s.ord, sid: s.id, doc }, title: `Sentence ${s.ord + 1}${s.page ? `, page ${s.page}` : ""} — click to see it in the raw text` },
      el("span", { class: "num", text: String(s.ord + 1) }),
      el("span", { class: "txt", text: s.text })));
  }
  return cell;
}

function renderBead(bead) {
  const row = el("div", {
    class: `bead status-${bead.status}`,
    role: "row",
    dataset: { pos: bead.position, id: bead.id, type: bead.type, status: bead.status },
  });
  row.style.setProperty("--score", scoreColour(bead.score));
  const meta = el("div", { class: "meta" },
    el("span", { class: "pos", text: `#${bead.position + 1}` }),
    el("span", { class: "type" + (bead.type === "1-1" ? "" : " odd"), text: bead.type }));
  const flags = el("div", { class: "flags" });
  for (const f of bead.flags || []) flags.append(el("span", { class: "flag", text: f }));
  if (bead.origin === "manual") flags.append(el("span", { class: "flag manual", text: "manual" }));
  const statusText = { confirmed: "✓ confirmed", rejected: "✗ rejected", unreviewed: "· unreviewed" }[bead.status] || bead.status;
  const info = el("div", { class: "info" },
    el("span", { class: "score", style: `background:${scoreColour(bead.score)}`, title: "confidence score (0–1)", text: Number(bead.score).toFixed(2) }),
    el("span", { class: "status", text: statusText }),
    bead.notes ? el("span", { class: "notes-count", title: `${bead.notes} note(s)`, text: `✎${bead.notes}` }) : null,
    flags);
  row.append(meta, renderSentences(bead, "src"), renderSentences(bead, "tgt"), info);
  return row;
}

function markSelected() {
  for (const r of document.querySelectorAll(".bead.selected")) {
    r.classList.remove("selected");
    r.removeAttribute("aria-selected");
  }
  const row = document.querySelector(`.bead[data-pos="${state.cur}"]`);
  if (row) {
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
  }
  return row;
}

/* ---------------------------------------------------------------- selection / navigation */

async function goTo(pos, { scroll = true } = {}) {
  if (state.total === 0) return;
  pos = Math.max(0, Math.min(pos, state.total - 1));
  state.cur = pos;
  const b = state.blocks[Math.floor(pos / BLOCK)];
  if (!b.beads) {
    b.el.scrollIntoView({ block: "start" });
    await loadBlock(b);
  }
  const row = markSelected();
  if (row && scroll) row.scrollIntoView({ block: "nearest" });
  writeHash();
  showDetails();
}

let detailTimer = null;
function showDetails() {
  clearTimeout(detailTimer);
  detailTimer = setTimeout(loadDetails, 150); // j/j/j held down should not flood the server
}

async function loadDetails() {
  const bead = beadAt(state.cur);
  if (!bead) return;
  $("#detail-title").textContent = `#${bead.position + 1} (${bead.type}, id ${bead.id})`;
  const hist = await api(`/api/alignments/${state.aid}/beads/${bead.id}/history`).catch(() => null);
  if (!hist || beadAt(state.cur) !== bead) return;
  const notes = $("#notes");
  notes.replaceChildren(...hist.notes.map((n) => el("li", {}, el("b", { text: n.user }), `: ${n.text}`)));
  if (!hist.notes.length) notes.append(el("li", { class: "hint", text: "no notes" }));
  const h = $("#history");
  h.replaceChildren(...hist.edits.map((e) => el("li", { class: e.undone ? "undone" : "" },
    `v${e.version} ${e.operation} by ${e.user}${e.undone ? " (undone)" : ""}`,
    e.summary ? el("div", { class: "hint", text: e.summary }) : null)));
  if (!hist.edits.length) h.append(el("li", { class: "hint", text: "as aligned automatically" }));
  renderCrossingsFor(bead);
  renderFidelity(bead).catch(showError); // views.js
}

function renderCrossingsFor(bead) {
  const box = $("#crossings");
  box.replaceChildren();
  const src = new Set(bead.src.map((s) => s.id));
  const tgt = new Set(bead.tgt.map((s) => s.id));
  const mine = state.crossings.filter((c) => c.src.some((s) => src.has(s.id)) || c.tgt.some((s) => tgt.has(s.id)));
  if (!mine.length) return;
  box.append(el("h3", { text: "Crossing candidates" }));
  for (const c of mine) {
    const label = `source ${c.src.map((s) => s.ord + 1).join(",")} ↔ target ${c.tgt.map((s) => s.ord + 1).join(",")} (${Number(c.score).toFixed(2)})`;
    const btn = el("button", { type: "button", text: c.linked ? "linked" : "Link" });
    btn.disabled = !!c.linked;
    btn.addEventListener("click", () => runOp("crossing-links", { crossing_id: c.id }, `crossing link ${label}`));
    box.append(el("div", { class: "crossing" }, el("span", { text: `${label} ${c.reason || ""} ` }), btn));
  }
}

/* ---------------------------------------------------------------- progress and queue */

async function refreshProgress() {
  const p = await api(`/api/alignments/${state.aid}/progress`);
  state.progress = p;
  const done = p.beads - p.unreviewed;
  $("#progress-fill").style.width = `${Math.round(p.reviewed_fraction * 100)}%`;
  $("#progress-text").textContent = `${done} / ${p.beads} reviewed (${Math.round(p.reviewed_fraction * 100)}%) · v${p.version}`;
  const counts = { unreviewed: p.unreviewed, "low-confidence": p.low_confidence,
    "non-1-1": p.beads - (p.types["1-1"] || 0), flagged: p.flagged, crossing: p.crossing };
  for (const btn of document.querySelectorAll("#queue button")) {
    btn.querySelector("b").textContent = String(counts[btn.dataset.kind] ?? "");
  }
  $("#undo-btn").disabled = !p.undo;
  $("#undo-btn").title = p.undo ? `Undo ${p.undo} (u, Ctrl+Z)` : "Nothing to undo";
  $("#redo-btn").disabled = !p.redo;
  $("#redo-btn").title = p.redo ? `Redo ${p.redo} (Ctrl+Y)` : "Nothing to redo";
}

async function loadCrossings() {
  state.crossings = await api(`/api/alignments/${state.aid}/crossings`).catch(() => []);
}

async function nextInQueue(kind) {
  const r = await api(`/api/alignments/${state.aid}/next?kind=${encodeURIComponent(kind)}&after=${state.cur}`);
  if (!r.bead) { toast(`No ${kind} bead left.`, "info"); return; }
  await goTo(r.bead.position);
}

/* ---------------------------------------------------------------- edits */

function queueOp(fn) {
  setBusy(+1);
  opChain = opChain.then(fn).catch(showError).finally(() => setBusy(-1));
  return opChain;
}

/* POST a review op made against the current version; refresh and focus what it touched. */
function runOp(op, body, what) {
  return queueOp(async () => {
    let res;
    try {
      res = await api(`/api/alignments/${state.aid}/${op}`, { method: "POST", body: { version: state.version, ...body } });
    } catch (err) {
      if (err.status === 409 && err.body.code === "stale_version") {
        const why = err.message.replace(/[.\s]*$/, ".");
        toast(`Not applied: ${why} The beads were reloaded — check and redo your edit.`, "warn", 9000);
        await reloadAll();
        await goTo(state.cur);
        return;
      }
      throw err;
    }
    setVersion(res.version);
    await reloadAll();
    let focus = res.bead_ids.map(positionOfBead).find((p) => p !== null && p !== undefined);
    if (focus === undefined && res.bead_ids.length) {
      // e.g. an undo far from the screen: show the beads it restored
      const bead = await api(`/api/alignments/${state.aid}/beads/${res.bead_ids[0]}`).catch(() => null);
      focus = bead ? bead.position : undefined;
    }
    await goTo(focus ?? state.cur);
    toast(`${what} → version ${res.version}`, "ok", 2000);
  });
}

function current() {
  const bead = beadAt(state.cur);
  if (!bead) toast("No bead selected (still loading?)", "warn");
  return bead;
}

const ops = {
  confirm() { const b = current(); if (b) runOp("confirm", { bead_ids: [b.id] }, `confirmed #${b.position + 1}`); },
  reject() { const b = current(); if (b) runOp("reject", { bead_ids: [b.id] }, `rejected #${b.position + 1}`); },
  unreview() { const b = current(); if (b) runOp("unreview", { bead_ids: [b.id] }, `#${b.position + 1} unreviewed`); },
  merge(direction) { const b = current(); if (b) runOp("merge", { bead_id: b.id, direction }, `merged #${b.position + 1} with ${direction}`); },
  split() {
    const b = current();
    if (!b) return;
    const n = b.src.length + b.tgt.length;
    if (n < 2) { toast("This bead has one sentence; nothing to split.", "warn"); return; }
    // After the first sentence of each side (2-2 → 1-1 + 1-1, 2-1 → 1-1 + 1-0);
    // a 1-1 bead becomes 1-0 + 0-1 so that both parts are non-empty.
    const srcAt = Math.min(1, b.src.length);
    let tgtAt = Math.min(1, b.tgt.length);
    if (srcAt === b.src.length && tgtAt === b.tgt.length) tgtAt = 0;
    runOp("split", { bead_id: b.id, src_at: srcAt, tgt_at: tgtAt }, `split #${b.position + 1}`);
  },
  move(side, direction) {
    const b = current();
    if (b) runOp("move", { bead_id: b.id, side, direction }, `moved a ${side === "src" ? "source" : "target"} sentence to the ${direction} bead`);
  },
  detach() { const b = current(); if (b) runOp("detach", { bead_id: b.id }, `detached #${b.position + 1}`); },
  undo() { runOp("undo", {}, "undone"); },
  redo() { runOp("redo", {}, "redone"); },
  realign() {
    if (confirm("Re-align every bead that is not confirmed (confirmed and manual beads stay)?")) {
      runOp("realign", {}, "re-aligned the unconfirmed part");
    }
  },
};

function openSplitDialog() {
  const b = current();
  if (!b) return;
  const dlg = $("#split-dialog");
  for (const side of ["src", "tgt"]) {
    const fs = $(`#split-${side}`);
    fs.replaceChildren(fs.querySelector("legend"));
    for (let k = 0; k <= b[side].length; k++) {
      const text = k === 0 ? "none" : `${k}: …${b[side][k - 1].text.slice(-50)}`;
      fs.append(el("label", {}, el("input", { type: "radio", name: side, value: k, checked: k === Math.min(1, b[side].length) }), ` ${text}`));
    }
  }
  dlg.returnValue = "";
  dlg.showModal();
  dlg.onclose = () => {
    if (dlg.returnValue !== "ok") return;
    const src = Number(new FormData($("#split-form")).get("src"));
    const tgt = Number(new FormData($("#split-form")).get("tgt"));
    runOp("split", { bead_id: b.id, src_at: src, tgt_at: tgt }, `split #${b.position + 1}`);
  };
}

/* ---------------------------------------------------------------- raw text panel */

let rawSentence = null; // {doc, ord, sid, text}

async function showRaw(doc, ord, sid) {
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
  $("#sent-edit").textContent = ctx.text;
}

function showRawOfCurrent(side) {
  const b = current();
  if (!b || !b[side].length) return;
  const s = b[side][0];
  const doc = side === "src" ? state.meta.src_document_id : state.meta.tgt_document_id;
  showRaw(doc, s.ord, s.id).catch(showError);
}

function splitSentenceAtCursor() {
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

/* ---------------------------------------------------------------- errors */

function showError(err) {
  console.error(err);
  const msg = err instanceof ApiError ? err.message : `Unexpected problem: ${err && err.message}`;
  toast(msg, "error", 8000);
}

/* ---------------------------------------------------------------- new alignment */

async function submitNew(ev) {
  ev.preventDefault();
  const f = new FormData($("#new-form"));
  const status = $("#new-status");
  try {
    status.textContent = "Creating project…";
    const projects = await api("/api/projects");
    let project = projects.find((p) => p.name === f.get("project"));
    if (!project) project = await api("/api/projects", { method: "POST", body: { name: f.get("project") } });
    const ids = {};
    for (const [side, role] of [["src", "source"], ["tgt", "translation"]]) {
      status.textContent = `Uploading ${role}…`;
      const form = new FormData();
      form.append("file", f.get(`${side}_file`));
      form.append("lang", f.get(`${side}_lang`));
      form.append("role", role);
      form.append("kind", f.get(`${side}_kind`));
      ids[side] = (await api(`/api/projects/${project.id}/documents`, { method: "POST", form })).id;
    }
    let job = await api(`/api/projects/${project.id}/alignments`, { method: "POST",
      body: { src_document_id: ids.src, tgt_document_id: ids.tgt } });
    while (job.state === "queued" || job.state === "running") {
      status.textContent = `Aligning: ${job.stage} ${Math.round(job.progress * 100)}%`;
      await new Promise((r) => setTimeout(r, 500));
      job = await api(`/api/jobs/${job.id}`);
    }
    if (job.state !== "done") throw new ApiError(400, job.error || "alignment failed");
    $("#new-dialog").close();
    await loadAlignments();
    await openAlignment(job.alignment_id, 0);
  } catch (err) {
    status.textContent = err.message;
  }
}

/* ---------------------------------------------------------------- keyboard */

function toggleHelp(show) {
  const h = $("#help");
  h.hidden = show === undefined ? !h.hidden : !show;
}

function onKey(ev) {
  const tag = (ev.target.tagName || "").toLowerCase();
  if (tag === "input" || tag === "textarea" || tag === "select" || $("#split-dialog").open || $("#new-dialog").open) return;
  if (viewKey(ev)) return; // views.js: search, renderings view
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
    "?": () => toggleHelp(true), Escape: () => toggleHelp(false),
  };
  const fn = actions[k];
  if (!fn) return;
  ev.preventDefault();
  Promise.resolve(fn()).catch(showError);
}

/* ---------------------------------------------------------------- wiring */

function wire() {
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
  $("#join-sent-btn").addEventListener("click", () => {
    if (rawSentence) runOp("join-sentence", { sentence_id: rawSentence.sid }, `joined sentence ${rawSentence.ord + 1} with the next`);
  });
  $("#note-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const b = current();
    const text = $("#note-input").value.trim();
    if (!b || !text) return;
    queueOp(async () => {
      await api(`/api/alignments/${state.aid}/beads/${b.id}/notes`, { method: "POST", body: { text } });
      $("#note-input").value = "";
      $("#beads").focus();
      await reloadAll();
      await goTo(state.cur);
      toast("Note added.", "ok", 2000);
    });
  });
  const userBtn = $("#user-btn");
  userBtn.textContent = `Reviewer: ${state.user}`;
  userBtn.addEventListener("click", () => {
    const name = (prompt("Your name for the edit log:", state.user) || "").trim();
    if (!name) return;
    state.user = name.slice(0, 100);
    localStorage.setItem("aligner-user", state.user);
    userBtn.textContent = `Reviewer: ${state.user}`;
  });
  $("#new-btn").addEventListener("click", () => { $("#new-status").textContent = ""; $("#new-dialog").showModal(); });
  $("#new-cancel").addEventListener("click", () => $("#new-dialog").close());
  $("#new-form").addEventListener("submit", submitNew);
}

async function main() {
  wire();
  wireViews(); // views.js
  try {
    await loadAlignments();
    const doc = Number(new URLSearchParams(location.hash.slice(1)).get("d"));
    if (doc) { await openRenderings(doc); return; }
    if (!state.alignments.length) return;
    const { aid, pos } = readHash();
    const known = state.alignments.some((a) => a.id === aid);
    await openAlignment(known ? aid : state.alignments[0].id, known ? pos : 0);
    $("#beads").focus();
  } catch (err) {
    showError(err);
  } finally {
    document.body.dataset.ready = "1";
  }
}

// After every script (views.js too) has run.
document.addEventListener("DOMContentLoaded", main);
