import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { pushToast } from "../../store";
import { formatDateTime } from "../../time";
import { IconAlert, IconLink, IconPlus, IconTrash } from "../../icons";
import { ShownOnceSecret, Switch } from "../ui";
import type { DeliveryList, DeliveryOut, NewWebhookEndpoint, WebhookEndpointOut, WebhookList } from "../../types";

// Chat-end webhooks: endpoints the server POSTs a signed event to when a chat ends, with the
// signing secret shown once and recent deliveries per endpoint.

// The signing secret is in the answer that created the endpoint only.
type Endpoint = WebhookEndpointOut & { secret?: string };
type Delivery = DeliveryOut;

export function WebhooksAdmin() {
  const [list, setList] = useState<Endpoint[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<Endpoint | null>(null);
  const refresh = () =>
    api<WebhookList>("GET", "/api/webhooks")
      .then((d) => {
        setList(d.webhooks ?? []);
        setError(null);
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void refresh();
  }, []);

  async function toggle(e: Endpoint, enabled: boolean) {
    try {
      await api("PATCH", `/api/webhooks/${encodeURIComponent(e.id)}`, { enabled });
      await refresh();
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }
  async function remove(e: Endpoint) {
    if (!confirm(`Remove the endpoint ${e.url}? Deliveries to it stop.`)) return;
    try {
      await api("DELETE", `/api/webhooks/${encodeURIComponent(e.id)}`);
      await refresh();
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }

  return (
    <>
      <section class="panel" aria-labelledby="wh-title">
        <div class="panel-head">
          <IconLink size={15} />
          <h2 id="wh-title">Endpoints</h2>
          <button type="button" class="btn btn-primary btn-sm" onClick={() => setAdding(!adding)} aria-expanded={adding}>
            <IconPlus size={14} /> Add endpoint
          </button>
        </div>
        <p class="muted small">
          When a chat ends, Frontdesk POSTs a <code>conversation.ended</code> event (transcript, visitor, account, classification, rep) to every enabled endpoint, signed per Standard Webhooks. Failed deliveries are retried for a day; an
          endpoint answering 410 is disabled.
        </p>
        {adding && (
          <AddEndpoint
            onAdded={(e) => {
              setAdding(false);
              setSecret(e);
              void refresh();
            }}
            onCancel={() => setAdding(false)}
          />
        )}
        {secret?.secret && (
          <ShownOnceSecret
            label="Signing secret"
            title={`Signing secret for ${secret.url}`}
            hint={
              <>
                Your receiver verifies each request's <code>webhook-signature</code> with it.
              </>
            }
            secret={secret.secret}
            copyLabel="Copy signing secret"
            testId="webhook-secret"
            onDone={() => setSecret(null)}
          />
        )}
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        {list === null ? (
          <div class="muted">Loading…</div>
        ) : list.length === 0 ? (
          <div class="muted small">No endpoints yet.</div>
        ) : (
          <ul class="wh-list" aria-label="Webhook endpoints">
            {list.map((e) => (
              <EndpointRow key={e.id} e={e} onToggle={(v) => void toggle(e, v)} onRemove={() => void remove(e)} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function AddEndpoint(props: { onAdded: (e: Endpoint) => void; onCancel: () => void }) {
  const [url, setUrl] = useState("https://");
  const [description, setDescription] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api<NewWebhookEndpoint>("POST", "/api/webhooks", { url: url.trim(), description: description.trim() || null });
      props.onAdded(res);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="inline-form wh-form" aria-label="Add a webhook endpoint" onSubmit={save}>
      <label class="field wide">
        <span>URL</span>
        <input type="url" value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} required autoFocus />
      </label>
      <label class="field wide">
        <span>Description (optional)</span>
        <input value={description} maxLength={200} placeholder="Salesforce connector" onInput={(e) => setDescription((e.target as HTMLInputElement).value)} />
      </label>
      <div class="inline-form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Adding…" : "Add endpoint"}
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

function EndpointRow(props: { e: Endpoint; onToggle: (v: boolean) => void; onRemove: () => void }) {
  const { e } = props;
  const [open, setOpen] = useState(false);
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    api<DeliveryList>("GET", `/api/webhooks/${encodeURIComponent(e.id)}/deliveries`)
      .then((d) => setDeliveries(d.deliveries ?? []))
      .catch((err) => setError(errorText(err)));
  }, [open]);
  return (
    <li class={`wh-item ${e.enabled ? "" : "off"}`} data-endpoint-id={e.id}>
      <div class="wh-main">
        <div class="grow">
          <div class="wh-url mono">{e.url}</div>
          <div class="muted small">
            {e.description ? `${e.description} · ` : ""}added {formatDateTime(e.created_at)}
          </div>
          {!e.enabled && e.disabled_reason && (
            <div class="small error-text">
              <IconAlert size={12} /> Disabled: {e.disabled_reason}
            </div>
          )}
        </div>
        <div class="wh-switch">
          <Switch label={e.enabled ? "Enabled" : "Disabled"} checked={e.enabled} onChange={props.onToggle} />
        </div>
        <button type="button" class="btn btn-secondary btn-sm" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? "Hide deliveries" : "Recent deliveries"}
        </button>
        <button type="button" class="icon-btn sm" aria-label={`Remove ${e.url}`} onClick={props.onRemove}>
          <IconTrash size={14} />
        </button>
      </div>
      {open && (
        <div class="wh-deliveries">
          {error && (
            <div class="form-error" role="alert">
              {error}
            </div>
          )}
          {deliveries === null ? (
            <div class="muted small">Loading…</div>
          ) : deliveries.length === 0 ? (
            <div class="muted small">No deliveries yet: one is sent when a chat ends.</div>
          ) : (
            <table class="table table-compact" aria-label={`Deliveries to ${e.url}`}>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">Attempts</th>
                  <th scope="col">Last answer</th>
                  <th scope="col">Last error</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.id}>
                    <td class="mono small" title={d.event_id}>
                      {d.event_type}
                    </td>
                    <td>
                      <span class={`status-chip ${d.status === "delivered" ? "chip-active" : d.status === "failed" || d.status === "dropped" ? "chip-missed" : "chip-incoming"}`}>{d.status.replace(/_/g, " ")}</span>
                    </td>
                    <td class="num">{d.attempts}</td>
                    <td class="mono">{d.last_status ?? "–"}</td>
                    <td class="wrap small">{d.last_error ?? ""}</td>
                    <td class="small">
                      {formatDateTime(d.delivered_at ?? d.created_at)}
                      {d.next_attempt_at && d.status !== "delivered" && <div class="muted">next try {formatDateTime(d.next_attempt_at)}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </li>
  );
}
