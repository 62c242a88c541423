import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { loadShortcuts, shortcuts } from "../data";
import { cleanHtml } from "../sanitize";
import { me, pushToast } from "../store";
import type { Preview, Shortcut } from "../types";
import { IconEdit, IconLock, IconPlus, IconTrash, IconZap } from "../icons";
import { EmptyState } from "./ui";

// Shortcuts: My Shortcuts (only me) and Org Shortcuts (the whole team; only admins edit them).
// In any composer, "/" and the name inserts one.

const VARIABLE_HELP: [string, string][] = [
  ["{visitor.first_name}", "visitor's first name"],
  ["{visitor.name}", "visitor's name"],
  ["{visitor.email}", "visitor's email"],
  ["{company}", "visitor's company"],
  ["{page.title}", "page they're on"],
  ["{page.url}", "its URL"],
  ["{rep.first_name}", "your first name"],
  ["{rep.name}", "your name"],
];

export function ShortcutsPage() {
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Shortcut | "new-mine" | "new-org" | null>(null);
  const isAdmin = me.value?.role === "admin";
  useEffect(() => {
    loadShortcuts(true).catch((err) => setError(errorText(err)));
  }, []);
  const list = shortcuts.value;
  const mine = (list ?? []).filter((s) => s.scope === "mine");
  const orgList = (list ?? []).filter((s) => s.scope === "org");

  async function remove(s: Shortcut) {
    if (!confirm(`Delete /${s.name}?`)) return;
    try {
      await api("DELETE", `/api/shortcuts/${encodeURIComponent(s.id)}`);
      await loadShortcuts(true);
      pushToast(`/${s.name} deleted.`, "success", 2500);
    } catch (err) {
      pushToast(`Couldn't delete /${s.name}: ${errorText(err)}`, "error");
    }
  }

  return (
    <div class="page-pad shortcuts-page">
      <p class="muted lead">
        Type <kbd class="kbd">/</kbd> in any message box to insert a shortcut, then edit it before sending. Keep names short: <code>/welcome</code>, <code>/pricing</code>.
      </p>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      {editing && <ShortcutForm key={typeof editing === "string" ? editing : editing.id} initial={editing} onDone={() => setEditing(null)} />}
      <div class="sc-columns">
        <section class="panel" aria-labelledby="my-sc">
          <div class="panel-head">
            <h2 id="my-sc">My Shortcuts</h2>
            <span class="muted small">Only you see these</span>
            <button type="button" class="btn btn-secondary btn-sm" onClick={() => setEditing("new-mine")}>
              <IconPlus size={14} /> New shortcut
            </button>
          </div>
          <ShortcutList list={list === null ? null : mine} editable onEdit={setEditing} onDelete={remove} empty="Snippets only you use: your greeting, your calendar link." />
        </section>
        <section class="panel" aria-labelledby="org-sc">
          <div class="panel-head">
            <h2 id="org-sc">Org Shortcuts</h2>
            <span class="muted small">Shared with the whole team</span>
            {isAdmin ? (
              <button type="button" class="btn btn-secondary btn-sm" onClick={() => setEditing("new-org")}>
                <IconPlus size={14} /> New org shortcut
              </button>
            ) : (
              <span class="read-only-note" title="Org shortcuts can only be created by admins on your team">
                <IconLock size={12} /> Read-only
              </span>
            )}
          </div>
          {!isAdmin && <p class="muted small">Read-only: only admins edit these. Use them with “/” like your own.</p>}
          <ShortcutList list={list === null ? null : orgList} editable={isAdmin} onEdit={setEditing} onDelete={remove} empty="Answers the whole team should give the same way." />
        </section>
      </div>
    </div>
  );
}

