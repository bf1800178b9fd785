/* The pairing view: which record translates which, as `aligner batch --pair auto` stored
 * it. One row per source record: the record on the left; on the right its candidate
 * translations with score, partial mark, evidence and status, and the reviewer's choices:
 * confirm, add another rendering (a record with a confirmed target keeps it), assign another
 * target (reassign), mark untranslated. Pairing decisions have no undo, so a reassign or an
 * untranslated mark that would reject confirmed pairs asks first (#pv-ask) and the page then
 * names what was rejected. A confirmed pair with no
 * alignment is aligned by a server job; the row then links to its alignment. Replaces the
 * review list while shown (body[data-view="pairing"]); #pr=<run> opens it, and the links
 * to alignments, back/forward and "Back to review" go through hash.js like every view.
 */
import { api, ApiError, waitForJob } from "./api.js";
import { queueOp } from "./queue.js";
import { $, el, toast, showError, scoreColour } from "./dom.js";
import { loadAlignments } from "./alignment.js";
import { showView } from "./layout.js";
import { setHash } from "./nav.js";

const view = { run: null, data: null, targets: [] };
const JOB_POLL_MS = 700;

/* A record's reference as the cards show it, short: its file's name and `#id` (`volume.txt#102`). */
function shortRef(r) { return r.ref.split("/").pop(); }

/* Title (else the reference `where`), date and a TEST label; a title longer than `max` is cut. */
function recordLabel(r, { where = shortRef(r), max = Infinity } = {}) {
  const test = (r.label || "").startsWith("TEST") ? ` · ${r.label}` : "";  // never unlabelled
  const title = r.title || where;
  return `${title.length > max ? `${title.slice(0, max - 1)}…` : title}${r.date ? ` · ${r.date}` : ""}${test}`;
}

/* The "Other target…" options: each target with its reference, since titles and dates
 * repeat (two letters of one writer, one day); the full ref where file names repeat. */
function targetOptions() {
  const names = view.targets.map(shortRef);
  return view.targets.map((t, k) => {
    const where = names.indexOf(names[k]) !== names.lastIndexOf(names[k]) ? t.ref : names[k];
    const text = t.title ? `${recordLabel(t, { max: 60 })} — ${where}` : recordLabel(t, { where });
    return el("option", { value: t.id, text });
  });
}

function evidenceText(ev) {
  if (!ev || !Object.keys(ev).length) return "no machine evidence (paired by a reviewer)";
  const shared = ev.shared || {};
  const facts = ["dates", "numbers", "names"].filter((k) => (shared[k] || []).length)
    .map((k) => `${k}: ${shared[k].slice(0, 6).join(", ")}`);
  const cover = `covers ${Math.round(100 * (ev.source_coverage || 0))} % of the record, ${Math.round(100 * (ev.target_coverage || 0))} % of the target`;
  return [cover, `${ev.links || 0} sentences linked in order`, ...facts].join(" · ");
}

function candidateRow(source, c) {
  const chosen = c.status === "proposed" || c.status === "confirmed";
  const chip = el("span", { class: "pv-score", title: "Probability that the target renders all or part of the record", text: Number(c.score).toFixed(3) });
  chip.style.background = scoreColour(c.score);
  const actions = el("span", { class: "pv-actions" });
  const confirmed = confirmedCount(source);
  if (c.status !== "confirmed" && !chosen && confirmed) {  // keep the confirmed ones, add this one
    actions.append(el("button", { type: "button", dataset: { act: "add", src: source.id, tgt: c.target.id },
      title: "This target renders the record too (e.g. a telegram quoting it): the confirmed renderings stay",
      text: "Add as another rendering" }));
  }
  if (c.status !== "confirmed") {
    actions.append(el("button", { type: "button", dataset: { act: chosen ? "confirm" : "reassign", src: source.id, tgt: c.target.id },
      title: chosen ? "This target renders the record" + (confirmed ? " too: the confirmed renderings stay" : "")
        : "This target, not the one chosen, renders the record" + (confirmed ? " (asks first: it rejects the confirmed renderings)" : ""),
      text: chosen ? "Confirm" : "Assign" }));
  }
  const link = c.alignment_id ? el("a", { href: `#a=${c.alignment_id}&p=0`, dataset: { aid: c.alignment_id }, text: `alignment ${c.alignment_id}` }) : null;
  return el("div", { class: `pv-cand pv-${c.status}`, dataset: { pair: c.id } },
    el("div", { class: "pv-line" }, chip, " ",
      el("b", { text: recordLabel(c.target) }), " ",
      c.partial ? el("span", { class: "pv-partial", title: "Renders only part of the record", text: "partial" }) : null, " ",
      // every candidate of a paired record is scored again as a further rendering; only a chosen one is one
      ["proposed", "confirmed"].includes(c.status) && c.evidence && c.evidence.further ? el("span", { class: "pv-further", text: "further rendering",
        title: "Another rendering of a record already paired (e.g. a telegram quoting it): scored with the first partner left out of the part it renders" }) : null, " ",
      c.status === "proposed" && c.evidence && c.evidence.tentative ? el("span", { class: "pv-tentative", text: "tentative",
        title: "Under the pairing threshold: chosen only because both records were left unpaired and each is the other's best remaining candidate. Check it." }) : null, " ",
      el("span", { class: "pv-status", text: c.status }), " ", link, actions),
    el("div", { class: "hint", text: `${c.target.ref} · ${evidenceText(c.evidence)}` }));
}

