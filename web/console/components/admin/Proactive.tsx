import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { org, pushToast } from "../../store";
import type { Org, ProactiveSettings } from "../../types";
import { Switch } from "../ui";

// The org's proactive settings: the auto pounce switch and its timings, how soon the same
// visitor may be engaged again, and which links AI-written greetings may contain.

const DEFAULTS: ProactiveSettings = {
  auto_pounce: false,
  auto_pounce_after_seconds: 30,
  nudge_after_seconds: 45,
  rep_timeout_seconds: 60,
  repeat_interval_seconds: 300,
  allowed_link_domains: [],
};

const NUMBERS: [keyof ProactiveSettings, string, string][] = [
  ["auto_pounce_after_seconds", "Greet after", "How long a visitor browses before AI greets them on a rep's behalf."],
  ["nudge_after_seconds", "Nudge after", "One follow-up if the visitor has not replied by then."],
  ["rep_timeout_seconds", "Rep timeout", "The rep must answer (or mark Spam / No response needed) within this after a reply; otherwise it's a missed response and their auto pounce turns off."],
  ["repeat_interval_seconds", "Don't engage again for", "After a pounce, invitation or auto pounce, nobody engages the same visitor again within this."],
];

export function ProactiveAdmin() {
  const [v, setV] = useState<ProactiveSettings | null>(null);
  const [domains, setDomains] = useState("");
  const [idle, setIdle] = useState<number>(60);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    api<Org>("GET", "/api/org")
      .then((o) => {
        org.value = { ...org.value, ...o };
        const p = { ...DEFAULTS, ...(o.proactive ?? {}) };
        setV(p);
        setDomains(p.allowed_link_domains.join("\n"));
        setIdle(o.idle_after_seconds ?? 60);
      })
      .catch((err) => setError(errorText(err)));
  }, []);
  if (!v)
    return error ? (
      <div class="form-error" role="alert">
        {error}
      </div>
    ) : (
      <div class="muted">Loading…</div>
    );
  const set = (patch: Partial<ProactiveSettings>) => {
    setV({ ...v, ...patch });
    setDirty(true);
  };
  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const proactive = {
        ...v,
        allowed_link_domains: domains
          .split(/[\n,\s]+/)
          .map((d) => d.trim())
          .filter(Boolean),
      };
      const o = await api<Org>("PATCH", "/api/org/settings", { proactive, idle_after_seconds: idle });
      org.value = { ...org.value, ...o };
      setDirty(false);
      pushToast("Auto pounce settings saved.", "success", 2500);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="panel proactive-form" aria-label="Auto pounce settings" onSubmit={save}>
      <div class="big-switch">
        <Switch
          label="Auto pounce for the organization"
          checked={v.auto_pounce}
          onChange={(x) => set({ auto_pounce: x })}
          hint="AI greets visitors on behalf of available reps who have auto pounce on, following routing. Reps answer the replies."
        />
      </div>
      <div class="settings-grid">
        {NUMBERS.map(([key, label, hint]) => (
          <label class="field" key={key}>
            <span>{label}</span>
            <div class="suffix-input">
              <input type="number" min={5} max={86400} value={Number(v[key])} onInput={(e) => set({ [key]: Number((e.target as HTMLInputElement).value) } as Partial<ProactiveSettings>)} />
              <span>seconds</span>
            </div>
            <span class="field-hint">{hint}</span>
          </label>
        ))}
        <label class="field">
          <span>Idle after</span>
          <div class="suffix-input">
            <input
              type="number"
              min={10}
              max={3600}
              value={idle}
              onInput={(e) => {
                setIdle(Number((e.target as HTMLInputElement).value));
                setDirty(true);
              }}
            />
            <span>seconds</span>
          </div>
          <span class="field-hint">A visitor with no input for this long shows as Idle on the live stream.</span>
        </label>
      </div>
      <label class="field">
        <span>Links AI greetings may contain</span>
        <textarea
          class="input textarea"
          rows={3}
          placeholder={"northwind.example\ndocs.northwind.example"}
          value={domains}
          onInput={(e) => {
            setDomains((e.target as HTMLTextAreaElement).value);
            setDirty(true);
          }}
        />
        <span class="field-hint">One domain per line. A generated greeting linking anywhere else is replaced by a template.</span>
      </label>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="panel-foot">
        <button type="submit" class="btn btn-primary" disabled={busy || !dirty}>
          {busy ? "Saving…" : "Save settings"}
        </button>
        {dirty && <span class="muted small">Unsaved changes</span>}
      </div>
    </form>
  );
}
