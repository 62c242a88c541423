import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { loadRepNames } from "../../actions";
import { pushToast, reps as repsSignal } from "../../store";
import { formatDateTime } from "../../time";
import { IconCalendar, IconPlus } from "../../icons";
import type * as S from "../../../generated/openapi";

// Meeting booker settings: meeting types (who takes them, how they are routed, the questions),
// and each rep's working hours and calendar, with whether they can be booked right now.

type MeetingType = S.MeetingTypeOut;
const DAYS: [string, string][] = [
  ["mon", "Mon"],
  ["tue", "Tue"],
  ["wed", "Wed"],
  ["thu", "Thu"],
  ["fri", "Fri"],
  ["sat", "Sat"],
  ["sun", "Sun"],
];
const ROUTING: Record<MeetingType["routing"], string> = {
  round_robin: "Round robin",
  account_owner: "Account owner first (then round robin)",
  everyone: "Schedule with everyone",
};

export function MeetingsAdmin() {
  const [types, setTypes] = useState<MeetingType[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<MeetingType | "new" | null>(null);
  const refresh = () =>
    api<S.MeetingTypeList>("GET", "/api/meeting-types")
      .then((d) => {
        setTypes(d.meeting_types);
        setError(null);
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void loadRepNames();
    void refresh();
  }, []);
  return (
    <>
      <section class="panel" aria-labelledby="mt-title">
        <div class="panel-head wrap">
          <IconCalendar size={15} />
          <h2 id="mt-title">Meeting types</h2>
          <button type="button" class="btn btn-primary btn-sm" aria-label="New meeting type" onClick={() => setEditing(editing ? null : "new")} aria-expanded={editing === "new"}>
            <IconPlus size={14} /> New
          </button>
        </div>
        <p class="muted small">Reps offer these from a chat (the calendar icon under the reply box). Visitors see the free times of the routed rep, in their own time zone.</p>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        {editing && (
          <TypeForm
            initial={editing === "new" ? null : editing}
            onDone={() => {
              setEditing(null);
              void refresh();
            }}
            onCancel={() => setEditing(null)}
          />
        )}
        {types !== null && types.length === 0 && !editing && <p class="muted">No meeting types yet.</p>}
        {types?.map((t) => (
          <TypeRow key={t.id} type={t} onEdit={() => setEditing(t)} onChanged={refresh} />
        ))}
      </section>
      <RepSetup onSaved={refresh} />
    </>
  );
}

function TypeRow(props: { type: MeetingType; onEdit: () => void; onChanged: () => void }) {
  const t = props.type;
  const [members, setMembers] = useState<S.MemberStatus[] | null>(null);
  useEffect(() => {
    api<S.MemberStatusList>("GET", `/api/meeting-types/${t.id}/members`)
      .then((d) => setMembers(d.members))
      .catch(() => setMembers(null));
  }, [t]);
  async function remove() {
    if (!confirm(`Delete the meeting type ${t.name}? Booked meetings stay.`)) return;
    try {
      await api("DELETE", `/api/meeting-types/${t.id}`);
      props.onChanged();
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }
  return (
    <div class="meeting-type" role="group" aria-label={t.name}>
      <div class="meeting-type-head">
        <strong>{t.name}</strong>
        <span class="muted small">
          {t.duration_minutes} min · {ROUTING[t.routing]} · {t.active ? "on" : "off"}
        </span>
        <span class="spacer" />
        <button type="button" class="btn btn-ghost btn-sm" onClick={props.onEdit}>
          Edit
        </button>
        <button type="button" class="btn btn-ghost btn-sm" onClick={() => void remove()}>
          Delete
        </button>
      </div>
      <ul class="member-status">
        {(members ?? []).map((m) => (
          <li key={m.rep_id} class={m.bookable ? "" : "error-text"}>
            {m.name}: {m.bookable ? "bookable" : `not bookable (${m.problem})`}
            <span class="muted small">
              {" "}
              · calendar {m.calendar === "none" ? "not connected" : `${m.calendar}, ${m.calendar_status}`}
              {m.calendar_fetched_at ? `, read ${formatDateTime(m.calendar_fetched_at)}` : ""}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

function TypeForm(props: { initial: MeetingType | null; onDone: () => void; onCancel: () => void }) {
  const t = props.initial;
  const [name, setName] = useState(t?.name ?? "");
  const [duration, setDuration] = useState(String(t?.duration_minutes ?? 30));
  const [description, setDescription] = useState(t?.description ?? "");
  const [location, setLocation] = useState(t?.location ?? "");
  const [before, setBefore] = useState(String(t?.buffer_before_minutes ?? 0));
  const [after, setAfter] = useState(String(t?.buffer_after_minutes ?? 0));
  const [notice, setNotice] = useState(String(t?.min_notice_minutes ?? 240));
  const [horizon, setHorizon] = useState(String(t?.horizon_days ?? 30));
  const [questions, setQuestions] = useState((t?.questions ?? []).map((q) => (q.required ? "* " : "") + q.label).join("\n"));
  const [members, setMembers] = useState<string[]>(t?.member_rep_ids ?? []);
  const [routing, setRouting] = useState<MeetingType["routing"]>(t?.routing ?? "round_robin");
  const [active, setActive] = useState(t?.active ?? true);
  const [error, setError] = useState<string | null>(null);
  const people = [...repsSignal.value.values()].filter((r) => r.active !== false);
  async function save(e: Event) {
    e.preventDefault();
    const body = {
      name,
      description,
      location,
      duration_minutes: Number(duration),
      buffer_before_minutes: Number(before),
      buffer_after_minutes: Number(after),
      min_notice_minutes: Number(notice),
      horizon_days: Number(horizon),
      questions: questions
        .split("\n")
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => ({ label: line.replace(/^\*\s*/, ""), required: line.startsWith("*") })),
      member_rep_ids: members,
      routing,
      active,
    };
    try {
      await api(t ? "PUT" : "POST", t ? `/api/meeting-types/${t.id}` : "/api/meeting-types", body);
      pushToast(t ? "Meeting type saved" : "Meeting type created", "success");
      props.onDone();
    } catch (err) {
      setError(errorText(err));
    }
  }
  const num = (label: string, value: string, set: (v: string) => void, hint?: string) => (
    <label class="field">
      <span>{label}</span>
      <input class="input" type="number" min="0" value={value} onInput={(e) => set((e.target as HTMLInputElement).value)} title={hint} />
    </label>
  );
  return (
    <form class="meeting-type-form" aria-label={t ? `Edit ${t.name}` : "New meeting type"} onSubmit={(e) => void save(e)}>
      <div class="admin-grid">
        <label class="field">
          <span>Name</span>
          <input class="input" value={name} maxLength={120} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>Location (video link template with {"{meeting_id}"}, or a phone number / office)</span>
          <input class="input" value={location} maxLength={500} placeholder="https://meet.example.com/{meeting_id}" onInput={(e) => setLocation((e.target as HTMLInputElement).value)} />
        </label>
      </div>
      <label class="field">
        <span>Description (in the invitation)</span>
        <textarea class="input textarea" rows={2} value={description} maxLength={2000} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />
      </label>
      <div class="meeting-numbers">
        {num("Duration (min)", duration, setDuration)}
        {num("Buffer before (min)", before, setBefore)}
        {num("Buffer after (min)", after, setAfter)}
        {num("Minimum notice (min)", notice, setNotice)}
        {num("Bookable ahead (days)", horizon, setHorizon)}
      </div>
      <label class="field">
        <span>Questions for the visitor (one per line; start with * for required)</span>
        <textarea class="input textarea" rows={2} value={questions} onInput={(e) => setQuestions((e.target as HTMLTextAreaElement).value)} />
      </label>
      <fieldset class="booker-routing">
        <legend>Members and routing</legend>
        <div class="member-checks">
          {people.map((r) => (
            <label class="check" key={r.id}>
              <input
                type="checkbox"
                checked={members.includes(r.id)}
                onChange={(e) => setMembers((e.target as HTMLInputElement).checked ? [...members, r.id] : members.filter((x) => x !== r.id))}
              />
              <span>{r.name}</span>
            </label>
          ))}
        </div>
        <label class="field">
          <span>Routing</span>
          <select class="input" value={routing} onChange={(e) => setRouting((e.target as HTMLSelectElement).value as MeetingType["routing"])}>
            {Object.entries(ROUTING).map(([k, label]) => (
              <option key={k} value={k}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={active} onChange={(e) => setActive((e.target as HTMLInputElement).checked)} />
          <span>Reps may offer it</span>
        </label>
      </fieldset>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="form-actions">
        <button type="button" class="btn btn-ghost" onClick={props.onCancel}>
          Cancel
        </button>
        <button type="submit" class="btn btn-primary">
          {t ? "Save" : "Create"}
        </button>
      </div>
    </form>
  );
}

// One rep's working hours (a range per weekday, in their own zone), days off, and calendar.
function RepSetup(props: { onSaved: () => unknown }) {
  const people = [...repsSignal.value.values()].filter((r) => r.active !== false);
  const [repId, setRepId] = useState("");
  return (
    <section class="panel" aria-labelledby="rs-title">
      <div class="panel-head">
        <IconCalendar size={15} />
        <h2 id="rs-title">Reps' hours and calendars</h2>
      </div>
      <label class="field">
        <span>Rep</span>
        <select class="input" value={repId} onChange={(e) => setRepId((e.target as HTMLSelectElement).value)}>
          <option value="">Choose a rep…</option>
          {people.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name}
            </option>
          ))}
        </select>
      </label>
      {repId && <RepHours key={repId} repId={repId} onSaved={props.onSaved} />}
      {repId && <RepCalendar key={"c" + repId} repId={repId} onSaved={props.onSaved} />}
    </section>
  );
}

export function RepHours(props: { repId: string; onSaved: () => unknown }) {
  const [zone, setZone] = useState("");
  const [hours, setHours] = useState<Record<string, [string, string] | null>>({});
  const [daysOff, setDaysOff] = useState("");
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<S.AvailabilityOut>("GET", `/api/reps/${props.repId}/availability`)
      .then((a) => {
        setZone(a.weekly_hours && Object.keys(a.weekly_hours).length ? a.time_zone : Intl.DateTimeFormat().resolvedOptions().timeZone);
        const h: Record<string, [string, string] | null> = {};
        for (const [d] of DAYS) {
          const first = a.weekly_hours[d]?.[0];
          h[d] = first ? [first[0], first[1]] : null;
        }
        if (!Object.keys(a.weekly_hours).length) for (const d of ["mon", "tue", "wed", "thu", "fri"]) h[d] = ["09:00", "17:00"];
        setHours(h);
        setDaysOff(a.days_off.join(", "));
      })
      .catch((err) => setError(errorText(err)));
  }, [props.repId]);
  async function save(e: Event) {
    e.preventDefault();
    const weekly: Record<string, string[][]> = {};
    for (const [d] of DAYS) weekly[d] = hours[d] ? [hours[d] as string[]] : [];
    try {
      await api("PUT", `/api/reps/${props.repId}/availability`, {
        time_zone: zone,
        weekly_hours: weekly,
        days_off: daysOff
          .split(/[\s,]+/)
          .map((x) => x.trim())
          .filter(Boolean),
      });
      setError(null);
      pushToast("Working hours saved", "success");
      props.onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <form class="rep-hours" aria-label="Working hours" onSubmit={(e) => void save(e)}>
      <label class="field">
        <span>Time zone (IANA name)</span>
        <input class="input" value={zone} onInput={(e) => setZone((e.target as HTMLInputElement).value)} placeholder="Europe/Berlin" />
      </label>
      <div class="hours-grid">
        {DAYS.map(([d, label]) => (
          <div class="hours-row" key={d}>
            <label class="check">
              <input type="checkbox" checked={!!hours[d]} onChange={(e) => setHours({ ...hours, [d]: (e.target as HTMLInputElement).checked ? ["09:00", "17:00"] : null })} />
              <span>{label}</span>
            </label>
            {hours[d] && (
              <>
                <input class="input" type="time" aria-label={`${label} from`} value={hours[d]![0]} onInput={(e) => setHours({ ...hours, [d]: [(e.target as HTMLInputElement).value, hours[d]![1]] })} />
                <span aria-hidden="true">–</span>
                <input class="input" type="time" aria-label={`${label} until`} value={hours[d]![1]} onInput={(e) => setHours({ ...hours, [d]: [hours[d]![0], (e.target as HTMLInputElement).value] })} />
              </>
            )}
          </div>
        ))}
      </div>
      <label class="field">
        <span>Days off (YYYY-MM-DD, comma separated)</span>
        <input class="input" value={daysOff} onInput={(e) => setDaysOff((e.target as HTMLInputElement).value)} placeholder="2026-12-24, 2026-12-31" />
      </label>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">
          Save hours
        </button>
      </div>
    </form>
  );
}

export function RepCalendar(props: { repId: string; onSaved: () => unknown }) {
  const [state, setState] = useState<S.CalendarOut | null | undefined>(undefined);
  const [kind, setKind] = useState<"caldav" | "ical">("caldav");
  const [url, setUrl] = useState("");
  const [user, setUser] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () =>
    api<S.CalendarState>("GET", `/api/reps/${props.repId}/calendar`)
      .then((d) => setState(d.calendar))
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void load();
  }, [props.repId]);
  async function connect(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = kind === "caldav" ? { kind, url, username: user, password } : { kind, url };
      setState(await api<S.CalendarOut>("PUT", `/api/reps/${props.repId}/calendar`, body));
      setPassword("");
      pushToast("Calendar connected", "success");
      props.onSaved();
    } catch (err) {
      setError(errorText(err));
    }
    setBusy(false);
  }
  async function act(method: "POST" | "DELETE", path: string) {
    try {
      await api(method, `/api/reps/${props.repId}/calendar${path}`);
      await load();
      props.onSaved();
    } catch (err) {
      pushToast(errorText(err), "error");
    }
  }
  return (
    <div class="rep-calendar" role="group" aria-label="Calendar">
      {state && (
        <div class={`notice ${state.status === "error" ? "notice-warn" : ""}`} role="status">
          {state.kind === "caldav" ? "CalDAV" : "iCal feed"}: {state.url} · {state.status === "ok" ? `read ${state.last_fetched_at ? formatDateTime(state.last_fetched_at) : ""}, ${state.busy_count} busy times` : `cannot be read: ${state.last_error}`}
          <div class="form-actions">
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => void act("POST", "/refresh")}>
              Read again now
            </button>
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => void act("DELETE", "")}>
              Disconnect
            </button>
          </div>
        </div>
      )}
      <form aria-label="Connect a calendar" onSubmit={(e) => void connect(e)}>
        <div class="admin-grid">
          <label class="field">
            <span>Calendar</span>
            <select class="input" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as "caldav" | "ical")}>
              <option value="caldav">CalDAV (read and write: Nextcloud, iCloud, Fastmail, Radicale…)</option>
              <option value="ical">Private iCal feed URL (read only: Google, Outlook)</option>
            </select>
          </label>
          <label class="field">
            <span>{kind === "caldav" ? "Calendar URL" : "Feed URL"}</span>
            <input class="input" type="url" required value={url} onInput={(e) => setUrl((e.target as HTMLInputElement).value)} placeholder="https://" />
          </label>
          {kind === "caldav" && (
            <>
              <label class="field">
                <span>User name</span>
                <input class="input" required value={user} autocomplete="off" onInput={(e) => setUser((e.target as HTMLInputElement).value)} />
              </label>
              <label class="field">
                <span>App password (stored encrypted)</span>
                <input class="input" type="password" required value={password} autocomplete="new-password" onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
              </label>
            </>
          )}
        </div>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {busy ? "Reading the calendar…" : state ? "Replace calendar" : "Connect calendar"}
          </button>
        </div>
      </form>
    </div>
  );
}
