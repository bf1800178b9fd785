/* Word-link bodies of beads (GET /api/alignments/{aid}/links?beads=…), kept per bead.
 *
 * The beads asked for in one turn of the event loop are sent together, one request per
 * alignment (up to BATCH_MAX beads each): a screenful of rows, a renderings row with many
 * beads, the hits a selected phrase is looked for in. The server computes the missing ones
 * together too (one pass of the encoder). links.js places the bodies on the page.
 */
import { api, ApiError } from "./api.js";

export const BATCH_MAX = 100;         // beads per request (the server's maximum)
const bodies = new Map();             // "aid:bead" → Promise of the links body
let pending = new Map();             // "aid:bead" → {aid, bead, resolve, reject}: not sent yet
let flushTimer = null;

/* A new request for one bead's links, sent with every other asked for in this turn. */
function request(aid, bead) {
  const key = `${aid}:${bead}`;
  if (pending.has(key)) return bodies.get(key);
  const p = new Promise((resolve, reject) => pending.set(key, { aid, bead, resolve, reject }));
  bodies.set(key, p);
  p.catch(() => { if (bodies.get(key) === p) bodies.delete(key); });
  if (!flushTimer) flushTimer = setTimeout(flush, 0);
  return p;
}

function flush() {
  flushTimer = null;
  const byAid = new Map();
  for (const job of pending.values()) {
    if (!byAid.has(job.aid)) byAid.set(job.aid, []);
    byAid.get(job.aid).push(job);
  }
  pending = new Map();
  for (const [aid, jobs] of byAid) {
    for (let i = 0; i < jobs.length; i += BATCH_MAX) fetchBatch(aid, jobs.slice(i, i + BATCH_MAX));
  }
}

/* One batch request. A 404 naming beads (deleted by an edit elsewhere, the rows not
 * reloaded yet) fails those only: the others are asked for again. */
async function fetchBatch(aid, jobs) {
  let body;
  try {
    body = await api(`/api/alignments/${aid}/links?beads=${jobs.map((j) => j.bead).join(",")}`);
  } catch (err) {
    const gone = new Set((err.body && err.body.bead_ids) || []);
    const rest = jobs.filter((j) => !gone.has(j.bead));
    jobs.filter((j) => gone.has(j.bead) || !gone.size).forEach((j) => j.reject(err));
    if (gone.size && rest.length) fetchBatch(aid, rest);
    return;
  }
  const byBead = new Map(body.beads.map((b) => [b.bead_id, b]));
  for (const j of jobs) {
    const found = byBead.get(j.bead);
    if (found) j.resolve(found);
    else j.reject(new ApiError(404, `bead ${j.bead} not found in alignment ${aid}`));
  }
}

/* The bead's links body, from the kept ones if `fits(body)` (else asked for again). */
export async function linksOf(aid, bead, fits) {
  const body = await (bodies.get(`${aid}:${bead}`) || request(aid, bead));
  return fits(body) ? body : request(aid, bead); // the bead changed since (split, edited text): again
}

/* Send what is asked for so far now, not at the end of this turn: the beads asked for
 * next go in a request of their own. */
export function sendNow() {
  if (!flushTimer) return;
  clearTimeout(flushTimer);
  flush();
}

/* Ask for a bead's links unless they are known or asked for: true if asked now. */
export function want(aid, bead) {
  if (bodies.has(`${aid}:${bead}`)) return false;
  request(aid, bead);
  return true;
}
