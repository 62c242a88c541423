import { signal } from "@preact/signals";
import { newClientId, sendCallFrame } from "./socket";
import { me, pushToast } from "./store";
import { navigate, paths } from "./router";
import { stopPhone } from "./phonebridge";
import type { CallOut, IceCandidate, IceServer, ServerFrame } from "./types";

type CallFrame = Extract<ServerFrame, { type: "call" | "call_ice" | "call_answer" | "call_candidate" | "call_media" | "call_rejoined" }>;

// Voice and video calls in the console (docs/calls.md). WebRTC peer to peer (or through TURN),
// signalled over the rep socket: the server relays offers, answers, candidates and media state
// between this console tab and the visitor's messenger only (features/calls).
//
// The rep always makes the offer: when the visitor joins, and again when the visitor's
// messenger re-joins after a page load (`call_rejoined`), with a new peer connection; the rep
// does nothing for it. One tab holds a call (its `leg`); the rep's other tabs show it but
// ignore its signalling. The leg is kept in the tab's session storage, so a full page load of
// that tab (a reload) re-joins the call by itself (`call_rejoin`, then a new offer); another
// tab only takes the call when the rep clicks "Move the call here" (`move`), and the tab that
// held it then lets go and says so.

export type CallMedia = "audio" | "video";
export interface RemoteMedia {
  mic: boolean;
  camera: boolean;
  screen: boolean;
}

// Live calls of this rep, by conversation (from `call` frames; ended ones linger for a moment
// so the box can say how the call ended).
export const callsByConversation = signal<ReadonlyMap<string, CallOut>>(new Map());
// The call this tab holds, and what it shows.
export const held = signal<{
  callId: string;
  conversationId: string;
  local: MediaStream | null;
  // What the rep sees of their own side: the screen while sharing it, else `local`.
  preview: MediaStream | null;
  remote: MediaStream | null;
  mic: boolean;
  camera: boolean;
  screen: boolean;
  peer: "waiting" | "connecting" | "connected" | "reconnecting";
  remoteMedia: RemoteMedia | null;
} | null>(null);
// Calls from the messenger's "Call us" ringing this rep (the voice call queue), by call id,
// oldest first. A call leaves when any rep answers it (the first answer wins) or it ends.
export const queuedCalls = signal<ReadonlyMap<string, CallOut>>(new Map());
// The queued call this tab is answering (call_pickup sent, the server's answer not yet here).
export const answering = signal<string | null>(null);
// Why the last call action failed, by conversation (permission refused, server refusal).
export const callErrors = signal<ReadonlyMap<string, string>>(new Map());

const KEEPALIVE_MS = 5000;
const LEG_KEY = "frontdesk:leg"; // this tab's leg (session storage: kept over a reload)
const LEFT_KEY = "frontdesk:leg-left"; // set as the page goes away: the next load is this tab again
const HELD_KEY = "frontdesk:held-call"; // the call this tab holds and what it sent: {id, camera, mic}

// This console tab's leg. The same after a reload of the tab; a new one in a new tab, and in a
// duplicated tab (which gets a copy of the session storage while this page is still open, so
// without the mark a page going away leaves).
function tabLeg(): string {
  try {
    const kept = sessionStorage.getItem(LEG_KEY);
    const reloaded = kept !== null && sessionStorage.getItem(LEFT_KEY) === kept;
    sessionStorage.removeItem(LEFT_KEY);
    if (reloaded) return kept;
    const leg = newClientId().slice(0, 16);
    sessionStorage.setItem(LEG_KEY, leg);
    sessionStorage.removeItem(HELD_KEY);
    return leg;
  } catch {
    return newClientId().slice(0, 16); // no storage: no re-join after a reload
  }
}
const LEG = tabLeg();
addEventListener("pagehide", () => {
  try {
    sessionStorage.setItem(LEFT_KEY, LEG);
  } catch {
    /* no storage */
  }
});
addEventListener("pageshow", (e) => {
  // Back from the back-forward cache: the same page, still open.
  if ((e as PageTransitionEvent).persisted) sessionStorage.removeItem(LEFT_KEY);
});

