/* Who is signed in: asks the server (/api/auth/me); when it answers 401, shows the sign-in
 * form and waits for a good password. Keeps the CSRF token every change must carry
 * (api.js sends it), shows the account on the top bar (click: sign out) and marks the
 * page read-only for a viewer (body[data-can-edit="0"]; the server refuses their edits
 * anyway). Local mode (no accounts): the server says who you are, no form.
 */
import { state } from "./state.js";
import { api, ApiError } from "./api.js";
import { $, el, toast, showError } from "./dom.js";

function applyAccount(me) {
  state.me = me;
  state.csrf = me.csrf_token || null;
  document.body.dataset.canEdit = me.can_edit ? "1" : "0";
  document.body.dataset.user = me.username;
  const btn = $("#user-btn");
  btn.textContent = `${me.username} (${me.role})`;
  btn.title = me.mode === "local" ? "Signed in as the local admin (no accounts on this server)"
    : "Signed in; click to sign out";
  btn.disabled = me.mode === "local";
}

function loginForm() {
  const status = el("p", { id: "login-status", role: "status" });
  const user = el("input", { id: "login-user", name: "username", autocomplete: "username", required: true, maxlength: 100 });
  const pass = el("input", { id: "login-password", name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = el("form", { id: "login-form", class: "card" },
    el("h2", { text: "Sign in to review" }),
    el("label", {}, "Account ", user),
    el("label", {}, "Password ", pass),
    el("button", { id: "login-submit", type: "submit", text: "Sign in" }),
    status);
  const box = el("section", { id: "login", role: "dialog", "aria-modal": "true", "aria-labelledby": "login-form" }, form);
  document.body.append(box);
  document.body.dataset.signedIn = "0";
  user.focus();
  return new Promise((resolve) => {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      status.textContent = "Signing in…";
      try {
        const me = await api("/api/auth/login", { method: "POST", body: { username: user.value.trim(), password: pass.value } });
        box.remove();
        resolve(me);
      } catch (err) {
        status.textContent = err instanceof ApiError ? err.message : String(err);
        pass.value = "";
        pass.focus();
      }
    });
  });
}

/* Resolve once someone is signed in (showing the form if needed). */
export async function signIn() {
  let me;
  try {
    me = await api("/api/auth/me");
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    me = await loginForm();
  }
  applyAccount(me);
  document.body.dataset.signedIn = "1";
  return me;
}

async function signOut() {
  if (!state.me || state.me.mode === "local") return;
  if (!confirm(`Sign out ${state.me.username}?`)) return;
  await api("/api/auth/logout", { method: "POST" }).catch(() => null);
  location.reload();
}

export function wireAccount() {
  $("#user-btn").addEventListener("click", () => signOut().catch(showError));
  // A session that ends (expired, signed out elsewhere): sign in again, then start afresh.
  window.addEventListener("aligner-signed-out", async () => {
    if ($("#login")) return;
    toast("Your session has ended; sign in again.", "warn", 6000);
    await loginForm();
    location.reload();
  });
}
