// Calls in the messenger (bundled into messenger.js; the loader knows nothing of them).
// WebRTC, signalled over the loader's socket: the rep's console makes the offer, the messenger
// answers. Nothing of the visitor (no microphone, no camera) is asked for or sent before they
// choose to join. After a full page load, a tab that was in a call joins it again by itself:
// a new peer connection, the same call; the rep's console offers again without the rep doing
// anything (docs/calls.md).
import type { Bridge, BridgeFrame, Conversation, Welcome } from "./types";
import type { Translate } from "./i18n";
import type * as S from "../generated/openapi";

type Call = S.CallOut;
type Media = "audio" | "video";
type Kid = Node | string | null | undefined | false;
type H = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | undefined>, ...kids: Kid[]) => HTMLElementTagNameMap[K];

const P = {
  mic: "M12 2a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3zM5 10a7 7 0 0 0 14 0M12 17v5",
  micOff: "M2 2l20 20M9 9v2a3 3 0 0 0 5 2M15 9V5a3 3 0 0 0-6-.5M17 16a7 7 0 0 1-12-6M12 17v5",
  cam: "M23 7l-7 5 7 5zM3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
  camOff: "M2 2l20 20M16 16v1a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2h2M10 5h4a2 2 0 0 1 2 2v3l7-3v10",
  full: "M8 3H5a2 2 0 0 0-2 2v3M21 8V5a2 2 0 0 0-2-2h-3M3 16v3a2 2 0 0 0 2 2h3M16 21h3a2 2 0 0 0 2-2v-3",
  phone: "M22 17v3a2 2 0 0 1-2 2A20 20 0 0 1 2 4a2 2 0 0 1 2-2h3a2 2 0 0 1 2 1.7l.7 2.8a2 2 0 0 1-.5 2L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2-.5l2.8.7A2 2 0 0 1 22 17z",
};
const KEEPALIVE_MS = 5000;
const REOFFER_WAIT_MS = 30_000; // a connected call whose media stopped waits this long for a new offer
const CALL_KEY = "frontdesk:call"; // sessionStorage: the call this tab is in (re-joined after a page load)

function candidateOf(c: RTCIceCandidate): S.IceCandidate {
  const j = c.toJSON();
  return { candidate: j.candidate ?? "", sdpMid: j.sdpMid ?? null, sdpMLineIndex: j.sdpMLineIndex ?? null, usernameFragment: j.usernameFragment ?? null };
}

export interface CallUi {
  box: HTMLElement; // the call area, at the top of the panel
  offer: HTMLElement; // "Call us" (the voice call queue), above the conversation
  startButtons: HTMLElement; // "call us" buttons for the header (visitor-initiated calls)
  onFrame(f: BridgeFrame): boolean;
  onWelcome(w: Welcome): void;
  setConversation(c: Conversation | null): void;
  /** The visitor's phone answered for this browser call: their microphone here goes quiet (the phone carries their voice). */
  phoneAnswered(callId: string | null): void;
}