function confirmedOf(source) { return source ? source.candidates.filter((c) => c.status === "confirmed") : []; }
function confirmedCount(source) { return confirmedOf(source).length; }
function sourceOf(record) { return view.data.sources.find((s) => String(s.id) === String(record)); }

function sourceRow(s) {
  const other = el("select", { "aria-label": "Assign another target", dataset: { src: s.id } },
    el("option", { value: "", text: "Other target…" }), ...targetOptions());
  // Several confirmed targets is by design (an exhibit and a telegram rendering one record): say so.
  const confirmed = confirmedCount(s);
  const several = confirmed > 1 ? el("span", { class: "pv-several", text: `${confirmed} confirmed renderings`,
    title: "Several targets render this record (e.g. an exhibit and a telegram): each pair is confirmed and aligned on its own" }) : null;
  const left = el("div", { class: "pv-cell table-cell" },
    el("b", { text: recordLabel(s) }), " ", several,
    el("div", { class: "hint", text: `${s.ref} · characters ${s.start}–${s.end}` }),
    s.decision ? el("div", { class: "pv-untranslated", text: "marked untranslated" }) : null,
    el("div", { class: "pv-actions" },
      el("button", { type: "button", dataset: { act: "untranslated", src: s.id }, disabled: s.decision === "untranslated",
        title: "No target renders this record", text: "Untranslated" }), " ", other));
  const right = el("div", { class: "pv-cell table-cell" }, ...(s.candidates.length ? s.candidates.map((c) => candidateRow(s, c))
    : [el("p", { class: "hint", text: "No candidate translation scored." })]));
  return el("div", { class: "pv-row table-row", role: "row", dataset: { record: s.id } }, left, right);
}

function render() {
  const d = view.data;
  const seen = new Map();
  for (const s of d.sources) for (const c of s.candidates) seen.set(c.target.id, c.target);
  for (const t of d.unpaired_targets) seen.set(t.id, t);
  view.targets = [...seen.values()].sort((a, b) => a.ord - b.ord);
  const chosen = d.sources.filter((s) => s.candidates.some((c) => c.status === "proposed" || c.status === "confirmed")).length;
  const several = d.sources.filter((s) => confirmedCount(s) > 1).length;
  $("#pv-count").textContent = `${d.run.sources} source records · ${d.run.targets} targets · ${chosen} paired · ${d.unpaired_targets.length} targets unpaired`
    + (several ? ` · ${several} with several confirmed renderings` : "");
  const table = $("#pv-table");
  table.replaceChildren(el("div", { class: "table-row table-head", role: "row" },
    el("div", { role: "columnheader", text: `Records (${d.run.src_lang})` }),
    el("div", { role: "columnheader", text: `Candidate translations (${d.run.tgt_lang})` })),
    ...d.sources.map(sourceRow));
  const rest = $("#pv-unpaired");
  rest.replaceChildren(el("h3", { text: "Targets paired with no record" }),
    ...(d.unpaired_targets.length ? d.unpaired_targets.map((t) => el("div", { class: "hint", text: `${recordLabel(t)} — ${t.ref}` }))
      : [el("p", { class: "hint", text: "None." })]));
}

/* `push`: a new history entry (nav.js setHash), when the user opened the view. */
async function loadRun(runId, push = false) {
  view.data = await api(`/api/pairings/${runId}`);
  view.run = runId;
  $("#pv-select").value = String(runId);
  setHash(`#pr=${runId}`, push);
  render();
}

/* `said`: what the decision rejected, kept in the messages while the job runs. */
async function alignPair(job, said) {
  toast(`${said}Aligning the pair…`, said ? "warn" : "info", 60000);
  job = await waitForJob(job, () => {}, JOB_POLL_MS);
  if (job.state === "failed") throw new Error(job.error || "the alignment failed");
  toast(`${said}Aligned: alignment ${job.alignment_id}.`, said ? "warn" : "info", said ? 12000 : 4500);
  await loadAlignments();
}

function plural(n, what) { return `${n} ${what}${n === 1 ? "" : "s"}`; }

/* Through the edit queue, like every change the page makes (body[data-busy] counts it).
 * The response names the pairs the decision rejected: the confirmed ones are said. */
