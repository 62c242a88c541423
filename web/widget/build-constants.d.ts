// Constants that web/build.mjs defines at build time (esbuild `define`).

/** The messenger's content-hashed path on the Frontdesk server, e.g. "/static/messenger.2QX7LM4A.js". */
declare const MESSENGER_PATH: string;

/** Each language's texts but English (built in), by language code: "/static/i18n/messenger.de.1A2B3C4D.json". */
declare const I18N_PATHS: Record<string, string>;
