import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { org, pushToast } from "../../store";
import type { Org } from "../../types";
import { Switch } from "../ui";

type Language = NonNullable<Org["messenger"]["language"]>;
type Csat = NonNullable<Org["messenger"]["csat"]>;

// The messenger's own languages (web/widget/i18n/); "auto" follows each visitor's browser.
const LANGUAGES: [Language, string][] = [
  ["auto", "The visitor's browser language (English when we have none of theirs)"],
  ["en", "English"],
  ["de", "Deutsch (German)"],
  ["fr", "Français (French)"],
  ["es", "Español (Spanish)"],
  ["pt", "Português (Portuguese)"],
  ["ja", "日本語 (Japanese)"],
  ["ar", "العربية (Arabic, right to left)"],
];
const SCALES: [Csat, string][] = [
  ["off", "Don't ask"],
  ["faces", "Bad, okay or good"],
  ["stars", "One to five stars"],
];

// Admin -> Messenger: the language of the messenger's own texts, and the rating (CSAT) it asks
// for when a chat ends (docs/widget.md, "Languages" and "Rating a chat").
export function MessengerAdmin() {
  const m: Partial<Org["messenger"]> = org.value?.messenger ?? {};
  const [busy, setBusy] = useState(false);
  async function save(change: { language?: Language; csat?: Csat; sneak_peek?: boolean }, done: string) {
    setBusy(true);
    try {
      const next = await api<Org>("PATCH", "/api/org/settings", { messenger: change });
      org.value = { ...org.value, ...next };
      pushToast(done, "success", 2500);
    } catch (err) {
      pushToast(errorText(err), "error");
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <section class="panel" aria-labelledby="messenger-language-title">
        <div class="panel-head">
          <h2 id="messenger-language-title">Language</h2>
        </div>
        <p class="muted small">
          The messenger's own texts (buttons, forms, notices) in English, German, French, Spanish, Portuguese or Japanese. Your greeting and your
          reps' messages are shown as written. Right-to-left languages and editing the texts are not available yet.
        </p>
        <label class="field">
          <span>Messenger language</span>
          <select
            value={m.language ?? "auto"}
            disabled={busy}
            onChange={(e) => {
              const value = (e.target as HTMLSelectElement).value as Language;
              void save({ language: value }, value === "auto" ? "The messenger follows each visitor's browser language." : "Messenger language saved.");
            }}
          >
            {LANGUAGES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </section>
      <section class="panel" aria-labelledby="messenger-csat-title">
        <div class="panel-head">
          <h2 id="messenger-csat-title">Rating (CSAT)</h2>
        </div>
        <p class="muted small">
          When a rep ends a chat, the messenger asks the visitor to rate it and add a comment. One rating per chat, final, within a day of the end.
          Ratings show on the conversation, in Visitor 360, in Reports (CSAT: the share of satisfied ratings, good of three or 4-5 of five) and in
          webhooks (conversation.rated).
        </p>
        <label class="field">
          <span>Ask visitors to rate a chat</span>
          <select
            value={m.csat ?? "off"}
            disabled={busy}
            onChange={(e) => {
              const value = (e.target as HTMLSelectElement).value as Csat;
              void save({ csat: value }, value === "off" ? "The messenger no longer asks for ratings." : "The messenger asks for a rating when a chat ends.");
            }}
          >
            {SCALES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
      </section>
      <section class="panel" aria-labelledby="messenger-peek-title">
        <div class="panel-head">
          <h2 id="messenger-peek-title">Sneak peek</h2>
        </div>
        <p class="muted small">
          Reps see what a visitor is typing in an open chat before they send it, under the transcript. The messenger tells visitors: “Your typing may be
          visible to our team.” Drafts go to the reps who may see the chat, at most once a second, and are never stored.
        </p>
        <div class="big-switch">
          <Switch
            label="Show reps what visitors are typing"
            checked={!!m.sneak_peek}
            disabled={busy}
            onChange={(v) => void save({ sneak_peek: v }, v ? "Sneak peek is on: the messenger tells visitors." : "Sneak peek is off.")}
            hint="Off by default. Check that your privacy notice covers it before you switch it on."
          />
        </div>
      </section>
    </>
  );
}
