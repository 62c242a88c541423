import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { conversations, me } from "../store";
import { formatDateTime } from "../time";
import type * as S from "../../generated/openapi";

// Above the live stream: who is outside business hours now (and when they are back), and the
// signed-in rep's chats against their capacity. Hours change on the hour, not with events, so
// the status is read once a minute; the rep's load also when their own chats change.
export function StaffingBar() {
  const [status, setStatus] = useState<S.HoursStatus | null>(null);
  const [mine, setMine] = useState<S.RepLoad | null>(null);
  const myId = me.value?.id;
  const myActive = [...conversations.value.values()].filter((c) => c.status === "active" && c.owner_rep_id === myId).length;
  useEffect(() => {
    const read = () =>
      api<S.HoursStatus>("GET", "/api/business-hours/status")
        .then(setStatus)
        .catch(() => undefined);
    void read();
    const timer = setInterval(read, 60_000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => {
    api<S.CapacityOut>("GET", "/api/capacity")
      .then((c) => setMine(c.reps.find((r) => r.rep_id === myId) ?? null))
      .catch(() => undefined);
  }, [myId, myActive]);
  const closed = (status?.scopes ?? []).filter((s) => !s.open_now);
  const limited = mine && mine.max_chats != null;
  if (!closed.length && !limited) return null;
  return (
    <div class="staffing-bar" role="status" aria-label="Business hours and capacity">
      {closed.map((s) => (
        <span class="staffing-item closed" key={s.scope}>
          <strong>{s.team_id ? `Team ${s.name}` : "Everyone"}</strong> is outside business hours
          {s.reopens_at ? <span class="muted"> · back {formatDateTime(s.reopens_at)}</span> : null}
        </span>
      ))}
      {limited && (
        <span class={`staffing-item ${mine.at_capacity ? "closed" : ""}`} aria-label="My chat capacity">
          My chats: {mine.active_chats} of {mine.max_chats}
          {mine.at_capacity && <strong> · At capacity</strong>}
        </span>
      )}
    </div>
  );
}

// On an inbound card: why the chat is not counting down (queued, or outside hours).
export function InboundWaitNote(props: { meta: S.ConversationMeta }) {
  const m = props.meta;
  if (m.queue_position) return <span class="chip chip-closed">Queued: #{m.queue_position} in line</span>;
  if (m.away_until) return <span class="chip chip-closed">Outside hours · back {formatDateTime(m.away_until)}</span>;
  return null;
}
