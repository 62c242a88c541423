import { useEffect, useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { org, pushToast } from "../../store";
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
          (WebRTC) and are not recorded. The voice call queue (“Call us” for anyone waiting) is not available yet; ringing a visitor's phone is set
          up under Phone.
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
