import { useEffect, useRef, useState } from "preact/hooks";
import { allowCall, callErrors, callsByConversation, declineCall, endCall, hangUp, held, moveCallHere, rejoining, startCall, toggleCamera, toggleMic, toggleScreen } from "../calls";
import { updateMyStatus } from "../actions";
import { phoneBridge } from "../phonebridge";
import { api, errorText } from "../api";
import { conversations, me, pushToast } from "../store";
import { now } from "../time";
import type { CallOut, OtherChatsTransferred } from "../types";
import { IconHangUp, IconMic, IconMicOff, IconPhone, IconScreen, IconVideo, IconVideoOff } from "../icons";

// The video box at the top of a conversation (product docs: "Calling with Voice & Video").
// Nothing plays or is sent until the rep turns on a microphone or camera; calls are not
// recorded, and the box says so.

function Video(props: { stream: MediaStream | null; muted?: boolean; label: string; class: string }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el && el.srcObject !== props.stream) el.srcObject = props.stream;
  }, [props.stream]);
  return <video ref={ref} class={props.class} autoPlay playsInline muted={props.muted} aria-label={props.label} />;
}

function clock(since: string | null | undefined): string {
  if (!since) return "";
  const s = Math.max(0, Math.floor((now.value - Date.parse(since)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

const ENDED: Record<string, string> = {
  ended_by_rep: "You ended the call.",
  ended_by_visitor: "The visitor ended the call.",
  declined: "The visitor declined the call.",
  blocked: "The call ended: the visitor was blocked.",
  missed: "No answer.",
  failed: "The call failed.",
};

function stateText(call: CallOut | undefined, peer: string | undefined, visitor: string): string {
  if (!call) return peer === "waiting" ? "Starting the call…" : "";
  switch (call.state) {
    case "requested":
      return call.initiated_by === "visitor" ? `${visitor} wants to talk with you` : `Calling ${visitor}…`;
    case "ringing":
      return `Ringing ${visitor}…`;
    case "connecting":
      return peer === "reconnecting" ? "Reconnecting…" : "Connecting…";
    case "active":
      return peer === "reconnecting" ? "Reconnecting…" : `Connected ${clock(call.connected_at)}`;
    case "ended":
      return (call.end_reason && ENDED[call.end_reason]) || "The call ended.";
  }
}

// The visitor's phone joining the browser call (phonebridge.ts).
function phoneText(state: string, leg: string, error?: string): string {
  if (state === "connected") return "Visitor on the phone";
  if (state === "line") return leg === "in_progress" ? "The visitor's phone was put through to your phone line" : "Calling the visitor's phone (it will ring your phone line)…";
  if (state === "failed") return `The visitor's phone can't join here: ${error ?? "the phone client failed"}`;
  if (state === "ended") return "The visitor's phone hung up";
  return leg === "ringing" ? "The visitor's phone is ringing…" : "Calling the visitor's phone…";
}

// On a call, the rep's other chats can go to available colleagues in one click (product docs:
// "How to Transfer a Chat During a Qualified Call"), without leaving the call.
function TransferOthers(props: { conversationId: string }) {
  const [busy, setBusy] = useState(false);
  const myId = me.value?.id;
  let others = 0;
  for (const c of conversations.value.values()) if (c.status === "active" && c.owner_rep_id === myId && c.id !== props.conversationId) others++;
  if (!others) return null;
  async function handOver() {
    setBusy(true);
    try {
      const out = await api<OtherChatsTransferred>("POST", "/api/calls/transfer-other-chats");
      const names = [...new Set(out.transferred.map((t) => t.to_rep.name))].join(", ");
      if (out.transferred.length)
        pushToast(`${out.transferred.length} ${out.transferred.length === 1 ? "chat" : "chats"} transferred to ${names}.`, "success");
      if (out.kept.length) pushToast(`${out.kept.length} ${out.kept.length === 1 ? "chat stays" : "chats stay"} with you: ${out.kept[0]!.reason}.`, "info", 8000);
    } catch (err) {
      pushToast(errorText(err), "error");
    } finally {
      setBusy(false);
    }
  }
  return (
    <button type="button" class="btn btn-secondary btn-sm vb-transfer" disabled={busy} onClick={() => void handOver()} title="Hand each of your other active chats to an available colleague">
      {busy ? "Transferring…" : `Transfer my other ${others === 1 ? "chat" : `${others} chats`}`}
    </button>
  );
}

export function VideoBox(props: { conversationId: string; visitorName: string; canCall: boolean }) {
  const { conversationId, visitorName } = props;
  const call = callsByConversation.value.get(conversationId);
  const held_ = held.value;
  // The call this tab holds, when it is this chat's.
  const h = held_ && held_.conversationId === conversationId ? held_ : null;
  const mine = h !== null;
  const error = callErrors.value.get(conversationId);
  const allowed = !!me.value?.voice_video_enabled;
  const live = call && call.state !== "ended";
  const visitorAsks = live && call.initiated_by === "visitor" && call.state === "requested";
  const inCall = mine || (live && !visitorAsks);
  const remote = h ? h.remoteMedia : null;
  // The visitor's phone on this call (join by phone): through Twilio into this console.
  const phone = h && phoneBridge.value && phoneBridge.value.callId === h.callId ? phoneBridge.value : null;

  if (!allowed && !live) {
    return (
      <section class="videobox vb-off" aria-label="Voice and video">
        <span class="muted small">Voice and video are off for you.</span>
        <button type="button" class="link-btn small" onClick={() => void updateMyStatus({ voice_video_enabled: true })}>
          Allow voice and video
        </button>
      </section>
    );
  }

  return (
    <section class={`videobox ${inCall ? "vb-live" : ""} ${visitorAsks ? "vb-ask" : ""}`} aria-label="Voice and video">
      {inCall && (
        <div class="vb-stage">
          {h && h.remote && h.remote.getVideoTracks().length > 0 && remote?.camera !== false ? (
            <Video stream={h.remote} muted label={`${visitorName}'s video`} class="vb-remote" />
          ) : (
            <div class="vb-remote vb-placeholder" aria-hidden="true">
              {visitorName.slice(0, 1).toUpperCase()}
            </div>
          )}
          {h && h.local && (h.camera || h.screen) && <Video stream={h.preview ?? h.local} muted label={h.screen ? "Your shared screen" : "Your video"} class="vb-local" />}
          {phone && (
            <div class={`vb-phone ${phone.state}`} role="status" aria-label="Visitor's phone">
              <IconPhone size={13} /> {phoneText(phone.state, phone.leg.status, phone.error)}
            </div>
          )}
          {remote && (
            <div class="vb-remote-state" aria-label={`${visitorName}: microphone ${remote.mic ? "on" : "off"}, camera ${remote.camera ? "on" : "off"}`}>
              {remote.mic ? <IconMic size={13} /> : <IconMicOff size={13} />}
              {remote.camera ? <IconVideo size={13} /> : <IconVideoOff size={13} />}
            </div>
          )}
        </div>
      )}
      <div class="vb-bar">
        <span class={`vb-state ${call?.state ?? "idle"}`} role="status" aria-label="Call status">
          {inCall || visitorAsks || call?.state === "ended" ? stateText(call, h?.peer, visitorName) : "Voice & video"}
        </span>
        <span class="vb-controls">
          {visitorAsks && !mine && call ? (
            <>
              <button type="button" class="btn btn-primary btn-sm" onClick={() => void allowCall(call, call.media)}>
                {call.media === "video" ? "Allow visitor audio and video" : "Allow visitor audio"}
              </button>
              {call.media === "video" && (
                <button type="button" class="btn btn-secondary btn-sm" onClick={() => void allowCall(call, "audio")}>
                  Allow audio only
                </button>
              )}
              <button type="button" class="btn btn-danger-ghost btn-sm" onClick={() => declineCall(call)}>
                Decline
              </button>
            </>
          ) : h ? (
            <>
              <button type="button" class={`vb-btn ${h.mic ? "" : "off"}`} aria-pressed={!h.mic} aria-label={h.mic ? "Mute" : "Unmute"} title={h.mic ? "Mute" : "Unmute"} onClick={toggleMic}>
                {h.mic ? <IconMic size={16} /> : <IconMicOff size={16} />}
              </button>
              <button type="button" class={`vb-btn ${h.camera ? "" : "off"}`} aria-pressed={!h.camera} aria-label={h.camera ? "Turn camera off" : "Turn camera on"} title={h.camera ? "Camera off" : "Camera on"} onClick={() => void toggleCamera()}>
                {h.camera ? <IconVideo size={16} /> : <IconVideoOff size={16} />}
              </button>
              <button type="button" class={`vb-btn ${h.screen ? "on" : ""}`} aria-pressed={h.screen} aria-label={h.screen ? "Stop sharing your screen" : "Share your screen"} title="Share your screen" onClick={() => void toggleScreen()}>
                <IconScreen size={16} />
              </button>
              <button type="button" class="btn btn-end btn-sm" aria-label="End call" onClick={endCall}>
                <IconHangUp size={15} /> End
              </button>
              {h.callId && <TransferOthers conversationId={conversationId} />}
            </>
          ) : live && call && rejoining.value === call.id ? (
            <span class="muted small">Joining the call again…</span>
          ) : live && call ? (
            <>
              <span class="muted small">This call is connected in another window.</span>
              {!held_ && (
                <button type="button" class="btn btn-secondary btn-sm" onClick={() => moveCallHere(call)} title="Take the call into this window (the other window lets go)">
                  Move the call here
                </button>
              )}
              <button type="button" class="btn btn-end btn-sm" aria-label="End call" onClick={() => hangUp(call)}>
                <IconHangUp size={15} /> End
              </button>
            </>
          ) : (
            <>
              <button type="button" class="btn btn-secondary btn-sm" disabled={!props.canCall || !!held_} title={props.canCall ? undefined : "Accept the chat to call the visitor"} onClick={() => void startCall(conversationId, "audio")}>
                <IconPhone size={14} /> Voice call
              </button>
              <button type="button" class="btn btn-secondary btn-sm" disabled={!props.canCall || !!held_} title={props.canCall ? undefined : "Accept the chat to call the visitor"} onClick={() => void startCall(conversationId, "video")}>
                <IconVideo size={15} /> Video call
              </button>
            </>
          )}
        </span>
        <span class="vb-note muted small">Calls are not recorded.</span>
      </div>
      {error && (
        <div class="vb-error" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}
