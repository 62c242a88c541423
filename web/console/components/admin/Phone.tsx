import { useEffect, useState } from "preact/hooks";
import { ApiError, api, errorText } from "../../api";
import { pushToast } from "../../store";
import { IconAlert, IconCheck, IconPhone, IconX } from "../../icons";
import { CopyButton } from "../ui";
import type { PhoneSettingsOut, PhoneSettingsPage, RegionOut } from "../../types";

// Join by phone (docs/telephony.md): the org's Twilio account, the numbers it calls from and
// connects to, the countries visitors may be called in, and the limits against toll fraud.
// The auth token is write-only: the server says whether one is stored and its last four
// characters, never the token.

type Form = {
  provider: "none" | "twilio";
  account_sid: string;
  api_key_sid: string;
  caller_number: string;
  connect_number: string;
  greeting: string;
  allowed_regions: string[];
  visitor_limit: string;
  org_limit: string;
};

function formOf(s: PhoneSettingsOut): Form {
  return {
    provider: s.provider,
    account_sid: s.account_sid ?? "",
    api_key_sid: s.api_key_sid ?? "",
    caller_number: s.caller_number ?? "",
    connect_number: s.connect_number ?? "",
    greeting: s.greeting,
    allowed_regions: [...s.allowed_regions],
    visitor_limit: s.visitor_limit,
    org_limit: s.org_limit,
  };
}

// Field name -> what the server said is wrong with it (ValidationFailed details).
function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (err instanceof ApiError && Array.isArray(err.details)) {
    for (const d of err.details as { field?: unknown; problem?: unknown }[]) {
      if (typeof d.field === "string" && typeof d.problem === "string") out[d.field.split(".")[0]] = d.problem;
    }
  }
  return out;
}

