/* What the page's modules share: the alignments, the one open, its version, the blocks of
 * the bead list and the selected bead. One object, changed in place (modules cannot
 * reassign an imported binding, only its properties).
 */

export const state = {
  alignments: [],
  aid: null,
  meta: null,           // alignment dict from the API
  version: null,
  total: 0,
  blocks: [],           // {index, count, el, beads: null | [...], loading: Promise|null, height}
  cur: 0,               // selected bead position
  crossings: [],
  progress: null,
  me: null,             // the signed-in account (/api/auth/me); login.js
  csrf: null,           // its CSRF token, sent with every change
};

/* The alignment version the page shows; body[data-version] lets tests wait for an edit. */
export function setVersion(v) {
  state.version = v;
  document.body.dataset.version = String(v);
}
