// Shapes shared by the loader (widget.js) and the messenger (messenger.js).
// Type-only: esbuild erases this file, so the two bundles share no runtime code.
// Field names follow docs/protocol.md (visitor socket).

export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  author_kind: "visitor" | "rep" | "bot" | "system";
  author_name: string | null;
  author_rep_id: string | null;
  body: string;
  html: string;
  client_id: string | null;
  created_at: string;
  internal?: boolean;
}

export interface Rep {
  id: string;
  name: string;
  avatar_url: string | null;
}

export interface Conversation {
  id: string;
  status: string; // incoming | active | ended | missed
  origin?: string;
  rep?: Rep | null;
  offline?: boolean; // nobody is available: show the offline form
  ask_identity?: boolean; // the experience asks for name and email before the chat
}

export interface MessengerConfig {
  ask_identity?: boolean;
  greeting?: string;
  color?: string; // brand colour, "#rrggbb"
  [key: string]: unknown;
}

export interface Config {
  org_name?: string;
  idle_after_seconds?: number;
  heartbeat_seconds?: number;
  messenger?: MessengerConfig;
}

// A frame from the server. Only `type` is guaranteed; readers narrow by type.
export interface Frame {
  type: string;
  [key: string]: unknown;
}

export interface Welcome extends Frame {
  type: "welcome";
  token: string;
  visitor_id: string;
  visit_id: string;
  conversation: Conversation | null;
  messages: Message[];
  config: Config;
  invitations?: Invitation[]; // open invitations (pending or shown)
  identity_status?: string;
}

export interface Invitation {
  id: string;
  message: string;
  html: string;
  rep: { id: string; name: string };
  status: "pending" | "shown";
  expires_at: string | null; // set once shown: 2 minutes after invitation_shown
  server_time: string;
}

export type PublicEvent = "ready" | "open" | "close" | "message" | "unread" | "identify";

// What the messenger registers with the loader once it has loaded.
export interface MessengerImpl {
  open(focus: boolean): void;
  close(): void;
}

/**
 * Internal bridge the loader puts on window for the messenger (not a public API).
 * One socket per tab: the messenger never opens its own.
 */
export interface Bridge {
  v: 1;
  root: ShadowRoot; // the shadow root that holds the launcher; the messenger adds its panel here
  launcher: HTMLButtonElement;
  site: string;
  /** Send a frame; false when the socket is not open (the caller retries on the next welcome). */
  send(frame: Frame): boolean;
  /** Receive every frame; frames that arrived before the messenger loaded are replayed first. */
  subscribe(fn: (frame: Frame) => void): void;
  welcome?: Welcome | null; // the last welcome (refreshed on every reconnect)
  emit(event: PublicEvent, data?: unknown): void;
  css(text: string): void; // adopt a stylesheet into the shadow root
  impl?: MessengerImpl | null;
  /** True when the messenger should open as soon as it has loaded (a click or open() came first). */
  wantOpen?: boolean;
  focusOnOpen?: boolean;
}

declare global {
  interface Window {
    __frontdeskBridge?: Bridge;
    Frontdesk?: unknown;
  }
}