export function PhoneAdmin() {
  const [page, setPage] = useState<PhoneSettingsPage | null>(null);
  const [form, setForm] = useState<Form | null>(null);
  // A new auth token to send; null: keep the stored one. "" (via Forget): remove it.
  const [token, setToken] = useState<string | null>(null);
  // The same for the API key's secret (write-only too).
  const [keySecret, setKeySecret] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [adding, setAdding] = useState("");

  function load(p: PhoneSettingsPage) {
    setPage(p);
    setForm(formOf(p.settings));
    setToken(null);
    setKeySecret(null);
    setDirty(false);
  }
  useEffect(() => {
    api<PhoneSettingsPage>("GET", "/api/telephony/settings")
      .then(load)
      .catch((err) => setError(errorText(err)));
  }, []);
  if (!page || !form)
    return error ? (
      <div class="form-error" role="alert">
        {error}
      </div>
    ) : (
      <div class="muted">Loading…</div>
    );
  const s = page.settings;
  const regionByCode = new Map(page.regions.map((r) => [r.code, r]));
  const set = (patch: Partial<Form>) => {
    setForm({ ...form, ...patch });
    setDirty(true);
  };

  async function save(e: Event) {
    e.preventDefault();
    if (!form) return;
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      const body: Record<string, unknown> = { ...form };
      if (token !== null) body.auth_token = token;
      if (keySecret !== null) body.api_key_secret = keySecret;
      const p = await api<PhoneSettingsPage>("PUT", "/api/telephony/settings", body);
      load(p);
      pushToast(p.settings.phone_join_available ? "Phone settings saved. Visitors are offered a call to their phone." : "Phone settings saved.", "success", 3000);
    } catch (err) {
      const byField = fieldErrors(err);
      setErrors(byField);
      const count = Object.keys(byField).length;
      setError(count ? `${count === 1 ? "One setting needs" : `${count} settings need`} fixing: see the fields marked in red. Nothing was saved.` : errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const addRegion = (code: string) => {
    if (!code || form.allowed_regions.includes(code)) return;
    set({ allowed_regions: [...form.allowed_regions, code].sort() });
    setAdding("");
  };
  const twilio = form.provider === "twilio";
  const tokenLabel = token === "" ? "Will be removed when you save" : s.auth_token_set ? `Stored (${s.auth_token_hint}); type a new one to replace it` : "Not set";

  return (
    <form class="panel phone-form" aria-label="Phone settings" onSubmit={save} noValidate>
      <div class="panel-head">
        <IconPhone size={15} />
        <h2 id="phone-title">Join by phone</h2>
      </div>
      <p class="muted small">
        A visitor can type their phone number in the messenger instead of using a microphone. Frontdesk asks Twilio to ring that number; when the visitor answers they hear your greeting and are put through to the number you
        connect calls to below (your sales line). With a Twilio <strong>API key</strong> below, a phone that joins a browser call rings the console of the rep on that call instead (the console becomes a Twilio Voice client), so the rep
        talks to the visitor in the browser. Calls are not recorded.
      </p>
      <div class={`phone-status ${s.phone_join_available ? "on" : "off"}`} role="status" aria-label="Phone join status">
        {s.phone_join_available ? <IconCheck size={15} /> : <IconAlert size={15} />}
        <span>{s.phone_join_available ? "On: visitors are offered a call to their phone." : `Off: ${s.unavailable_reason ?? "not set up."}`}</span>
      </div>

      <div class="phone-grid">
        <div class="field">
          <label for="phone-provider">Provider</label>
          <select id="phone-provider" value={form.provider} onChange={(e) => set({ provider: (e.target as HTMLSelectElement).value as Form["provider"] })}>
            <option value="none">None (phone join off)</option>
            <option value="twilio">Twilio</option>
          </select>
        </div>
        <Text label="Account SID" field="account_sid" value={form.account_sid} errors={errors} disabled={!twilio} placeholder="AC…" onInput={(v) => set({ account_sid: v })} hint="Twilio Console → Account info." />
        <div class="field">
          <label for="phone-auth-token">Auth token</label>
          <div class="field-inline">
            <input
              id="phone-auth-token"
              type="password"
              autoComplete="new-password"
              value={token ?? ""}
              disabled={!twilio}
              placeholder={s.auth_token_set ? `Stored (${s.auth_token_hint})` : "Paste the auth token"}
              aria-invalid={errors.auth_token ? "true" : undefined}
              aria-describedby="auth-token-hint"
              onInput={(e) => {
                setToken((e.target as HTMLInputElement).value);
                setDirty(true);
              }}
            />
            {s.auth_token_set && token !== "" && (
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                onClick={() => {
                  setToken("");
                  setDirty(true);
                }}
              >
                Forget
              </button>
            )}
          </div>
          <span class={errors.auth_token ? "field-error" : "field-hint"} id="auth-token-hint">
            {errors.auth_token ?? tokenLabel}
          </span>
        </div>
        <Text label="API key SID (for the rep's browser)" field="api_key_sid" value={form.api_key_sid} errors={errors} disabled={!twilio} placeholder="SK…" onInput={(v) => set({ api_key_sid: v })} hint={s.browser_bridge ? "Set: answered phones of a browser call ring the rep's console." : "Optional. Twilio Console → API keys. Without it, answered phones ring the line below."} />
        <div class="field">
          <label for="phone-key-secret">API key secret</label>
          <div class="field-inline">
            <input
              id="phone-key-secret"
              type="password"
              autoComplete="new-password"
              value={keySecret ?? ""}
              disabled={!twilio}
              placeholder={s.api_key_secret_set ? `Stored (${s.api_key_secret_hint})` : "Paste the API key's secret"}
              aria-invalid={errors.api_key_secret ? "true" : undefined}
              aria-describedby="key-secret-hint"
              onInput={(e) => {
                setKeySecret((e.target as HTMLInputElement).value);
                setDirty(true);
              }}
            />
            {s.api_key_secret_set && keySecret !== "" && (
              <button
                type="button"
                class="btn btn-ghost btn-sm"
                title="Forget the stored API key secret"
                onClick={() => {
                  setKeySecret("");
                  setDirty(true);
                }}
              >
                Forget
              </button>
            )}
          </div>
          <span class={errors.api_key_secret ? "field-error" : "field-hint"} id="key-secret-hint">
            {errors.api_key_secret ?? (keySecret === "" ? "Will be removed when you save" : s.api_key_secret_set ? `Stored (${s.api_key_secret_hint}); type a new one to replace it` : "Not set")}
          </span>
        </div>
        <Text label="Call from" field="caller_number" value={form.caller_number} errors={errors} disabled={!twilio} placeholder="+1 212 555 0100" onInput={(v) => set({ caller_number: v })} hint="A number of your Twilio account; visitors see it calling." />
        <Text label="Connect answered calls to" field="connect_number" value={form.connect_number} errors={errors} disabled={!twilio} placeholder="+44 20 7946 0958" onInput={(v) => set({ connect_number: v })} hint="Your sales line: it rings once the visitor picks up." />
        <div class="field phone-wide">
          <label for="phone-greeting">Greeting</label>
          <textarea
            id="phone-greeting"
            class="input textarea"
            rows={2}
            maxLength={300}
            value={form.greeting}
            aria-invalid={errors.greeting ? "true" : undefined}
            aria-describedby="phone-greeting-hint"
            onInput={(e) => set({ greeting: (e.target as HTMLTextAreaElement).value })}
          />
          <span class={errors.greeting ? "field-error" : "field-hint"} id="phone-greeting-hint">
            {errors.greeting ?? "Spoken to the visitor when they answer. {company} becomes your company name."}
          </span>
        </div>
      </div>

      <fieldset class="phone-countries" aria-describedby="countries-hint">
        <legend>Countries visitors may be called in</legend>
        <ul class="chip-list" aria-label="Allowed countries">
          {form.allowed_regions.length === 0 && <li class="muted small">None: nobody can be called.</li>}
          {form.allowed_regions.map((code) => {
            const r: RegionOut | undefined = regionByCode.get(code);
            return (
              <li key={code} class="tag chip-region">
                {r ? `${r.name} (+${r.calling_code})` : code}
                <button type="button" class="chip-remove" aria-label={`Remove ${r?.name ?? code}`} onClick={() => set({ allowed_regions: form.allowed_regions.filter((x) => x !== code) })}>
                  <IconX size={11} />
                </button>
              </li>
            );
          })}
        </ul>
        <div class="field-inline">
          <select class="input input-sm phone-add-country" aria-label="Add a country" value={adding} onChange={(e) => addRegion((e.target as HTMLSelectElement).value)}>
            <option value="">Add a country…</option>
            {page.regions
              .filter((r) => !form.allowed_regions.includes(r.code))
              .map((r) => (
                <option key={r.code} value={r.code}>
                  {r.name} (+{r.calling_code})
                </option>
              ))}
          </select>
        </div>
        <span class={errors.allowed_regions ? "field-error" : "field-hint"} id="countries-hint">
          {errors.allowed_regions ??
            "Countries, not calling codes: +1 also covers 23 Caribbean and Pacific countries and territories, and +44 the Channel Islands and the Isle of Man. Only landlines and mobiles are called; premium-rate, shared-cost, personal and other special numbers are always refused."}
        </span>
      </fieldset>

      <div class="phone-grid">
        <Text label="Calls per visitor" field="visitor_limit" value={form.visitor_limit} errors={errors} onInput={(v) => set({ visitor_limit: v })} hint="For example 3/hour; 5/day." />
        <Text label="Calls for the whole website" field="org_limit" value={form.org_limit} errors={errors} onInput={(v) => set({ org_limit: v })} hint="For example 60/hour; 300/day." />
        <div class="field">
          <label for="phone-ip-limit">Calls per IP address</label>
          <input id="phone-ip-limit" value={s.ip_limit} disabled aria-describedby="phone-ip-limit-hint" />
          <span class="field-hint" id="phone-ip-limit-hint">
            Set for the whole server (FRONTDESK_PHONE_CALLS_PER_IP).
          </span>
        </div>
      </div>

      {s.callback_url && (
        <div class="field phone-wide">
          <span>Status callback URL</span>
          <div class="secret-row">
            <code class="secret">{s.callback_url}</code>
            <CopyButton text={s.callback_url} label="Copy the callback URL" />
          </div>
          <span class="field-hint">Frontdesk gives Twilio this address with every call; Twilio must be able to reach it. Callbacks without a valid X-Twilio-Signature are refused.</span>
        </div>
      )}

      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="panel-foot">
        <button type="submit" class="btn btn-primary" disabled={busy || !dirty}>
          {busy ? "Saving…" : "Save phone settings"}
        </button>
        {dirty && <span class="muted small">Unsaved changes</span>}
      </div>
    </form>
  );
}

function Text(props: { label: string; field: string; value: string; errors: Record<string, string>; hint: string; placeholder?: string; disabled?: boolean; onInput: (v: string) => void }) {
  const problem = props.errors[props.field];
  const id = `phone-${props.field}-hint`;
  return (
    <div class="field">
      <label for={`phone-${props.field}`}>{props.label}</label>
      <input id={`phone-${props.field}`} value={props.value} placeholder={props.placeholder} disabled={props.disabled} aria-invalid={problem ? "true" : undefined} aria-describedby={id} onInput={(e) => props.onInput((e.target as HTMLInputElement).value)} />
      <span class={problem ? "field-error" : "field-hint"} id={id}>
        {problem ?? props.hint}
      </span>
    </div>
  );
}
