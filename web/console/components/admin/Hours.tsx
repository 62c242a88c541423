import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { loadTeams, teams } from "../../data";
import { pushToast } from "../../store";
import { formatDateTime } from "../../time";
import type * as S from "../../../generated/openapi";

// Admin -> Hours & capacity: business hours for everyone and per team (weekly hours in a time
// zone, holidays by hand or from an iCal feed, what visitors get outside hours), and how many
// chats each rep takes at once, with what happens beyond everyone's capacity.

const DAYS: [string, string][] = [
  ["mon", "Mon"],
  ["tue", "Tue"],
  ["wed", "Wed"],
  ["thu", "Thu"],
  ["fri", "Fri"],
  ["sat", "Sat"],
  ["sun", "Sun"],
];

export function HoursAdmin() {
  return (
    <>
      <BusinessHours />
      <Capacity />
    </>
  );
}

function BusinessHours() {
  const [list, setList] = useState<S.HoursOut[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [scope, setScope] = useState("org");
  const refresh = () =>
    api<S.HoursList>("GET", "/api/business-hours")
      .then((d) => {
        setList(d.hours);
        setError(null);
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void refresh();
    loadTeams().catch(() => undefined);
  }, []);
  const current = list?.find((h) => h.scope === scope) ?? null;
  return (
    <section class="panel" aria-labelledby="hours-title">
      <div class="panel-head">
        <h2 id="hours-title">Business hours</h2>
        <span class="muted small">Outside hours, visitors get the away experience and reps are not alerted</span>
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      {list && list.length > 0 && (
        <ul class="hours-summary" aria-label="Business hours now">
          {list.map((h) => (
            <li key={h.scope}>
              <strong>{h.team_name ?? "Everyone"}</strong>
              <span class={`chip ${h.open_now ? "chip-open" : "chip-closed"}`}>{h.open_now ? "Open" : "Outside hours"}</span>
              <span class="muted small">
                {h.open_now ? (h.closes_at ? `until ${formatDateTime(h.closes_at)}` : "") : h.reopens_at ? `back ${formatDateTime(h.reopens_at)}` : "not open in the next year"} · {h.time_zone}
              </span>
            </li>
          ))}
        </ul>
      )}
      {list && list.length === 0 && <p class="muted small">No business hours yet: chats are taken at any time. Set them for everyone, or for one team.</p>}
      <label class="field">
        <span>Hours for</span>
        <select class="input" aria-label="Hours for" value={scope} onChange={(e) => setScope((e.target as HTMLSelectElement).value)}>
          <option value="org">Everyone (the whole org)</option>
          {(teams.value ?? []).map((t) => (
            <option key={t.id} value={t.id}>
              Team {t.name}
            </option>
          ))}
        </select>
      </label>
      <HoursForm key={scope + (current ? current.scope : "-new")} scope={scope} initial={current} onSaved={() => void refresh()} />
    </section>
  );
}

function HoursForm(props: { scope: string; initial: S.HoursOut | null; onSaved: () => void }) {
  const init = props.initial;
  const [zone, setZone] = useState(init?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [hours, setHours] = useState<Record<string, [string, string] | null>>(() => {
    const h: Record<string, [string, string] | null> = {};
    for (const [d] of DAYS) {
      const first = init?.weekly[d]?.[0];
      h[d] = first ? [first[0], first[1]] : init ? null : ["mon", "tue", "wed", "thu", "fri"].includes(d) ? ["09:00", "17:00"] : null;
    }
    return h;
  });
  const [awayMode, setAwayMode] = useState<S.HoursOut["away_mode"]>(init?.away_mode ?? "offline_form");
  const [booker, setBooker] = useState(init?.booker_meeting_type_id ?? "");
  const [message, setMessage] = useState(init?.away_message ?? "");
  const [holidays, setHolidays] = useState(
    (init?.holidays ?? [])
      .filter((h) => h.source === "manual")
      .map((h) => `${h.day} ${h.name}`)
      .join("\n"),
  );
  const [feedUrl, setFeedUrl] = useState(init?.holiday_feed_url ?? "");
  const [types, setTypes] = useState<S.MeetingTypeOut[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api<S.MeetingTypeList>("GET", "/api/meeting-types")
      .then((d) => setTypes(d.meeting_types))
      .catch(() => undefined);
  }, []);
  const path = `/api/business-hours/${props.scope}`;
  async function save(e: Event) {
    e.preventDefault();
    const weekly: Record<string, string[][]> = {};
    for (const [d] of DAYS) if (hours[d]) weekly[d] = [hours[d] as string[]];
    const days = holidays
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean)
      .map((line) => {
        const [day, ...name] = line.split(/\s+/);
        return { day, name: name.join(" ") };
      });
    setBusy(true);
    try {
      await api("PUT", path, {
        time_zone: zone.trim(),
        weekly,
        away_mode: awayMode,
        booker_meeting_type_id: awayMode === "booker" ? booker || null : null,
        away_message: message.trim() || null,
        holidays: days,
      });
      setError(null);
      pushToast("Business hours saved", "success");
      props.onSaved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  async function importFeed(body: { url?: string; ics?: string }) {
    setBusy(true);
    try {
      const out = await api<S.HoursOut>("POST", `${path}/holiday-feed`, body);
      setError(null);
      pushToast(`${out.holidays.filter((h) => h.source === "ical").length} holidays imported`, "success");
      props.onSaved();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  async function remove() {
    if (!confirm("Remove these business hours? Chats are then taken at any time.")) return;
    try {
      await api("DELETE", path);
      pushToast("Business hours removed", "success");
      props.onSaved();
    } catch (err) {
      setError(errorText(err));
    }
  }
  const imported = (init?.holidays ?? []).filter((h) => h.source === "ical");
  return (
    <form class="hours-form" aria-label="Business hours" onSubmit={(e) => void save(e)}>
      <label class="field">
        <span>Time zone (IANA name)</span>
        <input class="input" value={zone} onInput={(e) => setZone((e.target as HTMLInputElement).value)} placeholder="Europe/Berlin" />
        <span class="field-hint">Hours are wall-clock times there, summer and winter time included.</span>
      </label>
      <div class="hours-grid">
        {DAYS.map(([d, label]) => (
          <div class="hours-row" key={d}>
            <label class="check">
              <input type="checkbox" checked={!!hours[d]} onChange={(e) => setHours({ ...hours, [d]: (e.target as HTMLInputElement).checked ? ["09:00", "17:00"] : null })} />
              <span>{label}</span>
            </label>
            {hours[d] ? (
              <>
                <input class="input" type="time" aria-label={`${label} from`} value={hours[d]![0]} onInput={(e) => setHours({ ...hours, [d]: [(e.target as HTMLInputElement).value, hours[d]![1]] })} />
                <span aria-hidden="true">–</span>
                <input class="input" type="time" aria-label={`${label} until`} value={hours[d]![1]} onInput={(e) => setHours({ ...hours, [d]: [hours[d]![0], (e.target as HTMLInputElement).value] })} />
              </>
            ) : (
              <span class="muted small">Closed</span>
            )}
          </div>
        ))}
      </div>
      <label class="field">
        <span>Outside hours, visitors get</span>
        <select class="input" aria-label="Away experience" value={awayMode} onChange={(e) => setAwayMode((e.target as HTMLSelectElement).value as S.HoursOut["away_mode"])}>
          <option value="offline_form">The offline form</option>
          <option value="booker">The meeting booker</option>
        </select>
      </label>
      {awayMode === "booker" && (
        <label class="field">
          <span>Meeting type</span>
          <select class="input" aria-label="Meeting type offered outside hours" value={booker} onChange={(e) => setBooker((e.target as HTMLSelectElement).value)}>
            <option value="">Choose a meeting type</option>
            {types.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <label class="field">
        <span>Away message</span>
        <textarea class="input" rows={2} value={message} onInput={(e) => setMessage((e.target as HTMLTextAreaElement).value)} placeholder="We're outside our business hours right now. Leave us a message and we'll get back to you." />
        <span class="field-hint">The messenger adds when you are back, in the visitor's own time zone.</span>
      </label>
      <label class="field">
        <span>Holidays (one a line: YYYY-MM-DD name)</span>
        <textarea class="input" rows={3} value={holidays} onInput={(e) => setHolidays((e.target as HTMLTextAreaElement).value)} placeholder="2027-12-24 Christmas Eve" />
      </label>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          Save hours
        </button>
        {init && (
          <button type="button" class="btn btn-ghost" onClick={() => void remove()}>
            Remove hours
          </button>
        )}
      </div>
      {init && (
        <fieldset class="holiday-feed">
          <legend>Holiday feed (iCal)</legend>
          <p class="muted small">
            Every day an event of the feed covers becomes a holiday; importing again replaces the days imported before.
            {imported.length > 0 && ` ${imported.length} imported, next: ${imported.find((h) => h.day >= new Date().toISOString().slice(0, 10))?.day ?? "none"}.`}
          </p>
          <div class="feed-row">
            <input class="input" aria-label="Holiday feed URL" value={feedUrl} placeholder="https://calendar.example/holidays.ics" onInput={(e) => setFeedUrl((e.target as HTMLInputElement).value)} />
            <button type="button" class="btn btn-secondary" disabled={busy || !feedUrl.trim()} onClick={() => void importFeed({ url: feedUrl.trim() })}>
              Import
            </button>
          </div>
          <label class="field">
            <span>Or upload an .ics file</span>
            <input
              type="file"
              accept=".ics,text/calendar"
              aria-label="Holiday file"
              onChange={(e) => {
                const file = (e.target as HTMLInputElement).files?.[0];
                if (file) void file.text().then((ics) => importFeed({ ics }));
              }}
            />
          </label>
        </fieldset>
      )}
    </form>
  );
}

function Capacity() {
  const [cap, setCap] = useState<S.CapacityOut | null>(null);
  const [limit, setLimit] = useState("");
  const [overflow, setOverflow] = useState<S.CapacityOut["overflow"]>("queue");
  const [wait, setWait] = useState("30");
  const [error, setError] = useState<string | null>(null);
  const show = (c: S.CapacityOut) => {
    setCap(c);
    setLimit(c.default_max_chats == null ? "" : String(c.default_max_chats));
    setOverflow(c.overflow);
    setWait(String(c.queue_timeout_minutes));
  };
  useEffect(() => {
    api<S.CapacityOut>("GET", "/api/capacity")
      .then(show)
      .catch((err) => setError(errorText(err)));
  }, []);
  async function save(e: Event) {
    e.preventDefault();
    try {
      show(
        await api<S.CapacityOut>("PUT", "/api/capacity", {
          default_max_chats: limit.trim() ? Number(limit) : null,
          overflow,
          queue_timeout_minutes: Number(wait),
        }),
      );
      setError(null);
      pushToast("Chat capacity saved", "success");
    } catch (err) {
      setError(errorText(err));
    }
  }
  async function setRepLimit(repId: string, value: string) {
    try {
      show(await api<S.CapacityOut>("PUT", `/api/reps/${repId}/chat-limit`, { max_chats: value.trim() ? Number(value) : null }));
      setError(null);
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <section class="panel" aria-labelledby="capacity-title">
      <div class="panel-head">
        <h2 id="capacity-title">Chat capacity</h2>
        <span class="muted small">Reps at capacity get no new chats; round robin skips them</span>
      </div>
      <form class="capacity-form" aria-label="Chat capacity" onSubmit={(e) => void save(e)}>
        <label class="field">
          <span>Chats per rep at once</span>
          <input class="input" type="number" min={1} max={100} value={limit} placeholder="No limit" onInput={(e) => setLimit((e.target as HTMLInputElement).value)} />
        </label>
        <label class="field">
          <span>When everyone is at capacity</span>
          <select class="input" aria-label="When everyone is at capacity" value={overflow} onChange={(e) => setOverflow((e.target as HTMLSelectElement).value as S.CapacityOut["overflow"])}>
            <option value="queue">Queue (visitors see their place)</option>
            <option value="offline">Offline form</option>
          </select>
        </label>
        <label class="field">
          <span>Longest wait in the queue (minutes)</span>
          <input class="input" type="number" min={1} max={240} value={wait} onInput={(e) => setWait((e.target as HTMLInputElement).value)} />
        </label>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">
            Save capacity
          </button>
        </div>
      </form>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      {cap && (
        <table class="table capacity-table" aria-label="Reps and their chats">
          <thead>
            <tr>
              <th>Rep</th>
              <th>Open chats</th>
              <th>Own limit</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {cap.reps.map((r) => (
              <tr key={r.rep_id}>
                <td>{r.name}</td>
                <td>
                  {r.active_chats}
                  {r.max_chats != null && <span class="muted"> of {r.max_chats}</span>}
                </td>
                <td>
                  <input
                    class="input input-sm limit-input"
                    type="number"
                    min={1}
                    max={100}
                    aria-label={`Own limit for ${r.name}`}
                    placeholder="Default"
                    value={r.own_limit == null ? "" : String(r.own_limit)}
                    onChange={(e) => void setRepLimit(r.rep_id, (e.target as HTMLInputElement).value)}
                  />
                </td>
                <td>{r.at_capacity ? <span class="chip chip-closed">At capacity</span> : <span class="chip chip-open">Has room</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cap && cap.queued > 0 && (
        <p class="small" role="status">
          {cap.queued} {cap.queued === 1 ? "chat is" : "chats are"} waiting in the queue.
        </p>
      )}
    </section>
  );
}
