/* The edit queue: edits run one after another, so each is sent against the version the
 * previous one produced. body[data-busy] is "1" while any is pending (tests wait on it).
 */
import { showError } from "./dom.js";

let opChain = Promise.resolve();
let pendingOps = 0;

function setBusy(delta) {
  pendingOps += delta;
  document.body.dataset.busy = pendingOps > 0 ? "1" : "0";
}

export function queueOp(fn) {
  setBusy(+1);
  opChain = opChain.then(fn).catch(showError).finally(() => setBusy(-1));
  return opChain;
}
