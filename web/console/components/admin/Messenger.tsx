import { useState } from "preact/hooks";
import { api, errorText } from "../../api";
import { org, pushToast } from "../../store";
import type { Org } from "../../types";
import { Switch } from "../ui";
import EN from "../../../widget/i18n/en.json";
import DE from "../../../widget/i18n/de.json";
import FR from "../../../widget/i18n/fr.json";
import ES from "../../../widget/i18n/es.json";
import PT from "../../../widget/i18n/pt.json";
import JA from "../../../widget/i18n/ja.json";
import AR from "../../../widget/i18n/ar.json";

type Language = NonNullable<Org["messenger"]["language"]>;
type Csat = NonNullable<Org["messenger"]["csat"]>;
type TextLanguage = Exclude<Language, "auto">;
type Texts = Record<string, Record<string, string>>;
// Each language's default texts (the messenger's files): the placeholders of Admin -> Texts.
const DEFAULTS: Record<TextLanguage, Record<string, string>> = { en: EN, de: DE, fr: FR, es: ES, pt: PT, ja: JA, ar: AR };
const MAX_TEXT = 300; // features/orgs/messenger_texts.py

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
  async function save(change: { language?: Language; csat?: Csat; sneak_peek?: boolean; bot_answers?: boolean; texts?: Texts }, done: string) {
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
          The messenger's own texts (buttons, forms, notices) in English, German, French, Spanish, Portuguese, Japanese or Arabic (laid out right to
          left). Your greeting and your reps' messages are shown as written. Reword any text under Texts below.
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
      <TextsEditor texts={(m.texts as Texts | undefined) ?? {}} busy={busy} save={(texts, done) => save({ texts }, done)} />
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
      <section class="panel" aria-labelledby="messenger-bot-title">
        <div class="panel-head">
          <h2 id="messenger-bot-title">Bot answers from your knowledge</h2>
        </div>
        <p class="muted small">
          When no rep can take a chat (outside business hours, everyone busy or away, or nobody accepted in time), the bot answers the visitor's question
          from your AI Copilot knowledge: only articles, Q&amp;A pairs and website pages, only when the copilot is confident, quoting the source. Under
          every answer the messenger offers “Talk to a person”, and the chat still waits for your team (or shows the offline form or your booker). Reps
          see the answers in the transcript as the Assistant's.
        </p>
        <div class="big-switch">
          <Switch
            label="Let the bot answer when nobody is available"
            checked={!!m.bot_answers}
            disabled={busy}
            onChange={(v) => void save({ bot_answers: v }, v ? "The bot answers from your knowledge when nobody is available." : "Bot answers are off.")}
            hint="Off by default. Uses the knowledge in Admin > AI Copilot; nothing is sent to an AI model."
          />
        </div>
      </section>
    </>
  );
}

// Admin -> Messenger -> Texts: the org's own wording, per language, over the messenger's files.
function TextsEditor({ texts, busy, save }: { texts: Texts; busy: boolean; save: (texts: Texts, done: string) => Promise<void> }) {
  const [lang, setLang] = useState<TextLanguage>("en");
  const [draft, setDraft] = useState<Record<string, string>>(texts[lang] ?? {});
  const defaults = DEFAULTS[lang];
  function pick(next: TextLanguage) {
    setLang(next);
    setDraft(texts[next] ?? {});
  }
  const edited = Object.values(draft).filter((v) => v.trim()).length;
  return (
    <section class="panel" aria-labelledby="messenger-texts-title">
      <div class="panel-head">
        <h2 id="messenger-texts-title">Texts</h2>
      </div>
      <p class="muted small">
        Reword the messenger's texts for your visitors, per language; a blank field shows the default (its placeholder). Keep the words in braces,
        such as {"{org}"} or {"{email}"}: the messenger fills them in. At most {MAX_TEXT} characters each.
      </p>
      <label class="field">
        <span>Language of the texts</span>
        <select value={lang} disabled={busy} onChange={(e) => pick((e.target as HTMLSelectElement).value as TextLanguage)}>
          {LANGUAGES.filter(([value]) => value !== "auto").map(([value, label]) => (
            <option key={value} value={value}>
              {label}
              {texts[value] && Object.keys(texts[value]).length ? ` (${Object.keys(texts[value]).length} reworded)` : ""}
            </option>
          ))}
        </select>
      </label>
      <details>
        <summary>
          Edit {Object.keys(defaults).length} texts{edited ? ` (${edited} reworded)` : ""}
        </summary>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const kept = Object.fromEntries(Object.entries(draft).filter(([, v]) => v.trim()));
            const next: Texts = { ...texts };
            if (Object.keys(kept).length) next[lang] = kept;
            else delete next[lang];
            void save(next, "Messenger texts saved.");
          }}
        >
          {Object.keys(EN).map((key) => (
            <label class="field" key={lang + key}>
              <span>{(EN as Record<string, string>)[key]}</span>
              <input
                type="text"
                dir={lang === "ar" ? "rtl" : "ltr"}
                lang={lang}
                maxLength={MAX_TEXT}
                placeholder={defaults[key]}
                value={draft[key] ?? ""}
                disabled={busy}
                onInput={(e) => setDraft({ ...draft, [key]: (e.target as HTMLInputElement).value })}
              />
            </label>
          ))}
          <button type="submit" class="btn btn-primary btn-sm" disabled={busy}>
            Save texts
          </button>
        </form>
      </details>
    </section>
  );
}
