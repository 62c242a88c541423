import { useState } from "preact/hooks";
import { ApiError, errorText } from "../api";
import { signIn } from "../actions";
import { signInNotice } from "../store";

export function Login() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The same email and password open reps of several orgs: which one to sign in to.
  const [orgChoices, setOrgChoices] = useState<{ id: string; name: string }[] | null>(null);
  const notice = signInNotice.value;

  async function submit(e: Event, orgId?: string) {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError(!email.trim() ? "Enter your work email." : "Enter your password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password, orgId);
    } catch (err) {
      const choices = (err instanceof ApiError && err.code === "choose_org" ? (err.details as { orgs?: unknown })?.orgs : null) as
        | { id: string; name: string }[]
        | null;
      if (choices && choices.length) {
        setOrgChoices(choices);
      } else if (err instanceof ApiError && (err.status === 401 || err.status === 400 || err.status === 422)) {
        setError(err.status === 401 ? "That email and password don't match an active account." : err.message);
      } else if (err instanceof ApiError && err.status === 429) {
        setError("Too many attempts. Wait a minute and try again.");
      } else {
        setError(errorText(err));
      }
      setBusy(false);
    }
  }

  return (
    <main class="login-page">
      <form class="login-card" onSubmit={submit} aria-labelledby="login-title" noValidate>
        <div class="brand brand-dark">
          <span class="brand-mark" aria-hidden="true">F</span>
          <span>Frontdesk</span>
        </div>
        <h1 id="login-title">Sign in to the console</h1>
        <p class="login-sub">See who is on your website right now and talk to the right visitors.</p>
        {notice && (
          <div class="notice" role="status">
            {notice}
          </div>
        )}
        {error && (
          <div class="form-error" role="alert">
            {error}
          </div>
        )}
        <label class="field">
          <span>Email</span>
          <input
            type="email"
            name="email"
            autocomplete="username"
            value={email}
            onInput={(e) => {
              setEmail((e.target as HTMLInputElement).value);
              setOrgChoices(null);
            }}
            aria-invalid={!!error}
            autoFocus
            required
          />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => {
              setPassword((e.target as HTMLInputElement).value);
              setOrgChoices(null);
            }}
            aria-invalid={!!error}
            required
          />
        </label>
        {orgChoices ? (
          <fieldset class="field" aria-label="Choose an org">
            <legend>This email is on several teams. Sign in to:</legend>
            {orgChoices.map((org) => (
              <button key={org.id} type="button" class="btn btn-secondary btn-block" disabled={busy} onClick={(e) => submit(e, org.id)}>
                {org.name}
              </button>
            ))}
          </fieldset>
        ) : (
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        )}
      </form>
    </main>
  );
}
