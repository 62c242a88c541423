// The signed-in rep's own account: changing the password, and signing out everywhere.
// Both end sessions on the server, and the consoles of those sessions close at once (4401).
import { useState } from "preact/hooks";
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
