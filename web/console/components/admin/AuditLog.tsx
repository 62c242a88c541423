import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { formatDateTime } from "../../time";
import { TableStatus } from "../ui";
import type { AuditEntryOut, AuditPage } from "../../types";

// The admin audit log: who changed segments, routing, reps, blocks, settings, tokens, and
// when; newest first, 50 at a time.

const PAGE = 50;

function describeTarget(e: AuditEntryOut): string {
  return Object.entries(e.target)
    .map(([k, v]) => `${k.replace(/_id$/, "")} ${String(v).slice(0, 8)}`)
    .join(", ");
}

function describeDetails(e: AuditEntryOut): string {
  const text = JSON.stringify(e.details);
  return text === "{}" ? "" : text.length > 160 ? text.slice(0, 157) + "…" : text;
}

export function AuditLogAdmin() {
  const [entries, setEntries] = useState<AuditEntryOut[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function load(before: string | null) {
    setBusy(true);
    try {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (before) q.set("before", before);
      const page = await api<AuditPage>("GET", `/api/audit?${q}`);
      setEntries((cur) => (before ? [...(cur ?? []), ...page.entries] : page.entries));
      setNext(page.next_before);
      setError(null);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  useEffect(() => {
    void load(null);
  }, []);

  return (
    <section class="panel" aria-labelledby="audit-title">
      <div class="panel-head">
        <h2 id="audit-title">Changes</h2>
        <button type="button" class="btn btn-ghost btn-sm" onClick={() => void load(null)} disabled={busy}>
          Refresh
        </button>
      </div>
      <p class="muted small">Every change made by admins (and by API tokens) to segments, routing, teams, reps, blocks, settings, experiences, webhooks and tokens, with who made it and from where. Secrets and passwords are never recorded.</p>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="table-scroll">
        <table class="table audit-table stack-table" aria-label="Audit log">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
              <th scope="col">Details</th>
            </tr>
          </thead>
          <tbody>
            <TableStatus cols={4} list={entries} empty="Nothing has been changed yet." />
            {entries?.map((e) => (
              <tr key={e.id} data-audit-id={e.id}>
                <td class="muted nowrap" data-label="When">{formatDateTime(e.created_at)}</td>
                <td data-label="Who">
                  {e.actor_name}
                  <div class="muted small">{e.ip ?? ""}</div>
                </td>
                <td data-label="What">
                  {e.summary || e.action}
                  <div class="muted small">
                    <code>{e.action}</code> {describeTarget(e)}
                  </div>
                </td>
                <td class="muted small audit-details" data-label="Details">{describeDetails(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next && (
        <button type="button" class="btn btn-secondary btn-sm" onClick={() => void load(next)} disabled={busy}>
          {busy ? "Loading…" : "Older entries"}
        </button>
      )}
    </section>
  );
}
