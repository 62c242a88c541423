import { useEffect, useState } from "preact/hooks";
import { UpcomingMeetings } from "./Booker";
import { api, errorText } from "../api";
import { me, reportsStale, seesEveryRep } from "../store";
import type { ProactiveReport, ProactiveRow } from "../types";
import { IconChart } from "../icons";

// Proactive counts: what I (or, for admins, every rep) did today or this week.

const METRICS: [keyof ProactiveRow, string, string][] = [
  ["pounce", "Pounces", "Chats you started"],
  ["invitation_sent", "Invitations", "Invitations sent"],
  ["invitation_accepted", "Accepted", "Invitations the visitor answered"],
  ["invitation_expired", "Expired", "Invitations nobody answered"],
  ["auto_pounce", "Auto pounces", "Greetings AI sent on your behalf"],
  ["reply", "Replies", "Visitors who answered a proactive message"],
  ["missed_response", "Missed responses", "Replies to an auto pounce nobody answered in time"],
];

type Totals = Record<string, number>;

function sum(rows: ProactiveRow[]): Totals {
  const t: Totals = {};
  for (const [k] of METRICS) t[k] = rows.reduce((n, r) => n + (Number(r[k]) || 0), 0);
  return t;
}

export function TodayPanel() {
  const [days, setDays] = useState<1 | 7>(1);
  const [rows, setRows] = useState<ProactiveRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const everyone = seesEveryRep();
  useEffect(() => {
    let stop = false;
    const load = () =>
      api<ProactiveReport>("GET", `/api/reports/proactive?days=${days}`)
        .then((d) => {
          if (stop) return;
          setRows(d.rows ?? []);
          setError(null);
        })
        .catch((err) => !stop && setError(errorText(err)));
    void load();
    const timer = setInterval(load, 30_000);
    // Reload soon after the console hears of something these counts count (several events in a
    // burst cost one request).
    let soon = 0;
    let current = true; // subscribe() calls at once with the value we just loaded for
    const unsubscribe = reportsStale.subscribe(() => {
      if (current) return void (current = false);
      clearTimeout(soon);
      soon = window.setTimeout(load, 500);
    });
    return () => {
      stop = true;
      clearInterval(timer);
      clearTimeout(soon);
      unsubscribe();
    };
  }, [days]);
  const mine = (rows ?? []).filter((r) => r.rep_id === me.value?.id);
  const totals = sum(everyone ? (rows ?? []) : mine);
  const byRep = new Map<string, { name: string; rows: ProactiveRow[] }>();
  for (const r of rows ?? []) {
    const key = r.rep_id ?? "none";
    const entry = byRep.get(key) ?? { name: r.rep_name ?? "No rep", rows: [] };
    entry.rows.push(r);
    byRep.set(key, entry);
  }
  return (
    <section class="panel side-panel today" aria-labelledby="today-title">
      <div class="panel-head">
        <IconChart size={15} />
        <h2 id="today-title">{days === 1 ? "Today" : "Last 7 days"}</h2>
        <div class="seg-toggle small-toggle" role="radiogroup" aria-label="Period">
          <button type="button" role="radio" aria-checked={days === 1} class={`seg-btn ${days === 1 ? "on" : ""}`} onClick={() => setDays(1)}>
            Today
          </button>
          <button type="button" role="radio" aria-checked={days === 7} class={`seg-btn ${days === 7 ? "on" : ""}`} onClick={() => setDays(7)}>
            7 days
          </button>
        </div>
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="muted small today-sub">{everyone ? "Whole team" : "You"}</div>
      <dl class="metrics">
        {METRICS.map(([k, label, hint]) => (
          <div class={`metric ${k === "missed_response" && totals[k] ? "bad" : ""}`} key={k} title={hint}>
            <dt>{label}</dt>
            <dd>{rows ? totals[k] : "–"}</dd>
          </div>
        ))}
      </dl>
      {everyone && byRep.size > 0 && (
        <table class="table table-compact" aria-label="By rep">
          <thead>
            <tr>
              <th scope="col">Rep</th>
              <th scope="col" title="Pounces">Pnc</th>
              <th scope="col" title="Invitations sent / accepted">Inv</th>
              <th scope="col" title="Auto pounces">Auto</th>
              <th scope="col" title="Replies">Rep</th>
              <th scope="col" title="Missed responses">Miss</th>
            </tr>
          </thead>
          <tbody>
            {[...byRep.entries()].map(([id, e]) => {
              const t = sum(e.rows);
              return (
                <tr key={id}>
                  <td class="clamp">{e.name}</td>
                  <td>{t.pounce}</td>
                  <td>
                    {t.invitation_sent}/{t.invitation_accepted}
                  </td>
                  <td>{t.auto_pounce}</td>
                  <td>{t.reply}</td>
                  <td class={t.missed_response ? "error-text" : ""}>{t.missed_response}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <UpcomingMeetings />
    </section>
  );
}
