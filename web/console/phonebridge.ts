import { signal } from "@preact/signals";
import { api, ApiError, errorText } from "./api";
import type { PhoneLegOut, VoiceTokenOut } from "./types";

// Join by phone into the rep's browser call (docs/telephony.md). When the visitor of the call
// this console holds asks to be called on their phone (a phone leg naming the call), the console
// becomes a Twilio Voice client: it loads the SDK (a separate chunk), gets a short-lived Access
// Token for that leg from the server, and registers. When the visitor answers, Twilio dials this
// rep's client identity with the leg's id as a custom parameter; the console accepts that call
// and no other, and the video box shows "Visitor on the phone". Without an API key (the server
// answers 409) the answered phone rings the org's line instead, and the box says so.

declare const TWILIO_CHUNK: string; // build.mjs: "/static/console/twilio.<hash>.js"

// What the SDK gives us, as far as this file uses it (the SDK's own types are in the chunk).
export interface VoiceCall {
  customParameters: Map<string, string>;
  accept(): void;
  reject(): void;
  disconnect(): void;
  on(event: "disconnect" | "cancel" | "error", fn: (...args: unknown[]) => void): void;
}
export interface VoiceDevice {
  register(): Promise<void>;
  updateToken(token: string): void;
  destroy(): void;
  on(event: "incoming", fn: (call: VoiceCall) => void): void;
  on(event: "tokenWillExpire" | "error", fn: (...args: unknown[]) => void): void;
}
type DeviceClass = new (token: string, options: Record<string, unknown>) => VoiceDevice;

export const LEG_PARAMETER = "frontdesk_leg"; // features/telephony/twilio.py
const LIVE = ["requested", "queued", "ringing", "in_progress"];

export type BridgeState = {
  legId: string;
  callId: string;
  // waiting: registered, the phone rings; connected: the visitor's phone is on this call;
  // line: no API key, the answered phone rings the org's line; ended; failed (with why).
  state: "starting" | "waiting" | "connected" | "line" | "ended" | "failed";
  leg: PhoneLegOut;
  error?: string;
};
// The phone leg of the call this console holds, if any.
export const phoneBridge = signal<BridgeState | null>(null);

/** The one rule of this file: accept an incoming Twilio call only if it names the leg we expect. */
export function isExpectedCall(call: Pick<VoiceCall, "customParameters">, expectedLeg: string | null): boolean {
  return !!expectedLeg && call.customParameters?.get(LEG_PARAMETER) === expectedLeg;
}

let device: VoiceDevice | null = null;
let active: VoiceCall | null = null;
let expected: string | null = null;
const log = { accepted: [] as string[], rejected: [] as string[] }; // for the tests

function patch(p: Partial<BridgeState>): void {
  if (phoneBridge.value) phoneBridge.value = { ...phoneBridge.value, ...p };
}

async function loadDevice(): Promise<DeviceClass> {
  // (a variable, so esbuild leaves the import to the browser: the chunk is built on its own)
  const url = TWILIO_CHUNK;
  return ((await import(url)) as { Device: DeviceClass }).Device;
}

async function token(legId: string): Promise<string> {
  return (await api<VoiceTokenOut>("POST", `/api/phone-legs/${legId}/voice-token`)).token;
}

async function start(leg: PhoneLegOut, callId: string): Promise<void> {
  expected = leg.id;
  phoneBridge.value = { legId: leg.id, callId, state: "starting", leg };
  let first: string;
  try {
    first = await token(leg.id);
  } catch (err) {
    if (expected !== leg.id) return;
    if (err instanceof ApiError && err.code === "phone_unavailable") patch({ state: "line" });
    else patch({ state: "failed", error: errorText(err) });
    return;
  }
  try {
    const Device = await loadDevice();
    if (expected !== leg.id) return;
    const d = (device = new Device(first, { closeProtection: false, logLevel: "error" }));
    d.on("incoming", (call: VoiceCall) => {
      if (device !== d || active || !isExpectedCall(call, expected)) {
        log.rejected.push(call.customParameters?.get(LEG_PARAMETER) ?? "");
        call.reject();
        return;
      }
      log.accepted.push(expected ?? "");
      active = call;
      call.on("disconnect", () => {
        if (active === call) {
          active = null;
          patch({ state: "ended" });
        }
      });
      call.on("cancel", () => {
        if (active === call) active = null;
      });
      call.accept();
      patch({ state: "connected" });
    });
    d.on("tokenWillExpire", () => {
      if (expected) void token(expected).then((t) => device === d && d.updateToken(t), () => undefined);
    });
    d.on("error", (e: unknown) => patch({ error: (e as { message?: string })?.message || "The phone connection failed." }));
    await d.register();
    if (device === d) patch({ state: "waiting" });
  } catch (err) {
    if (expected === leg.id) patch({ state: "failed", error: (err as Error)?.message || "The phone client could not start." });
  }
}

/** Every `phone_leg.updated` the console receives; `heldCallId`: the browser call this tab holds. */
export function onPhoneLeg(leg: PhoneLegOut, heldCallId: string | null): void {
  const live = LIVE.includes(leg.status);
  if (leg.id === expected) {
    patch({ leg });
    if (!live) stopPhone(phoneBridge.value?.state === "connected" || phoneBridge.value?.state === "waiting" ? "ended" : undefined);
    return;
  }
  if (!live || !leg.call_id || leg.call_id !== heldCallId) return;
  stopPhone();
  void start(leg, leg.call_id);
}

/** The browser call ended (or the leg did): hang up the Twilio call and unregister. */
export function stopPhone(state?: BridgeState["state"]): void {
  expected = null;
  active?.disconnect();
  active = null;
  device?.destroy();
  device = null;
  if (state) patch({ state });
  else phoneBridge.value = null;
}

(window as unknown as { __frontdeskPhone: unknown }).__frontdeskPhone = {
  state: () => ({ bridge: phoneBridge.value, ...log }),
};
