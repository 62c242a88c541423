import { batch, signal } from "@preact/signals";
import { api, ApiError, errorText, onUnauthorized, setCsrfToken } from "./api";
import { navigate, path, paths } from "./router";
import {
  conversations,
  dismissToast,
  me,
  org,
  pushToast,
  reps,
  resetState,
  setTranscript,
  signInNotice,
  upsertConversations,
  upsertInvitation,
  ownTransfers,
} from "./store";
import { newClientId, onSocketSignedOut, startSocket, stopSocket } from "./socket";
import { resetData } from "./data";
import type {
  Availability,
  BlockResult,
  Classification,
  ConversationList,
  ConversationSummary,
  Invitation,
  MeOut,
  Rep,
  RepList,
  RepOut,
  SentInvitation,
  StartedConversation,
  Transcript,
} from "./types";

// What the rep does: sign in and out, change status, accept and end chats, start one.

export const booting = signal(true);

// GET /api/me, or the sign-in answer (the same, when /api/me could not be read after it).
type MeResponse = MeOut;

function afterSignIn(data: MeResponse): void {
  setCsrfToken(data.csrf_token);
  batch(() => {
    me.value = data.rep;
    if (data.org) org.value = data.org;
    signInNotice.value = null;
  });
  startSocket();
  void loadRepNames();
}

export async function boot(): Promise<void> {
  try {
    const data = await api<MeResponse>("GET", "/api/me", undefined, { allow401: true });
    afterSignIn(data);
    const p = path.value;
    if (p === "/" || p === "/login" || p === "/app" || p === "/app/") navigate(paths.live, { replace: true });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) signInNotice.value = errorText(err);
    if (path.value !== "/login") navigate(paths.login, { replace: true });
  } finally {
    booting.value = false;
  }
}

// `orgId`: only after the server answered 409 choose_org (this email and password open reps of
// several orgs); the person picks one of the orgs it listed.
export async function signIn(email: string, password: string, orgId?: string): Promise<void> {
  const body = orgId ? { email, password, org_id: orgId } : { email, password };
  const data = await api<MeOut>("POST", "/api/auth/login", body, { allow401: true });
  setCsrfToken(data.csrf_token);
  let full: MeResponse = data;
  try {
    full = { ...(await api<MeResponse>("GET", "/api/me")), csrf_token: data.csrf_token };
  } catch {
    /* the login answer has enough to start */
  }
  afterSignIn(full);
  navigate(paths.live, { replace: true });
}

// Leave the console: stop the socket, forget everything, show the sign-in page (with a reason
// when the server ended the session).
export function signedOut(notice: string | null): void {
  stopSocket();
  setCsrfToken(null);
  resetState();
  resetData();
  signInNotice.value = notice;
  navigate(paths.login, { replace: true });
}

export async function signOut(): Promise<void> {
  // chats the rep asked to end end now, not never
  await Promise.all([...endTimers.keys()].map((id) => endNow(id)));
  try {
    await api("POST", "/api/auth/logout");
  } catch {
    /* signing out locally is what matters */
  }
  signedOut(null);
}

onUnauthorized(() => {
  if (me.value) signedOut("Your session has ended. Please sign in again.");
});
onSocketSignedOut((reason) => signedOut(reason));

// Names for routed_rep_ids. GET /api/reps may be for admins only; the snapshot's `reps` (when
// the server sends it) and rep.changed events fill the same map.
export async function loadRepNames(): Promise<void> {
  try {
    const list: Rep[] = (await api<RepList>("GET", "/api/reps")).reps;
    const m = new Map(reps.value);
    for (const r of list) m.set(r.id, { ...m.get(r.id), ...r });
    reps.value = m;
  } catch {
    /* not allowed for this rep: names come from the snapshot */
  }
}

