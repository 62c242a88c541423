// The messenger's own texts in the visitor's language (docs/widget.md, "Languages").
// English is built into messenger.js (the fallback for any missing text); every other
// language is one small JSON file (web/widget/i18n/<lang>.json, content-hashed by build.mjs)
// fetched only by the visitors who need it, so the bundle never carries all six.
import EN from "./i18n/en.json";

export type Key = keyof typeof EN;
export type Texts = Record<Key, string>;
export type Translate = (key: Key, vars?: Record<string, string | number>) => string;

// What the org may choose (Admin -> Messenger -> Language); "auto" follows the browser.
const LANGUAGES = ["en", "de", "fr", "es", "pt", "ja", "ar"];
// Languages written right to left: the panel, preview and launcher get dir="rtl".
export const RTL = ["ar", "he"];

/** The org's choice if it made one, else the first of the browser's languages we have. */
export function pickLanguage(chosen: string | undefined, browser: readonly string[]): string {
  if (chosen && LANGUAGES.includes(chosen)) return chosen;
  for (const tag of browser) {
    const base = tag.toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

/** The texts of a language: fetched from the Frontdesk server (English if that fails). */
export async function loadTexts(server: string, lang: string): Promise<Texts> {
  const path = I18N_PATHS[lang];
  if (!path) return EN;
  try {
    const r = await fetch(server + path);
    if (r.ok) return { ...EN, ...((await r.json()) as Partial<Texts>) };
  } catch {
    /* offline, or blocked by the page's CSP: English it is */
  }
  return EN;
}

export function translator(texts: Texts): Translate {
  return (key, vars) => (texts[key] || EN[key]).replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? ""));
}
