// messenger.js: the chat panel, loaded by widget.js only when it is needed. Budget: 30 KB gzip
// with DOMPurify. It draws into the loader's shadow root and talks through the loader's socket
// (window.__frontdeskBridge), so a tab never holds two connections.
import DOMPurify from "dompurify";
import type { Bridge, Conversation, Frame, Message, Welcome } from "./types";
import { MESSENGER_CSS } from "./messenger.css";

// ---------------------------------------------------------------------------------------------
// Sanitising. The server already sends sanitised HTML; this second allow-list means a server bug
// (or a compromised server path) still cannot run script on the customer's site.
const TAGS = ["p", "br", "strong", "em", "a", "img", "code", "pre", "ul", "ol", "li", "blockquote"];
DOMPurify.addHook("uponSanitizeAttribute", (node, data) => {
  const tag = node.nodeName;
  const name = data.attrName;
  if ((name == "href" || name == "target" || name == "rel") && tag != "A") data.keepAttr = false;
  // img: http(s) only. DOMPurify would otherwise allow data: URIs on images.
  if ((name == "src" || name == "alt") && tag != "IMG") data.keepAttr = false;
  if (name == "src" && !/^https?:/i.test(data.attrValue)) data.keepAttr = false;
});
DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  if (node.nodeName == "A") {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  } else if (node.nodeName == "IMG") {
    node.setAttribute("loading", "lazy");
    node.setAttribute("referrerpolicy", "no-referrer");
  }
});
function sanitize(html: string): DocumentFragment {
  const frag = DOMPurify.sanitize(html, {
    ALLOWED_TAGS: TAGS,
    ALLOWED_ATTR: ["href", "title", "target", "rel", "src", "alt"],
    ALLOWED_URI_REGEXP: /^(?:https?|mailto):/i, // relative, javascript:, data:, vbscript: ... all dropped
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_DOM_FRAGMENT: true, // no string round-trip, no innerHTML on our side
  });
  frag.querySelectorAll("img:not([src])").forEach((img) => img.remove()); // its src was refused
  return frag;
}

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
}

