import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { pushToast } from "../../store";
import { IconEye, IconEyeOff, IconLock } from "../../icons";
import { CopyButton } from "../ui";
import type { IdentitySecretOut } from "../../types";

// Identity verification (Team & website): the org's secret, hidden until an admin asks for it,
// rotation behind a confirmation, and the recipe the customer's server follows to compute the
// hash that Frontdesk.identify() sends (docs/widget.md, "Identifying signed-in users").

type SecretOut = IdentitySecretOut;

// The server lower-cases and trims the email before checking the hash
// (features/visitors/service.identify), so every recipe does the same.
const RECIPES: [string, string][] = [
  [
    "Node.js",
    `const crypto = require("crypto");
const email = user.email.trim().toLowerCase();
const hash = crypto.createHmac("sha256", process.env.IDENTITY_SECRET).update(email).digest("hex");`,
  ],
  [
    "Python",
    `import hashlib, hmac, os
email = user.email.strip().lower()
hash = hmac.new(os.environ["IDENTITY_SECRET"].encode(), email.encode(), hashlib.sha256).hexdigest()`,
  ],
  [
    "PHP",
    `$email = strtolower(trim($user->email));
$hash = hash_hmac('sha256', $email, getenv('IDENTITY_SECRET'));`,
  ],
  [
    "Ruby",
    `email = user.email.strip.downcase
hash = OpenSSL::HMAC.hexdigest("SHA256", ENV.fetch("IDENTITY_SECRET"), email)`,
  ],
];

const IDENTIFY_CALL = `<script>
  Frontdesk.identify({ email: "ada@example.com", name: "Ada Lovelace", hash: "HASH FROM YOUR SERVER" });
</script>`;

export function IdentitySecretSection() {
  const [secret, setSecret] = useState<string | null>(null);
  const [revealed, setRevealed] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [recipe, setRecipe] = useState(0);

  // The secret is fetched only when an admin asks to see it, not with the page.
  async function reveal() {
    if (revealed) {
      setRevealed(false);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const d = await api<SecretOut>("GET", "/api/org/identity-secret");
      setSecret(d.identity_secret);
      setRevealed(true);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  async function rotate() {
    setConfirming(false);
    setBusy(true);
    setError(null);
    try {
      const d = await api<SecretOut>("POST", "/api/org/identity-secret/rotate");
      setSecret(d.identity_secret);
      setRevealed(true);
      pushToast("New identity secret. Put it on your server now: hashes made with the old one are refused.", "success");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const shown = revealed && secret !== null;
  return (
    <section class="panel" aria-labelledby="identity-title">
      <div class="panel-head">
        <IconLock size={15} />
        <h2 id="identity-title">Identity verification</h2>
      </div>
      <p class="muted small">
        When a signed-in user of your site calls <code>Frontdesk.identify()</code>, your server signs their email with this secret so nobody can claim to be someone else. Keep it on your server: never put it in a web page.
      </p>
      <div class="secret-row">
        <code class="secret" aria-label="Identity secret" data-testid="identity-secret">
          {shown ? secret : "•".repeat(32)}
        </code>
        <button type="button" class="btn btn-secondary btn-sm" onClick={() => void reveal()} disabled={busy} aria-pressed={revealed}>
          {revealed ? <IconEyeOff size={14} /> : <IconEye size={14} />} {revealed ? "Hide" : "Reveal"}
        </button>
        {shown && <CopyButton text={secret} label="Copy identity secret" />}
      </div>
      {error && (
        <div class="form-error" role="alert">
          {error}
        </div>
      )}
      <div class="panel-foot">
        {confirming ? (
          <span class="confirm" role="group" aria-label="Confirm rotation">
            <span class="small">Hashes made with the current secret stop working at once. Rotate?</span>
            <button type="button" class="btn btn-danger btn-sm" onClick={() => void rotate()}>
              Rotate now
            </button>
            <button type="button" class="btn btn-ghost btn-sm" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button type="button" class="btn btn-danger-ghost btn-sm" onClick={() => setConfirming(true)} disabled={busy}>
            Rotate secret
          </button>
        )}
        <span class="muted small">Rotate when the secret may have leaked. Visitors already verified stay verified.</span>
      </div>

      <h3 class="recipe-title">How your server computes the hash</h3>
      <p class="muted small">
        <code>hash</code> = HMAC-SHA256 of the user's email, <strong>lower-cased and trimmed</strong>, keyed with the identity secret, as hexadecimal. Here the secret is read from an <code>IDENTITY_SECRET</code> environment variable on your server.
      </p>
      <div class="seg-toggle" role="radiogroup" aria-label="Server language">
        {RECIPES.map(([name], i) => (
          <button key={name} type="button" role="radio" aria-checked={recipe === i} class={`seg-btn ${recipe === i ? "on" : ""}`} onClick={() => setRecipe(i)}>
            {name}
          </button>
        ))}
      </div>
      <pre class="snippet recipe" aria-label={`${RECIPES[recipe][0]} recipe`}>
        <code>{RECIPES[recipe][1]}</code>
      </pre>
      <p class="muted small">Then pass it to the widget on the page of the signed-in user:</p>
      <pre class="snippet recipe" aria-label="identify() call">
        <code>{IDENTIFY_CALL}</code>
      </pre>
    </section>
  );
}
