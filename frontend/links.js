/* Word links on the page (issue 15): pointing at a word, or selecting words, on one side
 * lights up the words they are linked to on the other side — in the review list, in the
 * renderings view (all renderings at once) and in the concordance dialog. Selecting a
 * phrase also lights it, and its counterparts, wherever else it occurs in the same view.
 *
 * Styles (links.css, explained in the ? help): a word linked one-to-one is lit solid
 * (.w.lit); a word inside a many-to-many group (one word rendered by several, several by
 * one: a partial link) is lit striped with a dashed outline (.w.lit.partial); the words
 * pointed at are outlined (.w.focus). Fidelity evidence (a number or name on one side only)
 * and the words it is linked to are outlined red (.w.evidence), see showEvidence().
 *
 * Links come in batches (linkbodies.js: the beads asked for in one turn go in one request
 * per alignment, and each bead's body is kept). When the pointer rests on a container not
 * loaded yet, its links are asked for at once, and those of every other container on
 * screen in that view in one more request (prefetchVisible), so pointing along the list,
 * the renderings or the hits costs two requests a screenful, not one per bead. A sentence
 * is wrapped into word spans (<span class="w">) only when first needed; its text does not
 * change. A "container" is the unit whose links are loaded together: a bead row, a row of
 * the renderings view, a concordance hit.
 */
import { state } from "./state.js";
import { linksOf, sendNow, want, BATCH_MAX } from "./linkbodies.js";
import { el, showError } from "./dom.js";

const TEXT = ".txt, .hit-text, .aligned-text";             // elements holding sentence text
const CONTAINER = ".bead, .rv-row:not(.rv-head), #search-results .hit";
const SPREAD_MAX = 40;  // other containers a selected phrase is looked for in
const REST_MS = 120;    // the pointer rests this long on a sentence before its links load

const registries = new WeakMap();    // container → Promise of its registry
const ready = new WeakMap();         // container → registry, once loaded
let hover = null;                    // {reg, sources: [span]}
let selection = [];                  // [{reg, sources: [span]}]
let lit = new Set();
let pointer = { x: -1, y: -1 };
let restTimer = null;

/* ---------------------------------------------------------------- loading and wrapping */

/* The [aid, bead] pairs whose links a container shows. */
function beadsOf(container) {
  if (container.classList.contains("bead")) return [[state.aid, Number(container.dataset.id)]];
  if (container.classList.contains("rv-row")) {
    return [...container.querySelectorAll(".rv-cell")].slice(1).flatMap((cell) => (cell.dataset.beads || "")
      .split(",").filter(Boolean).map((b) => [Number(cell.dataset.aid), Number(b)]));
  }
  return [...container.querySelectorAll(".aligned[data-bead]")].map((box) => [Number(box.dataset.aid), Number(box.dataset.bead)]);
}

/* Ask for the links of `container` and of every container on screen in its view that has
 * none yet: the container's own go first, in a request of their own (the words pointed at
 * light up without waiting for a screenful of beads to be linked), then one request (per
 * alignment) for the rest of the screenful. */
function prefetchVisible(container) {
  const scope = container.parentElement && container.parentElement.closest("#beads, #rv-table, #search-results");
  let others = [];
  if (scope) {
    const view = scope.getBoundingClientRect();
    const top = Math.max(view.top, 0), bottom = Math.min(view.bottom, window.innerHeight);
    others = [...scope.querySelectorAll(CONTAINER)].filter((c) => {
      const r = c.getBoundingClientRect();
      return r.bottom > top && r.top < bottom;
    });
  }
  let budget = BATCH_MAX;
  for (const c of [container, ...others]) {
    if (registries.has(c)) continue;
    for (const [aid, bead] of beadsOf(c)) {
      if (budget > 0 && want(aid, bead)) budget -= 1;
    }
    if (c === container) sendNow();
  }
}

/* Wrap the tokens [{start, end}] of a text element in word spans (keeping <mark>s); returns
 * the span of each token, in the order given. Already wrapped elements are reused. */
function wrapWords(txt, ranges) {
  if (txt.dataset.words !== "1") {
    const text = txt.textContent;
    const marks = [];
    let at = 0;
    for (const node of txt.childNodes) {
      const len = node.textContent.length;
      if (node.nodeName === "MARK") marks.push([at, at + len]);
      at += len;
    }
    const piece = (a, z) => {
      const out = [];
      let p = a;
      for (const [ma, mz] of marks) {
        const s = Math.max(ma, p), e = Math.min(mz, z);
        if (s >= e) continue;
        if (s > p) out.push(document.createTextNode(text.slice(p, s)));
        out.push(el("mark", { text: text.slice(s, e) }));
        p = e;
      }
      if (p < z) out.push(document.createTextNode(text.slice(p, z)));
      return out;
    };
    const nodes = [];
    let p = 0;
    for (const r of [...ranges].sort((x, y) => x.start - y.start)) {
      if (r.start < p || r.end > text.length) continue;
      nodes.push(...piece(p, r.start), el("span", { class: "w", dataset: { s: r.start, e: r.end } }, ...piece(r.start, r.end)));
      p = r.end;
    }
    nodes.push(...piece(p, text.length));
    txt.replaceChildren(...nodes);
    txt.dataset.words = "1";
  }
  const have = new Map([...txt.querySelectorAll(".w")].map((w) => [Number(w.dataset.s), w]));
  return ranges.map((r) => have.get(r.start) || null);
}

