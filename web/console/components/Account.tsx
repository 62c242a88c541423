// The signed-in rep's own account: changing the password, and signing out everywhere.
// Both end sessions on the server, and the consoles of those sessions close at once (4401).
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { signedOut } from "../actions";
import { startSocket, stopSocket } from "../socket";
import { pushToast } from "../store";
import { Dialog } from "./ui";

export async function signOutEverywhere(): Promise<void> {
  // This console's own session ends too and its socket will close with 4401: stop it first,
  // so the sign-in page says what the rep did rather than "your session was revoked".
  stopSocket();
  try {
    await api("POST", "/api/auth/logout-everywhere");
  } catch (err) {
    startSocket();
    pushToast(err instanceof ApiError ? err.message : "Could not sign out everywhere. Try again.", "error");
    return;
  }
  signedOut("You signed out on every browser and device.");
}

export function PasswordDialog(props: { onClose: () => void }) {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e?: Event) {
    e?.preventDefault();
    if (next.length < 8) {
      setError("The new password needs at least 8 characters.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api("POST", "/api/me/password", { current_password: current, new_password: next });
    } catch (err) {
      setBusy(false);
      setError(err instanceof ApiError ? err.message : "Could not change the password. Try again.");
      return;
    }
    props.onClose();
    pushToast("Password changed. Your other browsers and devices are signed out.", "success");
  }
  return (
    <Dialog
      title="Change password"
      size="sm"
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="password-form" class="btn btn-primary" disabled={busy}>
            {busy ? "Changing…" : "Change password"}
          </button>
        </>
      }
    >
      <form id="password-form" onSubmit={(e) => void submit(e)} noValidate>
        <p class="muted small">This browser stays signed in; every other browser and device of yours is signed out.</p>
        <label class="field">
          <span>Current password</span>
          <input
            class="input"
            type="password"
            autocomplete="current-password"
            value={current}
            onInput={(e) => setCurrent((e.target as HTMLInputElement).value)}
            required
          />
        </label>
        <label class="field">
          <span>New password</span>
          <input
            class="input"
            type="password"
            autocomplete="new-password"
            minLength={8}
            maxLength={256}
            value={next}
            onInput={(e) => setNext((e.target as HTMLInputElement).value)}
            required
          />
        </label>
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
      </form>
    </Dialog>
  );
}

type EmailPrefs = { missed_chat_emails: boolean; daily_summary_email: boolean };
type OrgEmail = { team_address: string | null; email_reps: boolean; time_zone: string };

// Email settings: the rep's own (missed chats; admins: the daily summary), and for admins the
// org's team address for missed chats and the summary's time zone (docs/reports.md, "Emails").
export function EmailDialog(props: { isAdmin: boolean; onClose: () => void }) {
  const [prefs, setPrefs] = useState<EmailPrefs | null>(null);
  const [org, setOrg] = useState<OrgEmail | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    void (async () => {
      try {
        setPrefs(await api<EmailPrefs>("GET", "/api/me/email-preferences"));
        if (props.isAdmin) setOrg(await api<OrgEmail>("GET", "/api/admin/email-settings"));
      } catch (err) {
        setError(err instanceof ApiError ? err.message : "Could not load the email settings.");
      }
    })();
  }, [props.isAdmin]);
  async function submit(e?: Event) {
    e?.preventDefault();
    if (!prefs) return;
    setBusy(true);
    setError(null);
    try {
      if (org) {
        await api("PUT", "/api/admin/email-settings", {
          team_address: org.team_address?.trim() || null,
          email_reps: org.email_reps,
          time_zone: org.time_zone.trim() || "UTC",
        });
      }
      await api("PUT", "/api/me/email-preferences", props.isAdmin ? prefs : { missed_chat_emails: prefs.missed_chat_emails });
    } catch (err) {
      setBusy(false);
      setError(err instanceof ApiError ? err.message : "Could not save. Try again.");
      return;
    }
    props.onClose();
    pushToast("Email settings saved.", "success");
  }
  return (
    <Dialog
      title="Email settings"
      size="sm"
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-ghost" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="email-form" class="btn btn-primary" disabled={busy || !prefs}>
            {busy ? "Saving…" : "Save"}
          </button>
        </>
      }
    >
      <form id="email-form" onSubmit={(e) => void submit(e)} noValidate>
        {prefs && (
          <>
            <label class="check">
              <input
                type="checkbox"
                checked={prefs.missed_chat_emails}
                onChange={(e) => setPrefs({ ...prefs, missed_chat_emails: (e.target as HTMLInputElement).checked })}
              />
              <span>Email me about missed chats routed to me</span>
            </label>
            {props.isAdmin && (
              <label class="check">
                <input
                  type="checkbox"
                  checked={prefs.daily_summary_email}
                  onChange={(e) => setPrefs({ ...prefs, daily_summary_email: (e.target as HTMLInputElement).checked })}
                />
                <span>Daily summary: yesterday's chats, answered, missed, first response, pounces, meetings and calls, each morning at 07:00</span>
              </label>
            )}
          </>
        )}
        {org && (
          <fieldset class="field">
            <legend>Your team (admins)</legend>
            <label class="field">
              <span>Team address for missed chats (optional)</span>
              <input
                class="input"
                type="email"
                maxLength={320}
                placeholder="sales@example.com"
                value={org.team_address ?? ""}
                onInput={(e) => setOrg({ ...org, team_address: (e.target as HTMLInputElement).value })}
              />
            </label>
            <label class="check">
              <input
                type="checkbox"
                checked={org.email_reps}
                onChange={(e) => setOrg({ ...org, email_reps: (e.target as HTMLInputElement).checked })}
              />
              <span>Also email the reps a missed chat was routed to</span>
            </label>
            <label class="field">
              <span>Time zone of the daily summary</span>
              <input
                class="input"
                maxLength={64}
                placeholder="Europe/Paris"
                value={org.time_zone}
                onInput={(e) => setOrg({ ...org, time_zone: (e.target as HTMLInputElement).value })}
              />
            </label>
          </fieldset>
        )}
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
      </form>
    </Dialog>
  );
}
