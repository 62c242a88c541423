import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { experiences, loadExperiences } from "../../data";
import { pushToast } from "../../store";
import type { Experience } from "../../types";
import type * as S from "../../../generated/openapi";
import { IconPlus } from "../../icons";
import { Switch } from "../ui";

// Inbound-chat experiences: what a visitor who writes first lives through. The default one
// applies unless a segment picks another.

type Editable = Omit<Experience, "id" | "is_default">;

const BLANK: Editable = {
  name: "",
  rep_window_seconds: 20,
  bot_greeting: "Thanks for reaching out! A member of our team will be with you shortly. While you wait, what can we help you with?",
  ask_identity: false,
  identity_prompt: "So we can follow up if we get disconnected, what's your name and email?",
  handoff_message: "{rep.first_name} from our team joined the chat.",
  timeout_seconds: 300,
  timeout_message: "Sorry, everyone on our team is busy right now. Leave your email and we'll get back to you soon.",
  offline_message: "We're offline right now. Leave us a message and your email, and we'll get back to you.",
  booker_meeting_type_id: null,
};

export function ExperiencesAdmin() {
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | "new" | null>(null);
  useEffect(() => {
    loadExperiences(true)
      .then((l) => setSelected((s) => s ?? l[0]?.id ?? null))
      .catch((err) => setError(errorText(err)));
  }, []);
  const list = experiences.value ?? [];
  const current = selected === "new" ? null : (list.find((e) => e.id === selected) ?? null);
  return (
    <div class="two-pane">
      <section class="panel pane-list" aria-labelledby="exp-title">
        <div class="panel-head">
          <h2 id="exp-title">Experiences</h2>
          <button type="button" class="btn btn-secondary btn-sm" onClick={() => setSelected("new")}>
            <IconPlus size={14} /> New
          </button>
        </div>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <ul class="pick-list">
          {list.map((e) => (
            <li key={e.id}>
              <button type="button" class={`pick ${selected === e.id ? "on" : ""}`} onClick={() => setSelected(e.id)}>
                <span class="strong">{e.name}</span>
                {e.is_default && <span class="tag">Default</span>}
                <span class="muted small">
                  Reps get {e.rep_window_seconds} s, then the bot · gives up after {e.timeout_seconds >= 120 ? `${Math.round(e.timeout_seconds / 60)} min` : `${e.timeout_seconds} s`}
                </span>
              </button>
            </li>
          ))}
        </ul>
        <p class="muted small">Pick which one a segment uses under Segments & routing.</p>
      </section>
      {selected && (selected === "new" || current) ? (
        <ExperienceForm
          key={selected}
          experience={current}
          onSaved={(id) => {
            void loadExperiences(true);
            setSelected(id);
          }}
        />
      ) : null}
    </div>
  );
}

