import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { linkClick, paths, type AdminSection } from "../router";
import { me, org, pushToast, reps as repsSignal } from "../store";
import type { Org, Rep } from "../types";
import { IconBan, IconBuilding, IconCalendar, IconCopy, IconLayers, IconLink, IconPhone, IconPlus, IconSparkles, IconUsers, IconVideo, IconX, IconChat, IconLock, IconClock, IconGlobe } from "../icons";
import { Avatar, TableStatus } from "./ui";
import { AccountsAdmin } from "./admin/Accounts";
import { ApiTokensAdmin } from "./admin/ApiTokens";
import { AuditLogAdmin } from "./admin/AuditLog";
import { BlockedAdmin } from "./admin/Blocked";
import { CallsAdmin } from "./admin/Calls";
import { CopilotAdminPage } from "./admin/Copilot";
import { ExperiencesAdmin } from "./admin/Experiences";
import { HoursAdmin } from "./admin/Hours";
import { FilesAdmin } from "./admin/Files";
import { MeetingsAdmin } from "./admin/Meetings";
import { MessengerAdmin } from "./admin/Messenger";
import { IdentitySecretSection } from "./admin/IdentitySecret";
import { PhoneAdmin } from "./admin/Phone";
import { PrivacyAdmin } from "./admin/Privacy";
import { ProactiveAdmin } from "./admin/Proactive";
import { SegmentsAdmin } from "./admin/Segments";
import { TeamsSection } from "./admin/Teams";
import { WebhooksAdmin } from "./admin/Webhooks";

const SECTIONS: [AdminSection, string, ComponentChildren, string][] = [
  ["team", "Team & website", <IconUsers size={15} />, "Reps, teams, website origins, snippet, identity verification"],
  ["accounts", "Accounts", <IconBuilding size={15} />, "Target accounts, CSV import, IP ranges"],
  ["segments", "Segments & routing", <IconLayers size={15} />, "Live stream columns, rules, who sees whom"],
  ["experiences", "Experiences", <IconChat size={15} />, "What a visitor lives through after asking to chat"],
  ["hours", "Hours & capacity", <IconClock size={15} />, "Business hours, holidays, chats per rep, the queue"],
  ["messenger", "Messenger", <IconGlobe size={15} />, "Language and texts of the messenger, rating a chat (CSAT)"],
  ["meetings", "Meetings", <IconCalendar size={15} />, "Meeting types, reps' hours and calendars"],
  ["proactive", "Auto pounce", <IconSparkles size={15} />, "AI greetings, timings, rep timeout"],
  ["copilot", "AI Copilot", <IconSparkles size={15} />, "Knowledge, website, on/off, usage per rep"],
  ["blocked", "Blocked & Reported", <IconBan size={15} />, "Blocked visitors, IP blocks, reports"],
  ["files", "Files", <IconLayers size={15} />, "Files and images in chat: on/off, size, types"],
  ["calls", "Voice & video", <IconVideo size={15} />, "Calls from the messenger, STUN and TURN"],
  ["webhooks", "Webhooks", <IconLink size={15} />, "Chat-end events to your CRM"],
  ["tokens", "API tokens", <IconLock size={15} />, "Tokens for scripts and CRMs calling the REST API"],
  ["privacy", "Privacy", <IconLock size={15} />, "Retention, IP addresses, Do Not Track"],
  ["audit", "Audit log", <IconClock size={15} />, "Who changed what, and when"],
  ["phone", "Phone", <IconPhone size={15} />, "Join by phone: Twilio account, numbers, countries, limits"],
];

