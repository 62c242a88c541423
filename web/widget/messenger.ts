// messenger.js: the chat panel, loaded by widget.js only when it is needed. Budget: 30 KB gzip
// with DOMPurify. It draws into the loader's shadow root and talks through the loader's socket
// (window.__frontdeskBridge), so a tab never holds two connections.
import { htmlSanitiser } from "./sanitize";
import type { BookingCard, Bridge, BridgeFrame, Config, Conversation, Invitation, Message, Welcome } from "./types";
import { MESSENGER_CSS } from "./messenger.css";
import { callUi } from "./call";
import { phoneUi } from "./phone";
import { fileOf, filesUi } from "./files";
import { loadTexts, pickLanguage, RTL, translator, type Translate } from "./i18n";

// The Frontdesk server this script came from (the loader loads it from there).
const SERVER = new URL((document.currentScript as HTMLScriptElement | null)?.src || location.href).origin;

// Sanitising (widget/sanitize.ts: the one allow-list for message HTML, shared with the server).
const sanitize = htmlSanitiser(SERVER);

// ---------------------------------------------------------------------------------------------
// Small DOM helpers: no templates, no innerHTML, no style attributes (a strict CSP forbids them).
type Kid = Node | string | null | undefined | false;
function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...kids: Kid[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) k == "class" ? (el.className = v) : el.setAttribute(k, v);
  for (const kid of kids) if (kid) el.append(kid);
  return el;
}
const SVG = "http://www.w3.org/2000/svg";
function icon(d: string): SVGSVGElement {
  const s = document.createElementNS(SVG, "svg");
  s.setAttribute("viewBox", "0 0 24 24");
  s.setAttribute("aria-hidden", "true");
  s.setAttribute("class", "i");
  const p = document.createElementNS(SVG, "path");
  p.setAttribute("d", d);
  s.append(p);
  return s;
}
const ICON = {
  close: "M6 6l12 12M18 6L6 18",
  chevron: "M6 9l6 6 6-6",
  send: "M4 12l16-8-6 16-2.5-6.5L4 12zM11.5 13.5L20 4",
  bell: "M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0",
  bellOff: "M13.7 21a2 2 0 0 1-3.4 0M18.6 13A18 18 0 0 1 18 8M6.3 6.3A6 6 0 0 0 6 8c0 7-3 9-3 9h14M18 8a6 6 0 0 0-9.3-5M2 2l20 20",
  bot: "M12 3v3M7 6h10a3 3 0 0 1 3 3v7a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3zM9 12v1M15 12v1M10 16h4",
  clip: "M21.4 11l-9.2 9.2a6 6 0 0 1-8.5-8.5l8.6-8.5A4 4 0 1 1 18 8.8l-8.6 8.6a2 2 0 0 1-2.8-2.8l8.5-8.5",
  // the rating card: bad, neutral, good faces and a star
  face1: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M9 10h.01M15 10h.01M8.5 16.5a4 4 0 0 1 7 0",
  face2: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M9 10h.01M15 10h.01M9 15.5h6",
  face3: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18M9 10h.01M15 10h.01M8.5 14.5a4 4 0 0 0 7 0",
  star: "M12 3.5l2.6 5.3 5.9.9-4.3 4.1 1 5.8L12 16.9l-5.2 2.7 1-5.8-4.3-4.1 5.9-.9z",
};

function initials(name: string): string {
  const parts = name.replace(/\(.*?\)/g, "").trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] || "?") + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}
// Avatar backgrounds, each with >= 4.5:1 contrast against white text (WCAG AA).
const AVATAR_BG = ["#1d4ed8", "#6d28d9", "#be185d", "#047857", "#b45309", "#0e7490"];
function avatar(name: string, url?: string | null): HTMLElement {
  let hash = 0;
  for (const c of name) hash = (hash * 31 + c.charCodeAt(0)) | 0;
  const el = h("span", { class: "av av" + (Math.abs(hash) % AVATAR_BG.length), "aria-hidden": "true" }, initials(name));
  if (url && /^https?:/i.test(url)) {
    const img = h("img", { src: url, alt: "", referrerpolicy: "no-referrer" });
    img.onload = () => el.replaceChildren(img);
    // a CSP without this image host, or a 404: the initials stay
  }
  return el;
}
// The org's assistant (author_kind "bot"): the brand colour and a bot face, never a person's
// initials, so nobody mistakes it for a rep.
function botAvatar(): HTMLElement {
  return h("span", { class: "av bot", "aria-hidden": "true" }, icon(ICON.bot));
}
const authorAvatar = (kind: string, name: string) => (kind == "bot" ? botAvatar() : avatar(name));

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: "numeric", minute: "2-digit" });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });
function when(iso: string): string {
  const d = new Date(iso);
  if (isNaN(+d)) return "";
  return (d.toDateString() == new Date().toDateString() ? "" : dayFmt.format(d) + ", ") + timeFmt.format(d);
}

// WCAG relative luminance, to pick readable text on a customer's brand colour.
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

const rid = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => (b + 256).toString(16).slice(1)).join("");
const storage = (s: () => Storage, key: string, value?: string | null): string | null => {
  try {
    if (value === null) s().removeItem(key);
    else if (value !== undefined) s().setItem(key, value);
    return s().getItem(key);
  } catch {
    return null;
  }
};
const ls = () => localStorage;
const ss = () => sessionStorage;

interface Pending {
  client_id: string;
  body: string;
  at: string;
  failed: string | null; // why it was refused, or null while it is on its way
  file?: File; // a file on its way (sent over HTTP, not the socket)
}