/* One bead's links placed on the page: `where(side, sentenceIndex)` gives the element
 * showing that sentence and the offset of the sentence in it (or null: not shown). */
function place(reg, body, where) {
  const inst = { body, els: { src: [], tgt: [] }, out: { src: new Map(), tgt: new Map() } };
  for (const side of ["src", "tgt"]) {
    const byElement = new Map();
    body[side].tokens.forEach((t, k) => {
      const at = where(side, t.sentence);
      if (!at) return;
      if (!byElement.has(at.el)) byElement.set(at.el, []);
      byElement.get(at.el).push({ k, start: at.offset + t.start, end: at.offset + t.end });
    });
    for (const [txt, toks] of byElement) {
      wrapWords(txt, toks).forEach((span, i) => {
        inst.els[side][toks[i].k] = span;
        if (!span) return;
        if (!reg.byEl.has(span)) reg.byEl.set(span, []);
        reg.byEl.get(span).push({ inst, side, k: toks[i].k });
      });
    }
  }
  for (const l of body.links) {
    for (const [side, k, other] of [["src", l.src, l.tgt], ["tgt", l.tgt, l.src]]) {
      if (!inst.out[side].has(k)) inst.out[side].set(k, []);
      inst.out[side].get(k).push({ k: other, style: l.style });
    }
  }
  reg.instances.push(inst);
}

const sentenceTexts = (body, side) => body[side].sentences.map((s) => s.text);

async function loadBeadRow(row, reg) {
  const sents = { src: [...row.querySelectorAll(".side.src .sent")], tgt: [...row.querySelectorAll(".side.tgt .sent")] };
  const fits = (body) => ["src", "tgt"].every((side) => body[side].sentences.length === sents[side].length
    && body[side].sentences.every((s, i) => String(s.id) === sents[side][i].dataset.sid
      && s.text === sents[side][i].querySelector(".txt").textContent));
  const body = await linksOf(state.aid, Number(row.dataset.id), fits);
  if (!fits(body)) return;
  place(reg, body, (side, i) => ({ el: sents[side][i].querySelector(".txt"), offset: 0 }));
}

async function loadRenderingRow(row, reg) {
  const cells = [...row.querySelectorAll(".rv-cell")];
  reg.pivot = cells[0];
  const find = (cell, id) => { const s = cell.querySelector(`.sent[data-sid="${id}"] .txt`); return s && { el: s, offset: 0 }; };
  const jobs = [];
  for (const cell of cells.slice(1)) {
    const pivotSide = cell.dataset.pivot;
    const inCell = (side) => (side === pivotSide ? cells[0] : cell);
    const fits = (body) => ["src", "tgt"].every((side) => body[side].sentences.every((s) => {
      const at = find(inCell(side), s.id);
      return at && at.el.textContent === s.text;
    }));
    for (const bead of (cell.dataset.beads || "").split(",").filter(Boolean)) {
      jobs.push(linksOf(Number(cell.dataset.aid), Number(bead), fits).then((body) => {
        place(reg, body, (side, i) => {
          const s = body[side].sentences[i];
          const at = find(inCell(side), s.id);
          return at && at.el.textContent === s.text ? at : null;
        });
      }));
    }
  }
  await Promise.all(jobs);
}

async function loadHit(hit, reg) {
  const hitText = hit.querySelector(".hit-text");
  const jobs = [...hit.querySelectorAll(".aligned[data-bead]")].map(async (box) => {
    const text = box.querySelector(".aligned-text");
    const ownSide = (body) => (body.src.sentences.some((s) => String(s.id) === hitText.dataset.sid) ? "src" : "tgt");
    const fits = (body) => {
      const own = ownSide(body), other = own === "src" ? "tgt" : "src";
      const hitSentence = body[own].sentences.find((s) => String(s.id) === hitText.dataset.sid);
      return !!hitSentence && hitSentence.text === hitText.textContent
        && sentenceTexts(body, other).join(" ") === (text ? text.textContent : "");
    };
    const body = await linksOf(Number(box.dataset.aid), Number(box.dataset.bead), fits);
    const own = ownSide(body);
    const other = own === "src" ? "tgt" : "src";
    const starts = [];
    let at = 0;
    for (const t of sentenceTexts(body, other)) { starts.push(at); at += t.length + 1; }
    const joinedFits = text && sentenceTexts(body, other).join(" ") === text.textContent;
    place(reg, body, (side, i) => {
      if (side === own) return String(body[side].sentences[i].id) === hitText.dataset.sid ? { el: hitText, offset: 0 } : null;
      return joinedFits ? { el: text, offset: starts[i] } : null;
    });
  });
  await Promise.all(jobs);
}

