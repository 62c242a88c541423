// widget.js: the snippet every page of a customer's site loads. Budget: 3 KB gzip.
// It owns the one visitor WebSocket of the tab (page views, activity, heartbeat, reconnect,
// identity), shows the launcher once the first welcome arrived (a blocked visitor or IP sees
// nothing), and loads messenger.js only when it is needed: the welcome carries a conversation
// or an invitation, a proactive message or invitation arrives, or the visitor opens it.
import type { Activity, Bridge, BridgeFrame, ClientFrame, Page, PublicEvent, ServerFrame } from "./types";

(() => {
  if (window.__frontdeskBridge) return; // the snippet was pasted twice: one widget is enough
  const script = (document.currentScript || document.querySelector("script[data-site]")) as HTMLScriptElement | null;
  if (!script) return;
  const site = script.dataset.site || "";
  const origin = new URL(script.src, location.href).origin;

  // ---- storage: any access can throw (sandboxed iframes, blocked third-party storage) ----
  const store = (s: () => Storage, key: string, value?: string): string | null => {
    try {
      if (value !== undefined) s().setItem(key, value);
      return s().getItem(key);
    } catch {
      return value ?? null;
    }
  };
  const ls = () => localStorage;
  const ss = () => sessionStorage;
  const readCookie = (name: string) => decodeURIComponent((document.cookie.match("(?:^|; )" + name + "=([^;]*)") || [])[1] || "");
  const setCookie = (name: string, value: string, maxAge: number) =>
    (document.cookie = `${name}=${value};path=/;max-age=${maxAge};samesite=lax${location.protocol == "https:" ? ";secure" : ""}`);

  // The visitor token lives in localStorage, mirrored in a first-party cookie so it survives
  // whichever of the two the browser or the visitor clears.
  const tokenKey = "frontdesk:" + site + ":token";
  const key = site.replace(/\W/g, "");
  const cookie = "fd_vt_" + key;
  // A blocked visitor: the expiry time (ms) in a cookie and in localStorage, same name.
  const blockedKey = "fd_blocked_" + key;
  // Read in the second task (see the end): storage and cookie reads are synchronous IPC in Chromium.
  let token: string | null = null;
  let tabId = "";

  // ---- shadow DOM host + launcher ----
  // A custom element name, so page rules on div/* do not select it by tag; the :host rules are
  // !important because, inside a shadow tree, important declarations beat the page's own
  // (even `* { all: unset !important }`). Constructable sheets need no 'unsafe-inline' in the CSP.
  const host = document.createElement("frontdesk-messenger");
  const root = host.attachShadow({ mode: "open" });
  const css = (text: string) => {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(text);
      root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    } catch {
      // Safari < 16.4 has no constructable sheets: a <style> works there unless the CSP forbids it
      const el = document.createElement("style");
      el.textContent = text;
      root.append(el);
    }
  };
  css(
    // all:initial!important resets every other property of the host (visibility, transform, ...).
    // The messenger's sheet adds fonts, hover effects and the panel.
    ":host{all:initial!important;display:block!important;position:fixed!important;right:20px!important;bottom:20px!important;z-index:2147483000!important;--fd-accent:#4f46e5;--fd-on-accent:#fff}" +
      ".launcher{all:initial;position:relative;display:grid;place-items:center;width:60px;height:60px;border-radius:50%;" +
      "background:var(--fd-accent);color:var(--fd-on-accent);cursor:pointer;box-shadow:0 8px 24px #11182740}" +
      ".launcher:focus-visible{outline:3px solid #1e3a8a;outline-offset:3px}.launcher svg{width:28px;height:28px;fill:currentColor}",
  );
  const launcher = document.createElement("button");
  launcher.className = "launcher";
  launcher.setAttribute("aria-label", "Open chat");
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  const path = document.createElementNS(ns, "path");
  svg.setAttribute("viewBox", "0 0 24 24"); // no aria-hidden needed: a button's content is presentational
  path.setAttribute("d", "M5 3h14a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3h-7l-5 4v-4H5a3 3 0 0 1-3-3V6a3 3 0 0 1 3-3z");
  svg.append(path);
  launcher.append(svg);
  root.append(launcher);
  const mount = () => document.body.append(host); // at the first welcome: see onFrame

  // ---- public events ----
  type Callback = (data?: unknown) => void;
  const handlers = new Map<string, Set<Callback>>();
  const list = (ev: string) => handlers.get(ev) || (handlers.set(ev, new Set()), handlers.get(ev)!);
  // Each handler in its own microtask: one that throws is reported (window.onerror) and
  // breaks neither the widget nor the other handlers.
  const emit = (ev: PublicEvent, data?: unknown) => list(ev).forEach((cb) => queueMicrotask(() => cb(data)));

  // ---- the socket ----
  let ws: WebSocket | null = null;
  let welcomed = false; // a welcome arrived once: later hellos are reconnects (resumed: true)
  let blocked = false;
  let attempt = 0;
  let retry = 0;
  let heartbeat = 0;
  let lastRx = 0;
  let idleMs = 60000;
  let pendingIdentify: ClientFrame | null = null;
  let sub: ((f: BridgeFrame) => void) | null = null;
  let wanted = false; // the messenger is needed: loaded once a welcome has arrived
  let buffer: ServerFrame[] = []; // frames for the messenger that arrive before it loads
  // The open chat's seqs (hello.last_seq, gaps, resync) are the messenger's to track: a tab
  // with a chat loads it (see need()), so the loader carries only the frames.

  const send = (f: ClientFrame): boolean => ws?.readyState == 1 && (ws.send(JSON.stringify(f)), true);

  const onFrame = (f: ServerFrame) => {
    switch (f.type) {
      case "welcome": {
        attempt = 0;
        token = f.token;
        store(ls, tokenKey, token);
        setCookie(cookie, encodeURIComponent(token), 31536000);
        bridge.welcome = f;
        const cfg = f.config || {};
        idleMs = (cfg.idle_after_seconds || 60) * 1000;
        clearInterval(heartbeat);
        const beatMs = (cfg.heartbeat_seconds || 25) * 1000;
        // Hidden tabs run timers about once a minute; the server allows 150 s of silence.
        // No frame for 2 beats + 40 s means a half-open socket: drop it and reconnect.
        heartbeat = setInterval(() => {
          if (Date.now() - lastRx > beatMs * 2 + 40000) lost(ws, 1006);
          else send({ type: "ping" });
        }, beatMs);
        const ms = f.messages || [];
        // Catch the server up with what changed while the socket was down.
        if (sentUrl.split("#")[0] != location.href.split("#")[0]) pageView();
        if (activity != "active") send({ type: "activity", state: activity });
        if (pendingIdentify) send(pendingIdentify);
        checkIdle();
        // Nothing is drawn before the server has let this visitor in (an IP block refuses the
        // handshake, a blocked visitor is closed with 4403 after hello).
        if (!welcomed) {
          document.body ? mount() : addEventListener("DOMContentLoaded", mount);
          emit("ready", { visitor_id: f.visitor_id });
        }
        welcomed = true;
        need(!!(f.conversation || ms.length || f.invitations?.length));
        break;
      }
      case "blocked":
        return block(true);
      case "invitation":
      case "message":
        need(true); // a proactive message or an invitation: the visitor must see it
        break;
      case "resync": // the server's bus lost events: with no messenger (so no chat), catch up here
        if (!sub) send({ type: "resume", after_seq: 0, conversation_id: null });
        break;
      case "identified":
        pendingIdentify = null;
        emit("identify", { status: f.identity_status });
        break;
      case "error":
        if (f.code == "identify_rejected") {
          pendingIdentify = null;
          console.warn("Frontdesk: " + f.message); // "identify() rejected: ..."
          emit("identify", { status: "rejected", message: f.message });
        }
    }
    if (f.type == "pong") return;
    sub ? sub(f) : buffer.push(f);
  };

  const connect = () => {
    if (blocked) return;
    const s = (ws = new WebSocket(origin.replace(/^http/, "ws") + "/ws/visitor?site=" + encodeURIComponent(site)));
    s.onopen = () => {
      lastRx = Date.now();
      const p = page();
      send({ type: "hello", token, page: p, resumed: welcomed, last_seq: bridge.seq?.() || 0, tab_id: tabId });
      if (!welcomed) sentUrl = p.url; // a first hello records a page view; a resumed one does not
    };
    s.onmessage = (e) => {
      lastRx = Date.now();
      let f: ServerFrame;
      try {
        f = JSON.parse(e.data);
      } catch {
        return;
      }
      if (f?.type) onFrame(f);
    };
    s.onclose = (e) => lost(s, e.code);
  };

  // Reconnect with exponential backoff and full jitter (0..min(10 s, 0.5 s * 2^n)), so a
  // server restart is not met by every visitor at the same instant. Capped at 10 s (was 30 s):
  // after a restart of a few seconds, tabs waited up to 16-30 s more for a server that was
  // long back (bench/reconnect_storm.py); a refused connect costs a down server nothing.
  const lost = (s: WebSocket | null, code: number) => {
    if (!s || s != ws) return;
    ws = null;
    clearInterval(heartbeat);
    s.onclose = s.onmessage = null;
    s.close();
    if (code == 4403) return block(true);
    // Before any welcome (the server down, or this IP blocked: the handshake gets HTTP 403,
    // which a page cannot tell apart) this keeps backing off, and nothing is shown.
    sub?.({ type: "disconnected" });
    // 4429: too many new visitors from this address, or this tab sent far too much (a
    // flood): the server would close it again at once, so 30 s more (the visitor coming back
    // to the tab still reconnects at once: reconnectNow).
    retry = setTimeout(connect, (code == 4429 ? 3e4 : 0) + Math.random() * Math.min(1e4, 500 * 2 ** attempt++));
  };
  const reconnectNow = () => {
    // (blocked: connect() opens nothing)
    if (!ws && welcomed) {
      clearTimeout(retry);
      connect();
    }
  };
  addEventListener("online", reconnectNow);

  // Blocked visitors see no widget at all, and we stop knocking. Remembered for 30 days, so
  // the next pages open no socket and load no messenger (checked before connecting).
  const block = (remember?: boolean) => {
    blocked = true;
    clearInterval(heartbeat);
    clearTimeout(retry);
    clearTimeout(idleTimer);
    const s = ws;
    ws = null;
    s?.close();
    host.remove();
    if (remember) {
      const until = Date.now() + 2592e6 + "";
      store(ls, blockedKey, until);
      setCookie(blockedKey, until, 2592000);
    }
  };

  // ---- page views (full loads via hello, single-page-app navigation via page_view) ----
  let referrer = document.referrer;
  let lastUrl = location.href;
  let sentUrl = ""; // the URL the server last recorded a page view for
  const page = () => {
    // The server refuses a hello with a URL over 4096 or a title over 1000 characters.
    const p: Page = { url: location.href.slice(0, 4096), title: document.title.slice(0, 1000), referrer: referrer.slice(0, 4096) };
    const og = document.querySelector<HTMLMetaElement>('meta[property="og:image"]')?.content;
    try {
      if (og) p.og_image = new URL(og, location.href).href.slice(0, 4096);
    } catch {
      /* a malformed og:image is simply left out */
    }
    return p;
  };
  const pageView = () => {
    if (send({ type: "page_view", page: page() })) sentUrl = location.href;
  };
  // Routers often set document.title just after pushState: wait a moment before reading it.
  // Only path and query count: a #fragment jump is not a new page.
  const nav = () =>
    setTimeout(() => {
      if (location.href.split("#")[0] != lastUrl.split("#")[0]) {
        referrer = lastUrl;
        lastUrl = location.href;
        pageView();
      }
    }, 100);
  for (const k of ["pushState", "replaceState"] as const) {
    const orig = history[k];
    history[k] = function (this: History, ...a: Parameters<History["pushState"]>) {
      orig.apply(this, a);
      nav();
    };
  }
  addEventListener("popstate", nav);

  // ---- activity: active / another_tab / idle, sent only on change ----
  let activity: Activity = "active";
  let lastInput = Date.now();
  let idleTimer = 0;
  const setActivity = (a: Activity) => {
    if (a != activity) {
      activity = a;
      send({ type: "activity", state: a });
    }
  };
  // One timer, re-armed only when it fires: input events just move lastInput (cheap on mousemove).
  const checkIdle = () => {
    clearTimeout(idleTimer);
    if (document.hidden || blocked) return;
    const left = lastInput + idleMs - Date.now();
    if (left <= 0) setActivity("idle");
    else idleTimer = setTimeout(checkIdle, left);
  };
  const onInput = () => {
    lastInput = Date.now();
    if (activity == "idle" && !document.hidden) {
      setActivity("active");
      checkIdle();
    }
  };
  for (const ev of ["pointermove", "pointerdown", "keydown", "wheel", "scroll"])
    addEventListener(ev, onInput, { capture: true, passive: true });
  document.addEventListener("visibilitychange", () => {
    if (document.hidden) setActivity("another_tab");
    else {
      lastInput = Date.now(); // coming back to the tab is input
      setActivity("active");
      checkIdle();
      reconnectNow(); // don't sit out a long backoff once the visitor is back
    }
  });
  if (document.hidden) activity = "another_tab"; // opened in a background tab

  // ---- the messenger: loaded on demand, shares this socket through the bridge ----
  let loading = false;
  const need = (want?: boolean) => {
    wanted ||= !!want;
    if (!wanted || !welcomed || loading || blocked) return;
    loading = true;
    const s = document.createElement("script");
    s.src = origin + MESSENGER_PATH; // content-hashed, set by build.mjs
    s.async = true;
    s.nonce = script.nonce; // nonce-based CSPs: the same nonce that let widget.js in
    s.onerror = () => (loading = false); // a later click tries again
    document.head.append(s);
  };

  // welcome, impl, wantOpen and focusOnOpen start undefined (falsy): fewer bytes.
  const bridge: Bridge = {
    v: 1,
    root,
    launcher,
    site,
    send,
    subscribe(fn) {
      sub = fn;
      buffer.forEach(fn);
      buffer = [];
    },
    emit,
    css,
  };
  window.__frontdeskBridge = bridge;

  // ---- window.Frontdesk: Frontdesk("open") or Frontdesk.open() ----
  // Consent (docs/widget.md, "Consent"): with data-consent="required" on the snippet, or after
  // Frontdesk("consent", false), nothing is read or written in the browser's storage, no
  // socket opens and nothing is drawn until Frontdesk("consent", true).
  let consent = script.dataset.consent != "required";
  let started = false;
  const api = Object.assign((m: string, ...a: unknown[]) => (api as unknown as Record<string, (...a: unknown[]) => void>)[m]?.(...a), {
    open() {
      if (blocked) return;
      bridge.focusOnOpen = true;
      if (bridge.impl) bridge.impl.open(true);
      else {
        bridge.wantOpen = true;
        need(true);
      }
    },
    close() {
      bridge.wantOpen = false;
      bridge.impl?.close();
    },
    identify(p: { email: string; name?: string | null; hash?: string | null }) {
      // (an undefined name or hash is left out of the JSON: the server reads it as null)
      pendingIdentify = { type: "identify", email: String(p.email), name: p.name, hash: p.hash };
      if (welcomed) send(pendingIdentify); // else sent with the next welcome
    },
    on(ev: string, cb: Callback) {
      list(ev).add(cb);
      if (ev == "ready" && welcomed) cb({ visitor_id: bridge.welcome?.visitor_id });
      return () => api.off(ev, cb);
    },
    off(ev: string, cb: Callback) {
      list(ev).delete(cb);
    },
    consent(yes: unknown) {
      if ((consent = !!yes)) return start();
      // Withdrawn: close the socket, take the widget off the page, forget this browser (the
      // token, the tab id, what the messenger kept); a later consent starts as a new visitor.
      if (started) {
        started = welcomed = false;
        clearInterval(heartbeat);
        clearTimeout(retry);
        const s = ws;
        ws = token = null;
        s?.close();
        host.remove();
        setCookie(cookie, "", 0);
        for (const s of [ls, ss])
          try {
            for (const k of Object.keys(s())) if (!k.indexOf("frontdesk:")) s().removeItem(k);
          } catch {
            /* storage blocked: nothing was kept there */
          }
      }
    },
  });
  launcher.onclick = api.open; // the messenger takes the launcher over once it has loaded
  // Calls queued before this script ran: window.Frontdesk = {q: [["open"], ["on", "ready", fn]]}
  const queued = (window.Frontdesk as { q?: unknown[][] } | undefined)?.q;
  window.Frontdesk = api;

  // The launcher is on screen; the rest goes in a second task so the page's main thread is
  // never held for long (no long task over 50 ms, even on a slow phone).
  const start = () => {
    if (started || !consent) return;
    started = true;
    // Blocked on this browser (a `blocked` frame or close 4403 in the last 30 days): no socket,
    // no messenger, nothing on screen. Nothing has been drawn or requested before this point.
    if (+(readCookie(blockedKey) || store(ls, blockedKey)!) > Date.now()) return (blocked = true);
    token = store(ls, tokenKey) || readCookie(cookie) || null;
    // Random per tab; it needs no crypto strength (1-64 characters).
    tabId = store(ss, "frontdesk:tab") || store(ss, "frontdesk:tab", Math.random().toString(36).slice(2))!;
    // The panel was open on the previous page of this tab: reopen it, without stealing focus.
    if (store(ss, "frontdesk:open")) {
      bridge.wantOpen = true;
      bridge.focusOnOpen = false;
      need(true);
    }
    setTimeout(connect); // a third task: opening a socket costs a few ms of IPC too
  };
  queued?.forEach(([m, ...args]) => api(m as string, ...args));
  setTimeout(start);
})();