export function callUi(
  b: Bridge,
  h: H,
  icon: (d: string) => SVGSVGElement,
  avatar: (name: string) => HTMLElement,
  openPanel: () => void,
  t: Translate,
  // Where "Call my phone instead" belongs now (phone.ts): this call's screen, "Call us", or nowhere.
  placePhone: (where: "call" | "offer" | null, callId: string | null) => void = () => undefined,
): CallUi {
  const tabId = () => {
    try {
      return sessionStorage.getItem("frontdesk:tab") || "tab";
    } catch {
      return "tab";
    }
  };
  const remember = (id: string | null) => {
    try {
      if (id) sessionStorage.setItem(CALL_KEY, id);
      else sessionStorage.removeItem(CALL_KEY);
    } catch {
      /* private mode: no re-join after a page load */
    }
  };
  const remembered = () => {
    try {
      return sessionStorage.getItem(CALL_KEY);
    } catch {
      return null;
    }
  };

  let call: Call | null = null;
  let conversation: Conversation | null = null;
  let visitorCalls = false;
  let callQueue = false; // "Call us" offered to this visit (welcome.config.call_queue)
  let orgName = "us";
  let music: { ctx: AudioContext; timer: number; played: number } | null = null; // hold music playing
  let holding = false; // this tab is in the call (asked for it, or joined it)
  let local: MediaStream | null = null;
  let remote: MediaStream | null = null;
  let pc: RTCPeerConnection | null = null;
  let ice: { servers: RTCIceServer[]; policy: RTCIceTransportPolicy } | null = null;
  let pendingOffer: string | null = null;
  let candidates: RTCIceCandidateInit[] = [];
  let mic = true;
  let camera = false;
  let remoteCam = true;
  let connectedAt = 0;
  let keepalive = 0;
  let ticker = 0;
  let rang = ""; // call_ringing sent for this call
  let authFailure = false;
  let offerWait = 0; // waiting for a new offer after the media stopped (waitForOffer)
  let peersMade = 0; // peer connections this page made (for tests: a re-join makes a new one)
  let remoteScreen = false; // the rep is sharing their screen
  let note = ""; // a message about the last thing that went wrong

  // ---- elements ----
  const remoteVideo = h("video", { class: "cv-remote", autoplay: "", playsinline: "", "aria-label": t("callRemoteVideo") });
  const localVideo = h("video", { class: "cv-local", autoplay: "", playsinline: "", "aria-label": t("callLocalVideo") });
  localVideo.muted = true;
  remoteVideo.muted = true; // the sound plays in remoteAudio, once
  const remoteAudio = h("audio", { autoplay: "" });
  const who = h("span", { class: "cv-who" });
  const stage = h("div", { class: "cv-stage" }, who, remoteVideo, localVideo, remoteAudio);
  const state = h("div", { class: "cv-state", role: "status" });
  const err = h("p", { class: "cv-err", role: "alert" });
  const btn = (label: string, d: string, cls = "cv-b") => {
    const el = h("button", { type: "button", class: cls, "aria-label": label, title: label }, icon(d));
    return el;
  };
  const micBtn = btn(t("callMute"), P.mic);
  const camBtn = btn(t("callCameraOn"), P.camOff);
  const fullBtn = btn(t("callFullScreen"), P.full);
  const endBtn = h("button", { type: "button", class: "cv-end", "aria-label": t("callEnd") }, t("callEndShort"));
  const controls = h("div", { class: "cv-controls" }, micBtn, camBtn, fullBtn, endBtn);
  const joinVideo = h("button", { type: "button", class: "cv-join" }, t("callJoinVideo"));
  const joinAudio = h("button", { type: "button", class: "cv-join" }, t("callJoinAudio"));
  const notNow = h("button", { type: "button", class: "cv-no" }, t("callNotNow"));
  const incoming = h("div", { class: "cv-incoming" }, joinVideo, joinAudio, notNow);
  const privacy = h("p", { class: "cv-note" }, t("callNotRecorded"));
  const box = h("section", { class: "cv", "aria-label": t("callArea"), hidden: "" }, stage, state, incoming, controls, err, privacy);
  const askVoice = h("button", { type: "button", class: "ib", "aria-label": t("callStartVoice"), title: t("callVoice") }, icon(P.phone));
  const askVideo = h("button", { type: "button", class: "ib", "aria-label": t("callStartVideo"), title: t("callVideo") }, icon(P.cam));
  const startButtons = h("span", { class: "cv-ask", hidden: "" }, askVoice, askVideo);
  const callUsBtn = h("button", { type: "button", class: "cv-callus" }, icon(P.phone), t("callUs"));
  const offer = h("div", { class: "cv-offer", hidden: "" }, h("span", {}, t("callUsOffer")), callUsBtn);

  const repName = () => call?.rep?.name || conversation?.rep?.name || t("callTeam");
  const live = () => !!call && call.state != "ended";

  function paint(): void {
    const c = call;
    const inCall = holding && !!c && (c.state == "connecting" || c.state == "active");
    const ringing = !!c && c.initiated_by == "rep" && (c.state == "requested" || c.state == "ringing") && !holding;
    const waiting = holding && !!c && c.initiated_by == "visitor" && (c.state == "requested" || c.state == "ringing");
    const onHold = waiting && !!c?.queued;
    holdMusic(onHold);
    box.hidden = !(ringing || holding || note || c?.state == "ended"); // (an ended call: 6 s)
    incoming.hidden = !ringing;
    joinVideo.hidden = c?.media != "video";
    controls.hidden = !(holding && (inCall || waiting));
    stage.hidden = !(holding || ringing);
    const showRemote = inCall && !!remote?.getVideoTracks().length && remoteCam;
    remoteVideo.hidden = !showRemote;
    localVideo.hidden = !(holding && camera && local?.getVideoTracks().length);
    who.hidden = showRemote;
    who.replaceChildren(avatar(onHold || (holding && !c) ? orgName : repName()));
    micBtn.replaceChildren(icon(mic ? P.mic : P.micOff));
    micBtn.setAttribute("aria-label", t(mic ? "callMute" : "callUnmute"));
    micBtn.classList.toggle("off", !mic);
    camBtn.replaceChildren(icon(camera ? P.cam : P.camOff));
    camBtn.setAttribute("aria-label", t(camera ? "callCameraOff" : "callCameraOn"));
    camBtn.classList.toggle("off", !camera);
    camBtn.hidden = c?.visitor_media == "audio" || !!c?.queued; // audio only (allowed, or a queue call)
    const connected = !!connectedAt && pc?.connectionState == "connected";
    state.textContent = ringing
      ? t(c?.media == "video" ? "callIncomingVideo" : "callIncoming", { name: repName() })
      : onHold
        ? holdText()
        : holding && !c
          ? t("calling")
          : waiting
        ? t("callSoon", { name: repName() })
        : inCall
          ? connected
            ? t("callOn", { name: repName(), time: clock() }) + (remoteScreen ? " · " + t("callSharing") : "")
            : connectedAt
              ? t("callReconnecting")
              : t("callConnecting")
          : c?.state == "ended"
            ? endedText(c)
            : "";
    err.textContent = note;
    err.hidden = !note;
    askVoice.hidden = askVideo.hidden = !(visitorCalls && conversation?.status == "active" && !!conversation.rep);
    startButtons.hidden = askVoice.hidden || live() || holding;
    // "Call us": offered to this visit, and no rep has the chat yet (then the rep calls, or
    // the visitor asks them with the buttons above).
    offer.hidden = !(callQueue && conversation?.status != "active" && !conversation?.offline && !live() && !holding);
    placePhone(holding && c && live() ? "call" : offer.hidden ? null : "offer", holding && c && live() ? c.id : null);
  }
  function clock(): string {
    const s = Math.max(0, Math.floor((Date.now() - connectedAt) / 1000));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }
  function endedText(c: Call): string {
    // A queued call nobody answered, or one a rep declined for the team: the chat below
    // offers the offline form (or the meeting booker).
    if (c.queued || (c.initiated_by == "visitor" && !c.rep && (c.end_reason == "missed" || c.end_reason == "declined")))
      return t("callNobody");
    const texts: Record<string, string> = {
      ended_by_rep: t("callEndedByRep", { name: repName() }),
      ended_by_visitor: t("callEndedByYou"),
      declined: t("callDeclined"),
      missed: t("callMissed"),
      blocked: t("callEnded"),
      failed: t("callFailed"),
    };
    return texts[c.end_reason || ""] || t("callEnded");
  }

  // ---- media ----
  async function getMedia(media: Media): Promise<MediaStream | null> {
    note = "";
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw new DOMException("", "NotSupportedError");
      return await navigator.mediaDevices.getUserMedia({ audio: true, video: media == "video" });
    } catch (e) {
      const name = (e as DOMException).name;
      note =
        name == "NotAllowedError" || name == "SecurityError"
          ? t(media == "video" ? "callBlockedBoth" : "callBlockedMic")
          : name == "NotFoundError"
            ? t("callNoDevice")
            : t("callUnsupported");
      paint();
      return null;
    }
  }

  function hold(stream: MediaStream): void {
    local = stream;
    holding = true;
    mic = true;
    camera = stream.getVideoTracks().length > 0;
    localVideo.srcObject = stream;
    clearInterval(keepalive);
    keepalive = window.setInterval(() => {
      if (call && holding) b.send({ type: "call_keepalive", call_id: call.id, media_connected: pc?.connectionState == "connected" });
      // Talking is being here: keep the loader from reporting the visitor idle (an idle
      // visitor's chat, and its call, would end after 10 minutes).
      dispatchEvent(new Event("pointermove"));
    }, KEEPALIVE_MS);
    clearInterval(ticker);
    ticker = window.setInterval(paint, 1000);
  }

  function release(): void {
    holding = false;
    clearInterval(keepalive);
    clearInterval(ticker);
    clearTimeout(offerWait);
    closePeer();
    local?.getTracks().forEach((t) => t.stop());
    local = remote = null;
    localVideo.srcObject = remoteVideo.srcObject = remoteAudio.srcObject = null;
    ice = null;
    pendingOffer = null;
    connectedAt = 0;
    remoteScreen = false;
    remember(null);
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  }

  function closePeer(): void {
    if (pc) {
      pc.onicecandidate = pc.ontrack = pc.onconnectionstatechange = pc.onicecandidateerror = pc.onicegatheringstatechange = null;
      pc.close();
    }
    pc = null;
    candidates = [];
  }

  function sendMedia(): void {
    if (call && holding) b.send({ type: "call_media", call_id: call.id, mic, camera, screen: false });
  }

  async function answer(sdp: string): Promise<void> {
    if (!call || !local || !ice) {
      pendingOffer = sdp; // answered once the ICE servers (and our media) are here
      return;
    }
    pendingOffer = null;
    clearTimeout(offerWait);
    closePeer();
    authFailure = false;
    peersMade++;
    const peer = (pc = new RTCPeerConnection({ iceServers: ice.servers, iceTransportPolicy: ice.policy }));
    const stream = (remote = new MediaStream());
    peer.ontrack = (e) => {
      stream.addTrack(e.track);
      remoteVideo.srcObject = remoteAudio.srcObject = new MediaStream(stream.getTracks());
      paint();
    };
    let gathered = 0;
    peer.onicecandidate = (e) => {
      if (e.candidate) gathered++;
      if (e.candidate && call) b.send({ type: "call_candidate", call_id: call.id, candidate: candidateOf(e.candidate) });
    };
    // Relay only, and the TURN server gave us nothing (a refused credential): fail now.
    peer.onicegatheringstatechange = () => {
      if (pc == peer && peer.iceGatheringState == "complete" && !gathered && ice?.policy == "relay") fail(peer);
    };
    peer.onicecandidateerror = (e) => {
      if ((e as RTCPeerConnectionIceErrorEvent).errorCode == 401) authFailure = true;
    };
    peer.onconnectionstatechange = () => {
      if (pc != peer || !call) return;
      const s = peer.connectionState;
      if (s == "connected") {
        connectedAt ||= call.connected_at ? Date.parse(call.connected_at) : Date.now();
        b.send({ type: "call_connected", call_id: call.id });
        sendMedia();
      } else if (s == "failed") {
        if (connectedAt) waitForOffer(peer);
        else fail(peer);
      }
      paint();
    };
    await peer.setRemoteDescription({ type: "offer", sdp });
    for (const t of peer.getTransceivers()) {
      const kind = t.receiver.track.kind;
      const track = kind == "audio" ? local.getAudioTracks()[0] : local.getVideoTracks()[0];
      t.direction = "sendrecv";
      await t.sender.replaceTrack(track || null);
    }
    const a = await peer.createAnswer();
    await peer.setLocalDescription(a);
    b.send({ type: "call_answer", call_id: call.id, sdp: a.sdp || "" });
    flush();
  }

  // Media stopped on a call that was connected: most often the rep's console is loading again
  // (a reload), and it will join again with a new offer. Wait for it rather than end the
  // call; the server ends it if the rep's console does not come back (its grace period), and
  // a live console re-offers or ends it itself. Past REOFFER_WAIT_MS, give up here too.
  function waitForOffer(peer: RTCPeerConnection): void {
    clearTimeout(offerWait);
    offerWait = window.setTimeout(() => {
      if (pc == peer && peer.connectionState != "connected") fail(peer, true);
    }, REOFFER_WAIT_MS);
  }

  function fail(peer: RTCPeerConnection, lost = false): void {
    if (pc != peer || !call) return;
    // the rep's console is told why in English (reps read the server's words); the visitor reads it in theirs
    const reason = lost
      ? `The connection to ${repName()} was lost.`
      : authFailure
        ? "The call could not connect: the relay server refused the call's credentials (wrong or expired)."
        : "The call could not connect. Check your network and try again.";
    note = lost ? t("callLost", { name: repName() }) : t(authFailure ? "callRelayRefused" : "callNetwork");
    b.send({ type: "call_hangup", call_id: call.id, failed: reason });
    release();
    paint();
  }

  function flush(): void {
    if (!pc?.remoteDescription) return;
    const list = candidates;
    candidates = [];
    for (const c of list) void pc.addIceCandidate(c).catch(() => undefined);
  }

  // ---- what the visitor does ----
  async function join(media: Media): Promise<void> {
    const c = call;
    if (!c) return;
    const stream = await getMedia(media);
    if (!stream || call?.id != c.id || call.state == "ended") {
      stream?.getTracks().forEach((t) => t.stop());
      return;
    }
    hold(stream);
    remember(c.id);
    b.send({ type: "call_accept", call_id: c.id, media, tab_id: tabId() });
    paint();
  }
  joinVideo.onclick = () => void join("video");
  joinAudio.onclick = () => void join("audio");
  notNow.onclick = () => {
    if (call) b.send({ type: "call_decline", call_id: call.id });
  };

  async function ask(media: Media): Promise<void> {
    const stream = await getMedia(media);
    if (!stream) return;
    hold(stream);
    paint();
    b.send({ type: "call_request", media, tab_id: tabId() });
  }
  askVoice.onclick = () => void ask("audio");

  // "Call us": the call waits in the team's queue; the first rep to answer takes it.
  async function callUs(): Promise<void> {
    const stream = await getMedia("audio");
    if (!stream) return;
    hold(stream);
    paint();
    b.send({ type: "call_queue", tab_id: tabId() });
  }
  callUsBtn.onclick = () => void callUs();

  function holdText(): string {
    return t("callHold", { org: orgName });
  }

  // On hold: the greeting, spoken once (the browser's own voice, when it has one), then a soft
  // loop made here (no sound file): a rising four-note figure every 4 s.
  function holdMusic(on: boolean): void {
    if (!on) {
      if (music) {
        clearInterval(music.timer);
        void music.ctx.close().catch(() => undefined);
        music = null;
        try {
          speechSynthesis.cancel();
        } catch {
          /* no speech here */
        }
      }
      return;
    }
    if (music) return;
    let ctx: AudioContext;
    try {
      ctx = new AudioContext();
    } catch {
      return;
    }
    const playing = (music = { ctx, timer: 0, played: 0 });
    const phrase = () => {
      playing.played++;
      const t0 = ctx.currentTime + 0.05;
      [523.25, 659.25, 783.99, 659.25].forEach((freq, i) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = "sine";
        osc.frequency.value = freq;
        const t = t0 + i * 0.45;
        gain.gain.setValueAtTime(0.0001, t);
        gain.gain.exponentialRampToValueAtTime(0.06, t + 0.05);
        gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.42);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + 0.45);
      });
    };
    try {
      speechSynthesis.speak(new SpeechSynthesisUtterance(holdText()));
    } catch {
      /* no speech synthesis: the text on screen says it */
    }
    // After the greeting (about 4 s), the loop.
    playing.timer = window.setInterval(phrase, 4000);
  }
  askVideo.onclick = () => void ask("video");

  endBtn.onclick = () => {
    if (call && live()) b.send({ type: "call_hangup", call_id: call.id });
    release();
    paint();
  };
  micBtn.onclick = () => {
    mic = !mic;
    local?.getAudioTracks().forEach((t) => (t.enabled = mic));
    sendMedia();
    paint();
  };
  camBtn.onclick = async () => {
    if (!local) return;
    if (!local.getVideoTracks().length) {
      let track: MediaStreamTrack | undefined;
      try {
        track = (await navigator.mediaDevices.getUserMedia({ video: true })).getVideoTracks()[0];
      } catch {
        note = t("callBlockedCamera");
        paint();
        return;
      }
      if (!track || !local) return;
      local.addTrack(track);
      localVideo.srcObject = local;
      const sender = pc?.getTransceivers().find((t) => t.receiver.track.kind == "video")?.sender;
      await sender?.replaceTrack(track);
      camera = true;
    } else {
      camera = !camera;
      local.getVideoTracks().forEach((t) => (t.enabled = camera));
    }
    sendMedia();
    paint();
  };
  fullBtn.onclick = () => {
    if (document.fullscreenElement) void document.exitFullscreen();
    else void box.requestFullscreen?.().catch(() => undefined);
  };

  // A page load (or a reconnect) in a tab that was in the call: join again.
  async function rejoin(c: Call): Promise<void> {
    const media: Media = c.visitor_media == "video" ? "video" : "audio";
    const stream = holding && local ? local : await getMedia(media);
    if (!stream) return;
    if (!holding) hold(stream);
    b.send({ type: "call_rejoin", call_id: c.id, tab_id: tabId() });
    paint();
  }

  function setCall(c: Call): void {
    const before = call;
    call = c;
    if (c.state == "ended") {
      if (holding && c.id == before?.id) release();
      if (c.end_reason == "failed" && c.end_detail && !note) note = t("callEndedDetail", { detail: c.end_detail });
      window.setTimeout(() => {
        if (call?.id == c.id && call.state == "ended") {
          call = null;
          paint();
        }
      }, 6000);
    } else if (c.initiated_by == "rep" && (c.state == "requested" || c.state == "ringing") && !holding) {
      if (rang != c.id) {
        rang = c.id;
        note = "";
        b.send({ type: "call_ringing", call_id: c.id });
        openPanel();
      }
    } else if (holding && c.visitor_media == "audio" && local?.getVideoTracks().length) {
      // The rep allowed audio only: the camera goes off.
      local.getVideoTracks().forEach((t) => (t.stop(), local!.removeTrack(t)));
      camera = false;
    }
    if (holding && c.state != "ended") remember(c.id);
    paint();
  }

  function onFrame(f: BridgeFrame): boolean {
    switch (f.type) {
      case "call":
        setCall(f.call);
        return true;
      case "call_ice":
        if (holding && (!call || call.id == f.call_id || call.state == "ended")) {
          // (a STUN entry has no username or credential: leave them out rather than null)
          ice = {
            servers: f.ice_servers.map((s) => (s.username != null && s.credential != null ? { urls: s.urls, username: s.username, credential: s.credential } : { urls: s.urls })),
            policy: f.ice_transport_policy,
          };
          if (pendingOffer) void answer(pendingOffer);
        }
        return true;
      case "call_offer":
        if (holding && call?.id == f.call_id) void answer(f.sdp);
        return true;
      case "call_candidate":
        if (holding && call?.id == f.call_id) {
          candidates.push(f.candidate as RTCIceCandidateInit);
          flush();
        }
        return true;
      case "call_media":
        if (call?.id == f.call_id) {
          remoteCam = f.camera || f.screen;
          remoteScreen = f.screen;
          paint();
        }
        return true;
      case "error":
        // A refused call_request (calls switched off, nobody in the chat yet): say why.
        if (holding && !call && !f.ref) {
          note = f.message;
          release();
          paint();
          return true;
        }
        return false;
    }
    return false;
  }

  let lastWelcome: Welcome | null = null;
  function onWelcome(w: Welcome): void {
    if (w == lastWelcome) return; // the loader's copy and its replayed frame are one object
    lastWelcome = w;
    visitorCalls = !!w.config?.visitor_calls;
    callQueue = !!w.config?.call_queue;
    orgName = w.config?.org_name || orgName;
    const c = w.call || null;
    if (!c) {
      if (holding && call) {
        // The call ended while the socket was away.
        release();
        call = null;
      }
      paint();
      return;
    }
    call = c;
    const mine = remembered() == c.id && c.visitor_leg == tabId();
    if (c.queued && c.state != "ended" && remembered() == c.id && !holding) {
      // A page load while on hold: the call is still queued; hold again (the microphone was
      // allowed already) and keep it alive.
      void getMedia("audio").then((stream) => {
        if (!stream) return;
        if (call?.id != c.id || call.state == "ended") {
          stream.getTracks().forEach((t) => t.stop());
          return;
        }
        hold(stream);
        paint();
      });
    } else if ((c.state == "connecting" || c.state == "active") && mine) {
      // Media may still flow (only the socket dropped): keep it; otherwise join again.
      if (!pc || pc.connectionState == "failed" || pc.connectionState == "closed") {
        openPanel();
        void rejoin(c);
      }
    } else setCall(c);
    paint();
  }

  // For end-to-end tests and the benchmark: bytes received per kind, and whether through TURN.
  (b as unknown as { call: unknown }).call = {
    state: () => ({
      call: call?.state ?? null,
      peer: pc?.connectionState ?? null,
      note,
      queued: !!call?.queued,
      id: call?.id ?? null,
      peers: peersMade,
      holdMusic: !!music,
      holdPhrases: music?.played ?? 0,
    }),
    // (width and height: the frames of the video received now, e.g. a camera's 4:3 or a shared screen's 16:9)
    async inbound() {
      const out = { audio: 0, video: 0, relay: false, width: 0, height: 0 };
      if (!pc) return out;
      const stats = await pc.getStats();
      stats.forEach((s: { type: string; kind?: "audio" | "video"; bytesReceived?: number; state?: string; nominated?: boolean; localCandidateId?: string; frameWidth?: number; frameHeight?: number }) => {
        if (s.type == "inbound-rtp" && s.kind) out[s.kind] += s.bytesReceived || 0;
        if (s.type == "inbound-rtp" && s.kind == "video" && s.frameWidth) {
          out.width = s.frameWidth;
          out.height = s.frameHeight || 0;
        }
        if (s.type == "candidate-pair" && s.state == "succeeded" && s.nominated && s.localCandidateId)
          out.relay ||= (stats.get(s.localCandidateId) as { candidateType?: string } | undefined)?.candidateType == "relay";
      });
      return out;
    },
  };

  return {
    box,
    offer,
    startButtons,
    onFrame,
    onWelcome,
    setConversation(c) {
      conversation = c;
      paint();
    },
    phoneAnswered(callId) {
      if (!call || call.id != callId || !holding || !mic) return;
      mic = false;
      local?.getAudioTracks().forEach((t) => (t.enabled = false));
      sendMedia();
      paint();
    },
  };
}
