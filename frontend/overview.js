/* The overview strip beside the bead list: the whole alignment at a glance. Each pixel row
 * stands for the beads at that share of the text (all of them, aggregated, so a 5,000-bead
 * book fits): left, the review status (green confirmed, red rejected); middle, the lowest
 * score (red = low); right, the worst mark (orange crossing, red low-confidence, purple
 * flagged). A dark bar shows the beads on screen, a line the selected bead. Click to jump.
 * Data: GET /api/alignments/{id}/overview (a few compact arrays).
 */
import { state } from "./state.js";
import { api } from "./api.js";
import { $, showError } from "./dom.js";
import { goTo } from "./nav.js";

let data = null;
let pending = false;

export async function refreshOverview() {
  if (state.aid === null) return;
  const aid = state.aid;
  const d = await api(`/api/alignments/${aid}/overview`);
  if (state.aid !== aid) return;
  data = d;
  const c = $("#overview");
  const count = (bit) => d.marks.filter((m) => m & bit).length;
  Object.assign(c.dataset, { total: d.total, flagged: count(d.bits.flagged),
    low: count(d.bits["low-confidence"]), crossing: count(d.bits.crossing),
    confirmed: [...d.status].filter((x) => x === "c").length });
  c.title = `${d.total} beads · ${c.dataset.confirmed} confirmed · ${c.dataset.low} low-confidence · ${c.dataset.flagged} flagged · ${c.dataset.crossing} crossing — click to jump`;
  drawOverview();
}

/* Redraw on the next frame (scrolling and selection call this often). */
export function drawOverview() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; draw(); });
}

function visibleRange() {
  const list = $("#beads").getBoundingClientRect();
  let lo = null, hi = null;
  for (const row of document.querySelectorAll("#beads .bead")) {
    const r = row.getBoundingClientRect();
    if (r.bottom < list.top || r.top > list.bottom) continue;
    const p = Number(row.dataset.pos);
    lo = lo === null ? p : Math.min(lo, p);
    hi = hi === null ? p : Math.max(hi, p);
  }
  return lo === null ? null : [lo, hi];
}

function draw() {
  const c = $("#overview");
  const height = Math.max(50, $("#beads").clientHeight);
  const dpr = window.devicePixelRatio || 1;
  c.style.height = `${height}px`;
  c.width = Math.round(18 * dpr);
  c.height = Math.round(height * dpr);
  const g = c.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.clearRect(0, 0, 18, height);
  if (!data || !data.total) return;
  const n = data.total, b = data.bits;
  for (let y = 0; y < height; y++) {
    const lo = Math.floor((y * n) / height);
    const hi = Math.max(lo + 1, Math.floor(((y + 1) * n) / height));
    let score = 100, marks = 0, confirmed = 0, rejected = 0;
    for (let i = lo; i < hi && i < n; i++) {
      score = Math.min(score, data.scores[i]);
      marks |= data.marks[i];
      if (data.status[i] === "c") confirmed++;
      else if (data.status[i] === "r") rejected++;
    }
    g.fillStyle = rejected ? "#b3261e" : confirmed === hi - lo ? "#1e7a3c" : "#d8d8d4";
    g.fillRect(0, y, 4, 1);
    g.fillStyle = `hsl(${Math.round(score * 1.2)}, 65%, 45%)`;
    g.fillRect(4, y, 8, 1);
    const mark = marks & b.crossing ? "#e07b00" : marks & b["low-confidence"] ? "#c62828"
      : marks & b.flagged ? "#6a3fb5" : null;
    if (mark) { g.fillStyle = mark; g.fillRect(12, y, 6, 1); }
  }
  const range = visibleRange();
  if (range) {
    const top = (range[0] / n) * height, bottom = ((range[1] + 1) / n) * height;
    g.strokeStyle = "rgba(0,0,0,0.75)";
    g.lineWidth = 1;
    g.strokeRect(0.5, top + 0.5, 17, Math.max(2, bottom - top - 1));
  }
  g.fillStyle = "#000";
  g.fillRect(0, Math.min(height - 2, (state.cur / n) * height), 18, 2);
}

export function initOverview() {
  const c = $("#overview");
  c.addEventListener("click", (ev) => {
    if (!data || !data.total) return;
    const r = c.getBoundingClientRect();
    const pos = Math.floor(((ev.clientY - r.top) / r.height) * data.total);
    goTo(Math.max(0, Math.min(data.total - 1, pos))).then(() => $("#beads").focus()).catch(showError);
  });
  $("#beads").addEventListener("scroll", drawOverview, { passive: true });
  new ResizeObserver(drawOverview).observe($("#beads"));
}