// ---------------------------------------------------------------------------------------------
function start(b: Bridge): void {
  b.css(MESSENGER_CSS);
  const root = b.root;
  const launcher = b.launcher;
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

  const messages = new Map<string, Message>(); // "conversation:seq" -> message: dedupes replays
  const convOrder: string[] = [];
  const pending = new Map<string, Pending>(); // client_id -> not yet acknowledged
  const rows = new Map<string, HTMLElement>();

  // ---- the panel ----
  const title = h("div", { class: "title" });
  const subtitle = h("div", { class: "sub" });
  const headAvatar = h("span", { class: "head-av" });
  const soundBtn = h("button", { class: "ib", type: "button", "aria-label": "Sound notifications", "aria-pressed": "false", title: "Sound notifications" });
  const closeBtn = h("button", { class: "ib", type: "button", "aria-label": "Close chat", title: "Close" }, icon(ICON.close));
  const status = h("div", { class: "status", role: "status", hidden: "" });
  const greeting = h("div", { class: "hello" });
  const intro = h("div", { class: "intro" }, greeting, h("p", {}, "Ask us anything. A real person on the team will reply here."));
  const ended = h("p", { class: "ended", hidden: "" }, "This conversation has ended. Send a message to start a new one.");
  const identity = buildIdentityCard();
  const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation", tabindex: "0" }, intro, ended, identity.card);
  const typingName = h("span");
  const typing = h("div", { class: "typing", hidden: "" }, h("span", { class: "dots", "aria-hidden": "true" }, h("i"), h("i"), h("i")), typingName);
  const textarea = h("textarea", { "aria-label": "Message", placeholder: "Write a message…", rows: "1", maxlength: "10000" });
  const sendBtn = h("button", { class: "send", type: "submit", "aria-label": "Send message", disabled: "" }, icon(ICON.send));
  const composer = h("form", { class: "composer" }, textarea, sendBtn);
  const panel = h(
    "section",
    { class: "panel", role: "dialog", "aria-modal": "false", "aria-label": "Chat", hidden: "" },
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
    composer,
    h("div", { class: "foot" }, "Powered by Frontdesk"),
  );
  const previewAuthor = h("div", { class: "pv-name" });
  const previewText = h("div", { class: "pv-text" });
  const previewAv = h("span");
  const previewOpen = h("button", { class: "pv-body", type: "button" }, previewAv, h("span", { class: "pv-main" }, previewAuthor, previewText));
  const previewClose = h("button", { class: "pv-x", type: "button", "aria-label": "Dismiss message" }, icon(ICON.close));
  const preview = h("div", { class: "preview", hidden: "" }, previewOpen, previewClose);
  const badge = h("span", { class: "badge", "aria-hidden": "true", hidden: "" });
  const unreadText = h("span", { class: "sr", id: "fd-unread", "aria-live": "polite" });
  launcher.append(badge);
  launcher.setAttribute("aria-describedby", "fd-unread");
  root.prepend(panel, preview, unreadText);

  // ---- header / config ----
  function applyConfig(): void {
    const cfg = welcome?.config || {};
    const org = cfg.org_name || "Support";
    const color = cfg.messenger?.color;
    if (typeof color == "string" && /^#[0-9a-f]{6}$/i.test(color) && color != brandColor) {
      brandColor = color; // applyConfig runs on every welcome: adopt one sheet per colour, not per call
      // white text needs >= 4.5:1 (L <= 0.183); otherwise use near-black text
      b.css(`:host{--fd-accent:${color}!important;--fd-on-accent:${luminance(color) > 0.183 ? "#111827" : "#fff"}!important}`);
    }
    greeting.textContent = cfg.messenger?.greeting || `Hi there! Welcome to ${org}.`;
    panel.setAttribute("aria-label", "Chat with " + org);
    const rep = conversation?.rep;
    title.textContent = rep ? rep.name : org;
    subtitle.textContent = rep ? org : "We typically reply in a few minutes";
    headAvatar.replaceChildren(avatar(rep ? rep.name : org, rep?.avatar_url));
    headAvatar.classList.toggle("on", !!rep); // a person has this conversation: show them as online
    ended.hidden = !(conversation && (conversation.status == "ended" || conversation.status == "missed"));
    identity.refresh();
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
    const name = "seq" in m ? (mine ? "You" : m.author_name || (kind == "bot" ? "Bot" : "Team")) : "You";
    const at = "seq" in m ? m.created_at : m.at;
    const bubble = h("div", { class: "bubble", title: new Date(at).toLocaleString() });
    if ("seq" in m) {
      bubble.append(m.html ? sanitize(m.html) : m.body);
      bubble.querySelectorAll("img").forEach((img) => img.addEventListener("load", stick));
    } else bubble.append(m.body); // our own text, shown as typed until the server's HTML arrives
    const el = h(
      "div",
      { class: `row ${kind == "system" ? "sys" : mine ? "me" : "them"}` },
      !mine && kind != "system" ? avatar(name) : null,
      h("div", { class: "col" }, h("div", { class: "meta" }, h("span", { class: "an" }, name), " · " + when(at)), bubble),
    );
    el.dataset.key = key;
    el.dataset.group = kind + "|" + name;
    if (!("seq" in m)) {
      const state = h("div", { class: "state" });
      if (m.failed) {
        const retry = h("button", { type: "button", class: "retry" }, "Retry");
        retry.onclick = () => {
          m.failed = null;
          b.send({ type: "message", client_id: m.client_id, body: m.body });
          render();
        };
        state.append("Not sent (" + m.failed + "). ", retry);
        el.classList.add("failed");
      } else state.append("Sending…");
      el.classList.add("pending");
      el.querySelector(".col")!.append(state);
    }
    return el;
  }

  let wasAtBottom = true;
  function stick(): void {
    if (wasAtBottom) log.scrollTop = log.scrollHeight;
  }

  function render(forceBottom = false): void {
    wasAtBottom = forceBottom || log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    const confirmed = [...messages.values()].sort((x, y) => sortKey(x) - sortKey(y));
    const ordered: [string, Message | Pending][] = confirmed.map((m) => ["s" + keyOf(m), m]);
    for (const p of pending.values()) ordered.push(["p" + p.client_id + (p.failed ? "!" : ""), p]);
    const keep = new Set(ordered.map(([k]) => k));
    for (const [k, el] of rows) if (!keep.has(k)) (el.remove(), rows.delete(k));
    // Keyed, in place: existing rows are moved, not rebuilt (keeps images and selections).
    let prev: Element = intro;
    let prevGroup = "";
    let prevTime = 0;
    for (const [k, m] of ordered) {
      let el = rows.get(k);
      if (!el) rows.set(k, (el = row(m, k)));
      if (prev.nextElementSibling != el) prev.after(el);
      // Runs of messages by one author within 5 minutes are grouped: one name, one avatar.
      const t = Date.parse("seq" in m ? m.created_at : m.at);
      el.classList.toggle("cont", el.dataset.group == prevGroup && t - prevTime < 300000);
      prevGroup = el.dataset.group || "";
      prevTime = t;
      prev = el;
    }
    identity.refresh();
    updateUnread();
    stick();
  }

  // ---- unread + proactive preview ----
  function updateUnread(): void {
    if (isOpen && !document.hidden) markRead();
    const fresh = [...messages.values()].filter((m) => m.author_kind != "visitor" && Date.parse(m.created_at) > readAt);
    if (fresh.length != unread) {
      unread = fresh.length;
      badge.textContent = unread > 9 ? "9+" : String(unread);
      badge.hidden = unread == 0;
      unreadText.textContent = unread ? `${unread} unread message${unread > 1 ? "s" : ""}` : "";
      b.emit("unread", { count: unread });
    }
    // A message from the team while the panel is closed shows beside the launcher (a "pounce").
    const last = fresh.sort((x, y) => Date.parse(x.created_at) - Date.parse(y.created_at)).pop();
    if (last && !isOpen && Date.parse(last.created_at) > previewDismissedAt) {
      const name = last.author_name || "Team";
      previewAv.replaceChildren(avatar(name));
      previewAuthor.textContent = name;
      const text = (sanitize(last.html || "").textContent || last.body).trim();
      previewText.textContent = text.length > 140 ? text.slice(0, 139) + "…" : text;
      preview.hidden = false;
    } else preview.hidden = true;
  }
  function markRead(): void {
    for (const m of messages.values()) readAt = Math.max(readAt, Date.parse(m.created_at) || 0);
    if (readAt) storage(ls, readKey, new Date(readAt).toISOString());
  }

  // ---- rep typing ----
  function hideRepTyping(): void {
    clearTimeout(repTypingTimer);
    typing.hidden = true;
  }
  function showRepTyping(name: string): void {
    typingName.textContent = `${name || "Someone"} is typing…`;
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
      launcher.setAttribute("aria-label", "Minimize chat");
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
    launcher.setAttribute("aria-label", "Open chat");
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
    previewDismissedAt = Date.now() + 1; // hide it until something newer arrives
    for (const m of messages.values()) previewDismissedAt = Math.max(previewDismissedAt, Date.parse(m.created_at));
    preview.hidden = true;
    launcher.focus();
  };
  document.addEventListener("visibilitychange", () => isOpen && updateUnread());

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
  textarea.addEventListener("input", () => {
    sendBtn.disabled = !textarea.value.trim();
    autosize();
    sendTyping(!!textarea.value.trim());
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
    render(true);
    textarea.focus();
  };

  // ---- identity card (welcome.config.messenger.ask_identity) ----
  // Shown after the visitor's first message, the way people expect it ("how can we reach you?"),
  // never as a gate in front of the chat.
  function buildIdentityCard() {
    const nameIn = h("input", { id: "fd-name", type: "text", autocomplete: "name", maxlength: "200" });
    const emailIn = h("input", { id: "fd-email", type: "email", autocomplete: "email", required: "", maxlength: "320" });
    const err = h("p", { class: "err", role: "alert" });
    const thanks = h("p", { class: "thanks", hidden: "" });
    const form = h(
      "form",
      { class: "id-form", "aria-label": "Your contact details" },
      h("p", { class: "id-title" }, "Get notified by email when the team replies"),
      h("label", { for: "fd-name" }, "Name"),
      nameIn,
      h("label", { for: "fd-email" }, "Email"),
      emailIn,
      err,
      h("button", { type: "submit", class: "id-save" }, "Save details"),
    );
    const card = h("div", { class: "id-card", hidden: "" }, form, thanks);
    let done = storage(ls, identityKey) == "1";
    form.onsubmit = (e) => {
      e.preventDefault();
      const email = emailIn.value.trim();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
        err.textContent = "Please enter a valid email address.";
        emailIn.focus();
        return;
      }
      (window.Frontdesk as { identify(p: object): void }).identify({ email, name: nameIn.value.trim() || null, hash: null });
      storage(ls, identityKey, "1");
      done = true;
      form.hidden = true;
      thanks.textContent = `Thanks! We'll reply here and at ${email}.`;
      thanks.hidden = false;
      textarea.focus();
    };
    return {
      card,
      refresh() {
        const known = done || ["verified", "unverified"].includes(String(welcome?.identity_status));
        const asked = !!welcome?.config?.messenger?.ask_identity;
        const sentOne = pending.size > 0 || [...messages.values()].some((m) => m.author_kind == "visitor");
        if (thanks.hidden) card.hidden = known || !asked || !sentOne;
        else card.hidden = false;
      },
    };
  }

  // ---- frames from the loader's socket ----
  function onFrame(f: Frame): void {
    switch (f.type) {
      case "welcome": {
        welcome = f as Welcome;
        if (welcome.conversation) conversation = welcome.conversation;
        const live = hadWelcome; // the first welcome carries history; later ones, what we missed
        hadWelcome = true;
        (welcome.messages || []).forEach((m) => addMessage(m, live));
        // Unacknowledged messages go again with the same client_id: the server stores each once.
        for (const p of pending.values()) if (!p.failed) b.send({ type: "message", client_id: p.client_id, body: p.body });
        status.hidden = true;
        applyConfig();
        render();
        break;
      }
      case "disconnected":
        status.textContent = "Reconnecting…";
        status.hidden = false;
        break;
      case "message":
        addMessage(f.message as Message, true);
        render();
        break;
      case "messages":
        ((f.messages as Message[]) || []).forEach((m) => addMessage(m, true));
        render();
        break;
      case "ack":
        addMessage(f.message as Message, false);
        render();
        break;
      case "conversation":
        conversation = f.conversation as Conversation;
        applyConfig();
        break;
      case "typing":
        if (f.is_typing) showRepTyping(String(f.rep_name || ""));
        else hideRepTyping();
        break;
      case "error": {
        const p = typeof f.ref == "string" ? pending.get(f.ref) : undefined;
        if (p) {
          p.failed = f.code == "too_long" ? "too long" : f.code == "rate_limited" ? "sending too fast" : "refused";
          render();
        }
      }
    }
  }

  b.impl = { open, close };
  welcome = b.welcome;
  applyConfig();
  b.subscribe(onFrame); // replays what arrived before this script loaded
  if (b.wantOpen) open(b.focusOnOpen);
  else render();
}

// Last, so every constant above is initialised before start() runs.
const bridge = window.__frontdeskBridge;
if (bridge && bridge.v === 1 && !bridge.impl) start(bridge);