interface HeldMemory {
  id: string;
  camera: boolean;
  mic: boolean;
}
function rememberHeld(): void {
  const h = held.value;
  try {
    if (h?.callId) sessionStorage.setItem(HELD_KEY, JSON.stringify({ id: h.callId, camera: h.camera, mic: h.mic } satisfies HeldMemory));
    else sessionStorage.removeItem(HELD_KEY);
  } catch {
    /* no storage */
  }
}
function heldBefore(): HeldMemory | null {
  try {
    return JSON.parse(sessionStorage.getItem(HELD_KEY) ?? "null") as HeldMemory | null;
  } catch {
    return null;
  }
}

let pc: RTCPeerConnection | null = null;
let ice: { servers: RTCIceServer[]; policy: RTCIceTransportPolicy } | null = null;
let pendingCandidates: RTCIceCandidateInit[] = [];
let keepaliveTimer: ReturnType<typeof setInterval> | null = null;
let camTrack: MediaStreamTrack | null = null;
let screenTrack: MediaStreamTrack | null = null;
let awaiting: { conversationId: string; media: CallMedia } | null = null; // call_start sent
let authFailure = false; // a TURN server refused our credentials (icecandidateerror 401)
let peersMade = 0; // peer connections this page made (for tests: a re-join makes a new one)

function setError(conversationId: string, message: string | null): void {
  const next = new Map(callErrors.value);
  if (message) next.set(conversationId, message);
  else next.delete(conversationId);
  callErrors.value = next;
}

function patchHeld(patch: Partial<NonNullable<typeof held.value>>): void {
  if (!held.value) return;
  held.value = { ...held.value, ...patch };
  if ("callId" in patch || "camera" in patch || "mic" in patch) rememberHeld();
}

// getUserMedia with a message people can act on when the browser says no.
async function localMedia(media: CallMedia): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error("This browser can't make calls here (calls need HTTPS and a recent browser).");
  try {
    return await navigator.mediaDevices.getUserMedia({ audio: true, video: media === "video" });
  } catch (err) {
    const name = (err as DOMException)?.name;
    if (name === "NotAllowedError" || name === "SecurityError")
      throw new Error(
        `Your browser refused access to the ${media === "video" ? "microphone and camera" : "microphone"}. Allow it in the site settings (the icon left of the address bar), then try again.`,
      );
    if (name === "NotFoundError") throw new Error(`No ${media === "video" ? "camera or microphone" : "microphone"} was found on this computer.`);
    throw new Error(`Couldn't start your ${media === "video" ? "camera and microphone" : "microphone"}: ${(err as Error).message || name}`);
  }
}

export async function startCall(conversationId: string, media: CallMedia): Promise<void> {
  if (held.value) return;
  setError(conversationId, null);
  let stream: MediaStream;
  try {
    stream = await localMedia(media);
  } catch (err) {
    setError(conversationId, (err as Error).message);
    return;
  }
  holdCall("", conversationId, stream, media === "video");
  awaiting = { conversationId, media };
  if (!sendCallFrame({ type: "call_start", conversation_id: conversationId, media, leg: LEG })) {
    release();
    setError(conversationId, "You're offline: the call could not start.");
  }
}

// The visitor asked for a call: allow audio and video, or audio only.
export async function allowCall(call: CallOut, allow: CallMedia): Promise<void> {
  if (held.value) return;
  setError(call.conversation_id, null);
  let stream: MediaStream;
  try {
    stream = await localMedia(allow);
  } catch (err) {
    setError(call.conversation_id, (err as Error).message);
    return;
  }
  holdCall(call.id, call.conversation_id, stream, allow === "video");
  sendCallFrame({ type: "call_accept", call_id: call.id, allow, leg: LEG });
}

// Answer a queued call: the microphone first (the browser may ask), then `call_pickup`. The
// server gives the call to the first rep who answers; this tab learns which from the `call`
// frame every ringing console gets (theirs: the conversation opens) or from a refusal.
export async function pickUpCall(call: CallOut): Promise<void> {
  if (held.value || answering.value) return;
  answering.value = call.id;
  setError(call.conversation_id, null);
  let stream: MediaStream;
  try {
    stream = await localMedia("audio");
  } catch (err) {
    answering.value = null;
    pushToast((err as Error).message, "error", 8000);
    return;
  }
  if (!queuedCalls.value.has(call.id)) {
    // Taken or ended while the browser asked for the microphone.
    stream.getTracks().forEach((t) => t.stop());
    answering.value = null;
    const by = takenBy.get(call.id);
    if (by) tellLoss(call.id, by);
    else pushToast("The caller hung up.", "info", 8000);
    return;
  }
  holdCall("", call.conversation_id, stream, false);
  awaiting = { conversationId: call.conversation_id, media: "audio" };
  if (!sendCallFrame({ type: "call_pickup", call_id: call.id, leg: LEG })) {
    release();
    answering.value = null;
    pushToast("You're offline: the call could not be answered.", "error");
  }
}

