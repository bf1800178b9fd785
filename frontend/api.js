/* Talking to the server: one fetch wrapper that sends the session's CSRF token with every
 * change, encodes JSON bodies and turns every failure into an ApiError carrying the
 * server's one-line detail (a 401 also tells login.js that the session has ended).
 */
import { state } from "./state.js";

export class ApiError extends Error {
  constructor(status, detail, body) {
    super(detail);
    this.status = status;
    this.body = body || {};
  }
}

export async function api(path, { method = "GET", body, form } = {}) {
  const headers = {};
  if (method !== "GET" && state.csrf) headers["X-CSRF-Token"] = state.csrf;
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
  if (res.status === 401 && !path.startsWith("/api/auth/")) {
    window.dispatchEvent(new Event("aligner-signed-out"));
  }
  if (!res.ok) {
    const detail = (data && data.detail) || `${res.status} ${res.statusText}`;
    throw new ApiError(res.status, typeof detail === "string" ? detail : JSON.stringify(detail), data);
  }
  return data;
}

/* The project called `name`, created if there is none (the New… and Import… dialogs). */
export async function projectNamed(name) {
  const projects = await api("/api/projects");
  return projects.find((p) => p.name === name)
    || api("/api/projects", { method: "POST", body: { name } });
}

/* Poll a background job (GET /api/jobs/{id}) until it is done or failed; ``onProgress(job)``
 * sees each queued/running state. Returns the finished job. */
export async function waitForJob(job, onProgress = () => {}, everyMs = 500) {
  while (job.state === "queued" || job.state === "running") {
    onProgress(job);
    await new Promise((r) => setTimeout(r, everyMs));
    job = await api(`/api/jobs/${job.id}`);
  }
  return job;
}
