import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../api";
import { loadRepNames } from "../actions";
import { conversations, pushToast, reps } from "../store";
import type * as S from "../../generated/openapi";
import { Dialog } from "./ui";
import { RepCalendar, RepHours } from "./admin/Meetings";

type MeetingType = S.MeetingTypeOut;

// Offering the meeting booker in a chat (product docs: "Offering the Meeting Booker in Live
// Chat"): pick a meeting type, the type's routing (shows who is next) or "I know who" (an
// owner, optionally "schedule with everyone"), an optional title, and send. The visitor gets
// a booking card in the messenger.
export function BookerDialog(props: { conversationId: string; onClose: () => void }) {
  const [types, setTypes] = useState<MeetingType[] | null>(null);
  const [typeId, setTypeId] = useState("");
  const [choice, setChoice] = useState<"type_routing" | "choose">("type_routing");
  const [owner, setOwner] = useState("");
  const [everyone, setEveryone] = useState(false);
  const [title, setTitle] = useState("");
  const [next, setNext] = useState<S.NextOwner | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const visitorId = conversations.value.get(props.conversationId)?.visitor_id ?? null;

  useEffect(() => {
    void loadRepNames();
    api<S.MeetingTypeList>("GET", "/api/meeting-types")
      .then((res) => {
        const active = res.meeting_types.filter((t) => t.active);
        setTypes(active);
        if (active.length) setTypeId(active[0].id);
      })
      .catch((err) => setError(errorText(err)));
  }, []);

  useEffect(() => {
    setNext(null);
    if (!typeId) return;
    const query = visitorId ? `?visitor_id=${visitorId}` : "";
    api<S.NextOwner>("GET", `/api/meeting-types/${typeId}/next-owner${query}`)
      .then(setNext)
      .catch(() => setNext(null));
  }, [typeId]);

  const chosenType = types?.find((t) => t.id === typeId) ?? null;
  const people = [...reps.value.values()].filter((r) => r.active !== false);

  async function send() {
    if (!typeId || busy) return;
    if (choice === "choose" && !owner) {
      setError("Pick the meeting owner.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api<S.OfferOut>("POST", "/api/meetings/offers", {
        meeting_type_id: typeId,
        conversation_id: props.conversationId,
        choice,
        owner_rep_id: choice === "choose" ? owner : null,
        with_everyone: choice === "choose" && everyone,
        title: title.trim() || null,
      });
      pushToast("Meeting booker sent", "success");
      props.onClose();
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  }

  return (
    <Dialog
      title="Offer the meeting booker"
      size="md"
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="button" class="btn btn-primary" disabled={busy || !typeId} onClick={() => void send()}>
            {busy ? "Sending…" : "Send"}
          </button>
        </>
      }
    >
      {types === null && !error && <p class="muted">Loading meeting types…</p>}
      {types !== null && types.length === 0 && <p class="muted">No meeting types yet. An admin sets them up under Admin → Meetings.</p>}
      {types !== null && types.length > 0 && (
        <>
          <label class="field">
            <span>Meeting type</span>
            <select class="input" value={typeId} onChange={(e) => setTypeId((e.target as HTMLSelectElement).value)}>
              {types.map((t) => (
                <option key={t.id} value={t.id}>
                  {t.name} ({t.duration_minutes} min)
                </option>
              ))}
            </select>
          </label>
          <fieldset class="field booker-routing">
            <legend>Route to</legend>
            <label class="check">
              <input type="radio" name="booker-choice" checked={choice === "type_routing"} onChange={() => setChoice("type_routing")} />
              <span>
                Use meeting type routing rules
                {next && (
                  <span class="muted small booker-next">
                    {" "}
                    · next in line: <strong>{next.name ?? "nobody"}</strong> ({next.reason})
                  </span>
                )}
              </span>
            </label>
            <label class="check">
              <input type="radio" name="booker-choice" checked={choice === "choose"} onChange={() => setChoice("choose")} />
              <span>I know who I want to route to</span>
            </label>
            {choice === "choose" && (
              <div class="booker-choose">
                <label class="field">
                  <span>Meeting owner</span>
                  <select class="input" value={owner} onChange={(e) => setOwner((e.target as HTMLSelectElement).value)}>
                    <option value="">Choose a rep…</option>
                    {people.map((r) => (
                      <option key={r.id} value={r.id}>
                        {r.name}
                      </option>
                    ))}
                  </select>
                </label>
                <label class="check">
                  <input type="checkbox" checked={everyone} onChange={(e) => setEveryone((e.target as HTMLInputElement).checked)} />
                  <span>Schedule with everyone ({chosenType?.member_rep_ids.length ?? 0} members must all be free)</span>
                </label>
              </div>
            )}
          </fieldset>
          <label class="field">
            <span>Meeting title (optional)</span>
            <input class="input" value={title} maxLength={200} placeholder={chosenType?.name ?? ""} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
          </label>
        </>
      )}
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
    </Dialog>
  );
}

// The rep's upcoming meetings (Today page).
export function UpcomingMeetings() {
  const [list, setList] = useState<S.MeetingOut[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<S.MeetingList>("GET", "/api/meetings/upcoming")
      .then((res) => setList(res.meetings))
      .catch((err) => setError(errorText(err)));
  }, []);
  const fmt = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  return (
    <div class="upcoming-meetings" role="region" aria-label="Upcoming meetings">
      <h3 class="upcoming-title">Upcoming meetings</h3>
      {error && <p class="error-text">{error}</p>}
      {list === null && !error && <p class="muted small">Loading…</p>}
      {list !== null && list.length === 0 && <p class="muted small">None booked. Offer the booker from a chat: the calendar icon under the reply box.</p>}
      {list !== null && list.length > 0 && (
        <ul class="meeting-list">
          {list.map((m) => (
            <li key={m.id}>
              <strong>{fmt.format(new Date(m.start))}</strong> · {m.title} with {m.visitor_name} <span class="muted small">({m.visitor_email})</span>
              {m.owner_name && <span class="muted small"> · owner {m.owner_name}</span>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

// A rep's own working hours and calendar (profile menu): what the meeting booker offers of them.
export function MyHoursDialog(props: { repId: string; onClose: () => void }) {
  return (
    <Dialog title="My hours and calendar" size="lg" onClose={props.onClose} subtitle="Visitors can book meetings with you in these hours, when your calendar is free.">
      <RepHours repId={props.repId} onSaved={() => undefined} />
      <RepCalendar repId={props.repId} onSaved={() => undefined} />
    </Dialog>
  );
}