// ---------------------------------------------------------------------------------------------
function start(b: Bridge, t: Translate, lang: string): void {
  b.css(MESSENGER_CSS);
  const root = b.root;
  const launcher = b.launcher;
  const dir = RTL.includes(lang) ? "rtl" : "ltr"; // the CSS uses logical properties: it mirrors
  launcher.setAttribute("dir", dir);
  const chatIcon = launcher.querySelector("svg");
  const chevron = icon(ICON.chevron);
  const readKey = "frontdesk:" + b.site + ":read";
  const soundKey = "frontdesk:sound";
  const identityKey = "frontdesk:" + b.site + ":identity";

  let welcome: Welcome | null = null;
  let conversation: Conversation | null = null;
  let isOpen = false;
  launcher.setAttribute("aria-expanded", "false");
  let hadWelcome = false;
  let repTypingTimer = 0;
  let sound = storage(ls, soundKey) == "1";
  let audio: AudioContext | null = null;
  let readAt = Date.parse(storage(ls, readKey) || "") || 0; // newest message the visitor has seen
  let unread = 0;
  let previewDismissedAt = 0;
  let brandColor = "";
  let identified = false; // the visitor told us who they are in this page (an "identified" frame)

  // Invitations (a rep's "can I help?", with #variables# filled in by the server): shown like a
  // proactive message until the visitor replies (the chat starts with the inviting rep, the
  // invitation becoming its first message) or the server expires it.
  const invites = new Map<string, Invitation>();
  const invTimers = new Map<string, number>();
  const invShown = new Set<string>(); // invitation_shown sent: once per invitation
  const invDismissed = new Set<string>(); // × on the preview: no longer beside the launcher
  const invRead = new Set<string>(); // seen in the open panel: no longer unread
  const invGone = new Set<string>(); // answered or expired: never shown again
  let previewInv: string | null = null; // the invitation the preview card shows

  const messages = new Map<string, Message>(); // "conversation:seq" -> message: dedupes replays
  const convOrder: string[] = [];
  const pending = new Map<string, Pending>(); // client_id -> not yet acknowledged
  const rows = new Map<string, HTMLElement>();

  // ---- the panel ----
  const title = h("div", { class: "title" });
  const subtitle = h("div", { class: "sub" });
  const headAvatar = h("span", { class: "head-av" });
  const soundBtn = h("button", { class: "ib", type: "button", "aria-label": t("sound"), "aria-pressed": "false", title: t("sound") });
  const closeBtn = h("button", { class: "ib", type: "button", "aria-label": t("closeChat"), title: t("close") }, icon(ICON.close));
  const status = h("div", { class: "status", role: "status", hidden: "" });
  const greeting = h("div", { class: "hello" });
  const intro = h("div", { class: "intro" }, greeting, h("p", {}, t("intro")));
  // Business hours and capacity: when the team is back (in the visitor's own time zone), or the
  // visitor's place in the queue while every rep is busy.
  const wait = h("p", { class: "ended wait", role: "status", hidden: "" });
  const ended = h("p", { class: "ended", hidden: "" }, t("ended"));
  const identity = buildIdentityCard();
  const offline = buildOfflineCard();
  const rating = buildRatingCard();
  const log = h(
    "div",
    { class: "log", role: "log", "aria-live": "polite", "aria-label": t("conversation"), tabindex: "0" },
    intro,
    identity.card,
    wait,
    offline.card,
    ended, // nothing below it reads as if the chat were still going...
    rating.card, // ...but the rating, which is about the chat that ended
  );
  const typingName = h("span");
  const typing = h("div", { class: "typing", hidden: "" }, h("span", { class: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), typingName);
  const textarea = h("textarea", { "aria-label": t("message"), placeholder: t("placeholder"), rows: "1", maxlength: "10000" });
  const sendBtn = h("button", { class: "send", type: "submit", "aria-label": t("send"), disabled: "" }, icon(ICON.send));
  // Files (files.ts): shown when the org lets visitors send them (welcome.config.visitor_files).
  const files = filesUi(SERVER, b.site, () => welcome?.token, h, t);
  const picker = h("input", { type: "file", hidden: "", multiple: "", tabindex: "-1", "aria-hidden": "true" });
  const attachBtn = h("button", { class: "ib att", type: "button", "aria-label": t("attach"), title: t("attach"), hidden: "" }, icon(ICON.clip));
  const composer = h("form", { class: "composer" }, picker, attachBtn, textarea, sendBtn);
  // Sneak peek (welcome.config.messenger.sneak_peek): said above the composer whenever it is on.
  const peekNote = h("p", { class: "peek", hidden: "" }, t("sneakPeek"));
  const panel = h(
    "section",
    { class: "panel", role: "dialog", "aria-modal": "false", "aria-label": t("chat"), lang, dir, hidden: "" },
    h(
      "header",
      { class: "head" },
      h("div", { class: "who" }, headAvatar, h("div", { class: "names" }, title, subtitle)),
      soundBtn,
      closeBtn,
    ),
    status,
    log,
    typing,
    peekNote,
    composer,
    h("div", { class: "foot" }, t("powered")),
  );
  // Calls (call.ts): the call area under the header, and "call us" buttons in it.
  // "Call my phone instead" (phone.ts): under the call screen, or next to "Call us".
  const phone = phoneUi(b, h, icon, t, (callId) => calls.phoneAnswered(callId));
  const calls = callUi(b, h, icon, (name) => avatar(name), () => open(false), t, (where, callId) => phone.place(where, callId));
  status.after(calls.box);
  calls.box.after(calls.offer);
  calls.offer.after(phone.el);
  soundBtn.before(calls.startButtons);
  const previewAuthor = h("div", { class: "pv-name" });
  const previewText = h("div", { class: "pv-text" });
  const previewAv = h("span");
  const previewOpen = h("button", { class: "pv-body", type: "button" }, previewAv, h("span", { class: "pv-main" }, previewAuthor, previewText));
  const previewClose = h("button", { class: "pv-x", type: "button", "aria-label": t("dismiss") }, icon(ICON.close));
  const preview = h("div", { class: "preview", lang, dir, hidden: "" }, previewOpen, previewClose);
  const badge = h("span", { class: "badge", "aria-hidden": "true", hidden: "" });
  const unreadText = h("span", { class: "sr", id: "fd-unread", "aria-live": "polite" });
  launcher.append(badge);
  launcher.setAttribute("aria-describedby", "fd-unread");
  root.prepend(panel, preview, unreadText);

  // ---- header / config ----
  function applyConfig(): void {
    const cfg: Partial<Config> = welcome?.config || {};
    const org = cfg.org_name || t("support");
    const color = cfg.messenger?.color;
    if (typeof color == "string" && /^#[0-9a-f]{6}$/i.test(color) && color != brandColor) {
      brandColor = color; // applyConfig runs on every welcome: adopt one sheet per colour, not per call
      // white text needs >= 4.5:1 (L <= 0.183); otherwise use near-black text
      b.css(`:host{--fd-accent:${color}!important;--fd-on-accent:${luminance(color) > 0.183 ? "#111827" : "#fff"}!important}`);
    }
    greeting.textContent = cfg.messenger?.greeting || t("hello", { org });
    panel.setAttribute("aria-label", t("chatWith", { org }));
    const rep = conversation?.rep;
    // Nobody is available, or nobody joined in time: the header must not still promise a reply
    // in minutes (the offline form and the timeout message say it will come by email).
    const away = !!conversation && (conversation.offline || conversation.status == "missed");
    title.textContent = rep ? rep.name : org;
    const c = conversation && ["incoming", "active"].includes(conversation.status) ? conversation : null;
    const place = c && !rep ? c.queue_position : null;
    const back = c?.away_until ? new Date(c.away_until) : null;
    // Outside business hours the server's away message already says when the team is back
    // (features/orgs/visitor_texts.py, "backAt"): the header says "outside hours" only, so
    // the sentence is not shown twice.
    wait.hidden = !place;
    wait.textContent = place ? t("queuePlace", { n: place }) : "";
    subtitle.textContent = rep ? org : place ? t("busy") : back ? t("outsideHours") : away ? t("away") : t("replyTime");
    headAvatar.replaceChildren(avatar(rep ? rep.name : org, rep?.avatar_url));
    headAvatar.classList.toggle("on", !!rep); // a person has this conversation: show them as online
    calls.setConversation(conversation);
    peekNote.hidden = !cfg.messenger?.sneak_peek;
    ended.hidden = !(conversation && (conversation.status == "ended" || conversation.status == "missed"));
    ended.textContent = conversation?.status == "missed" ? t(emailKnown() ? "missedEmail" : "missed") : t("ended");
    // (the identity and offline cards are refreshed by render(), which first measures whether
    // the log is scrolled to the bottom, so a card appearing keeps it there)
  }

  // ---- transcript ----
  const keyOf = (m: Message) => m.conversation_id + ":" + m.seq;
  const sortKey = (m: Message) => convOrder.indexOf(m.conversation_id) * 1e9 + m.seq;

  function addMessage(m: Message, live: boolean): void {
    if (!m || m.internal || typeof m.seq != "number") return;
    const key = keyOf(m);
    if (messages.has(key)) return; // a replay after a reconnect or a resume: shown once
    if (!convOrder.includes(m.conversation_id)) convOrder.push(m.conversation_id);
    messages.set(key, m);
    if (m.client_id) pending.delete(m.client_id); // our own message, confirmed
    // The visitor replied to an invitation: its text is now seq 1 of the chat. Shown once.
    for (const inv of invites.values()) if (inv.rep.id == m.author_rep_id && inv.message == m.body) dropInvitation(inv.id);
    if (m.author_kind == "visitor") return;
    hideRepTyping();
    if (live) {
      b.emit("message", { message: m });
      if (sound && (!isOpen || document.hidden)) chime();
    }
  }

  function row(m: Message | Pending, key: string): HTMLElement {
    const mine = !("seq" in m) || m.author_kind == "visitor";
    const kind = "seq" in m ? m.author_kind : "visitor";
    const name = "seq" in m ? (mine ? t("you") : m.author_name || t(kind == "bot" ? "assistant" : "team")) : t("you");
    const at = "seq" in m ? m.created_at : m.at;
    const bubble = h("div", { class: "bubble", dir: "auto", title: new Date(at).toLocaleString() });
    const file = "seq" in m ? fileOf(m) : null;
    if ("seq" in m && !file) {
      bubble.append(m.html ? sanitize(m.html) : m.body);
      bubble.querySelectorAll("img").forEach((img) => {
        img.addEventListener("load", stick);
        // refused by the image proxy or gone: say so instead of a broken icon or bare alt text
        img.addEventListener("error", () => img.replaceWith(h("span", { class: "img-failed", role: "img", "aria-label": t("imageFailed") }, t("imageFailed"))), { once: true });
      });
    } else bubble.append(m.body); // our own text, shown as typed until the server's HTML arrives
    const offer = "seq" in m ? m.meta?.meeting_offer : null;
    const botAnswer = "seq" in m && kind == "bot" && !!m.meta?.bot_answer;
    const el = h(
      "div",
      { class: `row ${kind == "system" ? "sys" : mine ? "me" : "them " + kind}${offer ? " bk-row" : ""}` },
      !mine && kind != "system" ? authorAvatar(kind, name) : null,
      h(
        "div",
        { class: "col" },
        h("div", { class: "meta" }, h("span", { class: "an" }, name), " · " + when(at)),
        file ? files.view(file, stick) : bubble,
        typeof offer == "string" && bookingCard(offer),
        botAnswer && humanOption(),
      ),
    );
    el.dataset.key = key;
    el.dataset.group = kind + "|" + name;
    if (!("seq" in m)) {
      const state = h("div", { class: "state" });
      if (m.failed) {
        const retry = h("button", { type: "button", class: "retry" }, t("retry"));
        retry.onclick = () => {
          m.failed = null;
          if (m.file) void sendFile(m);
          else b.send({ type: "message", client_id: m.client_id, body: m.body });
          render();
        };
        state.append(t("notSent", { why: m.failed }), retry);
        el.classList.add("failed");
      } else state.append(t("sending"));
      el.classList.add("pending");
      el.querySelector(".col")!.append(state);
    }
    return el;
  }

  // ---- the bot's answer from the knowledge (docs/copilot.md): always with a way to a person ----
  // "Talk to a person" shows the offline form or the meeting booker when the chat has one, else
  // asks for a person in the chat (the message reps see; the chat is still waiting for them).
  function humanOption(): HTMLElement {
    const talk = h("button", { type: "button", class: "human" }, t("talkToPerson"));
    talk.onclick = () => {
      const form = offline.card.hidden ? null : offline.card;
      const booker = log.querySelector<HTMLElement>(".bk");
      const target = form || booker;
      if (target) {
        target.scrollIntoView({ block: "nearest" });
        target.querySelector<HTMLElement>("input,textarea,button")?.focus();
        return;
      }
      const body = t("talkToPerson");
      const p: Pending = { client_id: rid(), body, at: new Date().toISOString(), failed: null };
      pending.set(p.client_id, p);
      b.send({ type: "message", client_id: p.client_id, body });
      render(true);
    };
    return h("div", { class: "bot-note" }, h("span", {}, t("botAnswer")), talk);
  }

  // ---- the meeting booker: a rep's offer becomes a card to pick a time from ----
  // Times come from the server already laid out in the visitor's own zone (shown on the card);
  // the card talks to /widget/meetings over HTTP (CORS: the org's websites only).
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  function bookingCard(offerId: string): HTMLElement {
    const box = h("div", { class: "id-card bk", role: "group", "aria-label": t("bookMeeting") });
    const url = (tail: string) => `${SERVER}/widget/meetings/${offerId}${tail}?site=${encodeURIComponent(b.site)}`;
    let card: BookingCard | null = null;
    let day = 0;
    let slot: BookingCard["days"][number]["slots"][number] | null = null;
    let note = "";
    const fail = (data: { error?: { message?: string } } | null) => (data && data.error && data.error.message) || t("wrong");
    async function load(message = ""): Promise<void> {
      note = message;
      try {
        const r = await fetch(url("") + "&tz=" + encodeURIComponent(zone));
        const data = await r.json();
        if (!r.ok) throw new Error(fail(data));
        card = data as BookingCard;
        slot = null;
        day = Math.min(day, Math.max(card.days.length - 1, 0));
      } catch (e) {
        note = (e as Error).message;
      }
      draw();
    }
    // 24-hour, like the times on the card
    const longFmt = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
    function draw(): void {
      box.replaceChildren();
      if (!card) {
        box.append(h("p", { class: "id-note" }, note || t("loadingTimes")));
        if (note) {
          const again = h("button", { type: "button", class: "retry" }, t("tryAgain"));
          again.onclick = () => void load();
          box.append(again);
        }
        return stick();
      }
      box.append(h("p", { class: "id-title" }, card.title), h("p", { class: "id-note" }, `${card.duration_minutes} min${card.owner_name ? " " + t("withRep", { name: card.owner_name }) : ""}${card.location ? " · " + card.location : ""}`));
      if (card.booked) {
        box.append(h("p", { class: "thanks", role: "status" }, t("booked", { when: longFmt.format(new Date(card.booked.start)), email: card.booked.visitor_email })));
        return stick();
      }
      if (note) box.append(h("p", { class: "err", role: "alert" }, note));
      if (!card.days.length) {
        box.append(h("p", { class: "id-note" }, card.problem || t("noTimes")));
        return stick();
      }
      box.append(h("p", { class: "id-note bk-tz" }, t("timesIn", { zone: card.time_zone })));
      const days = h("div", { class: "bk-days", role: "group", "aria-label": t("day") });
      card.days.forEach((d, i) => {
        const btn = h("button", { type: "button", class: "bk-chip", "aria-pressed": String(i == day) }, d.label);
        btn.onclick = () => ((day = i), (slot = null), (note = ""), draw());
        days.append(btn);
      });
      const times = h("div", { class: "bk-times", role: "group", "aria-label": t("timeOn", { day: card.days[day].label }) });
      for (const t of card.days[day].slots) {
        const btn = h("button", { type: "button", class: "bk-chip", "aria-pressed": String(slot == t) }, t.label);
        btn.onclick = () => ((slot = t), (note = ""), draw());
        times.append(btn);
      }
      box.append(days, times);
      if (slot) box.append(bookingForm(card, slot));
      stick();
    }
    function bookingForm(c: BookingCard, chosen: NonNullable<typeof slot>): HTMLElement {
      const field = (label: string, input: HTMLInputElement | HTMLTextAreaElement) => [h("label", {}, label, input)];
      const name = h("input", { name: "name", autocomplete: "name", required: "" });
      name.value = c.name || "";
      const email = h("input", { name: "email", type: "email", autocomplete: "email", required: "" });
      email.value = c.email || "";
      const answers = c.questions.map((q) => {
        const input = h("textarea", { name: q.id, rows: "2" });
        if (q.required) input.required = true;
        return [q, input] as const;
      });
      const error = h("p", { class: "err", role: "alert" });
      const submit = h("button", { type: "submit", class: "id-save" }, t("book", { when: c.days[day].label + ", " + chosen.label }));
      const form = h("form", { class: "id-form", "aria-label": t("details") }, ...field(t("name"), name), ...field(t("email"), email), ...answers.flatMap(([q, input]) => field(q.required ? q.label : t("optional", { label: q.label }), input)), error, submit);
      form.onsubmit = async (e) => {
        e.preventDefault();
        submit.disabled = true;
        error.textContent = "";
        try {
          const r = await fetch(url("/book"), {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ start: chosen.start, name: name.value, email: email.value, time_zone: zone, answers: Object.fromEntries(answers.map(([q, input]) => [q.id, input.value])) }),
          });
          const data = await r.json();
          if (r.status == 409) return void load(fail(data));
          if (!r.ok) throw new Error(fail(data));
          card = { ...c, booked: data };
          draw();
        } catch (err) {
          error.textContent = (err as Error).message;
          submit.disabled = false;
        }
      };
      return form;
    }
    void load();
    return box;
  }

  // An open invitation in the transcript: from the rep who sent it, after the messages so far.
  function invRow(inv: Invitation, key: string): HTMLElement {
    const name = inv.rep.name;
    const bubble = h("div", { class: "bubble", dir: "auto" }, inv.html ? sanitize(inv.html) : inv.message);
    const el = h(
      "div",
      { class: "row them inv" },
      avatar(name),
      h("div", { class: "col" }, h("div", { class: "meta" }, h("span", { class: "an" }, name)), bubble),
    );
    el.dataset.key = key;
    el.dataset.group = "rep|" + name;
    return el;
  }

  let wasAtBottom = true;
  function stick(): void {
    if (wasAtBottom) log.scrollTop = log.scrollHeight;
  }

  function render(forceBottom = false): void {
    wasAtBottom = forceBottom || log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    const confirmed = [...messages.values()].sort((x, y) => sortKey(x) - sortKey(y));
    // [key, time (NaN: never grouped), build]: confirmed messages, open invitations, then ours
    // on their way.
    const ordered: [string, number, (k: string) => HTMLElement][] = confirmed.map((m) => ["s" + keyOf(m), Date.parse(m.created_at), (k) => row(m, k)]);
    for (const inv of invites.values()) ordered.push(["i" + inv.id, NaN, (k) => invRow(inv, k)]);
    for (const p of pending.values()) ordered.push(["p" + p.client_id + (p.failed ? "!" : ""), Date.parse(p.at), (k) => row(p, k)]);
    const keep = new Set(ordered.map(([k]) => k));
    for (const [k, el] of rows) if (!keep.has(k)) (el.remove(), rows.delete(k));
    // Keyed, in place: existing rows are moved, not rebuilt (keeps images and selections).
    let prev: Element = intro;
    let prevGroup = "";
    let prevTime = 0;
    for (const [k, t, build] of ordered) {
      let el = rows.get(k);
      if (!el) rows.set(k, (el = build(k)));
      if (prev.nextElementSibling != el) prev.after(el);
      // Runs of messages by one author within 5 minutes are grouped: one name, one avatar.
      el.classList.toggle("cont", el.dataset.group == prevGroup && t - prevTime < 300000);
      prevGroup = el.dataset.group || "";
      prevTime = t;
      prev = el;
    }
    identity.refresh();
    offline.refresh();
    rating.refresh();
    updateUnread();
    stick();
  }

  // ---- unread + proactive preview ----
  function updateUnread(): void {
    if (isOpen && !document.hidden) markRead();
    const fresh = [...messages.values()].filter((m) => m.author_kind != "visitor" && Date.parse(m.created_at) > readAt);
    const count = fresh.length + [...invites.keys()].filter((id) => !invRead.has(id)).length;
    if (count != unread) {
      unread = count;
      badge.textContent = unread > 9 ? "9+" : String(unread);
      badge.hidden = unread == 0;
      unreadText.textContent = unread ? (unread > 1 ? t("unreadN", { n: unread }) : t("unread1")) : "";
      b.emit("unread", { count: unread });
    }
    // While the panel is closed, an invitation, or else the newest message from the team (a
    // "pounce"), shows beside the launcher.
    const inv = [...invites.values()].filter((i) => !invDismissed.has(i.id)).pop();
    const last = fresh.sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at)).pop();
    previewInv = null;
    if (isOpen) preview.hidden = true;
    else if (inv) {
      previewInv = inv.id;
      showPreview("rep", inv.rep.name, inv.html, inv.message);
    } else if (last && Date.parse(last.created_at) > previewDismissedAt)
      showPreview(last.author_kind, last.author_name || t(last.author_kind == "bot" ? "assistant" : "team"), last.html, last.body);
    else preview.hidden = true;
    reportShown();
  }
  function showPreview(kind: string, name: string, html: string, body: string): void {
    previewAv.replaceChildren(authorAvatar(kind, name));
    previewAuthor.textContent = name;
    const text = (sanitize(html || "").textContent || body).trim();
    previewText.textContent = text.length > 140 ? text.slice(0, 139) + "…" : text;
    preview.hidden = false;
  }
  function markRead(): void {
    for (const m of messages.values()) readAt = Math.max(readAt, Date.parse(m.created_at) || 0);
    if (readAt) storage(ls, readKey, new Date(readAt).toISOString());
    for (const id of invites.keys()) invRead.add(id);
  }

  // ---- invitations ----
  function setInvitation(inv: Invitation): void {
    if (invGone.has(inv.id)) return; // a late frame (another tab's, a replay) about an old one
    if (!invites.has(inv.id) && sound && (!isOpen || document.hidden)) chime();
    invites.set(inv.id, inv);
    clearTimeout(invTimers.get(inv.id));
    // The server sends invitation_expired 2 minutes after it was shown; should that frame be
    // lost, take it down ourselves a little later (timed against the server's own clock).
    const left = Date.parse(inv.expires_at || "") - Date.parse(inv.server_time);
    if (left >= 0)
      invTimers.set(
        inv.id,
        window.setTimeout(() => (dropInvitation(inv.id, false), render()), left + 5000),
      );
  }
  // gone: answered or expired for sure (not just our own fallback timer running out).
  function dropInvitation(id: string, gone = true): void {
    clearTimeout(invTimers.get(id));
    invites.delete(id);
    if (gone) invGone.add(id);
  }
  // Once an invitation is actually on screen (the preview card, or the open panel, in a visible
  // tab), say so: its 2-minute expiry starts then. Once per invitation; retried after a
  // reconnect if the socket was down.
  function reportShown(): void {
    if (document.hidden) return;
    for (const inv of invites.values())
      if (
        (isOpen || inv.id == previewInv) &&
        inv.status == "pending" &&
        !invShown.has(inv.id) &&
        b.send({ type: "invitation_shown", invitation_id: inv.id })
      )
        invShown.add(inv.id);
  }

  // ---- rep typing ----
  function hideRepTyping(): void {
    clearTimeout(repTypingTimer);
    typing.hidden = true;
  }
  function showRepTyping(name: string): void {
    typingName.textContent = t("typing", { name: name || t("someone") });
    typing.hidden = false;
    stick();
    // if the "stopped typing" frame is lost, don't show the dots forever
    clearTimeout(repTypingTimer);
    repTypingTimer = window.setTimeout(hideRepTyping, 8000);
  }

  // ---- open / close ----
  function open(user: boolean): void {
    if (!isOpen) {
      isOpen = true;
      panel.hidden = false;
      preview.hidden = true;
      launcher.classList.add("open");
      launcher.setAttribute("aria-label", t("minimize"));
      launcher.setAttribute("aria-expanded", "true");
      chatIcon?.replaceWith(chevron);
      storage(ss, "frontdesk:open", "1"); // stays open on the next page of this tab
      if (user) b.send({ type: "open" });
      b.emit("open");
      render(true);
    }
    if (user) textarea.focus();
  }
  function close(): void {
    if (!isOpen) return;
    const hadFocus = panel.contains(root.activeElement);
    isOpen = false;
    panel.hidden = true;
    launcher.classList.remove("open");
    launcher.setAttribute("aria-label", t("openChat"));
    launcher.setAttribute("aria-expanded", "false");
    if (chatIcon) chevron.replaceWith(chatIcon);
    storage(ss, "frontdesk:open", null);
    sendTyping(false);
    b.emit("close");
    updateUnread();
    if (hadFocus) launcher.focus(); // keyboard users land back where they started
  }
  launcher.onclick = () => (isOpen ? close() : open(true));
  closeBtn.onclick = close;
  panel.addEventListener("keydown", (e) => {
    if (e.key == "Escape") {
      e.stopPropagation();
      close();
    }
  });
  previewOpen.onclick = () => open(true);
  previewClose.onclick = () => {
    if (previewInv) invDismissed.add(previewInv); // still in the panel when the visitor opens it
    else {
      previewDismissedAt = Date.now() + 1; // hide it until something newer arrives
      for (const m of messages.values()) previewDismissedAt = Math.max(previewDismissedAt, Date.parse(m.created_at));
    }
    previewInv = null;
    preview.hidden = true;
    launcher.focus();
  };
  // Coming back to the tab: read what is open, and an invitation beside the launcher is on
  // screen only now.
  document.addEventListener("visibilitychange", updateUnread);

  // ---- sound (off by default; the toggle's click is the user gesture audio needs) ----
  function paintSound(): void {
    soundBtn.setAttribute("aria-pressed", String(sound));
    soundBtn.replaceChildren(icon(sound ? ICON.bell : ICON.bellOff));
  }
  soundBtn.onclick = () => {
    sound = !sound;
    storage(ls, soundKey, sound ? "1" : "0");
    paintSound();
    if (sound) chime();
  };
  paintSound();
  function chime(): void {
    try {
      audio ||= new AudioContext();
      const t = audio.currentTime;
      [660, 880].forEach((f, i) => {
        const o = audio!.createOscillator();
        const g = audio!.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.0001, t + i * 0.12);
        g.gain.exponentialRampToValueAtTime(0.15, t + i * 0.12 + 0.02);
        g.gain.exponentialRampToValueAtTime(0.0001, t + i * 0.12 + 0.3);
        o.connect(g).connect(audio!.destination);
        o.start(t + i * 0.12);
        o.stop(t + i * 0.12 + 0.32);
      });
    } catch {
      /* no audio: a notification sound is a nicety */
    }
  }

  // ---- composer ----
  let typingSentAt = 0;
  let typingStop = 0;
  function sendTyping(on: boolean): void {
    clearTimeout(typingStop);
    if (on) {
      // at most one "typing" frame every 3 s while keys are pressed; "stopped" after 4 s of quiet
      if (Date.now() - typingSentAt > 3000) {
        typingSentAt = Date.now();
        b.send({ type: "typing", is_typing: true });
      }
      typingStop = window.setTimeout(() => sendTyping(false), 4000);
    } else if (typingSentAt) {
      typingSentAt = 0;
      b.send({ type: "typing", is_typing: false });
    }
  }
  function autosize(): void {
    textarea.style.height = "auto"; // CSSOM writes are allowed by a strict CSP; style="" is not
    textarea.style.height = Math.min(textarea.scrollHeight, 140) + "px";
  }
  // Sneak peek: the draft's last 1,000 characters go at most once a second (the last one
  // always goes), only in an open chat and only when the org turned it on (and says so above).
  let draftSentAt = 0;
  let draftTimer = 0;
  let draftSent = "";
  function sendDraft(now = false): void {
    const open = conversation && (conversation.status == "incoming" || conversation.status == "active");
    if (!welcome?.config?.messenger?.sneak_peek || !open) return;
    clearTimeout(draftTimer);
    const delay = now ? 0 : draftSentAt + 1000 - Date.now();
    if (delay > 0) return void (draftTimer = window.setTimeout(() => sendDraft(true), delay));
    const text = textarea.value.trim() ? textarea.value.slice(-1000) : "";
    if (text == draftSent) return;
    draftSentAt = Date.now();
    if (b.send({ type: "draft", text })) draftSent = text;
  }
  textarea.addEventListener("input", () => {
    sendBtn.disabled = !textarea.value.trim();
    autosize();
    sendTyping(!!textarea.value.trim());
    sendDraft();
  });
  textarea.addEventListener("keydown", (e) => {
    // Enter sends, Shift+Enter is a new line; never while an IME is composing (CJK input)
    if (e.key == "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      composer.requestSubmit();
    }
  });
  composer.onsubmit = (e) => {
    e.preventDefault();
    const body = textarea.value.trim();
    if (!body) return;
    const p: Pending = { client_id: rid(), body, at: new Date().toISOString(), failed: null };
    pending.set(p.client_id, p);
    b.send({ type: "message", client_id: p.client_id, body }); // if the socket is down: resent on the next welcome
    textarea.value = "";
    sendBtn.disabled = true;
    autosize();
    sendTyping(false);
    clearTimeout(draftTimer);
    draftSent = ""; // the message replaces the draft on the console
    render(true);
    textarea.focus();
  };

  // Files: a pending row while it uploads, then the stored message like any other.
  async function sendFile(p: Pending): Promise<void> {
    try {
      addMessage(await files.upload(p.file!, p.client_id), false);
    } catch (e) {
      p.failed = (e as Error).message;
    }
    render();
  }
  function attach(list: FileList | null | undefined): void {
    if (attachBtn.hidden || !list) return;
    for (const file of Array.from(list)) {
      const p: Pending = { client_id: rid(), body: t("fileSending", { name: file.name || "image" }), at: new Date().toISOString(), failed: null, file };
      pending.set(p.client_id, p);
      void sendFile(p);
    }
    render(true);
  }
  attachBtn.onclick = () => picker.click();
  picker.onchange = () => (attach(picker.files), (picker.value = ""));
  textarea.addEventListener("paste", (e) => {
    if (e.clipboardData?.files.length && !attachBtn.hidden) (e.preventDefault(), attach(e.clipboardData.files));
  });
  panel.addEventListener("dragover", (e) => {
    if (!attachBtn.hidden && e.dataTransfer?.types.includes("Files")) e.preventDefault();
  });
  panel.addEventListener("drop", (e) => {
    if (e.dataTransfer?.files.length) (e.preventDefault(), attach(e.dataTransfer.files));
  });

  // Do we have a way to reach the visitor by email (identify(), the identity card, the offline
  // form)? Then nothing asks for it again.
  function emailKnown(): boolean {
    return identified || identity.known() || offline.sent() || ["verified", "unverified"].includes(String(welcome?.identity_status));
  }

  // ---- identity card (welcome.config.messenger.ask_identity, or the conversation's
  // ask_identity: the inbound experience asks for name and email before a rep joins) ----
  // Shown after the visitor's first message, the way people expect it ("how can we reach you?"),
  // never as a gate in front of the chat.
  function buildIdentityCard() {
    const nameIn = h("input", { id: "fd-name", type: "text", autocomplete: "name", maxlength: "200" });
    const emailIn = h("input", { id: "fd-email", type: "email", autocomplete: "email", required: "", maxlength: "320" });
    const err = h("p", { class: "err", role: "alert" });
    const thanks = h("p", { class: "thanks", hidden: "" });
    const heading = h("p", { class: "id-title" }, t("idTitle"));
    let thanksAfterMiss = false; // saved after nobody joined: the thank-you stays under the chat
    const form = h(
      "form",
      { class: "id-form", "aria-label": t("contact"), novalidate: "" },
      heading,
      h("label", { for: "fd-name" }, t("name")),
      nameIn,
      h("label", { for: "fd-email" }, t("email")),
      emailIn,
      err,
      h("button", { type: "submit", class: "id-save" }, t("save")),
    );
    const card = h("div", { class: "id-card", hidden: "" }, form, thanks);
    let done = storage(ls, identityKey) == "1";
    form.onsubmit = (e) => {
      e.preventDefault();
      const email = emailIn.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        err.textContent = t("badEmail");
        emailIn.focus();
        return;
      }
      (window.Frontdesk as { identify(p: object): void }).identify({ email, name: nameIn.value.trim() || null, hash: null });
      storage(ls, identityKey, "1");
      done = true;
      form.hidden = true;
      // After a missed chat nobody is replying here: the answer comes by email.
      thanksAfterMiss = conversation?.status == "missed";
      thanks.textContent = t(thanksAfterMiss ? "thanksMissed" : "thanksReply", { email });
      thanks.hidden = false;
      // The missed-chat line now says the answer comes by email: said at once, not when the
      // server's "identified" arrives (the thank-you above must not contradict the line).
      applyConfig();
      textarea.focus();
    };
    return {
      card,
      known: () => done,
      refresh() {
        const known = emailKnown();
        const closed = conversation?.status == "ended" || conversation?.status == "missed";
        // Nobody joined in time (and the offline form was not shown): the timeout message asks
        // for an email when we have none, so the form is right here; with one, nothing is asked.
        const missed = conversation?.status == "missed" && !conversation.offline;
        if (!thanks.hidden) card.hidden = closed && !thanksAfterMiss;
        else if (missed) {
          heading.textContent = t("idTitleMissed");
          card.hidden = known;
        } else if (closed) card.hidden = true; // an ended chat asks for nothing
        else {
          // (the offline form asks for an email itself)
          const asked = !!(welcome?.config?.messenger?.ask_identity || conversation?.ask_identity) && !conversation?.offline;
          const sentOne = pending.size > 0 || [...messages.values()].some((m) => m.author_kind == "visitor");
          card.hidden = known || !asked || !sentOne;
        }
      },
    };
  }

  // ---- offline form (conversation.offline: nobody is available) ----
  // Name (optional), email and message, sent as offline_message; the server stores it, emails
  // it to the reps and answers offline_received. Remembered per conversation, so a reload shows
  // the thank-you rather than the form again.
  function buildOfflineCard() {
    const offlineKey = "frontdesk:" + b.site + ":offline";
    const nameIn = h("input", { id: "fd-off-name", type: "text", autocomplete: "name", maxlength: "200" });
    const emailIn = h("input", { id: "fd-off-email", type: "email", autocomplete: "email", required: "", maxlength: "320" });
    const bodyIn = h("textarea", { id: "fd-off-body", required: "", rows: "3", maxlength: "10000" });
    const emailLabel = h("label", { for: "fd-off-email" }, t("email"));
    // With an email already given (identify(), the identity card), the form does not ask for
    // it again: the server uses the one it has.
    const askEmail = () => !emailKnown();
    const err = h("p", { class: "err", role: "alert" });
    // (the composer has the textbox "Message" and the button "Send message": no field or button
    // here has a name containing those, so neither is ever ambiguous)
    const submit = h("button", { type: "submit", class: "id-save" }, t("offSubmit"));
    const thanks = h("p", { class: "thanks", role: "status", hidden: "" });
    const form = h(
      "form",
      // novalidate: our own messages, in a role=alert, instead of the browser's tooltip
      { class: "id-form", "aria-label": t("offLabel"), novalidate: "" },
      h("p", { class: "id-title" }, t("offTitle")),
      h("p", { class: "id-note" }, t("offNote")),
      h("label", { for: "fd-off-name" }, t("nameOptional")),
      nameIn,
      emailLabel,
      emailIn,
      h("label", { for: "fd-off-body" }, t("offHelp")),
      bodyIn,
      err,
      submit,
    );
    const card = h("div", { class: "id-card", hidden: "" }, form, thanks);
    let sending: string | null = null; // the email of the form on its way ("" = the known one)
    let shownFor: string | undefined; // the offline conversation the card is about ("" for none)
    const done = (email: string) => {
      form.hidden = true;
      thanks.textContent = email ? t("offThanks", { email }) : t("offThanksNoEmail");
      thanks.hidden = false;
    };
    const fail = (why: string) => {
      sending = null;
      submit.disabled = false;
      submit.textContent = t("offSubmit");
      err.textContent = why;
    };
    form.onsubmit = (e) => {
      e.preventDefault();
      const email = askEmail() ? emailIn.value.trim() : "";
      const body = bodyIn.value.trim();
      err.textContent = "";
      if (askEmail() && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        err.textContent = t("badEmail");
        return emailIn.focus();
      }
      if (!body) {
        err.textContent = t("writeMessage");
        return bodyIn.focus();
      }
      if (!b.send({ type: "offline_message", name: nameIn.value.trim() || null, email: email || null, body }))
        return fail(t("offline"));
      sending = email;
      submit.disabled = true;
      submit.textContent = t("sending");
    };
    return {
      card,
      refresh() {
        const id = conversation?.offline ? conversation.id : "";
        if (id != shownFor) {
          // another conversation: the thank-you if this one's form was sent (before a reload),
          // else a fresh form
          shownFor = id;
          const [sentFor, email] = (storage(ls, offlineKey) || "").split(" ");
          if (id && sentFor == id) done(email || "");
          else {
            form.hidden = false;
            thanks.hidden = true;
          }
        }
        emailLabel.hidden = emailIn.hidden = !askEmail();
        card.hidden = !id;
      },
      sent: () => !thanks.hidden, // this conversation's message (with an email) went through
      received() {
        if (sending === null) return;
        if (conversation) storage(ls, offlineKey, conversation.id + " " + sending);
        done(sending);
        sending = null;
        if (panel.contains(root.activeElement)) textarea.focus(); // the form is gone: keep focus in the panel
      },
      // An error frame while the form was on its way (it has no client_id to match): show it.
      failed(message: string) {
        if (sending !== null) fail(message || t("notSentForm"));
      },
    };
  }

  // ---- rating card (welcome.config.messenger.csat: "faces" or "stars") ----
  // Under a chat that ended: a score, then an optional comment, sent together as one `rate`
  // frame. One rating per chat and final (features/csat); the server answers with the
  // conversation, its `rating` set, on every tab, so each of them thanks the visitor.
  function buildRatingCard() {
    const scores = h("div", { class: "rate-scores", role: "group" });
    const comment = h("textarea", { class: "rate-comment", rows: "2", maxlength: "1000", "aria-label": t("rateComment"), placeholder: t("rateComment") });
    const err = h("p", { class: "err", role: "alert" });
    const submit = h("button", { type: "submit", class: "id-save" }, t("rateSend"));
    const more = h("div", { hidden: "" }, comment, err, submit);
    const form = h("form", { class: "id-form", novalidate: "" }, h("p", { class: "id-title" }, t("rateTitle")), scores, more);
    const thanks = h("p", { class: "thanks", role: "status", hidden: "" }, t("rateThanks"));
    const card = h("div", { class: "id-card rate", hidden: "" }, form, thanks);
    let drawnFor = ""; // "<conversation id>|<scale>" the buttons were drawn for
    let score = 0;
    let sending = ""; // the client_id of the rating on its way
    function draw(scale: number): void {
      scores.replaceChildren();
      scores.setAttribute("aria-label", t("rateLabel"));
      scores.className = "rate-scores " + (scale == 3 ? "faces" : "stars");
      for (let n = 1; n <= scale; n++) {
        const label = scale == 3 ? t(("rate" + n + "of3") as "rate1of3") : t("stars", { n });
        const btn = h("button", { type: "button", class: "rate-b", "aria-pressed": "false", "aria-label": label, title: label }, icon(scale == 3 ? (ICON as Record<string, string>)["face" + n] : ICON.star));
        if (scale == 3) btn.append(h("span", { "aria-hidden": "true" }, label));
        btn.onclick = () => {
          score = n;
          scores.querySelectorAll("button").forEach((b, i) => {
            b.setAttribute("aria-pressed", String(i + 1 == n));
            b.classList.toggle("lit", scale == 5 && i < n);
          });
          more.hidden = false;
          stick();
        };
        scores.append(btn);
      }
    }
    form.onsubmit = (e) => {
      e.preventDefault();
      if (!score || !conversation || sending) return;
      err.textContent = "";
      sending = rid();
      if (!b.send({ type: "rate", client_id: sending, conversation_id: conversation.id, score, comment: comment.value.trim() || null })) {
        sending = "";
        err.textContent = t("offline");
        return;
      }
      submit.disabled = true;
    };
    return {
      card,
      refresh() {
        const choice = welcome?.config?.messenger?.csat;
        const scale = choice == "faces" ? 3 : choice == "stars" ? 5 : 0;
        const c = conversation;
        card.hidden = !scale || !c || c.status != "ended";
        if (card.hidden || !c) return;
        const rated = c.rating != null;
        if (rated && sending) {
          sending = "";
          if (panel.contains(root.activeElement)) textarea.focus(); // the form is gone
        }
        form.hidden = rated;
        thanks.hidden = !rated;
        if (!rated && drawnFor != c.id + "|" + scale) {
          drawnFor = c.id + "|" + scale;
          score = 0;
          comment.value = "";
          more.hidden = true;
          submit.disabled = false;
          draw(scale);
        }
      },
      // An error answering our rating: say so and let the visitor try again.
      failed(ref: string): boolean {
        if (!sending || ref != sending) return false;
        sending = "";
        submit.disabled = false;
        err.textContent = t("rateFailed");
        return true;
      },
    };
  }

  // ---- the open chat's seqs: hello.last_seq, gaps, resync ----
  // Highest seq seen of the open conversation with no gap below it: the loader sends it as
  // hello.last_seq on every reconnect. Frames that arrived before this script loaded are
  // replayed to onFrame first, so nothing is missed by tracking here rather than in the loader.
  let convId: string | null = null;
  let lastSeq = 0;
  let ahead = new Set<number>(); // seqs seen above a gap, waiting for the gap to fill
  let resumeAsked = -1;
  const setConversation = (id: string) => {
    if (id !== convId) {
      convId = id;
      lastSeq = 0;
      ahead = new Set();
      resumeAsked = -1;
    }
  };
  // Ask for what this tab missed after lastSeq: the server answers with the frames it would
  // have had (the conversation's state, then a `message` per missed message).
  const resume = () => b.send({ type: "resume", after_seq: lastSeq, conversation_id: convId });
  const seen = (m: Message | undefined) => {
    if (!m?.seq) return; // seq counts from 1
    setConversation(m.conversation_id);
    if (m.seq > lastSeq) ahead.add(m.seq);
    while (ahead.delete(lastSeq + 1)) lastSeq++;
  };
  const track = (f: BridgeFrame) => {
    if (f.type == "welcome") {
      if (f.conversation) setConversation(f.conversation.id);
      (f.messages || []).forEach(seen);
    } else if (f.type == "message" || f.type == "ack") seen(f.message);
    else if (f.type == "conversation") setConversation(f.conversation.id);
    else if (f.type == "resync") resume(); // the server's bus lost events: catch up
    if (ahead.size) askForGap();
  };
  // A seq above a gap: frames were lost (the bus is best-effort), or a long chat's welcome
  // carried only its latest messages and each answer brings the next 256 KB. Ask from where
  // our copy stops, at most once a second (an answer's frames arrive one by one: asking on
  // each would ask again for what is already on its way), and again while the gap lasts.
  let gapTimer = 0;
  const askForGap = () => {
    if (gapTimer || resumeAsked == lastSeq || !resume()) return;
    resumeAsked = lastSeq;
    gapTimer = window.setTimeout(() => {
      gapTimer = 0;
      if (ahead.size) askForGap();
    }, 1000);
  };
  b.seq = () => lastSeq;

  // ---- frames from the loader's socket ----
  function onFrame(f: BridgeFrame): void {
    track(f);
    if (phone.onFrame(f) || calls.onFrame(f)) return;
    switch (f.type) {
      case "welcome": {
        welcome = f;
        if (welcome.conversation) conversation = welcome.conversation;
        calls.onWelcome(welcome);
        phone.onWelcome(welcome);
        const live = hadWelcome; // the first welcome carries history; later ones, what we missed
        hadWelcome = true;
        // The open invitations now: any other one expired or was answered meanwhile.
        const open = welcome.invitations || [];
        for (const id of [...invites.keys()]) if (!open.some((i) => i.id == id)) dropInvitation(id, false);
        open.forEach(setInvitation);
        (welcome.messages || []).forEach((m) => addMessage(m, live));
        // Unacknowledged messages go again with the same client_id: the server stores each once.
        for (const p of pending.values()) if (!p.failed && !p.file) b.send({ type: "message", client_id: p.client_id, body: p.body });
        status.hidden = true;
        attachBtn.hidden = !welcome.config.visitor_files;
        picker.accept = (welcome.config.visitor_files?.extensions || []).map((e) => "." + e).join(",");
        applyConfig();
        render();
        break;
      }
      case "disconnected":
        status.textContent = t("reconnecting");
        status.hidden = false;
        break;
      case "message":
        addMessage(f.message, true);
        render();
        break;
      case "messages":
        (f.messages || []).forEach((m) => addMessage(m, true));
        render();
        break;
      case "ack":
        addMessage(f.message, false);
        render();
        break;
      case "conversation":
        conversation = f.conversation;
        applyConfig();
        render();
        break;
      case "invitation":
        setInvitation(f.invitation);
        render();
        break;
      case "invitation_expired":
        dropInvitation(String(f.invitation_id));
        render();
        break;
      case "offline_received":
        offline.received();
        break;
      case "identified":
        identified = true;
        applyConfig();
        render();
        break;
      case "typing":
        if (f.is_typing) showRepTyping(String(f.rep_name || ""));
        else hideRepTyping();
        break;
      case "error": {
        const p = typeof f.ref == "string" ? pending.get(f.ref) : undefined;
        if (f.ref && rating.failed(String(f.ref))) render();
        else if (p) {
          p.failed = t(f.code == "too_long" ? "tooLong" : f.code == "rate_limited" ? "tooFast" : "refused");
          render();
        } else if (!f.ref) offline.failed(String(f.message || ""));
      }
    }
  }

  b.impl = { open, close };
  launcher.setAttribute("aria-label", t("openChat")); // the loader's label is English
  welcome = b.welcome || null;
  if (welcome) {
    if (welcome.conversation) conversation = welcome.conversation;
    calls.onWelcome(welcome);
    phone.onWelcome(welcome);
  }
  applyConfig();
  b.subscribe(onFrame); // replays what arrived before this script loaded
  if (b.wantOpen) open(!!b.focusOnOpen);
  else render();
}

// Last, so every constant above is initialised before start() runs.
// The texts come first: the org's language (Admin -> Messenger) or the browser's; one small
// request for a language other than English, cached for a year (hashed name).
async function boot(b: Bridge): Promise<void> {
  const config = b.welcome?.config?.messenger;
  const lang = pickLanguage(config?.language, navigator.languages || [navigator.language]);
  // The org's own wording (Admin -> Messenger -> Texts) over the language's file.
  start(b, translator({ ...(await loadTexts(SERVER, lang)), ...config?.texts?.[lang] }), lang);
}
const bridge = window.__frontdeskBridge;
if (bridge && bridge.v === 1 && !bridge.impl && !bridge.booting) {
  bridge.booting = true; // this script may run twice (a page that embeds the widget twice)
  void boot(bridge);
}