/* The container's registry {instances, byEl: span → [{inst, side, k}], pivot}, loading and
 * wrapping on first use. */
export function registry(container) {
  let p = registries.get(container);
  if (!p) {
    const reg = { instances: [], byEl: new Map(), pivot: null };
    const load = container.classList.contains("bead") ? loadBeadRow
      : container.classList.contains("rv-row") ? loadRenderingRow : loadHit;
    p = load(container, reg).then(() => { ready.set(container, reg); return reg; });
    p.catch(() => registries.delete(container));
    registries.set(container, p);
  }
  return p;
}

/* ---------------------------------------------------------------- lighting */

function mark(node, ...classes) { node.classList.add(...classes); lit.add(node); }

/* Light the words linked to `sources` (spans of reg); returns the spans lit. */
function lightFrom(reg, sources, focus = true) {
  const out = new Set();
  for (const span of sources) {
    if (focus) mark(span, "focus");
    for (const { inst, side, k } of reg.byEl.get(span) || []) {
      const other = side === "src" ? "tgt" : "src";
      for (const link of inst.out[side].get(k) || []) {
        const target = inst.els[other][link.k];
        if (!target) continue;
        mark(target, "lit");
        if (link.style === "partial") target.classList.add("partial");
        out.add(target);
      }
    }
  }
  // Renderings view: a word of one rendering lights the source words, and through them
  // the other renderings' words.
  if (reg.pivot && focus && !sources.some((s) => reg.pivot.contains(s))) {
    lightFrom(reg, [...out].filter((s) => reg.pivot.contains(s)), false);
  }
  return out;
}

function render() {
  for (const node of lit) node.classList.remove("lit", "partial", "focus");
  lit = new Set();
  for (const { reg, sources } of selection) lightFrom(reg, sources);
  if (hover) lightFrom(hover.reg, hover.sources);
}

/* ---------------------------------------------------------------- pointing and selecting */

function onOver(ev) {
  pointer = { x: ev.clientX, y: ev.clientY };
  const text = ev.target.closest && ev.target.closest(TEXT);
  const container = text && text.closest(CONTAINER);
  if (!container) return;
  const reg = ready.get(container);
  if (!reg) {  // load once the pointer rests on the text (sweeping over the list loads nothing)
    clearTimeout(restTimer);
    restTimer = setTimeout(() => {
      const under = document.elementFromPoint(pointer.x, pointer.y);
      if (!under || !container.contains(under)) return;
      prefetchVisible(container);
      registry(container).then(() => {  // still pointing at a word once loaded: light it
        const now = document.elementFromPoint(pointer.x, pointer.y);
        if (now && now.closest(".w") && container.contains(now)) onOver({ target: now, clientX: pointer.x, clientY: pointer.y });
      }).catch(showError);
    }, REST_MS);
    return;
  }
  const word = ev.target.closest(".w");
  hover = word ? { reg, sources: [word] } : null;
  render();
}

function onOut(ev) {
  if (hover && ev.target.closest && ev.target.closest(".w") && !(ev.relatedTarget && ev.relatedTarget.closest && ev.relatedTarget.closest(".w"))) {
    hover = null;
    render();
  }
}

/* Character offsets [start, end) of the selection inside a text element, or null. */
function selectedOffsets(range, txt) {
  if (!range.intersectsNode(txt)) return null;
  const before = document.createRange();
  before.selectNodeContents(txt);
  const len = before.toString().length;
  let start = 0, end = len;
  if (txt.contains(range.startContainer)) { before.setEnd(range.startContainer, range.startOffset); start = before.toString().length; }
  before.selectNodeContents(txt);
  if (txt.contains(range.endContainer)) { before.setEnd(range.endContainer, range.endOffset); end = before.toString().length; }
  return start < end ? [start, end] : null;
}

const wordsIn = (txt, [a, z]) => [...txt.querySelectorAll(".w")].filter((w) => Number(w.dataset.s) < z && a < Number(w.dataset.e));

/* Where the same kind of text is in another container: the same side of a bead row, the
 * same column of a renderings row, the hit sentence or the aligned texts of a hit. */
