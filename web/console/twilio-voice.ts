// The Twilio Voice JavaScript SDK, as its own lazily loaded chunk (build.mjs writes it as
// console/twilio.<hash>.js): phonebridge.ts imports it only when a phone leg joins the browser
// call this console holds, so the console's own bundle stays as it was for everyone else.
export { Device } from "@twilio/voice-sdk";
