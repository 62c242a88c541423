import { api, ApiError } from "./api";
import {
  addPending,
  applyBatch,
  applySnapshot,
  connection,
  contiguousThrough,
  conversations,
  failPending,
  pending,
  pushToast,
  receiveAck,
  receiveMessage,
  receiveMessages,
  setVisitorTyping,
  transcripts,
} from "./store";
import type { BatchEvent, ClientFrame, Message, ServerFrame } from "./types";
import { callRefused, held, onCallFrame, socketLive } from "./calls";
import { onPhoneLeg } from "./phonebridge";
import { noteServerTime } from "./time";
import { refreshCopilotStatus } from "./data";

// The rep socket (GET /ws/rep). One per signed-in console. It reconnects with capped,
// jittered exponential backoff; every (re)connection starts with `hello` and is answered by a
// fresh snapshot that replaces all state; open transcripts then ask `resume` for what they
// missed, a piece at a time (askResume).
// Messages the rep wrote stay pending, keyed by client_id, and are resent with the same
// client_id until acknowledged: the server stores a retried client_id only once.

const PING_EVERY_MS = 20_000;
// Each answer to `resume` carries up to ~256 KB of messages (ANSWER_BYTES on the server) and
// the server cuts off a socket with 1 MB unread: at most two answers are asked for at once.
const RESUMES_AT_ONCE = 2;
// An answer not come by then (lost with a socket that has not noticed yet) is asked again.
const RESUME_ANSWER_MS = 10_000;
const RESEND_AFTER_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

let ws: WebSocket | null = null;
let live = false; // snapshot received on the current socket
let stopped = true;
let attempt = 0;
let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
let pingTimer: ReturnType<typeof setInterval> | null = null;
let awaitingPong = false;
let snapshots = 0;
const lastAttempt = new Map<string, number>();
// Conversations whose transcript misses messages, waiting for a turn to ask (askResume), and
// those asked for: from which seq and when.
const resumeWanted = new Set<string>();
const resumeAsked = new Map<string, { after: number; at: number }>();
let signedOutHandler: (reason: string) => void = () => {};

export function onSocketSignedOut(handler: (reason: string) => void): void {
  signedOutHandler = handler;
}

export function newClientId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function startSocket(): void {
  if (!stopped) return;
  stopped = false;
  attempt = 0;
  connect();
}

export function stopSocket(): void {
  stopped = true;
  live = false;
  dropQueuedBatches(); // signed out: nothing more is applied
  if (reconnectTimer) clearTimeout(reconnectTimer);
  if (pingTimer) clearInterval(pingTimer);
  reconnectTimer = pingTimer = null;
  const sock = ws;
  ws = null;
  if (sock) {
    sock.onclose = null;
    sock.onmessage = null;
    try {
      sock.close(1000, "signed out");
    } catch {
      /* already closed */
    }
  }
}

// Debugging and end-to-end tests look at the socket's state through this.
(window as unknown as { __frontdeskSocket: () => number }).__frontdeskSocket = () => (ws ? ws.readyState : WebSocket.CLOSED);