export async function updateMyStatus(patch: {
  availability?: Availability;
  auto_pounce_enabled?: boolean;
  voice_video_enabled?: boolean;
}): Promise<void> {
  const before = me.value;
  if (!before) return;
  me.value = { ...before, ...patch };
  try {
    const rep = await api<RepOut>("PATCH", "/api/me/status", patch);
    me.value = { ...me.value, ...rep };
  } catch (err) {
    me.value = before;
    pushToast(`Couldn't update your status: ${errorText(err)}`, "error");
  }
}

// First rep to accept wins. A 409 means a colleague got there first: say so kindly and drop
// the chat from this rep's Incoming at once (the server's update will confirm it).
export async function acceptConversation(id: string): Promise<boolean> {
  try {
    upsertConversations([await api<ConversationSummary>("POST", `/api/conversations/${encodeURIComponent(id)}/accept`)]);
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      const old = conversations.value.get(id);
      if (old && old.status === "incoming") upsertConversations([{ ...old, status: "active", owner_rep_id: old.owner_rep_id ?? "__someone_else__" }]);
      pushToast("Another rep already took this chat.", "info");
    } else {
      pushToast(`Couldn't accept the chat: ${errorText(err)}`, "error");
    }
    return false;
  }
}

// Ending a chat can be undone for a few seconds: "End chat" (or Alt+E) starts the countdown, the
// conversation shows it with Undo and End now, and only then is the chat ended for the visitor.
// Closing the tab meanwhile ends it at once (a keepalive request outlives the page).
export const END_UNDO_MS = 5000;
export const pendingEnds = signal<ReadonlyMap<string, number>>(new Map()); // id -> ends at (ms)
const endTimers = new Map<string, { timer: number; toast: number }>();

function setPendingEnd(id: string, at: number | null): void {
  const m = new Map(pendingEnds.value);
  if (at === null) m.delete(id);
  else m.set(id, at);
  pendingEnds.value = m;
}

export function requestEnd(id: string, title: string): void {
  if (endTimers.has(id)) return;
  setPendingEnd(id, Date.now() + END_UNDO_MS);
  const timer = window.setTimeout(() => void endNow(id), END_UNDO_MS);
  const toast = pushToast(`Ending the chat with ${title}…`, "info", END_UNDO_MS, { label: "Undo", run: () => undoEnd(id) });
  endTimers.set(id, { timer, toast });
}

export function undoEnd(id: string): void {
  const pending = endTimers.get(id);
  if (!pending) return;
  clearTimeout(pending.timer);
  dismissToast(pending.toast);
  endTimers.delete(id);
  setPendingEnd(id, null);
  pushToast("The chat stays open.", "success", 2500);
}

export async function endNow(id: string): Promise<void> {
  const pending = endTimers.get(id);
  if (pending) {
    clearTimeout(pending.timer);
    dismissToast(pending.toast);
    endTimers.delete(id);
  }
  await endConversation(id);
  setPendingEnd(id, null);
}

window.addEventListener("pagehide", () => {
  for (const [id, pending] of endTimers) {
    clearTimeout(pending.timer);
    void api("POST", `/api/conversations/${encodeURIComponent(id)}/end`, undefined, { keepalive: true }).catch(() => null);
  }
  endTimers.clear();
});

export async function endConversation(id: string): Promise<void> {
  try {
    upsertConversations([await api<ConversationSummary>("POST", `/api/conversations/${encodeURIComponent(id)}/end`)]);
    pushToast("Chat ended.", "success", 2500);
  } catch (err) {
    pushToast(`Couldn't end the chat: ${errorText(err)}`, "error");
  }
}

export async function loadConversation(id: string): Promise<ConversationSummary | null> {
  const res = await api<Transcript>("GET", `/api/conversations/${encodeURIComponent(id)}`);
  upsertConversations([res.conversation]);
  setTranscript(id, res.messages);
  return res.conversation;
}

export async function loadBox(box: "incoming" | "active" | "recent"): Promise<void> {
  const res = await api<ConversationList>("GET", `/api/conversations?box=${box}`);
  upsertConversations(res.conversations);
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; message: string };