function slotOf(txt, container) {
  if (container.classList.contains("bead")) return txt.closest(".side.src") ? ".side.src .txt" : ".side.tgt .txt";
  if (container.classList.contains("rv-row")) {
    const i = [...container.querySelectorAll(".rv-cell")].indexOf(txt.closest(".rv-cell"));
    return `.rv-cell:nth-child(${i + 1}) .txt`;
  }
  return txt.classList.contains("hit-text") ? ".hit-text" : ".aligned-text";
}

function escapeRe(s) { return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

/* The spans of every occurrence of `words` (lower-cased token texts) in the slot. */
function occurrences(container, slot, words) {
  const found = [];
  for (const txt of container.querySelectorAll(slot)) {
    const spans = [...txt.querySelectorAll(".w")];
    for (let i = 0; i + words.length <= spans.length; i++) {
      if (words.every((w, k) => spans[i + k].textContent.toLowerCase() === w)) found.push(...spans.slice(i, i + words.length));
    }
  }
  return found;
}

let selectionTimer = null;
let selectionRun = 0;
async function onSelection() {
  const run = ++selectionRun;
  const sel = document.getSelection();
  const range = sel && sel.rangeCount && !sel.isCollapsed ? sel.getRangeAt(0) : null;
  const start = range && (range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement);
  const container = start && start.closest(CONTAINER);
  if (!container || !start.closest(TEXT)) {
    if (selection.length && !(start && start.closest("#panel"))) { selection = []; render(); }
    return;
  }
  const picked = [...container.querySelectorAll(TEXT)].map((txt) => [txt, selectedOffsets(range, txt)]).filter(([, o]) => o);
  if (!registries.has(container)) prefetchVisible(container);  // the screenful with it: the phrase is looked for there
  const reg = await registry(container);
  if (run !== selectionRun || !picked.length) return;
  const [firstTxt] = picked[0];
  const sources = picked.flatMap(([txt, o]) => wordsIn(txt, o));
  const next = [{ reg, sources }];
  const words = sources.filter((w) => /[\p{L}\p{N}]/u.test(w.textContent)).map((w) => w.textContent.toLowerCase());
  if (words.length) {  // the same phrase elsewhere in this view
    const slot = slotOf(firstTxt, container);
    const pattern = new RegExp(words.map(escapeRe).join("[^\\p{L}\\p{N}]+"), "iu");
    const scope = container.parentElement.closest("#beads, #rv-table, #search-results") || document;
    const others = [...scope.querySelectorAll(CONTAINER)].filter((c) => c !== container
      && [...c.querySelectorAll(slot)].some((t) => pattern.test(t.textContent))).slice(0, SPREAD_MAX);
    const regs = await Promise.all(others.map((c) => registry(c).catch(() => null)));
    if (run !== selectionRun) return;
    others.forEach((c, i) => {
      const found = regs[i] && occurrences(c, slot, words);
      if (found && found.length) next.push({ reg: regs[i], sources: found });
    });
  }
  selection = next;
  render();
}

/* ---------------------------------------------------------------- fidelity evidence */

const norm = (s) => s.toLowerCase().replace(/[^\p{L}\p{N}]/gu, "");
const digits = (s) => s.replace(/\D/g, "");

function matchesForm(word, form) {
  return form.split(/\s+/).some((part) => norm(part) && (norm(word) === norm(part)
    || (digits(part) && digits(word) === digits(part))));
}

/* Outline, in the bead's row, the words its fidelity flags name (details.src_only /
 * tgt_only: numbers, dates, names on one side only) and the words they are linked to on
 * the other side: the mismatching counterpart ("588" ↔ "558"). */
export async function showEvidence(beadId, flags) {
  const row = document.querySelector(`#beads .bead[data-id="${beadId}"]`);
  const named = flags.filter((f) => f.details && (f.details.src_only || f.details.tgt_only));
  if (!row || !named.length) return;
  const reg = await registry(row);
  for (const node of row.querySelectorAll(".w.evidence")) node.classList.remove("evidence", "counterpart");
  for (const inst of reg.instances) {
    for (const side of ["src", "tgt"]) {
      const forms = named.flatMap((f) => f.details[`${side}_only`] || []);
      const other = side === "src" ? "tgt" : "src";
      inst.body[side].tokens.forEach((t, k) => {
        const span = inst.els[side][k];
        if (!span || !forms.some((form) => matchesForm(t.text, form))) return;
        span.classList.add("evidence");
        for (const link of inst.out[side].get(k) || []) {
          const target = inst.els[other][link.k];
          if (target) target.classList.add("evidence", "counterpart");
        }
      });
    }
  }
}

/* ---------------------------------------------------------------- wiring */

export function wireLinks() {
  document.addEventListener("mouseover", onOver);
  document.addEventListener("mouseout", onOut);
  document.addEventListener("selectionchange", () => {
    clearTimeout(selectionTimer);
    selectionTimer = setTimeout(() => onSelection().catch(showError), 120);
  });
}