function decide(record, action, target) {
  return queueOp(async () => {
    const body = { action };
    if (target) body.target_id = Number(target);
    // what this page shows of the record: refused (409) if another reviewer changed it since
    const source = sourceOf(record);
    if (source) {
      body.seen_confirmed = confirmedOf(source).map((c) => c.target.id);
      body.seen_untranslated = source.decision === "untranslated";
    }
    let out;
    try {
      out = await api(`/api/pairings/${view.run}/sources/${record}`, { method: "POST", body });
    } catch (err) {  // another reviewer decided on this record since: show what they did
      if (err instanceof ApiError && err.status === 409) await loadRun(view.run);
      throw err;
    }
    const undone = (out.rejected || []).filter((r) => r.was === "confirmed");
    const said = undone.length ? `Rejected ${plural(undone.length, "confirmed rendering")}: `
      + `${undone.map((r) => `${recordLabel(r.target)} (confirmed by ${r.by})`).join("; ")}. ` : "";
    if (said) toast(said, "warn", 12000);
    if (out.job) await alignPair(out.job, said);
    await loadRun(view.run);
  });
}

/* Pairing decisions have no undo: before one rejects confirmed pairs, say which and ask.
 * Resolves "replace", "add" (confirm the target as another rendering instead) or "cancel"
 * (the Cancel button, Esc). */
function ask(source, action, target, confirmed) {
  const dlg = $("#pv-ask");
  const tgt = view.targets.find((t) => String(t.id) === String(target));
  const n = plural(confirmed.length, "confirmed rendering");
  $("#pv-ask-title").textContent = action === "untranslated" ? "Mark untranslated?" : "Assign another target?";
  $("#pv-ask-text").textContent = action === "untranslated"
    ? `Marking ${recordLabel(source)} untranslated rejects its ${n}:`
    : `Assigning ${tgt ? `${recordLabel(tgt)} (${shortRef(tgt)})` : "this target"} to ${recordLabel(source)} rejects its ${n}:`;
  $("#pv-ask-list").replaceChildren(...confirmed.map((c) =>
    el("li", { text: `${recordLabel(c.target)} — ${c.target.ref} (confirmed by ${c.user})` })));
  $("#pv-ask-add").hidden = action === "untranslated";
  $("#pv-ask-replace").textContent = action === "untranslated" ? `Reject ${confirmed.length === 1 ? "it" : "them"} and mark untranslated`
    : `Reject ${confirmed.length === 1 ? "it" : "them"} and assign`;
  dlg.returnValue = "cancel";  // Esc closes without a value
  dlg.showModal();
  $("#pv-ask-cancel").focus();
  return new Promise((resolve) => dlg.addEventListener("close",
    () => resolve(["replace", "add"].includes(dlg.returnValue) ? dlg.returnValue : "cancel"), { once: true }));
}

/* A button's or the select's choice: "add" confirms one more rendering; a reassign or an
 * untranslated mark that would reject confirmed pairs (other than the target) asks first. */
async function choose(record, act, target) {
  if (act === "add") return decide(record, "confirm", target);
  const source = sourceOf(record);
  const confirmed = confirmedOf(source).filter((c) => String(c.target.id) !== String(target));
  if (act !== "confirm" && confirmed.length) {
    const answer = await ask(source, act, target, confirmed);
    if (answer === "cancel") return null;
    if (answer === "add") return decide(record, "confirm", target);
  }
  return decide(record, act, target);
}

/* Run `runId` (a number, or the hash's text), else the newest, saying so when `runId`
 * names no run; the hash then names the run shown. `push`: opened by the user from
 * another view (the Pairing button): a new history entry. */
export async function openPairing(runId = null, { push = false } = {}) {
  const runs = await api("/api/pairings");
  if (!runs.length) { toast("No pairing stored yet: run `aligner batch SRC… --with TGT… --pair auto`.", "info", 8000); return; }
  showView("pairing");
  const sel = $("#pv-select");
  sel.replaceChildren(...runs.map((r) => el("option", { value: r.id,
    text: `#${r.id} ${r.src_lang}→${r.tgt_lang}: ${r.sources} records, ${r.targets} targets, ${r.pairs} pairs (${r.created.slice(0, 16).replace("T", " ")})` })));
  const wanted = runId === null ? null : Number(runId);
  const known = runs.some((r) => r.id === wanted);
  if (runId !== null && !known) {
    toast(`Pairing run ${String(runId).slice(0, 40)} does not exist; showing run ${runs[0].id}.`, "warn", 8000);
  }
  await loadRun(known ? wanted : runs[0].id, push);
}

export function wirePairing() {
  $("#pairing-btn").addEventListener("click", () => openPairing(view.run, { push: true }).catch(showError));
  $("#pv-select").addEventListener("change", (ev) => loadRun(Number(ev.target.value)).catch(showError));
  $("#pv-table").addEventListener("click", (ev) => {
    const btn = ev.target.closest("button[data-act]");
    if (btn) choose(btn.dataset.src, btn.dataset.act, btn.dataset.tgt).catch(showError);
  });
  $("#pv-table").addEventListener("change", (ev) => {
    const sel = ev.target.closest("select[data-src]");
    if (!sel || !sel.value) return;
    const target = sel.value;
    sel.value = "";  // a cancelled choice leaves "Other target…" shown
    choose(sel.dataset.src, "reassign", target).catch(showError);
  });
}