function ShortcutList(props: {
  list: Shortcut[] | null;
  editable: boolean;
  onEdit: (s: Shortcut) => void;
  onDelete: (s: Shortcut) => void;
  empty: string;
}) {
  if (props.list === null) return <div class="muted">Loading…</div>;
  if (!props.list.length)
    return (
      <EmptyState title="No shortcuts yet" icon={<IconZap size={24} />}>
        {props.empty}
      </EmptyState>
    );
  return (
    <ul class="sc-table" aria-label="Shortcuts">
      {props.list.map((s) => (
        <li key={s.id} data-shortcut={s.name}>
          <div class="sc-row-head">
            <code class="sc-name">/{s.name}</code>
            <span class="muted small">
              used {s.usage_count} {s.usage_count === 1 ? "time" : "times"}
            </span>
            {props.editable && (
              <span class="sc-actions">
                <button type="button" class="icon-btn" aria-label={`Edit /${s.name}`} onClick={() => props.onEdit(s)}>
                  <IconEdit size={15} />
                </button>
                <button type="button" class="icon-btn" aria-label={`Delete /${s.name}`} onClick={() => props.onDelete(s)}>
                  <IconTrash size={15} />
                </button>
              </span>
            )}
          </div>
          <div class="sc-body md" dangerouslySetInnerHTML={{ __html: cleanHtml(s.html || "") }} />
        </li>
      ))}
    </ul>
  );
}

function ShortcutForm(props: { initial: Shortcut | "new-mine" | "new-org"; onDone: () => void }) {
  const existing = typeof props.initial === "object" ? props.initial : null;
  const scope = existing ? existing.scope : props.initial === "new-org" ? "org" : "mine";
  const [name, setName] = useState(existing?.name ?? "");
  const [body, setBody] = useState(existing?.body ?? "");
  const [preview, setPreview] = useState<string>(existing?.html ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!body.trim()) {
      setPreview("");
      return;
    }
    const ctl = new AbortController();
    const t = setTimeout(() => {
      api<Preview>("POST", "/api/markdown/preview", { body }, { signal: ctl.signal })
        .then((r) => setPreview(r.html ?? ""))
        .catch(() => null);
    }, 250);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [body]);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const clean = name.trim().replace(/^\//, "");
      if (existing) await api("PATCH", `/api/shortcuts/${encodeURIComponent(existing.id)}`, { name: clean, body });
      else await api("POST", "/api/shortcuts", { name: clean, body, scope });
      await loadShortcuts(true);
      pushToast(`/${clean} saved.`, "success", 2500);
      props.onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="panel sc-form" aria-label={existing ? `Edit /${existing.name}` : scope === "org" ? "New org shortcut" : "New shortcut"} onSubmit={save}>
      <div class="panel-head">
        <h2>{existing ? `Edit /${existing.name}` : scope === "org" ? "New org shortcut" : "New shortcut"}</h2>
        <span class="muted small">{scope === "org" ? "Everyone on the team can use it" : "Only you can use it"}</span>
      </div>
      <div class="sc-form-grid">
        <div class="sc-form-fields">
          <label class="field">
            <span>Name</span>
            <div class="prefix-input">
              <span aria-hidden="true">/</span>
              <input class="input" value={name} maxLength={41} placeholder="welcome" onInput={(e) => setName((e.target as HTMLInputElement).value)} autoFocus aria-label="Name" />
            </div>
          </label>
          <label class="field">
            <span>Text</span>
            <textarea class="input textarea" rows={5} maxLength={10000} value={body} placeholder="Hi {visitor.first_name}! {rep.first_name} here from the team 👋" onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} aria-label="Text" />
          </label>
          <div class="var-help">
            <span class="muted small">Variables, filled in for the visitor when inserted (empty ones are left out):</span>
            <div class="var-list">
              {VARIABLE_HELP.map(([v, what]) => (
                <button type="button" class="var-chip" key={v} title={what} onClick={() => setBody(body + v)}>
                  <code>{v}</code>
                </button>
              ))}
            </div>
          </div>
        </div>
        <div class="sc-form-preview">
          <div class="muted small">Preview (Markdown)</div>
          <div class="bubble md" dangerouslySetInnerHTML={{ __html: cleanHtml(preview) || '<span class="muted">Nothing yet</span>' }} />
        </div>
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="panel-foot">
        <button type="submit" class="btn btn-primary" disabled={busy || !name.trim() || !body.trim()}>
          {busy ? "Saving…" : "Save shortcut"}
        </button>
        <button type="button" class="btn btn-ghost" onClick={props.onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
