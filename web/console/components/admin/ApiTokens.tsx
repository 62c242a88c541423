import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { pushToast } from "../../store";
import { formatDateTime } from "../../time";
import { IconLock, IconPlus } from "../../icons";
import { ShownOnceSecret, TableStatus } from "../ui";
import type { ApiTokenList, ApiTokenOut, NewApiToken } from "../../types";

// Org API tokens for scripts and CRMs: made here, shown once, revocable. A token acts for the
// admin who made it, within its scopes (docs/protocol.md, "API tokens").

type Scope = ApiTokenOut["scopes"][number];
const SCOPES: [Scope, string][] = [
  ["read", "Read: GET requests (conversations, visitors, accounts…)"],
  ["write", "Write: changes a rep may make (messages, notes, accounts…)"],
  ["admin", "Admin: admin-only changes (segments, reps, webhooks…)"],
];

export function ApiTokensAdmin() {
  const [list, setList] = useState<ApiTokenOut[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [made, setMade] = useState<NewApiToken | null>(null);
  const refresh = () =>
    api<ApiTokenList>("GET", "/api/api-tokens")
      .then((d) => {
        setList(d.tokens);
        setError(null);
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void refresh();
  }, []);

  async function revoke(t: ApiTokenOut) {
    if (!confirm(`Revoke the token “${t.name}”? Scripts using it are refused from their next request.`)) return;
    try {
      await api("POST", `/api/api-tokens/${encodeURIComponent(t.id)}/revoke`);
      pushToast(`Token “${t.name}” revoked.`, "success");
      await refresh();
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }

  return (
    <section class="panel" aria-labelledby="tokens-title">
      <div class="panel-head">
        <IconLock size={15} />
        <h2 id="tokens-title">Tokens</h2>
        <button type="button" class="btn btn-primary btn-sm" onClick={() => setAdding(!adding)} aria-expanded={adding}>
          <IconPlus size={14} /> New token
        </button>
      </div>
      <p class="muted small">
        Scripts and CRMs call the REST API with <code>Authorization: Bearer fd_…</code>. A token acts for the admin who made it, only within its scopes, and stops working when revoked or when that admin is deactivated. Each token may
        make a limited number of requests per minute. Curl examples: docs/protocol.md.
      </p>
      {adding && (
        <NewToken
          onMade={(t) => {
            setAdding(false);
            setMade(t);
            void refresh();
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      {made && (
        <ShownOnceSecret
          label="New API token"
          title={`Token “${made.name}”`}
          hint="Frontdesk keeps only a hash of it."
          secret={made.token}
          copyLabel="Copy API token"
          testId="api-token"
          onDone={() => setMade(null)}
        />
      )}
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="table-scroll">
        <table class="table stack-table" aria-label="API tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Made by</th>
              <th scope="col">Last used</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            <TableStatus cols={6} list={list} empty="No API tokens yet." />
            {list?.map((t) => (
              <tr key={t.id} class={t.revoked_at ? "inactive" : ""} data-token-id={t.id}>
                <td data-label="Name">
                  <strong>{t.name}</strong>
                  <div class="muted small">
                    <code>{t.prefix}…</code> · {formatDateTime(t.created_at)}
                  </div>
                </td>
                <td data-label="Scopes">
                  {t.scopes.map((s) => (
                    <span key={s} class="tag">
                      {s}
                    </span>
                  ))}
                </td>
                <td class="muted" data-label="Made by">{t.created_by}</td>
                <td class="muted" data-label="Last used">{t.last_used_at ? formatDateTime(t.last_used_at) : "Never"}</td>
                <td data-label="Status">{t.revoked_at ? <span class="status-chip chip-missed">Revoked</span> : <span class="status-chip chip-active">Active</span>}</td>
                <td class="actions">
                  {!t.revoked_at && (
                    <button type="button" class="btn btn-ghost btn-sm danger" onClick={() => void revoke(t)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function NewToken(props: { onMade: (t: NewApiToken) => void; onCancel: () => void }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onMade(await api<NewApiToken>("POST", "/api/api-tokens", { name: name.trim(), scopes }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="inline-form" aria-label="New API token" onSubmit={save}>
      <label class="field wide">
        <span>Name</span>
        <input value={name} maxLength={100} required placeholder="CRM sync" onInput={(e) => setName((e.target as HTMLInputElement).value)} autoFocus />
      </label>
      <fieldset class="field wide scope-list">
        <legend>Scopes</legend>
        {SCOPES.map(([s, label]) => (
          <label key={s} class="check">
            <input type="checkbox" checked={scopes.includes(s)} onChange={(e) => setScopes((cur) => ((e.target as HTMLInputElement).checked ? [...cur, s] : cur.filter((x) => x !== s)))} />
            <span>{label}</span>
          </label>
        ))}
      </fieldset>
      <div class="inline-form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy || scopes.length === 0 || !name.trim()}>
          {busy ? "Making…" : "Make token"}
        </button>
        <button type="button" class="btn btn-ghost" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
    </form>
  );
}
