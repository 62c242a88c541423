import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { org, pushToast } from "../../store";
import type { Org, PrivacySettingsOut } from "../../types";
import { Switch } from "../ui";

// Admin -> Privacy: how long each kind of data is kept (a purge runs in the background), what
// is stored of visitors' IP addresses, and whether Global Privacy Control / Do Not Track are
// honoured (docs/operations.md, "Privacy settings").

type Retention = PrivacySettingsOut["retention"];
type IpMode = PrivacySettingsOut["ip_addresses"];

const PERIODS: [keyof Retention, string, string][] = [
  ["page_views_days", "Page views", "Each page a visitor viewed: URL, title, referrer."],
  ["visits_days", "Visits", "Each stay on the site (from its last page): IP address, user agent, referrer, UTM, company, with its page views."],
  ["transcripts_days", "Chat transcripts", "The messages of ended chats (and what the AI Copilot learnt from them). The chat itself stays for reports."],
  ["conversations_days", "Chats", "Ended chats with everything attached: transcript, calls, meeting offers. Reports no longer count them."],
  ["visitors_days", "Visitors", "Visitors not seen for this long, with everything about them (as Erase does). Meetings they booked stay."],
];

const IP_MODES: [IpMode, string, string][] = [
  ["full", "Full address", "Shown in Visitor 360 and usable for IP blocks."],
  ["truncated", "Truncated (/24 and /48)", "The last part is zeroed: 203.0.113.77 is stored as 203.0.113.0. Company detection still sees the full address first."],
  ["none", "Not stored", "Company detection and blocking use the address while the visitor is connected; nothing is written."],
];

export function PrivacyAdmin() {
  const [days, setDays] = useState<Record<string, string> | null>(null);
  const [ip, setIp] = useState<IpMode>("full");
  const [gpc, setGpc] = useState(false);
  const [busy, setBusy] = useState(false);
  const [dirty, setDirty] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const load = (o: Org) => {
    const p = o.privacy;
    setDays(Object.fromEntries(PERIODS.map(([key]) => [key, p.retention[key] == null ? "" : String(p.retention[key])])));
    setIp(p.ip_addresses);
    setGpc(p.honour_gpc);
  };
  useEffect(() => {
    api<Org>("GET", "/api/org")
      .then((o) => {
        org.value = { ...org.value, ...o };
        load(o);
      })
      .catch((err) => setError(errorText(err)));
  }, []);
  if (!days)
    return error ? (
      <div class="form-error" role="alert">
        {error}
      </div>
    ) : (
      <div class="muted">Loading…</div>
    );
  const change = () => {
    setDirty(true);
    setError(null);
  };
  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const retention: Record<string, number> = {};
      for (const [key] of PERIODS) {
        const value = (days![key] ?? "").trim();
        if (value === "") continue;
        if (!/^\d+$/.test(value)) throw new Error(`${PERIODS.find((p) => p[0] === key)![1]}: a whole number of days, or empty to keep it`);
        retention[key] = Number(value);
      }
      const o = await api<Org>("PATCH", "/api/org/settings", { privacy: { retention, ip_addresses: ip, honour_gpc: gpc } });
      org.value = { ...org.value, ...o };
      load(o);
      setDirty(false);
      pushToast("Privacy settings saved.", "success", 2500);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="privacy-form" aria-label="Privacy settings" onSubmit={save}>
      <section class="panel" aria-labelledby="retention-title">
        <div class="panel-head">
          <h2 id="retention-title">Retention</h2>
        </div>
        <p class="muted small">
          Data older than this is deleted in the background, in small batches, about once an hour (each purge is in the audit log). Leave a field empty to keep that data until
          it is erased. A shorter period cannot be set on a part than on what it belongs to: page views go with their visit, a transcript with its chat, everything with its
          visitor.
        </p>
        <div class="settings-grid">
          {PERIODS.map(([key, label, hint]) => (
            <label class="field" key={key}>
              <span>{label}</span>
              <div class="suffix-input">
                <input
                  type="text"
                  inputMode="numeric"
                  placeholder="Keep"
                  aria-label={`${label}: days kept`}
                  value={days[key]}
                  onInput={(e) => {
                    setDays({ ...days, [key]: (e.target as HTMLInputElement).value });
                    change();
                  }}
                />
                <span>days</span>
              </div>
              <span class="field-hint">{hint}</span>
            </label>
          ))}
        </div>
      </section>
      <section class="panel" aria-labelledby="ip-title">
        <div class="panel-head">
          <h2 id="ip-title">Visitors' IP addresses</h2>
        </div>
        <div class="radio-list" role="radiogroup" aria-labelledby="ip-title">
          {IP_MODES.map(([mode, label, hint]) => (
            <label class="radio-row" key={mode}>
              <input
                type="radio"
                name="ip-addresses"
                checked={ip === mode}
                onChange={() => {
                  setIp(mode);
                  change();
                }}
              />
              <span>
                <strong>{label}</strong>
                <span class="field-hint">{hint}</span>
              </span>
            </label>
          ))}
        </div>
        <p class="muted small">Applies to visits from now on; addresses already stored are kept until their visit's retention period ends.</p>
      </section>
      <section class="panel" aria-labelledby="gpc-title">
        <div class="panel-head">
          <h2 id="gpc-title">Do not track</h2>
        </div>
        <div class="big-switch">
          <Switch
            label="Honour Global Privacy Control and Do Not Track"
            checked={gpc}
            onChange={(v) => {
              setGpc(v);
              change();
            }}
            hint="A browser that sends either signal still sees the messenger and can chat, and shows on the live stream while it is on the site; no page views, IP address, user agent, referrer or campaign are stored, and no company is looked up from its address."
          />
        </div>
        <p class="muted small">
          To ask for consent first, your website calls <code>Frontdesk("consent", false)</code> before the snippet and <code>Frontdesk("consent", true)</code> once the visitor
          agrees (docs/widget.md, "Consent").
        </p>
      </section>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="panel-foot">
        <button type="submit" class="btn btn-primary" disabled={busy || !dirty}>
          {busy ? "Saving…" : "Save privacy settings"}
        </button>
        {dirty && <span class="muted small">Unsaved changes</span>}
      </div>
    </form>
  );
}