// Hide a queued call in this console (the others keep ringing; it may still be answered from
// another tab or after a reload).
export const dismissedCalls = signal<ReadonlySet<string>>(new Set());
export function dismissQueuedCall(call: CallOut): void {
  dismissedCalls.value = new Set([...dismissedCalls.value, call.id]);
}

function unqueue(id: string): void {
  if (!queuedCalls.value.has(id)) return;
  const next = new Map(queuedCalls.value);
  next.delete(id);
  queuedCalls.value = next;
}

// A visitor's request this rep says no to; or a queued call, declined for every rep it rings
// (the first of a Decline and an Answer wins; the caller gets the offline form or the booker).
export function declineCall(call: CallOut): void {
  if (call.queued) declining.add(call.id);
  sendCallFrame({ type: "call_decline", call_id: call.id });
}
const declining = new Set<string>(); // queued calls this tab declined (a refusal comes as an error)
let declineRefusalsDue = 0; // declines that lost, already told: their refusals are not shown again

export function endCall(): void {
  const h = held.value;
  if (!h) return;
  if (h.callId) sendCallFrame({ type: "call_hangup", call_id: h.callId });
  // Ended before the server named the call: hang it up as soon as it does.
  else if (awaiting) cancelled = awaiting.conversationId;
  release();
}

// End a call this tab does not hold (another tab's, or one left over from before a reload).
export function hangUp(call: CallOut): void {
  sendCallFrame({ type: "call_hangup", call_id: call.id });
}

let cancelled: string | null = null; // conversation whose just-started call was ended at once

// ---- re-joining: after a reload of the tab that held the call, or moving it to this tab ----

// The call this tab is joining again (starting the microphone and camera for it).
export const rejoining = signal<string | null>(null);
let joiningAgain: string | null = null; // call_rejoin sent; the server's answer not yet here

function rejoinable(c: CallOut): boolean {
  return c.state === "connecting" || c.state === "active" || (c.initiated_by === "rep" && (c.state === "requested" || c.state === "ringing"));
}

// The socket is live (its snapshot came): a call this tab held before a page load is joined
// again, without the rep doing anything.
export function socketLive(): void {
  if (held.value || rejoining.value) return;
  const myId = me.value?.id;
  for (const call of callsByConversation.value.values())
    if (call.rep_leg === LEG && (!myId || call.rep?.id === myId) && rejoinable(call)) {
      void rejoinCall(call, false);
      return;
    }
}

// "Move the call here": this tab takes the call from another tab of the rep's (the other tab
// lets go and says so), or from a tab that closed.
export function moveCallHere(call: CallOut): void {
  if (held.value) return;
  setError(call.conversation_id, null);
  void rejoinCall(call, true);
}

async function rejoinCall(call: CallOut, move: boolean): Promise<void> {
  if (held.value || rejoining.value) return;
  rejoining.value = call.id;
  const before = heldBefore();
  const kept = before?.id === call.id ? before : null;
  const camera = kept ? kept.camera : call.media === "video";
  // Seen at once, before the browser starts the microphone (it may ask first).
  sendCallFrame({ type: "call_keepalive", call_id: call.id });
  let stream: MediaStream;
  try {
    stream = await localMedia(camera ? "video" : "audio");
  } catch (err) {
    rejoining.value = null;
    setError(call.conversation_id, (err as Error).message);
    return;
  }
  rejoining.value = null;
  const latest = callsByConversation.value.get(call.conversation_id);
  if (held.value || latest?.id !== call.id || latest.state === "ended") {
    stream.getTracks().forEach((t) => t.stop());
    return;
  }
  holdCall(call.id, call.conversation_id, stream, camera);
  if (kept && !kept.mic) {
    stream.getAudioTracks().forEach((t) => (t.enabled = false));
    patchHeld({ mic: false });
  }
  patchHeld({ peer: latest.state === "connecting" || latest.state === "active" ? "reconnecting" : "waiting" });
  joiningAgain = call.id;
  if (!sendCallFrame({ type: "call_rejoin", call_id: call.id, leg: LEG, move })) {
    // The socket dropped meanwhile: joined again once it is back (socketLive).
    joiningAgain = null;
    release();
  }
}