function failed(err: unknown): { ok: false; status: number; message: string } {
  return { ok: false, status: err instanceof ApiError ? err.status : 0, message: errorText(err) };
}

// Pounce: the rep writes first to a visitor who has no open conversation. A 409 carries the
// server's reason (cold segment, engaged recently, a colleague already chatting...).
export async function pounce(visitorId: string, body: string): Promise<Outcome<string>> {
  const client_id = newClientId();
  try {
    const res = await api<StartedConversation>("POST", `/api/visitors/${encodeURIComponent(visitorId)}/conversations`, {
      body,
      client_id,
    });
    upsertConversations([res.conversation]);
    setTranscript(res.conversation_id, [res.message]);
    return { ok: true, value: res.conversation_id };
  } catch (err) {
    return failed(err);
  }
}

export async function startConversation(visitorId: string, body: string): Promise<string | null> {
  const r = await pounce(visitorId, body);
  if (r.ok) return r.value;
  pushToast(r.status === 409 ? `Can't start a chat: ${r.message}` : `Couldn't start the conversation: ${r.message}`, r.status === 409 ? "info" : "error");
  return null;
}

export async function invite(visitorId: string, message: string, teamId: string | null): Promise<Outcome<Invitation>> {
  try {
    const res = await api<SentInvitation>("POST", `/api/visitors/${encodeURIComponent(visitorId)}/invitations`, {
      message,
      team_id: teamId,
    });
    upsertInvitation(res.invitation);
    return { ok: true, value: res.invitation };
  } catch (err) {
    return failed(err);
  }
}

export async function transferConversation(id: string, toRepId: string, note: string | null): Promise<Outcome<ConversationSummary | null>> {
  ownTransfers.add(id);
  setTimeout(() => ownTransfers.delete(id), 10_000);
  try {
    const c = await api<ConversationSummary>("POST", `/api/conversations/${encodeURIComponent(id)}/transfer`, { to_rep_id: toRepId, note: note || null });
    upsertConversations([c]);
    return { ok: true, value: c };
  } catch (err) {
    return failed(err);
  }
}

export async function blockVisitor(visitorId: string, report: boolean, reason: string | null): Promise<Outcome<{ report_id: string | null }>> {
  try {
    const res = await api<BlockResult>("POST", `/api/visitors/${encodeURIComponent(visitorId)}/block`, {
      report,
      reason: reason || null,
    });
    return { ok: true, value: res };
  } catch (err) {
    return failed(err);
  }
}

export async function resolveAutoPounce(id: string, action: "spam" | "no_response_needed"): Promise<boolean> {
  try {
    await api("POST", `/api/conversations/${encodeURIComponent(id)}/auto-pounce`, { action });
    // The server's conversation.updated clears the alert; clear it here at once too.
    const old = conversations.value.get(id);
    if (old) {
      const meta = { ...(old.meta ?? {}) } as Record<string, unknown>;
      delete meta.awaiting_rep_since;
      delete meta.rep_timeout_at;
      meta.auto_pounce_resolution = action;
      upsertConversations([{ ...old, meta, ...(action === "spam" ? { status: "ended", ended_reason: "spam" } : {}) }]);
    }
    pushToast(action === "spam" ? "Marked as spam: the chat ended." : "Marked: no response needed.", "success", 2500);
    return true;
  } catch (err) {
    pushToast(`Couldn't resolve it: ${errorText(err)}`, "error");
    return false;
  }
}

export async function classify(id: string, patch: Classification): Promise<Outcome<Classification>> {
  try {
    const res = await api<Classification>("PATCH", `/api/conversations/${encodeURIComponent(id)}/classification`, patch);
    const old = conversations.value.get(id);
    if (old) upsertConversations([{ ...old, classification: res }]);
    return { ok: true, value: res };
  } catch (err) {
    return failed(err);
  }
}
