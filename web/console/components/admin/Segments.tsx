import { useEffect, useMemo, useState } from "preact/hooks";
import { api, ApiError, errorText } from "../../api";
import { experiences, loadExperiences, loadTeams, teams } from "../../data";
import { pushToast, reps, segmentKey, segments as liveSegments, visitors } from "../../store";
import type { Condition, RoutingKind, RoutingStep, RuleField, Segment, SegmentsPayload } from "../../types";
import { IconArrowDown, IconArrowUp, IconGrip, IconPlus, IconTrash, IconX } from "../../icons";
import { Switch } from "../ui";

// Segments are the live stream's columns, in priority order (the first whose rules match wins);
// each has rules, routing (who sees and may engage its visitors) and an inbound experience.

// GET /api/segments and every change: the segments in column order, and what rules can test
// (rules and routing read as the editor writes them: types.ts Segment).
type Payload = Omit<SegmentsPayload, "segments"> & { segments: Segment[] };

const OP_LABEL: Record<string, string> = {
  equals: "is",
  not_equals: "is not",
  in: "is one of",
  not_in: "is not one of",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  ends_with: "ends with",
  matches: "matches (regex)",
  gt: "is greater than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
  is_true: "is true",
  is_false: "is false",
  exists: "is known",
  not_exists: "is unknown",
};
const NO_VALUE = new Set(["is_true", "is_false", "exists", "not_exists"]);
const LIST_OPS = new Set(["in", "not_in"]);
const FIELD_LABEL: Record<string, string> = {
  "account.name": "Account name",
  "account.domain": "Account domain",
  "account.industry": "Account industry",
  "account.target_account": "Target account",
  "account.has_owner": "Account has an owner",
  "account.open_pipeline": "Open pipeline",
  "account.employees": "Employees",
  "company.name": "Company name (any source)",
  "visitor.email_domain": "Email domain",
  "visitor.verified": "Identity verified",
  "visitor.returning": "Returning visitor",
  "visit.country": "Country",
  "visit.utm_source": "UTM source",
  "visit.utm_medium": "UTM medium",
  "visit.utm_campaign": "UTM campaign",
  "visit.paid": "Came from a paid ad",
  "visit.referrer": "Referrer",
  "visit.landing_url": "Landing page",
  "visit.page_views": "Pages viewed",
  "visit.time_on_site": "Time on site (seconds)",
  "page.url": "Current page URL",
  "visit.pages": "Any page this visit",
};
const GROUP_LABEL: Record<string, string> = { account: "Account", company: "Company", visitor: "Visitor", visit: "Visit", page: "Page" };
const COLORS = ["#dc2626", "#ea580c", "#d97706", "#16a34a", "#0d9488", "#0891b2", "#2563eb", "#7c3aed", "#db2777", "#64748b"];
const KIND_LABEL: Record<RoutingKind, string> = {
  account_owner: "Account owner",
  team: "A team",
  reps: "Specific reps",
  everyone: "Everyone",
};

interface DraftCondition {
  field: string;
  op: string;
  value: string;
}

interface Draft {
  id: string | null;
  catchAll: boolean;
  name: string;
  color: string;
  cold: boolean;
  match: "all" | "any";
  conditions: DraftCondition[];
  steps: RoutingStep[];
  experienceId: string;
}

function valueToText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.map((x) => String(x)).join("\n");
  return String(v);
}

function draftOf(s: Segment | null): Draft {
  if (!s)
    return {
      id: null,
      catchAll: false,
      name: "",
      color: "#2563eb",
      cold: false,
      match: "all",
      conditions: [{ field: "account.target_account", op: "is_true", value: "" }],
      steps: [],
      experienceId: "",
    };
  return {
    id: s.id,
    catchAll: !!s.catch_all,
    name: s.name,
    color: s.color ?? "#2563eb",
    cold: !!s.cold,
    match: s.rules?.match === "any" ? "any" : "all",
    conditions: (s.rules?.conditions ?? []).map((c: Condition) => ({ field: c.field, op: c.op, value: valueToText(c.value) })),
    steps: (s.routing?.steps ?? []).map((x) => ({ ...x })),
    experienceId: s.experience_id ?? "",
  };
}