function holdCall(callId: string, conversationId: string, local: MediaStream, camera: boolean): void {
  camTrack = local.getVideoTracks()[0] ?? null;
  held.value = { callId, conversationId, local, preview: null, remote: null, mic: true, camera, screen: false, peer: "waiting", remoteMedia: null };
  rememberHeld();
  if (keepaliveTimer) clearInterval(keepaliveTimer);
  keepaliveTimer = setInterval(() => {
    const id = held.value?.callId;
    // media_connected: the visitor's media reaches us, so they are alive even while their
    // socket reconnects (their server process died, say).
    if (id) sendCallFrame({ type: "call_keepalive", call_id: id, media_connected: pc?.connectionState === "connected" });
  }, KEEPALIVE_MS);
}

function release(): void {
  awaiting = null;
  stopPhone(); // the visitor's phone on this call (Twilio) goes with it
  if (keepaliveTimer) clearInterval(keepaliveTimer);
  keepaliveTimer = null;
  closePeer();
  held.value?.local?.getTracks().forEach((t) => t.stop());
  screenTrack?.stop();
  camTrack?.stop();
  camTrack = screenTrack = null;
  ice = null;
  held.value = null;
  rememberHeld();
}

function closePeer(): void {
  if (pc) {
    pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = pc.onicecandidateerror = pc.onicegatheringstatechange = null;
    pc.close();
  }
  pc = null;
  pendingCandidates = [];
}

function sendMediaState(): void {
  const h = held.value;
  if (h?.callId) sendCallFrame({ type: "call_media", call_id: h.callId, mic: h.mic, camera: h.camera, screen: h.screen });
}

export function toggleMic(): void {
  const h = held.value;
  if (!h?.local) return;
  const on = !h.mic;
  h.local.getAudioTracks().forEach((t) => (t.enabled = on));
  patchHeld({ mic: on });
  sendMediaState();
}

export async function toggleCamera(): Promise<void> {
  const h = held.value;
  if (!h?.local) return;
  if (h.camera) {
    if (camTrack) camTrack.enabled = false;
    patchHeld({ camera: false });
  } else {
    if (!camTrack) {
      try {
        camTrack = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0] ?? null;
      } catch {
        setError(h.conversationId, "Your browser refused access to the camera. Allow it in the site settings (the icon left of the address bar), then try again.");
        return;
      }
      if (camTrack) h.local.addTrack(camTrack);
      if (!h.screen) await videoSender()?.replaceTrack(camTrack);
    }
    if (camTrack) camTrack.enabled = true;
    patchHeld({ camera: true, local: h.local });
  }
  sendMediaState();
}

// Screen share (reps only): the screen replaces the camera on the same video sender, so no
// renegotiation; stopping it (here or in the browser's own bar) puts the camera back.
export async function toggleScreen(): Promise<void> {
  const h = held.value;
  if (!h) return;
  if (screenTrack) {
    stopScreen();
    return;
  }
  try {
    const display = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    screenTrack = display.getVideoTracks()[0] ?? null;
  } catch {
    return; // the rep cancelled the picker
  }
  if (!screenTrack) return;
  screenTrack.onended = stopScreen;
  await videoSender()?.replaceTrack(screenTrack);
  patchHeld({ screen: true, preview: new MediaStream([screenTrack]) });
  sendMediaState();
}

function stopScreen(): void {
  screenTrack?.stop();
  screenTrack = null;
  void videoSender()?.replaceTrack(camTrack);
  patchHeld({ screen: false, preview: null });
  sendMediaState();
}

function videoSender(): RTCRtpSender | null {
  return pc?.getTransceivers().find((t) => t.receiver.track.kind === "video")?.sender ?? null;
}