function ExperienceForm(props: { experience: Experience | null; onSaved: (id: string) => void }) {
  const e = props.experience;
  const [v, setV] = useState<Editable>(() => (e ? { ...e } : { ...BLANK }));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<Editable>) => setV((x) => ({ ...x, ...patch }));
  const text = (key: keyof Editable, label: string, hint: string, rows = 2) => (
    <label class="field">
      <span>{label}</span>
      <textarea class="input textarea" rows={rows} maxLength={2000} value={String(v[key] ?? "")} onInput={(ev) => set({ [key]: (ev.target as HTMLTextAreaElement).value } as Partial<Editable>)} />
      <span class="field-hint">{hint}</span>
    </label>
  );
  async function save(ev: Event) {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Only the editable settings: the server refuses unknown keys (id, is_default).
      // "" switches the booker off (a null would mean "unchanged").
      const body = Object.fromEntries(Object.keys(BLANK).map((k) => [k, k === "booker_meeting_type_id" ? (v.booker_meeting_type_id ?? "") : v[k as keyof Editable]]));
      const res = e ? await api<Experience>("PATCH", `/api/experiences/${encodeURIComponent(e.id)}`, body) : await api<Experience>("POST", "/api/experiences", body);
      pushToast(`Experience “${res.name}” saved.`, "success", 2500);
      props.onSaved(res.id);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="panel exp-form" aria-label={e ? `Experience ${e.name}` : "New experience"} onSubmit={save}>
      <div class="panel-head">
        <h2>{e ? e.name : "New experience"}</h2>
        {e?.is_default && <span class="tag">Default</span>}
      </div>
      <label class="field">
        <span>Name</span>
        <input value={v.name} maxLength={100} onInput={(ev) => set({ name: (ev.target as HTMLInputElement).value })} required />
      </label>
      <div class="timeline" aria-label="What the visitor lives through">
        <div class="tl-step">
          <div class="tl-dot" />
          <div class="tl-body">
            <label class="field inline">
              <span>Reps have</span>
              <input type="number" min={1} max={3600} class="num-input" value={v.rep_window_seconds} onInput={(ev) => set({ rep_window_seconds: Number((ev.target as HTMLInputElement).value) })} aria-label="Rep window (seconds)" />
              <span>seconds to join before the bot greets the visitor</span>
            </label>
            {text("bot_greeting", "Bot greeting", "Sent when the rep window ends with nobody joined.")}
            <BookerFallback value={v.booker_meeting_type_id} onChange={(id) => set({ booker_meeting_type_id: id })} />
          </div>
        </div>
        <div class="tl-step">
          <div class="tl-dot" />
          <div class="tl-body">
            <Switch label="Ask for name and email" checked={v.ask_identity} onChange={(x) => set({ ask_identity: x })} hint="The messenger shows a short form after the visitor's first message." />
            {v.ask_identity && text("identity_prompt", "Identity prompt", "The line above the form.")}
          </div>
        </div>
        <div class="tl-step">
          <div class="tl-dot" />
          <div class="tl-body">{text("handoff_message", "Hand-off message", "When a rep joins. {rep.first_name} and {rep.name} are filled in.")}</div>
        </div>
        <div class="tl-step">
          <div class="tl-dot warn" />
          <div class="tl-body">
            <label class="field inline">
              <span>Give up after</span>
              <input type="number" min={1} max={3600} class="num-input" value={v.timeout_seconds} onInput={(ev) => set({ timeout_seconds: Number((ev.target as HTMLInputElement).value) })} aria-label="Timeout (seconds)" />
              <span>seconds with nobody joined: the chat is missed</span>
            </label>
            {text("timeout_message", "Timeout message", "Tells the visitor nobody could join.")}
          </div>
        </div>
        <div class="tl-step">
          <div class="tl-dot off" />
          <div class="tl-body">{text("offline_message", "Offline message", "When no routed rep is available at all: the messenger shows a form, and what the visitor leaves goes to Inbox → Offline messages (and email when configured).")}</div>
        </div>
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="panel-foot">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : e ? "Save experience" : "Create experience"}
        </button>
      </div>
    </form>
  );
}

// With the bot greeting, the bot can offer a meeting type's booker (inbound chats only: never
// for auto pounce, as the product docs say).
function BookerFallback(props: { value: string | null; onChange: (id: string | null) => void }) {
  const [types, setTypes] = useState<S.MeetingTypeOut[]>([]);
  useEffect(() => {
    api<S.MeetingTypeList>("GET", "/api/meeting-types")
      .then((d) => setTypes(d.meeting_types))
      .catch(() => setTypes([]));
  }, []);
  return (
    <label class="field">
      <span>Then offer the meeting booker</span>
      <select class="input" value={props.value ?? ""} onChange={(ev) => props.onChange((ev.target as HTMLSelectElement).value || null)}>
        <option value="">No booker</option>
        {types.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name} ({t.duration_minutes} min)
          </option>
        ))}
      </select>
      <span class="field-hint">The visitor can book a meeting from the chat instead of waiting. Inbound chats only (never auto pounce).</span>
    </label>
  );
}
