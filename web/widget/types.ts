// Shapes shared by the loader (widget.js) and the messenger (messenger.js).
// Type-only: esbuild erases this file, so the two bundles share no runtime code.
import type * as S from "../generated/openapi";

// The visitor socket's frames and what they carry, generated from the server's models
// (web/generated/openapi.ts; `make types` after changing a model).
export type Message = S.MessageOut;
export type VisitorMessage = S.VisitorMessage;
export type Rep = S.RepBrief;
export type Conversation = S.VisitorConversation;
export type MessengerConfig = S.MessengerSettings;
export type Config = S.WelcomeConfig;
export type Welcome = S.Welcome;
export type Invitation = S.VisitorInvitation;
// What the server sends, narrowed by `type`; what the widget sends.
export type ServerFrame = S.VisitorServerFrame;
export type ClientFrame = S.VisitorClientFrame;
export type Page = S.Page;
export type BookingCard = S.BookingCard;
export type Activity = S.ActivityFrame["state"];
// What the messenger hears from the loader: the server's frames, and `disconnected` when the
// socket dropped (the loader reconnects by itself).
export type BridgeFrame = ServerFrame | { type: "disconnected" };

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
  send(frame: ClientFrame): boolean;
  /** Receive every frame; frames that arrived before the messenger loaded are replayed first. */
  subscribe(fn: (frame: BridgeFrame) => void): void;
  welcome?: Welcome | null; // the last welcome (refreshed on every reconnect)
  emit(event: PublicEvent, data?: unknown): void;
  css(text: string): void; // adopt a stylesheet into the shadow root
  impl?: MessengerImpl | null;
  /** Set by the messenger while it loads its texts, so a second copy of it does not start. */
  booting?: boolean;
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