// Admin: team and website, accounts, segments and routing, experiences, auto pounce, blocks,
// webhooks, phone. One section per page, chosen in the left menu.
export function Admin(props: { section: AdminSection }) {
  if (me.value?.role !== "admin") {
    return (
      <div class="page-pad">
        <div class="notice" role="status">
          Only admins can change team and website settings.
        </div>
      </div>
    );
  }
  const current = SECTIONS.find((x) => x[0] === props.section) ?? SECTIONS[0];
  return (
    <div class="admin-layout">
      <nav class="admin-nav" aria-label="Admin sections">
        {SECTIONS.map(([key, label, icon, hint]) => (
          <a key={key} href={paths.adminSection(key)} onClick={linkClick} class={`admin-link ${key === props.section ? "active" : ""}`} aria-current={key === props.section ? "page" : undefined} title={hint}>
            {icon}
            <span>{label}</span>
          </a>
        ))}
      </nav>
      <div class="admin page-pad" role="region" aria-label={current[1]}>
        <div class="admin-title">
          <h2>{current[1]}</h2>
          <span class="muted">{current[3]}</span>
        </div>
        {props.section === "team" && (
          <>
            <TeamSection />
            <TeamsSection />
            <div class="admin-grid">
              <OriginsSection />
              <SnippetSection />
            </div>
            <IdentitySecretSection />
          </>
        )}
        {props.section === "accounts" && <AccountsAdmin />}
        {props.section === "segments" && <SegmentsAdmin />}
        {props.section === "messenger" && <MessengerAdmin />}
        {props.section === "experiences" && <ExperiencesAdmin />}
        {props.section === "hours" && <HoursAdmin />}
        {props.section === "meetings" && <MeetingsAdmin />}
        {props.section === "proactive" && <ProactiveAdmin />}
        {props.section === "copilot" && <CopilotAdminPage />}
        {props.section === "blocked" && <BlockedAdmin />}
        {props.section === "files" && <FilesAdmin />}
        {props.section === "calls" && <CallsAdmin />}
        {props.section === "webhooks" && <WebhooksAdmin />}
        {props.section === "tokens" && <ApiTokensAdmin />}
        {props.section === "privacy" && <PrivacyAdmin />}
        {props.section === "audit" && <AuditLogAdmin />}
        {props.section === "phone" && <PhoneAdmin />}
      </div>
    </div>
  );
}

function listOf(data: unknown): Rep[] {
  if (Array.isArray(data)) return data as Rep[];
  const d = data as { reps?: Rep[] } | null;
  return d?.reps ?? [];
}

function TeamSection() {
  const [list, setList] = useState<Rep[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);

  const refresh = () =>
    api("GET", "/api/reps")
      .then((d) => {
        const l = listOf(d);
        setList(l);
        const m = new Map(repsSignal.value);
        for (const r of l) m.set(r.id, { ...m.get(r.id), ...r });
        repsSignal.value = m;
      })
      .catch((err) => setError(errorText(err)));
  useEffect(() => {
    void refresh();
  }, []);

  async function patch(rep: Rep, change: { role?: Role; active?: boolean }) {
    try {
      const res = await api<{ rep?: Rep } | Rep>("PATCH", `/api/reps/${encodeURIComponent(rep.id)}`, change);
      const updated = (res && "rep" in res && res.rep ? res.rep : res) as Rep;
      setList((l) => (l ?? []).map((r) => (r.id === rep.id ? { ...r, ...change, ...(updated?.id ? updated : {}) } : r)));
      pushToast(
        change.active === false ? `${rep.name} was deactivated and signed out.` : change.active ? `${rep.name} can sign in again.` : `${rep.name} is now ${ROLE_NAMES[change.role ?? "rep"]}.`,
        "success",
      );
    } catch (err) {
      pushToast(`Couldn't update ${rep.name}: ${errorText(err)}`, "error");
    }
  }

  return (
    <section class="panel" aria-labelledby="team-title">
      <div class="panel-head">
        <h2 id="team-title">Reps</h2>
        <span class="muted small">{list ? `${list.filter((r) => r.active !== false).length} active` : ""}</span>
        <button type="button" class="btn btn-secondary btn-sm" onClick={() => setAdding(!adding)} aria-expanded={adding}>
          <IconPlus size={14} /> Add rep
        </button>
      </div>
      {adding && (
        <AddRepForm
          onDone={(rep) => {
            setAdding(false);
            if (rep) setList((l) => [...(l ?? []), rep]);
            void refresh();
          }}
        />
      )}
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          <TableStatus cols={5} list={list} />
          {list?.map((r) => (
            <RepRow key={r.id} rep={r} isMe={r.id === me.value?.id} onPatch={(c) => patch(r, c)} />
          ))}
        </tbody>
      </table>
    </section>
  );
}

type Role = NonNullable<Rep["role"]>;
const ROLE_NAMES: Record<Role, string> = { rep: "a rep", lead: "a team lead", admin: "an admin" };

