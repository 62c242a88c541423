import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { loadTeams, teams } from "../../data";
import { pushToast, reps } from "../../store";
import type { Team } from "../../types";
import { IconEdit, IconPlus } from "../../icons";
import { Avatar } from "../ui";

// Teams: named groups of reps that routing steps and invitations can target.
export function TeamsSection() {
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Team | "new" | null>(null);
  useEffect(() => {
    loadTeams(true).catch((err) => setError(errorText(err)));
  }, []);
  const list = teams.value;
  return (
    <section class="panel" aria-labelledby="teams-title">
      <div class="panel-head">
        <h2 id="teams-title">Teams</h2>
        <span class="muted small">Routing steps and invitations can target a team</span>
        <button type="button" class="btn btn-secondary btn-sm" onClick={() => setEditing("new")}>
          <IconPlus size={14} /> New team
        </button>
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      {editing && <TeamForm key={editing === "new" ? "new" : editing.id} team={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      {list === null ? (
        <div class="muted">Loading…</div>
      ) : list.length === 0 ? (
        <div class="muted small">No teams yet. Create one (for example “Enterprise AEs”) and use it in a segment's routing.</div>
      ) : (
        <ul class="team-list" aria-label="Teams">
          {list.map((t) => (
            <li key={t.id}>
              <div class="team-name">{t.name}</div>
              <div class="team-members">
                {t.rep_ids.length === 0 && <span class="muted small">No members</span>}
                {t.rep_ids.map((id) => {
                  const r = reps.value.get(id);
                  return (
                    <span class="member" key={id} title={r?.availability === "available" ? "Available" : "Away"}>
                      <Avatar name={r?.name ?? "?"} id={id} size={20} />
                      {r?.name ?? "Unknown rep"}
                    </span>
                  );
                })}
              </div>
              <button type="button" class="icon-btn sm" aria-label={`Edit members of ${t.name}`} onClick={() => setEditing(t)}>
                <IconEdit size={14} />
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TeamForm(props: { team: Team | null; onDone: () => void }) {
  const [name, setName] = useState(props.team?.name ?? "");
  const [members, setMembers] = useState<Set<string>>(new Set(props.team?.rep_ids ?? []));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const repList = [...reps.value.values()].filter((r) => r.active !== false && r.name).sort((a, b) => a.name.localeCompare(b.name));
  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (props.team) await api("PUT", `/api/teams/${encodeURIComponent(props.team.id)}/members`, { rep_ids: [...members] });
      else await api("POST", "/api/teams", { name: name.trim(), rep_ids: [...members] });
      await loadTeams(true);
      pushToast(props.team ? `${props.team.name} updated.` : `Team ${name.trim()} created.`, "success", 2500);
      props.onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="inline-form team-form" aria-label={props.team ? `Members of ${props.team.name}` : "New team"} onSubmit={save}>
      <label class="field">
        <span>Team name</span>
        <input value={name} readOnly={!!props.team} onInput={(e) => setName((e.target as HTMLInputElement).value)} required maxLength={100} autoFocus={!props.team} />
      </label>
      <fieldset class="member-picker">
        <legend>Members</legend>
        {repList.map((r) => (
          <label key={r.id} class="check">
            <input
              type="checkbox"
              checked={members.has(r.id)}
              onChange={(e) => {
                const next = new Set(members);
                if ((e.target as HTMLInputElement).checked) next.add(r.id);
                else next.delete(r.id);
                setMembers(next);
              }}
            />
            {r.name}
          </label>
        ))}
      </fieldset>
      <div class="inline-form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy || !name.trim()}>
          {busy ? "Saving…" : props.team ? "Save members" : "Create team"}
        </button>
        <button type="button" class="btn btn-ghost" onClick={props.onDone}>
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