function socketUrl(): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/rep`;
}

function connect(): void {
  if (stopped) return;
  connection.value = attempt === 0 ? "connecting" : "reconnecting";
  live = false;
  let sock: WebSocket;
  try {
    sock = new WebSocket(socketUrl());
  } catch {
    scheduleReconnect();
    return;
  }
  ws = sock;
  sock.onopen = () => {
    if (ws !== sock) return;
    // No last seqs: the snapshot says how far each conversation has got, and the transcripts
    // that miss messages ask for them then (catchUpTranscripts), two answers at a time.
    send({ type: "hello", last_seqs: {} });
    awaitingPong = false;
    if (pingTimer) clearInterval(pingTimer);
    pingTimer = setInterval(heartbeat, PING_EVERY_MS);
  };
  sock.onmessage = (ev: MessageEvent) => {
    if (ws !== sock) return;
    awaitingPong = false;
    // Typed by the server's models (web/generated/openapi.ts); tests check every frame the
    // server sends against them (tests/harness.py).
    let frame: ServerFrame;
    try {
      frame = JSON.parse(String(ev.data)) as ServerFrame;
    } catch {
      return;
    }
    measured(frame);
  };
  sock.onclose = (ev: CloseEvent) => {
    if (ws !== sock) return;
    ws = null;
    live = false;
    resumeWanted.clear(); // the next snapshot says again what is missing
    resumeAsked.clear();
    if (pingTimer) clearInterval(pingTimer);
    pingTimer = null;
    if (stopped) return;
    if (ev.code === 4401) {
      stopped = true;
      signedOutHandler("You were signed out: your account was deactivated or your session was revoked.");
      return;
    }
    if (ev.code === 4429) {
      // Disconnected for sending far too many frames of one type: wait the longest backoff
      // (the server closes a console again at once while that minute's count lasts).
      pushToast(`Disconnected for sending too much (${ev.reason || "too many frames"}). Reconnecting in a moment.`, "error", 15000);
      attempt = Math.max(attempt, 6);
    }
    connection.value = "reconnecting";
    scheduleReconnect();
  };
}

// Browsers run timers in background tabs as rarely as once a minute, so a missed pong is
// judged per ping sent, not by wall-clock time since the last frame.
function heartbeat(): void {
  if (!ws || ws.readyState !== WebSocket.OPEN) return;
  if (awaitingPong) {
    ws.close(4000, "heartbeat lost");
    return;
  }
  awaitingPong = true;
  send({ type: "ping" });
  resendStale();
  pumpResumes(); // an answer that never came is asked again
}

function scheduleReconnect(): void {
  if (stopped || reconnectTimer) return;
  const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt);
  const delay = base / 2 + Math.random() * (base / 2);
  attempt++;
  reconnectTimer = setTimeout(async () => {
    reconnectTimer = null;
    // A refused upgrade (expired session) looks like any network failure to the browser;
    // asking the API settles it: a 401 there sends the console to the sign-in page.
    try {
      await api("GET", "/api/me");
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return;
    }
    connect();
  }, delay);
}

// Reconnect at once when the network comes back instead of waiting out the backoff.
window.addEventListener("online", () => {
  if (stopped || ws) return;
  if (reconnectTimer) clearTimeout(reconnectTimer);
  reconnectTimer = null;
  attempt = 0;
  connect();
});

function send(frame: ClientFrame): boolean {
  if (!ws || ws.readyState !== WebSocket.OPEN) return false;
  ws.send(JSON.stringify(frame));
  return true;
}

// Counters for bench/console_browser.py and for anyone profiling a busy console: how many
// frames arrived and how long applying each one took, rendering included (the timer fires on
// the next macrotask, after Preact's microtask-scheduled render; a batch is timed from the
// animation frame that applies it to the DOM holding it, before that frame is painted).
// With `trackUrls` set (the benchmark sets it), each page a visitor moved to is noted with the
// wall-clock time its batch was rendered, so the benchmark can measure event -> screen.
const perf = {
  frames: 0,
  batches: 0,
  events: 0,
  snapshotMs: 0,
  applyMs: [] as number[],
  trackUrls: false,
  // [url, wall-clock ms rendered, wall-clock ms the frame reached the socket handler]
  renderedUrls: [] as [string, number, number][],
};
(window as unknown as { __frontdeskPerf: typeof perf }).__frontdeskPerf = perf;
const afterRender = new MessageChannel();
let renderWaiters: (() => void)[] = [];
afterRender.port1.onmessage = () => runRenderWaiters();

function measured(f: ServerFrame): void {
  const t0 = performance.now();
  const received = Date.now();
  handleFrame(f);
  perf.frames++;
  if (f.type === "snapshot") {
    renderWaiters.push(() => (perf.snapshotMs = performance.now() - t0));
    afterRender.port2.postMessage(0);
  } else if (f.type === "batch") {
    perf.batches++;
    perf.events += f.events.length;
    const events = f.events;
    // Timed when the batch is applied (the next animation frame, or sooner: see queueBatch).
    batchWaiters.push((appliedAt) =>
      renderWaiters.push(() => {
        perf.applyMs.push(performance.now() - appliedAt);
        if (perf.applyMs.length > 2000) perf.applyMs.splice(0, 1000);
        if (perf.trackUrls) noteRenderedUrls(events, Date.now(), received);
      }),
    );
  }
}
let batchWaiters: ((appliedAt: number) => void)[] = [];

// Socket batches are applied once per animation frame: the server sends up to four a second,
// but a busy main thread can find several waiting, and applying them together costs one store
// write and one render instead of one each. Any other frame applies the waiting batches first,
// so frames still take effect in the order they came (a message after the batch that opened
// its chat). A hidden tab gets no animation frames: the timer applies them there.
let queuedBatches: BatchEvent[][] = [];
let flushFrame = 0;
let flushTimer: ReturnType<typeof setTimeout> | null = null;

function queueBatch(events: BatchEvent[]): void {
  queuedBatches.push(events);
  if (!flushFrame) flushFrame = requestAnimationFrame(flushBatches);
  if (!flushTimer) flushTimer = setTimeout(flushBatches, 100);
}

function flushBatches(): void {
  if (flushFrame) cancelAnimationFrame(flushFrame);
  if (flushTimer) clearTimeout(flushTimer);
  flushFrame = 0;
  flushTimer = null;
  if (!queuedBatches.length) return;
  const appliedAt = performance.now();
  const events = queuedBatches.length === 1 ? queuedBatches[0] : queuedBatches.flat();
  queuedBatches = [];
  applyBatch(events);
  // A phone leg joining the browser call this tab holds: the console takes the phone.
  for (const e of events) if (e.type === "phone_leg.updated") onPhoneLeg(e.leg, held.value?.callId || null);
  const waiting = batchWaiters;
  batchWaiters = [];
  for (const w of waiting) w(appliedAt);
  // Preact renders in a microtask queued by the store write above: this one runs after it,
  // when the DOM shows the batch (the same point the snapshot's timer marks; the browser
  // paints it at the end of this animation frame).
  if (waiting.length) queueMicrotask(runRenderWaiters);
}

function runRenderWaiters(): void {
  const waiting = renderWaiters;
  renderWaiters = [];
  for (const w of waiting) w();
}

function dropQueuedBatches(): void {
  if (flushFrame) cancelAnimationFrame(flushFrame);
  if (flushTimer) clearTimeout(flushTimer);
  flushFrame = 0;
  flushTimer = null;
  queuedBatches = [];
  batchWaiters = [];
}

function noteRenderedUrls(events: readonly BatchEvent[], at: number, received: number): void {
  for (const e of events) {
    const url = e.type === "visitor.updated" ? e.changes.url : e.type === "visitor.joined" ? e.visitor.url : undefined;
    if (typeof url === "string") perf.renderedUrls.push([url, at, received]);
  }
  if (perf.renderedUrls.length > 100_000) perf.renderedUrls.splice(0, 50_000);
}

function handleFrame(f: ServerFrame): void {
  if (f.type !== "batch") flushBatches();
  switch (f.type) {
    case "snapshot":
      if (snapshots++ > 0) refreshCopilotStatus(); // a reconnection may have missed a change
      applySnapshot(f);
      live = true;
      attempt = 0;
      connection.value = "live";
      catchUpTranscripts();
      flushPending();
      socketLive(); // a call this tab held before a reload: joined again
      break;
    case "batch":
      queueBatch(f.events);
      break;
    case "message": {
      const msg = f.message;
      if (receiveMessage(msg) !== null) askResume(msg.conversation_id);
      break;
    }
    case "messages":
      if (f.conversation_id !== null) resumeAnswered(f.conversation_id, f.messages);
      break;
    case "ack":
      receiveAck(f.client_id, f.message);
      lastAttempt.delete(f.client_id);
      break;
    case "typing":
      setVisitorTyping(f.conversation_id, f.is_typing, "draft" in f ? f.draft : null);
      break;
    case "pong":
      noteServerTime(f.server_time);
      break;
    case "call":
    case "call_ice":
    case "call_answer":
    case "call_candidate":
    case "call_media":
    case "call_rejoined":
      onCallFrame(f);
      break;
    case "error": {
      const ref = f.ref ?? null;
      const message = f.message || "The server refused that.";
      // Too many frames of one type (docs/protocol.md, rep socket limits): a refused call
      // only when the frame was one that starts, answers or joins a call (calls.ts).
      const slowDown = f.code === "rate_limited";
      if (!ref && live && callRefused(message, f.code, f.frame_type ?? null)) break;
      if (ref && pending.value.has(ref)) {
        failPending(ref, message);
        lastAttempt.delete(ref);
        if (slowDown) pushToast(slowDownText(message), "error", 8000);
      } else if (slowDown) {
        // The same text each time: a flood of refusals is one toast (pushToast).
        pushToast(slowDownText(message), "error", 8000);
      } else if (f.code !== "invalid_frame" || ref) {
        pushToast(message, "error");
      }
      // Refused before the snapshot (the server could not build it): this socket will never
      // be live, so start over with backoff rather than sit in "Connecting…".
      if (!live && ws) ws.close(4000, "no snapshot");
      break;
    }
    default:
      break;
  }
}

function slowDownText(message: string): string {
  return `Slow down: ${message}.`;
}

// After a reconnect the snapshot says how far each conversation has got; ask for anything an
// open transcript is missing.
function catchUpTranscripts(): void {
  for (const id of transcripts.value.keys()) {
    if ((conversations.value.get(id)?.last_seq ?? 0) > contiguousThrough(id)) askResume(id);
  }
}

// A transcript misses messages (a seq above a gap, or the snapshot's last seq above ours): ask
// for them from where the copy stops being whole. Once per conversation until the answer
// comes (a burst of frames above one gap is one question), and at most RESUMES_AT_ONCE
// conversations at a time, so the answers never pile up past what the socket may hold.
function askResume(conversationId: string): void {
  const asked = resumeAsked.get(conversationId);
  if (asked && Date.now() - asked.at < RESUME_ANSWER_MS) return; // its answer shows what is left
  resumeAsked.delete(conversationId);
  resumeWanted.add(conversationId);
  pumpResumes();
}

function pumpResumes(): void {
  if (!live) return;
  const now = Date.now();
  for (const [id, asked] of resumeAsked) {
    if (now - asked.at >= RESUME_ANSWER_MS) {
      resumeAsked.delete(id); // lost: ask again
      resumeWanted.add(id);
    }
  }
  for (const id of resumeWanted) {
    if (resumeAsked.size >= RESUMES_AT_ONCE) break;
    resumeWanted.delete(id);
    const after = contiguousThrough(id);
    if (send({ type: "resume", conversation_id: id, after_seq: after })) resumeAsked.set(id, { after, at: now });
  }
}

// An answer carries the next piece of what was missing (up to ~256 KB). While the copy is
// still short of the conversation's last seq and the answer moved it on, ask for the next;
// an answer that moved nothing (a seq that no longer exists) ends the asking.
function resumeAnswered(conversationId: string, messages: Message[]): void {
  const asked = resumeAsked.get(conversationId);
  resumeAsked.delete(conversationId);
  receiveMessages(conversationId, messages);
  const through = contiguousThrough(conversationId);
  const last = conversations.value.get(conversationId)?.last_seq ?? 0;
  if (asked && through > asked.after && through < last) resumeWanted.add(conversationId);
  pumpResumes();
}

function flushPending(): void {
  for (const p of pending.value.values()) if (!p.failed) transmit(p.client_id);
}

function transmit(clientId: string): void {
  const p = pending.value.get(clientId);
  if (!p || !live) return;
  if (send({ type: "message", conversation_id: p.conversation_id, client_id: p.client_id, body: p.body }))
    lastAttempt.set(clientId, Date.now());
}

function resendStale(): void {
  const t = Date.now();
  for (const p of pending.value.values()) {
    if (p.failed) continue;
    const at = lastAttempt.get(p.client_id) ?? 0;
    if (t - at > RESEND_AFTER_MS) transmit(p.client_id);
  }
}

export function sendMessage(conversationId: string, body: string): string {
  const client_id = newClientId();
  addPending({ client_id, conversation_id: conversationId, body, created_at: Date.now() });
  transmit(client_id);
  return client_id;
}

export function retryMessage(clientId: string): void {
  const p = pending.value.get(clientId);
  if (!p) return;
  addPending({ ...p, failed: undefined });
  transmit(clientId);
}

// Call signalling (calls.ts): false when the socket is not live.
export function sendCallFrame(frame: ClientFrame): boolean {
  return live && send(frame);
}

export function sendTyping(conversationId: string, isTyping: boolean): void {
  if (live) send({ type: "typing", conversation_id: conversationId, is_typing: isTyping });
}

