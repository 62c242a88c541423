import { answering, declineCall, dismissQueuedCall, held, pickUpCall } from "../calls";
import { ringingCalls } from "../notify";
import { companyName, conversationTitle, conversations, visitors } from "../store";
import { now } from "../time";
import { IconPhone, IconX } from "../icons";

// The voice call queue in the console (product docs: "Receiving and Answering a Voice Call"):
// calls from the messenger's "Call us" flash on the left while they wait, a ring plays and a
// notification is posted (notify.ts). The first rep to answer gets the call; the others see it
// go. Decline declines it for everyone (first wins, as Answer): the caller is offered the
// offline form or the meeting booker. `side`: in the sidebar (wide screens); `bar`: a strip above the page (narrow screens,
// where the sidebar is a rail of icons).
function waited(since: string): string {
  const s = Math.max(0, Math.floor((now.value - Date.parse(since)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function CallQueue(props: { variant: "side" | "bar" }) {
  const calls = ringingCalls.value;
  if (!calls.length) return null;
  const busy = !!held.value;
  return (
    <section class={`callq callq-${props.variant}`} aria-label="Incoming calls">
      {props.variant === "side" && <div class="callq-head">Incoming {calls.length === 1 ? "call" : `calls (${calls.length})`}</div>}
      {calls.map((call) => {
        const c = conversations.value.get(call.conversation_id);
        const card = c ? visitors.value.get(c.visitor_id) : undefined;
        const name = c ? conversationTitle(c, card) : "A visitor";
        const company = companyName(c) ?? companyName(card);
        const mine = answering.value === call.id;
        return (
          <div class="callq-item" key={call.id} role="alert" aria-label={`Incoming call from ${name}`}>
            <span class="callq-icon" aria-hidden="true" title={`Incoming call from ${name}`}>
              <IconPhone size={16} />
            </span>
            <div class="callq-text">
              <strong class="callq-name">{name}</strong>
              {company && company !== name && <span class="callq-company">{company}</span>}
              <span class="callq-wait">Voice call · waiting {waited(call.created_at)}</span>
            </div>
            <div class="callq-actions">
              <button
                type="button"
                class="btn btn-accept btn-sm callq-answer"
                disabled={mine || busy || !!answering.value}
                title={busy ? "You're on a call" : undefined}
                aria-label={`Answer the call from ${name}`}
                onClick={() => void pickUpCall(call)}
              >
                <IconPhone size={14} /> {mine ? "Answering…" : "Answer"}
              </button>
              <button
                type="button"
                class="callq-decline"
                disabled={mine}
                aria-label={`Decline the call from ${name}`}
                title="Decline for everyone: the caller can leave a message or book a meeting"
                onClick={() => declineCall(call)}
              >
                Decline
              </button>
              <button type="button" class="callq-hide" aria-label={`Hide the call from ${name}`} title="Hide (it keeps ringing for others)" onClick={() => dismissQueuedCall(call)}>
                <IconX size={14} />
              </button>
            </div>
          </div>
        );
      })}
    </section>
  );
}
