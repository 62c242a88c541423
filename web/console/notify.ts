import { computed, effect, signal } from "@preact/signals";
import { navigate, paths } from "./router";
import { companyName, conversationTitle, conversations, hooks, isRoutedToMe, ownTransfers, pushToast, repName, transferOf, unreadTotal, viewing, visitors } from "./store";
import type { ConversationSummary, Message } from "./types";
import { plainSnippet } from "./components/ui";
import { dismissedCalls, held, queuedCalls } from "./calls";

// Desktop notifications and a short chime for a new inbound chat routed to me and for a
// visitor's reply in my conversations. Browsers only let a page play sound after the user has
// interacted with it (autoplay policy), so nothing sounds until the rep has clicked once.

export const notificationPermission = signal<NotificationPermission | "unsupported">(
  "Notification" in window ? Notification.permission : "unsupported",
);

let armed = false;
let audio: AudioContext | null = null;

function arm(): void {
  if (armed) return;
  armed = true;
  try {
    audio = new AudioContext();
  } catch {
    audio = null;
  }
}
window.addEventListener("pointerdown", arm, { capture: true });
window.addEventListener("keydown", arm, { capture: true });

export async function requestNotificationPermission(): Promise<void> {
  arm();
  if (!("Notification" in window)) return;
  try {
    notificationPermission.value = await Notification.requestPermission();
  } catch {
    notificationPermission.value = Notification.permission;
  }
}

// Two soft sine notes (E5 then A5), 0.35 s in all.
export function chime(): void {
  if (!armed || !audio) return;
  const ctx = audio;
  if (ctx.state === "suspended") void ctx.resume();
  const start = ctx.currentTime + 0.01;
  [659.25, 880].forEach((freq, i) => {
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = freq;
    const t = start + i * 0.14;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.18, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.2);
    osc.connect(gain).connect(ctx.destination);
    osc.start(t);
    osc.stop(t + 0.22);
  });
}

function showNotification(title: string, body: string, conversationId: string): void {
  if (!armed || notificationPermission.value !== "granted") return;
  // The rep is already looking at this conversation: the chime is enough.
  if (document.visibilityState === "visible" && viewing.value === conversationId) return;
  try {
    const n = new Notification(title, { body, tag: `frontdesk-${conversationId}` });
    n.onclick = () => {
      window.focus();
      navigate(paths.conversation(conversationId));
      n.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}

function who(c: ConversationSummary): string {
  const card = visitors.value.get(c.visitor_id);
  const name = conversationTitle(c, card);
  const company = companyName(c) ?? companyName(card);
  return company && company !== name ? `${name} (${company})` : name;
}

hooks.newIncoming = (c, quiet) => {
  if (quiet) return;
  if (!isRoutedToMe(c)) return;
  chime();
  const text = c.last_message ? plainSnippet(c.last_message.body, 140) : "wants to chat";
  showNotification(`New chat: ${who(c)}`, text, c.id);
};

hooks.visitorMessage = (m: Message, c) => {
  if (!c) return;
  // The first message of a new inbound chat already rang as "New chat".
  if (c.status === "incoming" && m.seq <= 1) return;
  if (document.visibilityState === "visible" && viewing.value === m.conversation_id) return;
  chime();
  showNotification(`${who(c)} replied`, plainSnippet(m.body, 140), m.conversation_id);
};

// Someone (an admin, or this rep in another tab) moved my chat to a colleague: the
// conversation closes here and the console goes back to the live stream.
hooks.transferredAway = (c) => {
  if (ownTransfers.has(c.id)) return;
  const to = repName(c.owner_rep_id) ?? c.owner_name ?? "a colleague";
  if (viewing.value === c.id) navigate(paths.live);
  pushToast(`${conversationTitle(c, visitors.value.get(c.visitor_id))} was transferred to ${to}.`, "info");
};

hooks.transferredToMe = (c) => {
  chime();
  const t = transferOf(c);
  showNotification(`Visitor is waiting: ${who(c)}`, `${t?.from_rep_name ?? "A colleague"} transferred this chat to you.${t?.note ? ` “${t.note}”` : ""}`, c.id);
};

hooks.autoPounceReply = (c) => {
  // The visitor's message already chimed; this notification replaces that one (same tag).
  showNotification(`${who(c)} replied to your auto pounce`, "Answer now, or mark it Spam / No response needed.", c.id);
};

effect(() => {
  const n = unreadTotal.value;
  document.title = n > 0 ? `(${n}) Frontdesk` : "Frontdesk";
});

// ---- the voice call queue: a phone ring and a notification while a call waits ----------------

// A phone's ring, made here (no sound file): 440 Hz and 480 Hz together, 2 s on, 4 s off,
// like a North American ring, softly.
function ringOnce(): boolean {
  if (!armed || !audio) return false;
  const ctx = audio;
  if (ctx.state === "suspended") void ctx.resume();
  const start = ctx.currentTime + 0.01;
  const gain = ctx.createGain();
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(0.12, start + 0.05);
  gain.gain.setValueAtTime(0.12, start + 1.9);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + 2);
  gain.connect(ctx.destination);
  for (const freq of [440, 480]) {
    const osc = ctx.createOscillator();
    osc.frequency.value = freq;
    osc.connect(gain);
    osc.start(start);
    osc.stop(start + 2.05);
  }
  return true;
}

// For tests: how many rings have played since the console loaded.
export const ringCount = signal(0);
(window as unknown as { __frontdeskQueue: unknown }).__frontdeskQueue = { rings: () => ringCount.value };
let ringTimer: ReturnType<typeof setInterval> | null = null;
const announced = new Set<string>();

export const ringingCalls = computed(() => [...queuedCalls.value.values()].filter((c) => !dismissedCalls.value.has(c.id)));

effect(() => {
  const waiting = ringingCalls.value;
  // A rep already on a call is not rung (the queue still shows the call).
  const ring = waiting.length > 0 && !held.value;
  if (ring && !ringTimer) {
    const tick = () => {
      if (ringOnce()) ringCount.value++;
    };
    tick();
    ringTimer = setInterval(tick, 6000);
  } else if (!ring && ringTimer) {
    clearInterval(ringTimer);
    ringTimer = null;
  }
  for (const call of waiting) {
    if (announced.has(call.id)) continue;
    announced.add(call.id);
    const c = conversations.value.get(call.conversation_id);
    const caller = c ? who(c) : "A visitor";
    showCallNotification(`Incoming call: ${caller}`, "Answer in Frontdesk: the first rep to answer gets the call.", call.id);
  }
});

function showCallNotification(title: string, body: string, callId: string): void {
  if (notificationPermission.value !== "granted") return;
  try {
    // The queue (left, in every page of the console) has the Answer button.
    const n = new Notification(title, { body, tag: `frontdesk-call-${callId}`, requireInteraction: true });
    n.onclick = () => {
      window.focus();
      n.close();
    };
    // Gone from the queue (answered by anyone, or ended): the notification goes too.
    let stop: (() => void) | null = null;
    stop = effect(() => {
      if (!queuedCalls.value.has(callId)) {
        n.close();
        queueMicrotask(() => stop?.());
      }
    });
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}
