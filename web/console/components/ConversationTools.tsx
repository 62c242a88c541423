import { useEffect, useState } from "preact/hooks";
import { blockVisitor, classify, resolveAutoPounce, transferConversation } from "../actions";
import { navigate, paths } from "../router";
import { autoPounceAlert, me, pushToast, reps, transferOf, waitingTransfer } from "../store";
import type { Classification, ConversationSummary, Rep } from "../types";
import { IconAlert, IconBan, IconFlag, IconMore, IconTag, IconTransfer, IconX } from "../icons";
import { Avatar, Dialog, TimeLeft, usePopover } from "./ui";

// Tools in the conversation console: transfer, block (and report), the auto pounce and
// transfer alerts, and the classification panel.

export function transferTargets(conv: ConversationSummary): Rep[] {
  const myId = me.value?.id;
  return [...reps.value.values()]
    .filter((r) => r.id && r.active !== false && r.id !== conv.owner_rep_id && r.id !== myId && r.name)
    .sort((a, b) => Number(b.availability === "available") - Number(a.availability === "available") || a.name.localeCompare(b.name));
}

// The single-click transfer icon on the conversation's header: pick an available rep, add an
// optional note only reps see, transfer. The chat closes here and opens for them.
export function TransferButton(props: { conv: ConversationSummary; title: string }) {
  const pop = usePopover<HTMLFormElement>();
  const [to, setTo] = useState<string>("");
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const targets = transferTargets(props.conv);
  const available = targets.filter((r) => r.availability === "available");
  useEffect(() => {
    if (pop.open) {
      setError(null);
      if (!to || !available.some((r) => r.id === to)) setTo(available[0]?.id ?? "");
    }
  }, [pop.open]);
  async function submit(e: Event) {
    e.preventDefault();
    if (!to || busy) return;
    setBusy(true);
    setError(null);
    const r = await transferConversation(props.conv.id, to, note.trim() || null);
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    pop.setOpen(false);
    pushToast(`Transferred to ${reps.value.get(to)?.name ?? "your colleague"}. The chat left your Active list.`, "success");
    navigate(paths.live);
  }
  return (
    <div class="popover-anchor">
      <button
        ref={pop.triggerRef}
        type="button"
        class="icon-btn"
        aria-label="Transfer chat"
        title="Transfer chat to another rep"
        aria-haspopup="dialog"
        aria-expanded={pop.open}
        onClick={() => pop.setOpen(!pop.open)}
      >
        <IconTransfer size={17} />
      </button>
      {pop.open && (
        <form ref={pop.ref} class="popover popover-right transfer-pop" role="dialog" aria-label="Transfer chat" onSubmit={submit}>
          <div class="popover-title">Transfer {props.title}</div>
          <div class="transfer-list" role="radiogroup" aria-label="Transfer to">
            {targets.length === 0 && <div class="muted small pad">No other reps in your team yet.</div>}
            {targets.map((r) => {
              const ok = r.availability === "available";
              return (
                <label key={r.id} class={`transfer-rep ${ok ? "" : "off"} ${to === r.id ? "picked" : ""}`} title={ok ? undefined : `${r.name} is away: only available reps can take a chat`}>
                  <input type="radio" name="transfer-to" value={r.id} checked={to === r.id} disabled={!ok} onChange={() => setTo(r.id)} />
                  <Avatar name={r.name} id={r.id} size={24} />
                  <span class="grow">{r.name}</span>
                  <span class={`avail-dot ${ok ? "on" : ""}`} aria-hidden="true" />
                  <span class="muted small">{ok ? "Available" : "Away"}</span>
                </label>
              );
            })}
          </div>
          <label class="field field-tight">
            <span>Note for your colleague (optional)</span>
            <textarea class="input textarea" rows={2} maxLength={2000} value={note} placeholder="Asked about SSO pricing for 40 seats" onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
          </label>
          <div class="muted small">The visitor sees “You're now chatting with …”. Only reps see the note.</div>
          {error && (
            <div class="form-error" role="alert">
              {error}
            </div>
          )}
          <div class="row-end">
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => pop.setOpen(false)}>
              Cancel
            </button>
            <button type="submit" class="btn btn-primary btn-sm" disabled={!to || busy}>
              {busy ? "Transferring…" : "Transfer"}
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

// The menu in the conversation header: block, or block and report.
export function ConversationMenu(props: { visitorId: string; title: string }) {
  const pop = usePopover();
  const [confirm, setConfirm] = useState<null | "block" | "report">(null);
  return (
    <div class="popover-anchor">
      <button
        ref={pop.triggerRef}
        type="button"
        class="icon-btn"
        aria-label="Conversation menu"
        aria-haspopup="menu"
        aria-expanded={pop.open}
        onClick={() => pop.setOpen(!pop.open)}
      >
        <IconMore size={18} />
      </button>
      {pop.open && (
        <div ref={pop.ref} class="popover popover-right menu" role="menu" aria-label="Conversation menu">
          <button
            type="button"
            role="menuitem"
            class="menu-item danger"
            onClick={() => {
              pop.setOpen(false);
              setConfirm("block");
            }}
          >
            <IconBan size={15} /> Block visitor
          </button>
          <button
            type="button"
            role="menuitem"
            class="menu-item danger"
            onClick={() => {
              pop.setOpen(false);
              setConfirm("report");
            }}
          >
            <IconFlag size={15} /> Block and report visitor
          </button>
        </div>
      )}
      {confirm && <BlockDialog visitorId={props.visitorId} title={props.title} report={confirm === "report"} onClose={() => setConfirm(null)} />}
    </div>
  );
}

export function BlockDialog(props: { visitorId: string; title: string; report: boolean; onClose: () => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const label = props.report ? "Block and report visitor" : "Block visitor";
  async function submit() {
    setBusy(true);
    setError(null);
    const r = await blockVisitor(props.visitorId, props.report, reason.trim() || null);
    setBusy(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    props.onClose();
    pushToast(props.report ? `${props.title} is blocked and reported to your admins.` : `${props.title} is blocked.`, "success");
    navigate(paths.live);
  }
  return (
    <Dialog
      title={`${label}?`}
      size="sm"
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" class="btn btn-danger" disabled={busy} onClick={() => void submit()}>
            {busy ? "Blocking…" : label}
          </button>
        </>
      }
    >
      <p>
        <strong>{props.title}</strong> will no longer see the messenger on this device, and any open chat with them ends now.
      </p>
      <p class="muted small">
        The block is saved in a browser cookie: a visitor can come back from a private window or another device.
        {props.report ? " Reporting also sends this visitor (with their IP address) to your admins under Blocked & Reported; they may block the IP." : " If they keep at it, block and report them instead."}
      </p>
      {props.report && (
        <label class="field">
          <span>What happened? (optional)</span>
          <textarea class="input textarea" rows={3} maxLength={2000} value={reason} onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} placeholder="Abusive messages, spam links…" />
        </label>
      )}
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
    </Dialog>
  );
}

// A reply to an auto pounce: the rep answers, or marks it, before the rep timeout runs out.
export function AutoPounceBanner(props: { conv: ConversationSummary; title: string; compact?: boolean; onOpen?: () => void }) {
  const alert = autoPounceAlert(props.conv);
  const [busy, setBusy] = useState(false);
  if (!alert) return null;
  const act = async (action: "spam" | "no_response_needed") => {
    setBusy(true);
    await resolveAutoPounce(props.conv.id, action);
    setBusy(false);
  };
  return (
    <div class={`alert alert-auto ${props.compact ? "compact" : ""}`} role="alert" aria-label={`${props.title} replied to your auto pounce`} data-conversation-id={props.conv.id}>
      <span class="alert-icon" aria-hidden="true">
        <IconAlert size={16} />
      </span>
      <div class="alert-text">
        <strong>{props.title} replied to your auto pounce.</strong>{" "}
        <span>Answer now{props.compact ? "" : ", or mark it, before the timer runs out: a missed response turns your auto pounce off"}.</span>
      </div>
      <TimeLeft until={alert.timeoutAt} label="left to respond" />
      {props.onOpen && (
        <button type="button" class="btn btn-auto btn-sm" onClick={props.onOpen}>
          Reply
        </button>
      )}
      <button type="button" class="btn btn-secondary btn-sm" disabled={busy} onClick={() => void act("no_response_needed")}>
        No response needed
      </button>
      <button type="button" class="btn btn-danger-ghost btn-sm" disabled={busy} onClick={() => void act("spam")}>
        Spam
      </button>
    </div>
  );
}

// A chat a colleague handed over: the visitor is waiting for the new owner's first message.
export function TransferBanner(props: { conv: ConversationSummary; title: string; compact?: boolean; onOpen?: () => void }) {
  const t = waitingTransfer(props.conv, me.value?.id);
  if (!t) return null;
  const from = t.from_rep_name ?? "A colleague";
  return (
    <div class={`alert alert-transfer ${props.compact ? "compact" : ""}`} role="alert" aria-label={`Visitor is waiting: ${props.title}`} data-conversation-id={props.conv.id}>
      <span class="alert-icon" aria-hidden="true">
        <IconTransfer size={16} />
      </span>
      <div class="alert-text">
        <strong>Visitor is waiting.</strong> {from} transferred {props.title} to you{props.compact ? "." : ": say hello, they can see you joined."}
        {t.note && <div class="alert-note">“{t.note}”</div>}
      </div>
      {props.onOpen && (
        <button type="button" class="btn btn-primary btn-sm" onClick={props.onOpen}>
          Open chat
        </button>
      )}
    </div>
  );
}

export function transferLine(c: ConversationSummary): string | null {
  const t = transferOf(c);
  if (!t?.from_rep_name) return null;
  return `Transferred by ${t.from_rep_name}`;
}

// Classify a chat during or after it: qualified, tags, deal value, notes.
export function ClassificationPanel(props: { conv: ConversationSummary }) {
  const c = props.conv.classification ?? {};
  const [qualified, setQualified] = useState<boolean | null>(c.qualified ?? null);
  const [tags, setTags] = useState<string[]>(c.tags ?? []);
  const [tagDraft, setTagDraft] = useState("");
  const [deal, setDeal] = useState(c.deal_value != null ? String(c.deal_value) : "");
  const [notes, setNotes] = useState(c.notes ?? "");
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Another console (or the server) changed it: take the new values unless mid-edit.
  const key = JSON.stringify(props.conv.classification ?? {});
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (dirty) return;
    setQualified(c.qualified ?? null);
    setTags(c.tags ?? []);
    setDeal(c.deal_value != null ? String(c.deal_value) : "");
    setNotes(c.notes ?? "");
  }, [key]);

  async function save(patch?: Classification) {
    const dealValue = deal.trim() === "" ? null : Number(deal.replace(/[$,\s]/g, ""));
    if (dealValue !== null && (!Number.isFinite(dealValue) || dealValue < 0)) {
      setError("Deal value must be a positive number.");
      return;
    }
    const body: Classification = patch ?? { qualified, tags, deal_value: dealValue, notes: notes.trim() || null };
    setSaving(true);
    setError(null);
    const r = await classify(props.conv.id, body);
    setSaving(false);
    if (!r.ok) {
      setError(r.message);
      return;
    }
    setDirty(false);
    setSaved(new Date().toLocaleTimeString([], { hour: "numeric", minute: "2-digit" }));
  }

  function addTag() {
    const t = tagDraft.trim().toLowerCase();
    if (!t) return;
    if (!tags.includes(t)) setTags([...tags, t]);
    setTagDraft("");
    setDirty(true);
  }

  return (
    <section class="v360-section classify" aria-label="Classification">
      <h3>
        <IconTag size={14} /> Classify this chat
      </h3>
      <div class="classify-row">
        <span class="classify-label" id={`q-${props.conv.id}`}>
          Qualified
        </span>
        <div class="seg-toggle" role="radiogroup" aria-labelledby={`q-${props.conv.id}`}>
          {([
            [true, "Yes"],
            [false, "No"],
            [null, "Not set"],
          ] as const).map(([v, label]) => (
            <button
              key={label}
              type="button"
              role="radio"
              aria-checked={qualified === v}
              class={`seg-btn ${qualified === v ? "on" : ""} ${v === true ? "yes" : v === false ? "no" : ""}`}
              onClick={() => {
                setQualified(v);
                setDirty(true);
              }}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      <div class="classify-row col">
        <label class="classify-label" for={`tag-${props.conv.id}`}>
          Tags
        </label>
        <div class="tag-input">
          {tags.map((t) => (
            <span class="chip" key={t}>
              {t}
              <button
                type="button"
                aria-label={`Remove tag ${t}`}
                onClick={() => {
                  setTags(tags.filter((x) => x !== t));
                  setDirty(true);
                }}
              >
                <IconX size={11} />
              </button>
            </span>
          ))}
          <input
            id={`tag-${props.conv.id}`}
            class="tag-draft"
            value={tagDraft}
            maxLength={40}
            placeholder={tags.length ? "" : "Add a tag, Enter"}
            onInput={(e) => setTagDraft((e.target as HTMLInputElement).value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" || e.key === ",") {
                e.preventDefault();
                addTag();
              } else if (e.key === "Backspace" && !tagDraft && tags.length) {
                setTags(tags.slice(0, -1));
                setDirty(true);
              }
            }}
            onBlur={addTag}
          />
        </div>
      </div>
      <label class="classify-row col">
        <span class="classify-label">Deal value</span>
        <input
          class="input input-sm"
          inputMode="decimal"
          value={deal}
          placeholder="$ amount"
          onInput={(e) => {
            setDeal((e.target as HTMLInputElement).value);
            setDirty(true);
          }}
        />
      </label>
      <label class="classify-row col">
        <span class="classify-label">Notes</span>
        <textarea
          class="input textarea"
          rows={3}
          maxLength={10000}
          value={notes}
          placeholder="Next step, who else is involved…"
          onInput={(e) => {
            setNotes((e.target as HTMLTextAreaElement).value);
            setDirty(true);
          }}
        />
      </label>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="row-end">
        {saved && !dirty && <span class="muted small">Saved {saved}</span>}
        {dirty && <span class="muted small">Unsaved changes</span>}
        <button type="button" class="btn btn-primary btn-sm" disabled={saving || !dirty} onClick={() => void save()}>
          {saving ? "Saving…" : "Save classification"}
        </button>
      </div>
    </section>
  );
}