// A team lead is a rep who also reads every rep's reports (and Account 360); admins configure.
function RoleOptions() {
  return (
    <>
      <option value="rep">Rep</option>
      <option value="lead" title="A rep who also reads every rep's reports and exports them">
        Team lead
      </option>
      <option value="admin">Admin</option>
    </>
  );
}

function RepRow(props: { rep: Rep; isMe: boolean; onPatch: (c: { role?: Role; active?: boolean }) => Promise<void> }) {
  const { rep } = props;
  const [confirming, setConfirming] = useState(false);
  const active = rep.active !== false;
  const live = repsSignal.value.get(rep.id);
  const availability = live?.availability ?? rep.availability;
  return (
    <tr class={active ? "" : "inactive"} data-rep-id={rep.id}>
      <td>
        <span class="rep-cell">
          <Avatar name={rep.name} id={rep.id} size={24} />
          {rep.name}
          {props.isMe && <span class="tag">You</span>}
        </span>
      </td>
      <td class="muted">{rep.email}</td>
      <td>
        <select
          class="input input-sm"
          aria-label={`Role for ${rep.name}`}
          value={rep.role ?? "rep"}
          disabled={props.isMe || !active}
          title={props.isMe ? "You can't change your own role" : undefined}
          onChange={(e) => void props.onPatch({ role: (e.target as HTMLSelectElement).value as Role })}
        >
          <RoleOptions />
        </select>
      </td>
      <td>
        {active ? (
          <span class={`status-chip ${availability === "available" ? "chip-active" : "chip-ended"}`}>{availability === "available" ? "Available" : "Away"}</span>
        ) : (
          <span class="status-chip chip-missed">Deactivated</span>
        )}
      </td>
      <td class="actions">
        {props.isMe ? null : active ? (
          confirming ? (
            <span class="confirm">
              <span class="small">Sign {rep.name} out and block sign-in?</span>
              <button
                type="button"
                class="btn btn-danger btn-sm"
                aria-label={`Confirm deactivate ${rep.name}`}
                onClick={() => {
                  setConfirming(false);
                  void props.onPatch({ active: false });
                }}
              >
                Deactivate
              </button>
              <button type="button" class="btn btn-ghost btn-sm" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          ) : (
            <button type="button" class="btn btn-danger-ghost btn-sm" aria-label={`Deactivate ${rep.name}`} onClick={() => setConfirming(true)}>
              Deactivate
            </button>
          )
        ) : (
          <button type="button" class="btn btn-secondary btn-sm" aria-label={`Reactivate ${rep.name}`} onClick={() => void props.onPatch({ active: true })}>
            Reactivate
          </button>
        )}
      </td>
    </tr>
  );
}

function AddRepForm(props: { onDone: (rep: Rep | null) => void }) {
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<Role>("rep");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="inline-form"
      aria-label="Add a rep"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!name.trim() || !email.trim() || password.length < 8) {
          setError(!name.trim() ? "Enter a name." : !email.trim() ? "Enter an email." : "The password needs at least 8 characters.");
          return;
        }
        setBusy(true);
        setError(null);
        try {
          const res = await api<{ rep?: Rep } | Rep>("POST", "/api/reps", { name: name.trim(), email: email.trim(), password, role });
          const rep = (res && "rep" in res && res.rep ? res.rep : res) as Rep;
          pushToast(`${name.trim()} can now sign in.`, "success");
          props.onDone(rep?.id ? rep : null);
        } catch (err) {
          setError(errorText(err));
        } finally {
          setBusy(false);
        }
      }}
    >
      <label class="field">
        <span>Name</span>
        <input class="input" value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} autoFocus />
      </label>
      <label class="field">
        <span>Email</span>
        <input class="input" type="email" value={email} onInput={(e) => setEmail((e.target as HTMLInputElement).value)} />
      </label>
      <label class="field">
        <span>Temporary password</span>
        <input class="input" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword((e.target as HTMLInputElement).value)} />
      </label>
      <label class="field">
        <span>Role</span>
        <select class="input" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as Role)}>
          <RoleOptions />
        </select>
      </label>
      <div class="inline-form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Creating…" : "Create rep"}
        </button>
        <button type="button" class="btn btn-ghost" onClick={() => props.onDone(null)}>
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