// A new peer connection and offer: when the visitor joins, and after each re-join.
async function offer(): Promise<void> {
  const h = held.value;
  if (!h || !ice || !h.local) return;
  closePeer();
  authFailure = false;
  peersMade++;
  const peer = (pc = new RTCPeerConnection({ iceServers: ice.servers, iceTransportPolicy: ice.policy }));
  const remote = new MediaStream();
  // A call that was connected stays "reconnecting" until media flows on the new connection.
  patchHeld({ remote, peer: h.peer === "reconnecting" ? "reconnecting" : "connecting", remoteMedia: null });
  const audio = h.local.getAudioTracks()[0];
  peer.addTransceiver(audio ?? "audio", { direction: "sendrecv", streams: [h.local] });
  // Always a video transceiver, so the camera or a screen can start later without renegotiating.
  peer.addTransceiver(screenTrack ?? camTrack ?? "video", { direction: "sendrecv", streams: [h.local] });
  peer.ontrack = (e) => {
    remote.addTrack(e.track);
    patchHeld({ remote: new MediaStream(remote.getTracks()) });
  };
  let gathered = 0;
  peer.onicecandidate = (e) => {
    if (e.candidate) gathered++;
    if (e.candidate && held.value?.callId) sendCallFrame({ type: "call_candidate", call_id: held.value.callId, candidate: candidateOf(e.candidate) });
  };
  // Relay only, and the TURN server gave us nothing (a refused credential): ICE would wait
  // for ever for a candidate, so fail now and say why.
  peer.onicegatheringstatechange = () => {
    if (pc === peer && peer.iceGatheringState === "complete" && gathered === 0 && ice?.policy === "relay") fail(peer);
  };
  peer.onicecandidateerror = (e) => {
    if ((e as RTCPeerConnectionIceErrorEvent).errorCode === 401) authFailure = true;
  };
  peer.onconnectionstatechange = () => {
    if (pc !== peer) return;
    const state = peer.connectionState;
    const id = held.value?.callId;
    if (state === "connected") {
      patchHeld({ peer: "connected" });
      if (id) sendCallFrame({ type: "call_connected", call_id: id });
      sendMediaState();
    } else if (state === "failed") fail(peer);
    else if (state === "disconnected") patchHeld({ peer: "reconnecting" });
  };
  const description = await peer.createOffer();
  await peer.setLocalDescription(description);
  if (held.value?.callId) sendCallFrame({ type: "call_offer", call_id: held.value.callId, sdp: description.sdp ?? "" });
}

function fail(peer: RTCPeerConnection): void {
  const h = held.value;
  if (pc !== peer || !h) return;
  const why = failureText();
  setError(h.conversationId, why);
  if (h.callId) sendCallFrame({ type: "call_hangup", call_id: h.callId, failed: why });
  release();
}

function candidateOf(c: RTCIceCandidate): IceCandidate {
  const j = c.toJSON();
  return { candidate: j.candidate ?? "", sdpMid: j.sdpMid ?? null, sdpMLineIndex: j.sdpMLineIndex ?? null, usernameFragment: j.usernameFragment ?? null };
}

// The server's entries as RTCIceServer (no null username or credential: a STUN entry has none).
function rtcServers(list: IceServer[]): RTCIceServer[] {
  return list.map((s) => (s.username != null && s.credential != null ? { urls: s.urls, username: s.username, credential: s.credential } : { urls: s.urls }));
}

function failureText(): string {
  if (authFailure) return "The call could not connect: the relay (TURN) server refused the call's credentials (wrong or expired).";
  if (ice?.policy === "relay") return "The call could not connect through the relay (TURN) server.";
  return "The call could not connect: no network path between you and the visitor.";
}

