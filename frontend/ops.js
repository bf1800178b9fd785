/* Review operations (confirm, reject, merge, split, move, detach, undo/redo, re-align and
 * the split dialog). Each is POSTed with the alignment version it was made against; a 409
 * "stale_version" reloads the beads and tells the user, who redoes the edit.
 */
import { state, setVersion } from "./state.js";
import { api } from "./api.js";
import { $, el, toast } from "./dom.js";
import { queueOp } from "./queue.js";
import { reloadAll, positionOfBead } from "./list.js";
import { goTo, current } from "./nav.js";

/* POST a review op made against the current version; refresh and focus what it touched. */
export function runOp(op, body, what) {
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

export const ops = {
  confirm() {
    const b = current();
    if (!b) return;
    if (b.status === "confirmed") { toast(`#${b.position + 1} is already confirmed.`, "info", 2000); return; }
    runOp("confirm", { bead_ids: [b.id] }, `confirmed #${b.position + 1}`);
  },
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
    if (confirm("Re-align every bead that is not confirmed (confirmed beads stay)?")) {
      runOp("realign", {}, "re-aligned the unconfirmed part");
    }
  },
};

export function openSplitDialog() {
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