function parseValue(c: DraftCondition, type: string): unknown {
  if (NO_VALUE.has(c.op)) return undefined;
  const one = (text: string): unknown => {
    const t = text.trim();
    if (type === "number") {
      const n = Number(t.replace(/[$,\s]/g, ""));
      return t !== "" && Number.isFinite(n) ? n : t; // the server names a bad number
    }
    if (type === "bool") return t === "true" ? true : t === "false" ? false : t;
    return t;
  };
  if (LIST_OPS.has(c.op)) {
    return c.value
      .split(/[\n,]/)
      .map((x) => x.trim())
      .filter(Boolean)
      .map(one);
  }
  return one(c.value);
}

function routingSummary(s: Segment): string {
  const steps = s.routing?.steps ?? [];
  if (!steps.length) return "Everyone sees these visitors";
  return steps
    .map((st) => {
      const rr = st.round_robin ? " (round robin)" : "";
      if (st.kind === "team") return `${teams.value?.find((t) => t.id === st.team_id)?.name ?? "a team"}${rr}`;
      if (st.kind === "reps") return `${(st.rep_ids ?? []).map((id) => reps.value.get(id)?.name ?? "a rep").join(", ")}${rr}`;
      return `${KIND_LABEL[st.kind]}${rr}`;
    })
    .join(" → ");
}