// Frames of the rep socket about calls (socket.ts hands them over).
export function onCallFrame(f: CallFrame): void {
  switch (f.type) {
    case "call": {
      const call = f.call;
      if (call.queued) {
        // Ringing this rep (and others): the queue shows it until someone answers.
        if (call.state !== "ended") queuedCalls.value = new Map(queuedCalls.value).set(call.id, call);
        break;
      }
      const wasQueued = queuedCalls.value.has(call.id);
      unqueue(call.id);
      if (declining.has(call.id) && (call.state === "ended" || call.rep)) {
        // This tab declined it: done, or someone (an answer, the caller) was first.
        declining.delete(call.id);
        if (call.end_reason === "declined" && !call.rep) pushToast("Call declined: the caller can leave a message or book a meeting.", "info");
        else {
          pushToast(call.rep ? `${call.rep.name} answered the call first.` : "The caller hung up.", "info", 8000);
          declineRefusalsDue++; // the server's refusal of the decline is on its way
        }
      }
      const myId = me.value?.id;
      if (call.rep && myId && call.rep.id !== myId) {
        // Another rep answered a call that rang here: it is theirs.
        if (wasQueued) takenBy.set(call.id, call.rep.name);
        if (answering.value === call.id || refusedAsTaken === call.id) {
          // This tab answered too, a moment later (or is still starting its microphone).
          if (answering.value === call.id && held.value && !held.value.callId) {
            release();
            refusalDue = true; // its call_pickup went out: the refusal is on its way
          }
          answering.value = null;
          refusedAsTaken = null;
          tellLoss(call.id, call.rep.name);
        }
        break;
      }
      if (wasQueued && !call.rep) break; // ended in the queue (missed, the visitor hung up)
      if (answering.value === call.id && call.rep?.id === myId) {
        answering.value = null;
        navigate(paths.conversation(call.conversation_id));
      }
      const next = new Map(callsByConversation.value);
      next.set(call.conversation_id, call);
      callsByConversation.value = next;
      if (cancelled === call.conversation_id && call.rep_leg === LEG && call.state !== "ended") {
        cancelled = null;
        sendCallFrame({ type: "call_hangup", call_id: call.id });
      }
      if (joiningAgain === call.id && call.rep_leg === LEG) joiningAgain = null;
      if (held.value?.callId === call.id && call.rep_leg && call.rep_leg !== LEG && call.state !== "ended" && joiningAgain !== call.id) {
        // The rep moved the call to another tab ("Move the call here" there): let go.
        release();
        setError(call.conversation_id, "This call moved to another window.");
      }
      const h = held.value;
      if (h && !h.callId && awaiting && call.conversation_id === awaiting.conversationId && call.rep_leg === LEG) {
        patchHeld({ callId: call.id });
        awaiting = null;
      }
      const mine = held.value?.callId === call.id;
      if (call.state === "ended") {
        if (mine) {
          release();
          if (call.end_reason === "failed" && call.end_detail) setError(call.conversation_id, `The call ended: ${call.end_detail}.`);
        }
        setTimeout(() => {
          if (callsByConversation.value.get(call.conversation_id)?.id !== call.id || callsByConversation.value.get(call.conversation_id)?.state !== "ended") return;
          const left = new Map(callsByConversation.value);
          left.delete(call.conversation_id);
          callsByConversation.value = left;
        }, 6000);
      } else if (mine && call.state === "connecting" && !pc) void offer();
      break;
    }
    case "call_ice":
      if (held.value && (held.value.callId === f.call_id || (!held.value.callId && awaiting))) {
        ice = { servers: rtcServers(f.ice_servers), policy: f.ice_transport_policy };
        if (!held.value.callId) patchHeld({ callId: f.call_id });
        awaiting = null;
        if (joiningAgain === f.call_id) joiningAgain = null;
        const call = callsByConversation.value.get(held.value.conversationId);
        // (active: joined again after a reload; a new peer connection, a new offer)
        if (call?.id === f.call_id && (call.state === "connecting" || call.state === "active") && !pc) void offer();
      }
      break;
    case "call_answer":
      if (pc && held.value?.callId === f.call_id)
        void pc.setRemoteDescription({ type: "answer", sdp: f.sdp }).then(flushCandidates, () => undefined);
      break;
    case "call_candidate":
      if (held.value?.callId === f.call_id) {
        pendingCandidates.push(f.candidate as RTCIceCandidateInit);
        flushCandidates();
      }
      break;
    case "call_media":
      if (held.value?.callId === f.call_id) patchHeld({ remoteMedia: { mic: f.mic, camera: f.camera, screen: f.screen } });
      break;
    case "call_rejoined":
      // The visitor's messenger came back after a page load: a new connection, at once.
      if (held.value?.callId === f.call_id) {
        patchHeld({ peer: "reconnecting" });
        void offer();
      }
      break;
  }
}

function flushCandidates(): void {
  if (!pc?.remoteDescription) return;
  const list = pendingCandidates;
  pendingCandidates = [];
  for (const c of list) void pc.addIceCandidate(c).catch(() => undefined);
}

