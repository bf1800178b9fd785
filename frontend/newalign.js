/* The "New…" dialog: create (or reuse) the project, upload the source and its translation,
 * start the alignment job, poll it to the end and open the result.
 */
import { api, ApiError, projectNamed, waitForJob } from "./api.js";
import { $ } from "./dom.js";
import { loadAlignments, openAlignment } from "./alignment.js";

export function openNewDialog() {
  $("#new-status").textContent = "";
  $("#new-dialog").showModal();
}

export function closeNewDialog() {
  $("#new-dialog").close();
}

export async function submitNew(ev) {
  ev.preventDefault();
  const f = new FormData($("#new-form"));
  const status = $("#new-status");
  try {
    status.textContent = "Creating project…";
    const project = await projectNamed(f.get("project"));
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
      body: { src_document_id: ids.src, tgt_document_id: ids.tgt, settings: chosenSettings(f) } });
    job = await waitForJob(job, (j) => {
      status.textContent = `Aligning: ${j.stage} ${Math.round(j.progress * 100)}%`;
    });
    if (job.state !== "done") throw new ApiError(400, job.error || "alignment failed");
    $("#new-dialog").close();
    await loadAlignments();
    await openAlignment(job.alignment_id, 0);
  } catch (err) {
    status.textContent = err.message;
  }
}

/* The settings chosen in the dialog ({} = the server's defaults); the server checks them. */
function chosenSettings(f) {
  const settings = {};
  if (f.get("partial")) settings.partial = true;
  if (f.get("max_side")) settings.max_side = Number(f.get("max_side"));
  for (const item of String(f.get("more_settings") || "").split(",")) {
    const [name, ...value] = item.split("=");
    if (name.trim()) settings[name.trim()] = value.join("=").trim();
  }
  return settings;
}
