import { useEffect, useRef } from "preact/hooks";
import { callsByConversation, endCall, held, toggleMic } from "../calls";
import { navigate, paths, route } from "../router";
import { conversationTitle, conversations, visitors } from "../store";
import { now } from "../time";
import { IconHangUp, IconMic, IconMicOff } from "../icons";

// A call goes on while the rep moves around the console (SPA routes: the live stream, other
// conversations, admin pages): the peer connection lives in calls.ts, not in a page. Its sound
// plays here, in one audio element the console always has, and away from the call's
// conversation a strip says who the rep is talking to, with Back to the call, Mute and End.

export function CallAudio() {
  const remote = held.value?.remote ?? null;
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el && el.srcObject !== remote) el.srcObject = remote;
  }, [remote]);
  return <audio ref={ref} autoPlay aria-hidden="true" class="call-audio" data-call-audio="" />;
}

function since(at: string | null | undefined): string {
  if (!at) return "";
  const s = Math.max(0, Math.floor((now.value - Date.parse(at)) / 1000));
  return ` · ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function CallBar() {
  const h = held.value;
  const r = route.value;
  if (!h?.callId) return null;
  if (r.name === "conversations" && r.conversationId === h.conversationId) return null; // the video box is there
  const call = callsByConversation.value.get(h.conversationId);
  if (!call || call.state === "ended") return null;
  const c = conversations.value.get(h.conversationId);
  const name = c ? conversationTitle(c, visitors.value.get(c.visitor_id)) : "the visitor";
  const text =
    h.peer === "connected" ? `On a call with ${name}${since(call.connected_at)}` : h.peer === "reconnecting" ? `Reconnecting the call with ${name}…` : `Calling ${name}…`;
  return (
    <div class="callbar" role="region" aria-label="Your call">
      <span class="callbar-dot" aria-hidden="true" />
      <span class="callbar-text" role="status">
        {text}
      </span>
      <span class="callbar-actions">
        <button type="button" class="btn btn-secondary btn-sm" onClick={() => navigate(paths.conversation(h.conversationId))}>
          Back to the call
        </button>
        <button type="button" class={`vb-btn ${h.mic ? "" : "off"}`} aria-pressed={!h.mic} aria-label={h.mic ? "Mute" : "Unmute"} title={h.mic ? "Mute" : "Unmute"} onClick={toggleMic}>
          {h.mic ? <IconMic size={16} /> : <IconMicOff size={16} />}
        </button>
        <button type="button" class="btn btn-end btn-sm" aria-label="End call" onClick={endCall}>
          <IconHangUp size={15} /> End
        </button>
      </span>
    </div>
  );
}