// A refused call frame (the server's `error`): shown in the video box, not as a toast.
const takenBy = new Map<string, string>(); // queued call id -> the rep who answered it
const toldLoss = new Set<string>(); // queued calls this tab answered too late, already said so
let refusedAsTaken: string | null = null; // refused as taken; who took it comes in its frame
let refusalDue = false; // released on the winner's frame; the server's refusal still to come

// Said once per call, whichever comes first: the winner's frame or the server's refusal.
const lossesTold: string[] = []; // what tellLoss said, for tests (a toast goes after 8 s)
function tellLoss(id: string, winner: string): void {
  if (toldLoss.has(id)) return;
  toldLoss.add(id);
  lossesTold.push(`${winner} answered the call first.`);
  pushToast(`${winner} answered the call first.`, "info", 8000);
}

// The frames that start, answer, join or decline a call: refused for too many of them
// (`rate_limited`), the attempt is over as for any other refusal. Any other frame refused for
// its rate (a candidate, a keepalive, typing...) is no refused call: socket.ts says "Slow down".
const CALL_ATTEMPT_FRAMES = new Set(["call_start", "call_accept", "call_pickup", "call_rejoin", "call_decline"]);

export function callRefused(message: string, code: string | null = null, frameType: string | null = null): boolean {
  if (code === "rate_limited" && !(frameType && CALL_ATTEMPT_FRAMES.has(frameType))) return false;
  const h = held.value;
  if (h && joiningAgain && h.callId === joiningAgain) {
    // Joining again was refused (the call ended meanwhile, or another tab holds it).
    joiningAgain = null;
    release();
    setError(h.conversationId, message.charAt(0).toUpperCase() + message.slice(1) + ".");
    return true;
  }
  const tooLate = message.startsWith("already answered") || message === "this call has ended";
  if (declineRefusalsDue && tooLate) {
    declineRefusalsDue--;
    return true;
  }
  if (declining.size && tooLate) {
    // Too late to decline a queued call: answered first by someone, or the caller hung up.
    const id = [...declining].pop() as string;
    declining.delete(id);
    const by = takenBy.get(id);
    pushToast(by ? `${by} answered the call first.` : message.startsWith("already") ? "Another rep answered the call first." : "The caller hung up.", "info", 8000);
    return true;
  }
  if (!h && refusalDue) {
    refusalDue = false;
    return true; // already told who answered first
  }
  if (!h || h.callId) return false;
  if (answering.value) {
    // Another rep answered first (or the caller hung up): the queue entry goes with its frame.
    const id = answering.value;
    answering.value = null;
    release();
    const by = takenBy.get(id);
    if (by) tellLoss(id, by);
    else if (message.startsWith("already answered")) refusedAsTaken = id; // named by its frame
    else pushToast(message.charAt(0).toUpperCase() + message.slice(1) + ".", "info");
    return true;
  }
  setError(h.conversationId, message);
  release();
  return true;
}

// For end-to-end tests and the benchmark: bytes received so far, per kind, and the state.
(window as unknown as { __frontdeskCall: unknown }).__frontdeskCall = {
  state: () => ({
    id: held.value?.callId || null,
    peer: held.value?.peer ?? null,
    call: held.value ? callsByConversation.value.get(held.value.conversationId)?.state ?? null : null,
    peers: peersMade,
    leg: LEG,
  }),
  losses: () => [...lossesTold],
  async inbound(): Promise<{ audio: number; video: number; relay: boolean }> {
    const out = { audio: 0, video: 0, relay: false };
    if (!pc) return out;
    const stats = await pc.getStats();
    stats.forEach((s: { type: string; kind?: string; bytesReceived?: number; state?: string; nominated?: boolean; localCandidateId?: string }) => {
      if (s.type === "inbound-rtp" && (s.kind === "audio" || s.kind === "video")) out[s.kind] += s.bytesReceived ?? 0;
      if (s.type === "candidate-pair" && s.state === "succeeded" && s.nominated && s.localCandidateId) {
        const local = stats.get(s.localCandidateId) as { candidateType?: string } | undefined;
        if (local?.candidateType === "relay") out.relay = true;
      }
    });
    return out;
  },
};