function normaliseOrigin(input: string): string | null {
  const s = input.trim();
  if (!s) return null;
  try {
    const u = new URL(s.includes("://") ? s : `https://${s}`);
    if (u.protocol !== "http:" && u.protocol !== "https:") return null;
    if ((u.pathname !== "/" && u.pathname !== "") || u.search || u.hash) return null;
    return u.origin;
  } catch {
    return null;
  }
}

function OriginsSection() {
  const [origins, setOrigins] = useState<string[] | null>(null);
  const [draft, setDraft] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [dirty, setDirty] = useState(false);

  useEffect(() => {
    api<Org | { org: Org }>("GET", "/api/org")
      .then((d) => {
        const o = ("org" in d && d.org ? d.org : d) as Org;
        org.value = { ...org.value, ...o };
        setOrigins(o.allowed_origins ?? []);
      })
      .catch((err) => setError(errorText(err)));
  }, []);

  function add(e: Event) {
    e.preventDefault();
    const o = normaliseOrigin(draft);
    if (!o) {
      setError("Enter an origin like https://www.example.com (scheme and host, optional port, no path).");
      return;
    }
    setError(null);
    if (!(origins ?? []).includes(o)) {
      setOrigins([...(origins ?? []), o]);
      setDirty(true);
    }
    setDraft("");
  }

  async function save() {
    setSaving(true);
    setError(null);
    try {
      const d = await api<Org | { org: Org }>("PUT", "/api/org", { allowed_origins: origins ?? [] });
      const o = (d && "org" in d && d.org ? d.org : d) as Org;
      if (o?.allowed_origins) setOrigins(o.allowed_origins);
      setDirty(false);
      pushToast("Website origins saved.", "success");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  }

  return (
    <section class="panel" aria-labelledby="origins-title">
      <div class="panel-head">
        <h2 id="origins-title">Website origins</h2>
      </div>
      <p class="muted small">The widget only connects from these origins. Add every site (and staging site) that carries the snippet.</p>
      <ul class="origin-list" aria-label="Allowed origins">
        {origins === null && <li class="muted">Loading…</li>}
        {origins?.length === 0 && <li class="muted">No origins yet: the widget won't connect anywhere.</li>}
        {origins?.map((o) => (
          <li key={o}>
            <code>{o}</code>
            <button
              type="button"
              class="icon-btn"
              aria-label={`Remove ${o}`}
              onClick={() => {
                setOrigins((origins ?? []).filter((x) => x !== o));
                setDirty(true);
              }}
            >
              <IconX size={14} />
            </button>
          </li>
        ))}
      </ul>
      <form class="row-form" onSubmit={add}>
        <input class="input" aria-label="New origin" placeholder="https://www.example.com" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        <button type="submit" class="btn btn-secondary">
          Add
        </button>
      </form>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="panel-foot">
        <button type="button" class="btn btn-primary" onClick={() => void save()} disabled={!dirty || saving}>
          {saving ? "Saving…" : "Save origins"}
        </button>
        {dirty && <span class="muted small">Unsaved changes</span>}
      </div>
    </section>
  );
}

function SnippetSection() {
  const [snippet, setSnippet] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    api<{ snippet: string }>("GET", "/api/org/snippet")
      .then((d) => setSnippet(d.snippet))
      .catch((err) => setError(errorText(err)));
  }, []);
  async function copy() {
    if (!snippet) return;
    try {
      await navigator.clipboard.writeText(snippet);
    } catch {
      // Clipboard API needs a secure context; fall back to selecting the text.
      const ta = document.createElement("textarea");
      ta.value = snippet;
      document.body.appendChild(ta);
      ta.select();
      document.execCommand("copy");
      ta.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <section class="panel" aria-labelledby="snippet-title">
      <div class="panel-head">
        <h2 id="snippet-title">Embed snippet</h2>
        <button type="button" class="btn btn-secondary btn-sm" onClick={() => void copy()} disabled={!snippet} aria-label="Copy snippet">
          <IconCopy size={14} /> {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <p class="muted small">Paste this just before the closing &lt;/body&gt; tag on every page of your site.</p>
      {error ? (
        <div class="form-error" role="alert">
          {error}
        </div>
      ) : (
        <pre class="snippet" aria-label="Embed snippet code">
          <code>{snippet ?? "Loading…"}</code>
        </pre>
      )}
    </section>
  );
}
