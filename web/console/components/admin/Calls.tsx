import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { org, pushToast, segments } from "../../store";
import type { IceSettingsOut, Org } from "../../types";
import { Switch } from "../ui";

// Admin -> Voice & video: whether visitors may start calls from the messenger, and the STUN
// and TURN servers calls use (set by whoever runs the server: docs/operations.md).
export function CallsAdmin() {
  const o = org.value;
  const [busy, setBusy] = useState(false);
  const [ice, setIce] = useState<IceSettingsOut | null>(null);
  const [iceError, setIceError] = useState<string | null>(null);
  useEffect(() => {
    api<IceSettingsOut>("GET", "/api/calls/ice-settings")
      .then(setIce)
      .catch((err) => setIceError(errorText(err)));
  }, []);
  const visitorInitiated = !!o?.calls?.visitor_initiated;
  async function setVisitorInitiated(value: boolean) {
    setBusy(true);
    try {
      const next = await api<Org>("PATCH", "/api/org/settings", { calls: { visitor_initiated: value } });
      org.value = { ...org.value, ...next };
      pushToast(value ? "Visitors can now ask for calls from the messenger." : "Calls from the messenger are off.", "success", 2500);
    } catch (err) {
      pushToast(errorText(err), "error");
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <section class="panel" aria-labelledby="calls-title">
        <div class="panel-head">
          <h2 id="calls-title">Voice &amp; video calls</h2>
        </div>
        <p class="muted small">
          Reps who switch on “Allow voice and video” get a video box at the top of their chats and can call the visitor. Calls run browser to browser
          (WebRTC) and are not recorded. Ringing a visitor's phone is set up under Phone.
        </p>
        <div class="big-switch">
          <Switch
            label="Visitors can start calls from the messenger"
            checked={visitorInitiated}
            disabled={busy}
            onChange={(v) => void setVisitorInitiated(v)}
            hint="The messenger shows call buttons once a rep has joined the chat; the rep then allows audio and video, or audio only."
          />
        </div>
      </section>
      <QueueSettings />
      <section class="panel" aria-labelledby="ice-title">
        <div class="panel-head">
          <h2 id="ice-title">STUN and TURN servers</h2>
        </div>
        <p class="muted small">
          Set by whoever runs Frontdesk (FRONTDESK_STUN_URLS, FRONTDESK_TURN_URLS, FRONTDESK_TURN_SECRET; see docs/operations.md). Each call gets its
          own TURN credentials, valid for a limited time.
        </p>
        {iceError ? (
          <div class="form-error" role="alert">
            {iceError}
          </div>
        ) : !ice ? (
          <p class="muted small">Loading…</p>
        ) : (
          <dl class="ice-list" aria-label="ICE settings">
            <dt>STUN</dt>
            <dd>{ice.stun_urls.length ? ice.stun_urls.join(", ") : "None (direct connections only, fine on one network)"}</dd>
            <dt>TURN</dt>
            <dd>{ice.turn_urls.length ? ice.turn_urls.join(", ") : "None: calls between networks that block direct connections will fail"}</dd>
            <dt>TURN secret</dt>
            <dd>{ice.turn_secret_set ? "Set" : "Not set"}</dd>
            <dt>Credentials valid for</dt>
            <dd>{Math.round(ice.turn_credential_ttl / 60)} minutes</dd>
            <dt>Routing</dt>
            <dd>{ice.ice_transport_policy === "relay" ? "Every call through TURN (no addresses shared between the browsers)" : "Direct when possible, TURN otherwise"}</dd>
          </dl>
        )}
      </section>
    </>
  );
}

// The voice call queue: which segments see "Call us" in the messenger, and how long a call
// rings the reps routed to the visitor before it is missed (then the chat offers the booker
// of the visitor's experience, or the offline form).
function QueueSettings() {
  const o = org.value;
  const chosen = new Set(o?.calls?.queue_segment_ids ?? []);
  const [timeout, setTimeoutValue] = useState<number>(o?.calls?.queue_timeout_seconds ?? 60);
  const [busy, setBusy] = useState(false);
  async function save(patch: { queue_segment_ids?: string[]; queue_timeout_seconds?: number }, done: string) {
    setBusy(true);
    try {
      const next = await api<Org>("PATCH", "/api/org/settings", { calls: patch });
      org.value = { ...org.value, ...next };
      pushToast(done, "success", 2500);
    } catch (err) {
      pushToast(errorText(err), "error");
    } finally {
      setBusy(false);
    }
  }
  function toggle(id: string, on: boolean) {
    const next = new Set(chosen);
    if (on) next.add(id);
    else next.delete(id);
    void save({ queue_segment_ids: [...next] }, next.size ? "“Call us” segments saved." : "The voice call queue is off.");
  }
  return (
    <section class="panel" aria-labelledby="queue-title">
      <div class="panel-head">
        <h2 id="queue-title">Voice call queue</h2>
        <span class={`tag ${chosen.size ? "tag-ok" : ""}`}>{chosen.size ? "On" : "Off"}</span>
      </div>
      <p class="muted small">
        Visitors in the segments you pick see “Call us” in the messenger. Their call rings every rep routed to them who allows voice and is
        available; the first to answer gets it. Until then the visitor is on hold: “Thanks for calling {o?.name ?? "your company"}, a rep will be with
        you shortly”, with hold music. Nobody answers in time: the call is recorded as missed and the chat offers the meeting booker of the
        visitor's experience, or the offline form.
      </p>
      <fieldset class="queue-segments" disabled={busy}>
        <legend class="small">Segments that may call</legend>
        {segments.value.map((seg) => (
          <label class="check" key={seg.id}>
            <input type="checkbox" checked={chosen.has(seg.id)} onChange={(e) => toggle(seg.id, (e.target as HTMLInputElement).checked)} />
            <span class="seg-dot" style={{ background: seg.color }} aria-hidden="true" /> {seg.name}
          </label>
        ))}
      </fieldset>
      <form
        class="field inline queue-timeout"
        onSubmit={(e) => {
          e.preventDefault();
          void save({ queue_timeout_seconds: timeout }, "Queue timeout saved.");
        }}
      >
        <label for="queue-timeout">Ring for</label>
        <input id="queue-timeout" type="number" min={10} max={600} class="num-input" value={timeout} onInput={(ev) => setTimeoutValue(Number((ev.target as HTMLInputElement).value))} />
        <span>seconds, then the call is missed</span>
        <button type="submit" class="btn btn-secondary btn-sm" disabled={busy || timeout === (o?.calls?.queue_timeout_seconds ?? 60)}>
          Save
        </button>
      </form>
    </section>
  );
}