export function SegmentsAdmin() {
  const [data, setData] = useState<Payload | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [selected, setSelected] = useState<string | "new" | null>(null);
  const [dragId, setDragId] = useState<string | null>(null);
  const [overId, setOverId] = useState<string | null>(null);

  const refresh = () =>
    api<Payload>("GET", "/api/segments")
      .then((d) => {
        setData(d);
        setError(null);
        setSelected((cur) => cur ?? [...d.segments].filter((x) => !x.catch_all).sort((a, b) => (a.position ?? 0) - (b.position ?? 0))[0]?.id ?? null);
      })
      .catch((err) => setError(errorText(err)));

  useEffect(() => {
    void refresh();
    void loadTeams().catch(() => null);
    void loadExperiences().catch(() => null);
  }, []);
  // The console gets a fresh snapshot after every change (and counts move as visitors come
  // and go): refresh the live counts with it.
  useEffect(() => {
    if (data) void refresh();
  }, [liveSegments.value]);

  const all = data?.segments ?? [];
  const priority = useMemo(() => all.filter((s) => !s.catch_all).sort((a, b) => (a.position ?? 0) - (b.position ?? 0)), [all]);
  const catchAll = all.find((s) => s.catch_all);
  // Live counts from the stream itself (admins see every visitor), so they move as visitors
  // move; the server's live_count is the fallback before the first snapshot.
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const v of visitors.value.values()) {
      const k = segmentKey(v);
      if (k) m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  }, [visitors.value]);
  const liveCount = (s: Segment) => (visitors.value.size || !s.live_count ? (counts.get(s.id) ?? 0) : s.live_count);
  const current = selected === "new" ? null : (all.find((s) => s.id === selected) ?? null);

  async function saveOrder(ids: string[]) {
    // Optimistic: show the new order at once.
    if (data) {
      const pos = new Map(ids.map((id, i) => [id, (i + 1) * 10]));
      setData({ ...data, segments: data.segments.map((s) => (pos.has(s.id) ? { ...s, position: pos.get(s.id)! } : s)) });
    }
    try {
      const d = await api<Payload>("PUT", "/api/segments/order", { segment_ids: ids });
      setData(d);
      pushToast("Priority saved: visitors were re-segmented.", "success", 2500);
    } catch (err) {
      pushToast(`Couldn't reorder: ${errorText(err)}`, "error");
      void refresh();
    }
  }

  function move(id: string, delta: number) {
    const ids = priority.map((s) => s.id);
    const i = ids.indexOf(id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j], ids[i]];
    void saveOrder(ids);
  }

  function dropOn(targetId: string) {
    if (!dragId || dragId === targetId) return;
    const ids = priority.map((s) => s.id).filter((x) => x !== dragId);
    ids.splice(ids.indexOf(targetId) + (priority.findIndex((s) => s.id === dragId) < priority.findIndex((s) => s.id === targetId) ? 1 : 0), 0, dragId);
    void saveOrder(ids);
  }

  return (
    <div class="seg-admin">
      <section class="panel seg-list-panel" aria-labelledby="seg-order-title">
        <div class="panel-head">
          <h2 id="seg-order-title">Priority</h2>
          <button type="button" class="btn btn-primary btn-sm" onClick={() => setSelected("new")}>
            <IconPlus size={14} /> New segment
          </button>
        </div>
        <p class="muted small">
          Left to right on the live stream. A visitor goes to the <strong>first</strong> segment whose rules match; drag to reorder. Cold segments show grey at the right and are never engaged.
        </p>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <ol class="seg-order" aria-label="Segments by priority">
          {!data && <li class="muted">Loading…</li>}
          {priority.map((s, i) => (
            <li
              key={s.id}
              class={`seg-item ${selected === s.id ? "selected" : ""} ${dragId === s.id ? "dragging" : ""} ${overId === s.id && dragId !== s.id ? "drop-target" : ""}`}
              draggable
              data-segment-id={s.id}
              onDragStart={(e) => {
                setDragId(s.id);
                e.dataTransfer?.setData("text/plain", s.id);
                if (e.dataTransfer) e.dataTransfer.effectAllowed = "move";
              }}
              onDragOver={(e) => {
                e.preventDefault();
                setOverId(s.id);
              }}
              onDrop={(e) => {
                e.preventDefault();
                dropOn(s.id);
                setDragId(null);
                setOverId(null);
              }}
              onDragEnd={() => {
                setDragId(null);
                setOverId(null);
              }}
            >
              <span class="grip" aria-hidden="true">
                <IconGrip size={14} />
              </span>
              <span class="seg-rank">{i + 1}</span>
              <button type="button" class="seg-pick" onClick={() => setSelected(s.id)} aria-label={`Edit segment ${s.name}`}>
                <span class="seg-swatch-lg" style={{ background: s.color ?? "#94a3b8" }} aria-hidden="true" />
                <span class="seg-pick-text">
                  <span class="seg-pick-name">
                    {s.name}
                    {s.cold && <span class="tag tag-cold">Cold</span>}
                  </span>
                  <span class="muted small clamp">{routingSummary(s)}</span>
                </span>
              </button>
              <span class="count" title="Live visitors in this segment now" aria-label={`${liveCount(s)} live visitors`}>
                {liveCount(s)}
              </span>
              <span class="seg-move">
                <button type="button" class="icon-btn sm" aria-label={`Move ${s.name} up`} disabled={i === 0} onClick={() => move(s.id, -1)}>
                  <IconArrowUp size={13} />
                </button>
                <button type="button" class="icon-btn sm" aria-label={`Move ${s.name} down`} disabled={i === priority.length - 1} onClick={() => move(s.id, 1)}>
                  <IconArrowDown size={13} />
                </button>
              </span>
            </li>
          ))}
          {catchAll && (
            <li class={`seg-item catch-all ${selected === catchAll.id ? "selected" : ""}`} data-segment-id={catchAll.id}>
              <span class="grip" aria-hidden="true" />
              <span class="seg-rank">–</span>
              <button type="button" class="seg-pick" onClick={() => setSelected(catchAll.id)} aria-label={`Edit segment ${catchAll.name}`}>
                <span class="seg-swatch-lg" style={{ background: catchAll.color ?? "#64748b" }} aria-hidden="true" />
                <span class="seg-pick-text">
                  <span class="seg-pick-name">{catchAll.name}</span>
                  <span class="muted small">Catch-all: everyone no other segment matches</span>
                </span>
              </button>
              <span class="count" aria-label={`${liveCount(catchAll)} live visitors`}>
                {liveCount(catchAll)}
              </span>
              <span class="seg-move" />
            </li>
          )}
        </ol>
      </section>
      {selected ? (
        <SegmentEditor
          key={selected}
          segment={current}
          fields={data?.fields ?? []}
          onSaved={(d, id) => {
            setData(d);
            setSelected(id);
          }}
          onDeleted={(d) => {
            setData(d);
            setSelected(null);
          }}
          onCancel={() => setSelected(null)}
        />
      ) : (
        <section class="panel seg-editor-empty">
          <div class="empty">
            <div class="empty-title">Pick a segment to edit its rules and routing</div>
            <div class="empty-body">or create one: target accounts, open pipeline, paid ads, competitors (cold)…</div>
          </div>
        </section>
      )}
    </div>
  );
}

