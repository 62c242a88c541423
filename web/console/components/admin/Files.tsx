import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { pushToast } from "../../store";
import type { FileSettingsOut } from "../../types";

type FileSettings = FileSettingsOut["settings"];
import { Switch } from "../ui";

// Admin -> Files: whether files may be sent in chat (and by visitors), the largest file, and
// the file name extensions accepted (docs/files.md). Images are always re-encoded without
// metadata; SVG, HTML and anything else that is not a JPEG/PNG/GIF/WebP image only downloads.
export function FilesAdmin() {
  const [data, setData] = useState<FileSettingsOut | null>(null);
  const [draft, setDraft] = useState<FileSettings | null>(null);
  const [extensions, setExtensions] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<FileSettingsOut>("GET", "/api/files/settings")
      .then((got) => {
        setData(got);
        setDraft(got.settings);
        setExtensions(got.settings.extensions.join(", "));
      })
      .catch((err) => setError(errorText(err)));
  }, []);
  async function save(e: Event) {
    e.preventDefault();
    if (!draft) return;
    setBusy(true);
    setError(null);
    try {
      const list = extensions.split(/[\s,;]+/).filter(Boolean);
      const got = await api<FileSettingsOut>("PUT", "/api/files/settings", { ...draft, extensions: list });
      setData(got);
      setDraft(got.settings);
      setExtensions(got.settings.extensions.join(", "));
      pushToast("File settings saved.", "success", 2500);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  if (!draft || !data) return error ? <div class="form-error" role="alert">{error}</div> : <p class="muted small">Loading…</p>;
  return (
    <form class="panel files-admin" aria-labelledby="files-title" onSubmit={(e) => void save(e)}>
      <div class="panel-head">
        <h2 id="files-title">Files and images in chat</h2>
      </div>
      <p class="muted small">
        Images (JPEG, PNG, GIF, WebP) show in the chat as thumbnails; they are re-encoded on the server, so photos lose their EXIF data (camera, GPS
        position). Every other file, SVG and HTML included, is offered as a download only. Links to files work for minutes and only for the chat's
        visitor and your reps.
      </p>
      <div class="big-switch">
        <Switch label="Files in chat" checked={draft.enabled} disabled={busy} onChange={(v) => setDraft({ ...draft, enabled: v })} hint="Reps can send files from the composer (button, drag and drop, paste)." />
        <Switch
          label="Visitors can send files"
          checked={draft.visitors_may_send}
          disabled={busy || !draft.enabled}
          onChange={(v) => setDraft({ ...draft, visitors_may_send: v })}
          hint="The messenger shows an attach button."
        />
      </div>
      <div class="settings-grid">
        <label class="field">
          <span>Largest file</span>
          <div class="suffix-input">
            <input type="number" min={1} max={data.server_max_mb} value={draft.max_mb} onInput={(e) => setDraft({ ...draft, max_mb: Number((e.target as HTMLInputElement).value) })} />
            <span>MB</span>
          </div>
          <span class="field-hint">At most {data.server_max_mb} MB on this server (FRONTDESK_FILE_MAX_MB).</span>
        </label>
      </div>
      <label class="field">
        <span>Accepted file types</span>
        <textarea class="input textarea" rows={2} value={extensions} onInput={(e) => setExtensions((e.target as HTMLTextAreaElement).value)} aria-describedby="files-ext-hint" />
        <span class="field-hint" id="files-ext-hint">
          File name extensions, separated by commas (pdf, docx, png). A file named .png that is not really an image is refused.
        </span>
      </label>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="panel-foot">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : "Save file settings"}
        </button>
      </div>
    </form>
  );
}
