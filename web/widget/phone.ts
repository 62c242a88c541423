// "Call my phone instead" (join by phone, docs/telephony.md), in the messenger bundle only: the
// loader knows nothing of it. Offered only when welcome.config.phone_join_available is true (the
// org set up a telephony provider), on the call screen (with the browser call's id: the answered
// phone joins that call) and next to "Call us". The visitor types a number; `phone_join` asks the
// server to ring it; `phone_leg` frames say how the call goes; `phone_hang_up` ends it.
import type { Bridge, BridgeFrame, Welcome } from "./types";
import type { Key, Translate } from "./i18n";
import type * as S from "../generated/openapi";

type Leg = S.VisitorPhoneLeg;
type Kid = Node | string | null | undefined | false;
type H = <K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Record<string, string | undefined>, ...kids: Kid[]) => HTMLElementTagNameMap[K];

const PHONE = "M22 17v3a2 2 0 0 1-2 2A20 20 0 0 1 2 4a2 2 0 0 1 2-2h3a2 2 0 0 1 2 1.7l.7 2.8a2 2 0 0 1-.5 2L8 9.8a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2-.5l2.8.7A2 2 0 0 1 22 17z";
const LIVE = ["requested", "queued", "ringing", "in_progress"];

// The server's refusals (error codes) in the visitor's language.
const REFUSALS: Record<string, Key> = {
  phone_country_refused: "phoneCountry",
  rate_limited: "phoneLimit",
  phone_number_invalid: "phoneInvalid",
  invalid_frame: "phoneInvalid",
  phone_number_type_refused: "phoneType",
  phone_number_refused: "phoneType",
  no_conversation: "phoneNoChat",
  conflict: "phoneAlready",
  phone_unavailable: "phoneOff",
};

export interface PhoneUi {
  el: HTMLElement;
  onFrame(f: BridgeFrame): boolean;
  onWelcome(w: Welcome): void;
  /** Where the call UI shows it: on the call screen (with that call's id), next to "Call us", or nowhere. */
  place(where: "call" | "offer" | null, callId: string | null): void;
}

export function phoneUi(b: Bridge, h: H, icon: (d: string) => SVGSVGElement, t: Translate, onConnected: (callId: string | null) => void): PhoneUi {
  let available = false;
  let where: "call" | "offer" | null = null;
  let callId: string | null = null;
  let leg: Leg | null = null;
  let asking = ""; // client_id of the phone_join on its way
  let open = false; // the number field is shown
  let problem = ""; // why the last attempt was refused

  const toggle = h("button", { type: "button", class: "ph-open", "aria-expanded": "false" }, icon(PHONE), t("phoneOffer"));
  const input = h("input", { id: "fd-phone", type: "tel", dir: "ltr", autocomplete: "tel", inputmode: "tel", maxlength: "32", placeholder: "+44 20 7946 0958", "aria-describedby": "fd-phone-hint" });
  const submit = h("button", { type: "submit", class: "ph-call" }, t("phoneCall"));
  const form = h(
    "form",
    { class: "ph-form", "aria-label": t("phoneOffer"), novalidate: "" },
    h("label", { for: "fd-phone" }, t("phoneLabel")),
    h("div", { class: "ph-row" }, input, submit),
    h("p", { class: "ph-hint", id: "fd-phone-hint" }, t("phoneHint")),
  );
  const state = h("p", { class: "ph-state", role: "status", "aria-label": t("phoneStatus") });
  const hangUp = h("button", { type: "button", class: "ph-hang" }, t("phoneHangUp"));
  const status = h("div", { class: "ph-status" }, state, hangUp);
  const err = h("p", { class: "ph-err", role: "alert" });
  const el = h("section", { class: "ph", "aria-label": t("phoneOffer"), hidden: "" }, toggle, form, status, err);

  const live = () => !!leg && LIVE.includes(leg.status);

  function stateText(l: Leg): string {
    switch (l.status) {
      case "requested":
      case "queued":
        return t("phoneCalling", { number: l.number });
      case "ringing":
        return t("phoneRinging");
      case "in_progress":
        return t("phoneConnected");
      case "busy":
        return t("phoneBusy");
      case "no_answer":
        return t("phoneNoAnswer");
      case "failed":
        return t("phoneFailed");
      default:
        return t("phoneEnded");
    }
  }

  function paint(): void {
    const shown = available && (where != null || live() || !!problem || !!leg);
    el.hidden = !shown;
    el.classList.toggle("in-call", where == "call");
    toggle.hidden = open || live() || !!asking;
    toggle.setAttribute("aria-expanded", String(open));
    form.hidden = !open || live();
    submit.disabled = !!asking;
    status.hidden = !leg;
    if (leg) state.textContent = stateText(leg);
    hangUp.hidden = !live();
    err.textContent = problem;
    err.hidden = !problem;
  }

  toggle.onclick = () => {
    open = true;
    problem = "";
    paint();
    input.focus();
  };
  form.onsubmit = (e) => {
    e.preventDefault();
    const number = input.value.trim();
    problem = "";
    if (!/^(\+|00)?[\d\s().\-\/]{4,}$/.test(number) || !/^(\+|00)/.test(number)) {
      problem = t("phoneInvalid");
      paint();
      return input.focus();
    }
    const id = Array.from(crypto.getRandomValues(new Uint8Array(8)), (x) => (x + 256).toString(16).slice(1)).join("");
    const frame: S.PhoneJoinFrame = { type: "phone_join", client_id: id, number, call_id: where == "call" ? callId : null };
    if (!b.send(frame)) {
      problem = t("offline");
      paint();
      return;
    }
    asking = id;
    paint();
  };
  hangUp.onclick = () => {
    if (leg && live()) b.send({ type: "phone_hang_up", leg_id: leg.id });
  };

  function onFrame(f: BridgeFrame): boolean {
    if (f.type == "phone_leg") {
      if (f.client_id && f.client_id == asking) asking = "";
      else if (leg && f.leg.id != leg.id && !f.client_id) return true; // an older leg's late news
      const was = leg?.status;
      leg = f.leg;
      if (live()) open = false;
      if (leg.status == "in_progress" && was != "in_progress") onConnected(leg.call_id);
      const ended = leg;
      // An ended call's news stays a while, then the offer is as before.
      if (!live()) window.setTimeout(() => leg == ended && ((leg = null), paint()), 10000);
      paint();
      return true;
    }
    if (f.type == "error" && asking && f.ref == asking) {
      asking = "";
      // (a refused call that reached the provider also sends its failed leg: that stays shown)
      problem = t(REFUSALS[f.code] || "phoneFailed");
      paint();
      input.focus();
      return true;
    }
    return false;
  }

  return {
    el,
    onFrame,
    onWelcome(w) {
      available = !!w.config?.phone_join_available;
      paint();
    },
    place(w, id) {
      if (w == where && id == callId) return;
      where = w;
      callId = id;
      paint();
    },
  };
}