function SegmentEditor(props: {
  segment: Segment | null;
  fields: RuleField[];
  onSaved: (d: Payload, id: string) => void;
  onDeleted: (d: Payload) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(props.segment));
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const fieldsByName = useMemo(() => new Map(props.fields.map((f) => [f.field, f])), [props.fields]);
  const groups = useMemo(() => {
    const g = new Map<string, RuleField[]>();
    for (const f of props.fields) {
      const key = f.field.split(".")[0];
      g.set(key, [...(g.get(key) ?? []), f]);
    }
    return [...g.entries()];
  }, [props.fields]);
  const badRows = new Set<number>();
  for (const p of problems) for (const m of p.matchAll(/condition (\d+)/g)) badRows.add(Number(m[1]) - 1);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setCond = (i: number, patch: Partial<DraftCondition>) => setDraft((d) => ({ ...d, conditions: d.conditions.map((c, j) => (j === i ? { ...c, ...patch } : c)) }));
  const setStep = (i: number, patch: Partial<RoutingStep>) => setDraft((d) => ({ ...d, steps: d.steps.map((c, j) => (j === i ? { ...c, ...patch } : c)) }));

  function opsFor(field: string): string[] {
    const f = fieldsByName.get(field);
    return f ? f.ops.split(",").filter(Boolean) : Object.keys(OP_LABEL);
  }

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setProblems([]);
    const body: Record<string, unknown> = {
      name: draft.name.trim(),
      color: draft.color,
      cold: draft.cold,
      routing: { steps: draft.steps.map((s) => cleanStep(s)) },
      experience_id: draft.experienceId || null,
    };
    if (!draft.catchAll) {
      body.rules = {
        match: draft.match,
        conditions: draft.conditions.map((c) => {
          const type = fieldsByName.get(c.field)?.type ?? "text";
          const value = parseValue(c, type);
          return value === undefined ? { field: c.field, op: c.op } : { field: c.field, op: c.op, value };
        }),
      };
    }
    try {
      const res = props.segment
        ? await api<Payload & { segment: Segment }>("PATCH", `/api/segments/${encodeURIComponent(props.segment.id)}`, body)
        : await api<Payload & { segment: Segment }>("POST", "/api/segments", body);
      pushToast(`Segment “${res.segment.name}” saved. Live visitors were re-segmented.`, "success");
      props.onSaved({ segments: res.segments, fields: res.fields }, res.segment.id);
    } catch (err) {
      const details = err instanceof ApiError ? (err.details as { problems?: string[] } | undefined) : undefined;
      setProblems(details?.problems?.length ? details.problems : [errorText(err)]);
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (!props.segment) return;
    setBusy(true);
    try {
      const d = await api<Payload>("DELETE", `/api/segments/${encodeURIComponent(props.segment.id)}`);
      pushToast(`Segment “${props.segment.name}” deleted.`, "success");
      props.onDeleted(d);
    } catch (err) {
      setProblems([errorText(err)]);
    } finally {
      setBusy(false);
      setConfirmDelete(false);
    }
  }

  const repList = [...reps.value.values()].filter((r) => r.active !== false && r.name).sort((a, b) => a.name.localeCompare(b.name));
  const teamList = teams.value ?? [];
  const expList = experiences.value ?? [];

  return (
    <form class="panel seg-editor" aria-label={props.segment ? `Segment ${props.segment.name}` : "New segment"} onSubmit={save}>
      <div class="panel-head">
        <h2>{props.segment ? props.segment.name : "New segment"}</h2>
        {props.segment?.catch_all && <span class="tag">Catch-all</span>}
        <button type="button" class="icon-btn" aria-label="Close editor" onClick={props.onCancel}>
          <IconX size={16} />
        </button>
      </div>

      <div class="seg-basics">
        <label class="field">
          <span>Name</span>
          <input value={draft.name} maxLength={100} onInput={(e) => set({ name: (e.target as HTMLInputElement).value })} placeholder="Target accounts" required />
        </label>
        <div class="field">
          <span id="seg-color-label">Colour</span>
          <div class="color-row" role="radiogroup" aria-labelledby="seg-color-label">
            {COLORS.map((c) => (
              <button
                key={c}
                type="button"
                role="radio"
                aria-checked={draft.color.toLowerCase() === c}
                aria-label={c}
                class={`color-dot ${draft.color.toLowerCase() === c ? "on" : ""}`}
                style={{ background: c }}
                onClick={() => set({ color: c })}
              />
            ))}
            <input type="color" class="color-custom" aria-label="Custom colour" value={draft.color} onInput={(e) => set({ color: (e.target as HTMLInputElement).value })} />
          </div>
        </div>
      </div>
      <div class="cold-row">
        <Switch label="Cold segment" checked={draft.cold} onChange={(v) => set({ cold: v })} hint="Shown grey at the right of the stream; reps can't pounce on these visitors (competitors, employees, job seekers)." />
      </div>

      {!draft.catchAll ? (
        <fieldset class="rules">
          <legend>
            Rules: match{" "}
            <select class="input input-sm inline-select" aria-label="Match" value={draft.match} onChange={(e) => set({ match: (e.target as HTMLSelectElement).value as "all" | "any" })}>
              <option value="all">all</option>
              <option value="any">any</option>
            </select>{" "}
            of these conditions
          </legend>
          <ol class="cond-list">
            {draft.conditions.map((c, i) => {
              const f = fieldsByName.get(c.field);
              const ops = opsFor(c.field);
              const type = f?.type ?? "text";
              return (
                <li key={i} class={`cond ${badRows.has(i) ? "invalid" : ""}`} aria-label={`Condition ${i + 1}`}>
                  <span class="cond-n">{i + 1}</span>
                  <select
                    class="input input-sm cond-field"
                    aria-label={`Condition ${i + 1} field`}
                    value={c.field}
                    title={f?.description}
                    onChange={(e) => {
                      const field = (e.target as HTMLSelectElement).value;
                      const nextOps = opsFor(field);
                      setCond(i, { field, op: nextOps.includes(c.op) ? c.op : nextOps[0], value: "" });
                    }}
                  >
                    {groups.map(([g, list]) => (
                      <optgroup key={g} label={GROUP_LABEL[g] ?? g}>
                        {list.map((x) => (
                          <option key={x.field} value={x.field} title={`${x.field}: ${x.description}`}>
                            {FIELD_LABEL[x.field] ?? x.field}
                          </option>
                        ))}
                      </optgroup>
                    ))}
                  </select>
                  <select class="input input-sm cond-op" aria-label={`Condition ${i + 1} operator`} value={c.op} onChange={(e) => setCond(i, { op: (e.target as HTMLSelectElement).value })}>
                    {ops.map((op) => (
                      <option key={op} value={op}>
                        {OP_LABEL[op] ?? op}
                      </option>
                    ))}
                  </select>
                  <ValueInput cond={c} type={type} index={i} onChange={(value) => setCond(i, { value })} />
                  <button type="button" class="icon-btn sm" aria-label={`Remove condition ${i + 1}`} onClick={() => set({ conditions: draft.conditions.filter((_, j) => j !== i) })}>
                    <IconTrash size={14} />
                  </button>
                </li>
              );
            })}
          </ol>
          <button
            type="button"
            class="btn btn-ghost btn-sm"
            onClick={() => set({ conditions: [...draft.conditions, { field: "visit.pages", op: "contains", value: "" }] })}
          >
            <IconPlus size={14} /> Add condition
          </button>
        </fieldset>
      ) : (
        <p class="muted">The catch-all has no rules: it holds everyone no other segment matches.</p>
      )}

      <fieldset class="routing">
        <legend>Routing: who sees these visitors and may engage them</legend>
        <p class="muted small">Steps are tried in order; the first step with an available rep decides. No steps: every rep sees them.</p>
        <ol class="step-list">
          {draft.steps.map((st, i) => (
            <li key={i} class="step" aria-label={`Routing step ${i + 1}`}>
              <span class="cond-n">{i + 1}</span>
              <select class="input input-sm" aria-label={`Step ${i + 1} kind`} value={st.kind} onChange={(e) => setStep(i, { kind: (e.target as HTMLSelectElement).value as RoutingKind })}>
                {(Object.keys(KIND_LABEL) as RoutingKind[]).map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABEL[k]}
                  </option>
                ))}
              </select>
              {st.kind === "team" && (
                <select class="input input-sm" aria-label={`Step ${i + 1} team`} value={st.team_id ?? ""} onChange={(e) => setStep(i, { team_id: (e.target as HTMLSelectElement).value || null })}>
                  <option value="">Choose a team…</option>
                  {teamList.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name} ({t.rep_ids.length})
                    </option>
                  ))}
                </select>
              )}
              {st.kind === "reps" && (
                <details class="rep-picker">
                  <summary class="input input-sm">{(st.rep_ids ?? []).length ? `${(st.rep_ids ?? []).length} reps` : "Choose reps…"}</summary>
                  <div class="rep-picker-list">
                    {repList.map((r) => (
                      <label key={r.id} class="check">
                        <input
                          type="checkbox"
                          checked={(st.rep_ids ?? []).includes(r.id)}
                          onChange={(e) => {
                            const on = (e.target as HTMLInputElement).checked;
                            const ids = new Set(st.rep_ids ?? []);
                            if (on) ids.add(r.id);
                            else ids.delete(r.id);
                            setStep(i, { rep_ids: [...ids] });
                          }}
                        />
                        {r.name}
                      </label>
                    ))}
                  </div>
                </details>
              )}
              {st.kind !== "account_owner" && (
                <label class="check rr">
                  <input type="checkbox" checked={!!st.round_robin} onChange={(e) => setStep(i, { round_robin: (e.target as HTMLInputElement).checked })} />
                  Round robin
                </label>
              )}
              <span class="grow" />
              <button
                type="button"
                class="icon-btn sm"
                aria-label={`Move step ${i + 1} up`}
                disabled={i === 0}
                onClick={() => {
                  const s = [...draft.steps];
                  [s[i - 1], s[i]] = [s[i], s[i - 1]];
                  set({ steps: s });
                }}
              >
                <IconArrowUp size={13} />
              </button>
              <button type="button" class="icon-btn sm" aria-label={`Remove step ${i + 1}`} onClick={() => set({ steps: draft.steps.filter((_, j) => j !== i) })}>
                <IconTrash size={14} />
              </button>
            </li>
          ))}
        </ol>
        <button type="button" class="btn btn-ghost btn-sm" disabled={draft.steps.length >= 10} onClick={() => set({ steps: [...draft.steps, { kind: draft.steps.length ? "everyone" : "account_owner" }] })}>
          <IconPlus size={14} /> Add step
        </button>
      </fieldset>

      <label class="field exp-field">
        <span>Inbound experience</span>
        <select value={draft.experienceId} onChange={(e) => set({ experienceId: (e.target as HTMLSelectElement).value })}>
          <option value="">The default experience{expList.find((x) => x.is_default) ? ` (${expList.find((x) => x.is_default)!.name})` : ""}</option>
          {expList
            .filter((x) => !x.is_default)
            .map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
        </select>
      </label>

      {problems.length > 0 && (
        <div class="form-error seg-problems" role="alert">
          <strong>Not saved:</strong>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{p}</li>
            ))}
          </ul>
        </div>
      )}
      <div class="panel-foot">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? "Saving…" : props.segment ? "Save segment" : "Create segment"}
        </button>
        <button type="button" class="btn btn-ghost" onClick={props.onCancel}>
          Cancel
        </button>
        <span class="grow" />
        {props.segment && !props.segment.catch_all && (
          <>
            {confirmDelete ? (
              <span class="confirm">
                <span class="small">Delete this segment? Its visitors move to the next match.</span>
                <button type="button" class="btn btn-danger btn-sm" onClick={() => void remove()}>
                  Delete
                </button>
                <button type="button" class="btn btn-ghost btn-sm" onClick={() => setConfirmDelete(false)}>
                  Keep
                </button>
              </span>
            ) : (
              <button type="button" class="btn btn-danger-ghost btn-sm" onClick={() => setConfirmDelete(true)}>
                <IconTrash size={14} /> Delete segment
              </button>
            )}
          </>
        )}
      </div>
    </form>
  );
}

