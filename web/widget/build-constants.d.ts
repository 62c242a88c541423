// Constants that web/build.mjs defines at build time (esbuild `define`).

/** The messenger's content-hashed path on the Frontdesk server, e.g. "/static/messenger.2QX7LM4A.js". */
declare const MESSENGER_PATH: string;