function cleanStep(s: RoutingStep): RoutingStep {
  const out: RoutingStep = { kind: s.kind };
  if (s.kind === "team") out.team_id = s.team_id ?? null;
  if (s.kind === "reps") out.rep_ids = s.rep_ids ?? [];
  if (s.kind !== "account_owner" && s.round_robin) out.round_robin = true;
  return out;
}

function ValueInput(props: { cond: DraftCondition; type: string; index: number; onChange: (v: string) => void }) {
  const { cond, type } = props;
  const label = `Condition ${props.index + 1} value`;
  if (NO_VALUE.has(cond.op)) return <span class="cond-value muted small">no value needed</span>;
  if (LIST_OPS.has(cond.op))
    return (
      <textarea
        class="input cond-value cond-list-value"
        aria-label={label}
        rows={Math.min(6, Math.max(2, cond.value.split("\n").length))}
        placeholder={type === "number" ? "100, 250, 500" : "rival.com\nother.io\n(one per line or comma-separated)"}
        value={cond.value}
        onInput={(e) => props.onChange((e.target as HTMLTextAreaElement).value)}
      />
    );
  if (type === "bool")
    return (
      <select class="input input-sm cond-value" aria-label={label} value={cond.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        <option value="">Choose…</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  return (
    <input
      class="input input-sm cond-value"
      aria-label={label}
      inputMode={type === "number" ? "decimal" : undefined}
      placeholder={type === "number" ? "0" : cond.op === "matches" ? "^/(pricing|plans)" : "value"}
      value={cond.value}
      onInput={(e) => props.onChange((e.target as HTMLInputElement).value)}
    />
  );
}

