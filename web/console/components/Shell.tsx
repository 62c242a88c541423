import { Fragment, type ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";
import { signal } from "@preact/signals";
import { api } from "../api";
import type { Org } from "../types";
import { acceptConversation, requestEnd, signOut, updateMyStatus } from "../actions";
import { linkClick, navigate, paths, route } from "../router";
import {
  boxes,
  connection,
  conversationTitle,
  conversations,
  dismissToast,
  me,
  myAlerts,
  org,
  toasts,
  unread,
  streamCounts,
  viewing,
  visitors,
} from "../store";
import { notificationPermission, requestNotificationPermission } from "../notify";
import { IconAdmin, IconAlert, IconBell, IconChart, IconChat, IconHelp, IconInbox, IconLive, IconLogout, IconX, IconZap } from "../icons";
import { EmailDialog, PasswordDialog, signOutEverywhere } from "./Account";
import { MyHoursDialog } from "./Booker";
import { AutoPounceBanner, TransferBanner } from "./ConversationTools";
import { CallQueue } from "./CallQueue";
import { CallAudio, CallBar } from "./CallBar";
import { EngageHost } from "./Engage";
import { Avatar, Kbd, Switch, usePopover } from "./ui";

export const helpOpen = signal(false);
const changingPassword = signal(false);
const editingEmail = signal(false);
const editingHours = signal(false);

// The badge is a count (the same number the page itself shows); badgeUnread marks it as holding
// unread replies, without replacing the count by the number of replies.
function NavItem(props: { href: string; label: string; icon: ComponentChildren; active: boolean; badge?: number; badgeLabel?: string; badgeUnread?: boolean }) {
  return (
    <a
      href={props.href}
      onClick={linkClick}
      class={`nav-item ${props.active ? "active" : ""}`}
      aria-current={props.active ? "page" : undefined}
    >
      {props.icon}
      <span class="nav-label">{props.label}</span>
      {!!props.badge && (
        <span class={`nav-badge ${props.badgeUnread ? "unread" : ""}`} aria-label={props.badgeLabel ?? String(props.badge)} title={props.badgeLabel ?? String(props.badge)}>
          {/* 2k, not 2001: four digits covered the icon in the phone's narrow sidebar */}
          {props.badge >= 1000 ? `${Math.floor(props.badge / 1000)}k` : props.badge}
        </span>
      )}
    </a>
  );
}

function Sidebar() {
  const r = route.value;
  const b = boxes.value;
  const isAdmin = me.value?.role === "admin";
  const stream = streamCounts.value;
  let unreadMine = 0;
  for (const [id, n] of unread.value) if (conversations.value.get(id)?.status === "active") unreadMine += n;
  return (
    <nav class="sidebar" aria-label="Main">
      <div class="brand">
        <span class="brand-mark" aria-hidden="true">F</span>
        <span>Frontdesk</span>
      </div>
      <div class="nav-items">
        <NavItem
          href={paths.live}
          label="Live stream"
          icon={<IconLive />}
          active={r.name === "live"}
          badge={stream.inView}
          badgeLabel={`${stream.inView} ${stream.inView === 1 ? "visitor" : "visitors"} in the live stream`}
        />
        <NavItem
          href={paths.inbox()}
          label="Inbox"
          icon={<IconInbox />}
          active={r.name === "inbox"}
          badge={b.incoming.length}
          badgeLabel={`${b.incoming.length} waiting for a rep`}
        />
        <NavItem
          href={paths.conversations}
          label="Conversations"
          icon={<IconChat />}
          active={r.name === "conversations" || r.name === "visitor"}
          badge={b.active.length}
          badgeUnread={unreadMine > 0}
          badgeLabel={`${b.active.length} active ${b.active.length === 1 ? "conversation" : "conversations"}${unreadMine ? `, ${unreadMine} unread ${unreadMine === 1 ? "reply" : "replies"}` : ""}`}
        />
        <NavItem href={paths.shortcuts} label="Shortcuts" icon={<IconZap />} active={r.name === "shortcuts"} />
        <NavItem href={paths.reports} label="Reports" icon={<IconChart />} active={r.name === "reports"} />
        {isAdmin && <NavItem href={paths.admin} label="Admin" icon={<IconAdmin />} active={r.name === "admin"} />}
      </div>
      <CallQueue variant="side" />
      <div class="sidebar-foot">
        <ConnectionStatus />
      </div>
    </nav>
  );
}

function ConnectionStatus() {
  const c = connection.value;
  const text = c === "live" ? "Live" : c === "connecting" ? "Connecting…" : "Reconnecting…";
  return (
    <div class={`conn conn-${c}`} role="status" aria-label={`Connection: ${text}`} title={`Connection: ${text}`}>
      <span class="dot" aria-hidden="true" />
      <span class="conn-text">{text}</span>
    </div>
  );
}

function AvailabilityToggle() {
  const rep = me.value;
  const available = rep?.availability === "available";
  return (
    <button
      type="button"
      role="switch"
      aria-checked={available}
      aria-label="Available for chats"
      class={`availability ${available ? "is-available" : "is-away"}`}
      onClick={() => updateMyStatus({ availability: available ? "away" : "available" })}
      title={available ? "You are available: new chats are routed to you. Click to go away." : "You are away: no new chats are routed to you. Click to become available."}
    >
      <span class="dot" aria-hidden="true" />
      <span class="availability-label">{available ? "Available" : "Away"}</span>
    </button>
  );
}

function ProfileMenu() {
  const rep = me.value;
  const pop = usePopover();
  // The org's auto pounce switch may have changed since sign-in: look again when opened.
  useEffect(() => {
    if (!pop.open) return;
    api<Org>("GET", "/api/org")
      .then((o) => (org.value = { ...org.value, ...o }))
      .catch(() => null);
  }, [pop.open]);
  if (!rep) return null;
  const orgAutoPounce = org.value?.proactive?.auto_pounce;
  return (
    <div class="popover-anchor">
      <button
        ref={pop.triggerRef}
        type="button"
        class="profile-btn"
        aria-label="Profile menu"
        aria-haspopup="dialog"
        aria-expanded={pop.open}
        onClick={() => pop.setOpen(!pop.open)}
      >
        <Avatar name={rep.name} id={rep.id} size={30} />
        {rep.auto_pounce_off_reason && <span class="profile-dot" aria-hidden="true" />}
      </button>
      {pop.open && (
        <div ref={pop.ref} class="popover popover-right profile-menu" role="dialog" aria-label="Profile and chat settings">
          <div class="profile-head">
            <Avatar name={rep.name} id={rep.id} size={36} />
            <div>
              <div class="profile-name">{rep.name}</div>
              <div class="muted small">{rep.email}</div>
            </div>
          </div>
          <div class="menu-sep" />
          <Switch
            label="Enable auto pounce"
            checked={!!rep.auto_pounce_enabled}
            onChange={(v) => updateMyStatus({ auto_pounce_enabled: v })}
            hint={
              orgAutoPounce === false
                ? "Your admin has turned auto pounce off for the whole team: nothing is sent until they turn it on."
                : "AI greets visitors routed to you while you're Available. Turn it off when you step away."
            }
          />
          {orgAutoPounce === false && (
            <div class="menu-note" role="status">
              <IconAlert size={13} /> Auto pounce is off for your organization.
            </div>
          )}
          {rep.auto_pounce_off_reason && (
            <div class="menu-note bad" role="status">
              <IconAlert size={13} /> {rep.auto_pounce_off_reason}
            </div>
          )}
          <Switch
            label="Allow voice and video"
            checked={!!rep.voice_video_enabled}
            onChange={(v) => updateMyStatus({ voice_video_enabled: v })}
            hint="The video box in your chats: call visitors, and let them ask you for a call."
          />
          <button type="button" class="menu-item" onClick={() => (pop.setOpen(false), (editingHours.value = true))}>
            My hours and calendar…
          </button>
          <div class="menu-sep" />
          <button type="button" class="menu-item" onClick={() => void signOut()}>
            <IconLogout /> Sign out
          </button>
          <button type="button" class="menu-item" onClick={() => void signOutEverywhere()}>
            <IconLogout /> Sign out everywhere
          </button>
          <button type="button" class="menu-item" onClick={() => (pop.setOpen(false), (changingPassword.value = true))}>
            Change password…
          </button>
          <button type="button" class="menu-item" onClick={() => (pop.setOpen(false), (editingEmail.value = true))}>
            Email settings…
          </button>
        </div>
      )}
      {changingPassword.value && <PasswordDialog onClose={() => (changingPassword.value = false)} />}
      {editingEmail.value && <EmailDialog isAdmin={rep.role === "admin"} onClose={() => (editingEmail.value = false)} />}
      {editingHours.value && <MyHoursDialog repId={rep.id} onClose={() => (editingHours.value = false)} />}
    </div>
  );
}

export const SHORTCUTS: [string[], string][] = [
  [["Alt", "A"], "Accept the open incoming chat (or the one waiting longest)"],
  [["A"], "Accept the focused incoming chat"],
  [["Enter"], "Send message"],
  [["Shift", "Enter"], "New line in a message"],
  [["Alt", "E"], "End the open chat"],
  [["/"], "Insert a shortcut (in a message box)"],
  [["Alt", "L"], "Go to the live stream"],
  [["Alt", "I"], "Go to the inbox"],
  [["?"], "Show or hide this help"],
  [["Esc"], "Close a menu or this help"],
];

function HelpPopover() {
  const pop = usePopover();
  useEffect(() => pop.setOpen(helpOpen.value), [helpOpen.value]);
  useEffect(() => {
    helpOpen.value = pop.open;
  }, [pop.open]);
  return (
    <div class="popover-anchor">
      <button
        ref={pop.triggerRef}
        type="button"
        class="icon-btn"
        aria-label="Keyboard shortcuts"
        aria-haspopup="dialog"
        aria-expanded={pop.open}
        onClick={() => pop.setOpen(!pop.open)}
      >
        <IconHelp size={18} />
      </button>
      {pop.open && (
        <div ref={pop.ref} class="popover popover-right help" role="dialog" aria-label="Keyboard shortcuts">
          <div class="popover-title">Keyboard shortcuts</div>
          <dl class="shortcuts">
            {SHORTCUTS.map(([keys, what]) => (
              <div class="shortcut" key={what}>
                <dt>
                  {keys.map((k, i) => (
                    <Fragment key={k}>
                      {i > 0 && <span class="plus">+</span>}
                      <Kbd>{k}</Kbd>
                    </Fragment>
                  ))}
                </dt>
                <dd>{what}</dd>
              </div>
            ))}
          </dl>
        </div>
      )}
    </div>
  );
}

function NotificationPrompt() {
  if (notificationPermission.value !== "default") return null;
  return (
    <button type="button" class="btn btn-ghost btn-sm" onClick={() => void requestNotificationPermission()} title="Get a desktop alert and a chime for new chats and replies" aria-label="Turn on alerts">
      <IconBell /> <span class="btn-label">Turn on alerts</span>
    </button>
  );
}

const TITLES: Record<string, string> = {
  live: "Live stream",
  inbox: "Inbox",
  conversations: "Conversations",
  visitor: "Conversations",
  admin: "Admin",
  shortcuts: "Shortcuts",
  reports: "Reports",
  account: "Account 360",
};

function TopBar() {
  const r = route.value;
  const c = connection.value;
  return (
    <header class="topbar">
      <h1 class="page-title">{TITLES[r.name] ?? "Frontdesk"}</h1>
      {c !== "live" && (
        <span class="pill pill-warn" role="status">
          {c === "connecting" ? "Connecting…" : "Reconnecting… updates paused"}
        </span>
      )}
      <div class="topbar-right">
        <NotificationPrompt />
        <AvailabilityToggle />
        <HelpPopover />
        <ProfileMenu />
      </div>
    </header>
  );
}

function Toasts() {
  return (
    <div class="toasts" aria-live="polite">
      {toasts.value.map((t, i, all) => (
        <div key={t.id} class={`toast toast-${t.kind}`} role={t.kind === "error" ? "alert" : "status"}>
          <span>{t.text}</span>
          {/* On a phone only the newest toast shows (one covers the top bar, four covered the
              chat): this says how many wait under it, each shown as the one above goes. */}
          {i === all.length - 1 && all.length > 1 && (
            <span class="toast-more" title={`${all.length - 1} more`}>
              +{all.length - 1}
            </span>
          )}
          {t.action && (
            <button
              type="button"
              class="toast-action"
              onClick={() => {
                t.action!.run();
                dismissToast(t.id);
              }}
            >
              {t.action.label}
            </button>
          )}
          <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            <IconX size={14} />
          </button>
        </div>
      ))}
    </div>
  );
}

function isTypingTarget(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT";
}

// Global shortcuts. e.code, not e.key: Alt+A types "å" on a Mac keyboard.
function useShortcuts(): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        if (e.code === "KeyA") {
          e.preventDefault();
          const open = viewing.value ? conversations.value.get(viewing.value) : undefined;
          const target = open?.status === "incoming" ? open : boxes.value.incoming[0];
          if (target) {
            void acceptConversation(target.id).then((ok) => ok && navigate(paths.conversation(target.id)));
          }
        } else if (e.code === "KeyE") {
          const open = viewing.value ? conversations.value.get(viewing.value) : undefined;
          if (open && open.status === "active" && open.owner_rep_id === me.value?.id) {
            e.preventDefault();
            requestEnd(open.id, conversationTitle(open, visitors.value.get(open.visitor_id)));
          }
        } else if (e.code === "KeyL") {
          e.preventDefault();
          navigate(paths.live);
        } else if (e.code === "KeyI") {
          e.preventDefault();
          navigate(paths.inbox());
        }
        return;
      }
      if (e.key === "?" && !isTypingTarget(e.target) && !e.ctrlKey && !e.metaKey) {
        e.preventDefault();
        helpOpen.value = !helpOpen.value;
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
}

// Alerts that need the rep now wherever they are: a reply to an auto pounce (with its timer)
// and a chat a colleague transferred. The one on screen shows inside the conversation instead.
function AlertsBar() {
  const a = myAlerts.value;
  const open = viewing.value;
  const rep = me.value;
  const auto = a.autoPounce.filter((c) => c.id !== open);
  const transfers = a.transfers.filter((c) => c.id !== open);
  const offReason = rep?.auto_pounce_off_reason;
  if (!auto.length && !transfers.length && !offReason) return null;
  const title = (id: string) => {
    const c = conversations.value.get(id)!;
    return conversationTitle(c, visitors.value.get(c.visitor_id));
  };
  return (
    <div class="alerts-bar" role="region" aria-label="Alerts">
      {offReason && (
        <div class="alert alert-off" role="alert">
          <span class="alert-icon" aria-hidden="true">
            <IconAlert size={16} />
          </span>
          <div class="alert-text">
            <strong>Auto pounce is off for you.</strong> {offReason}
          </div>
          <button type="button" class="btn btn-secondary btn-sm" onClick={() => void updateMyStatus({ auto_pounce_enabled: true })}>
            Turn auto pounce back on
          </button>
        </div>
      )}
      {auto.map((c) => (
        <AutoPounceBanner key={c.id} conv={c} title={title(c.id)} compact onOpen={() => navigate(paths.conversation(c.id))} />
      ))}
      {transfers.map((c) => (
        <TransferBanner key={c.id} conv={c} title={title(c.id)} compact onOpen={() => navigate(paths.conversation(c.id))} />
      ))}
    </div>
  );
}

export function Shell(props: { children: ComponentChildren }) {
  useShortcuts();
  return (
    <div class="shell">
      <Sidebar />
      <div class="main">
        <TopBar />
        <CallQueue variant="bar" />
        <CallBar />
        <AlertsBar />
        <main class="content" id="content">
          {props.children}
        </main>
      </div>
      <Toasts />
      <EngageHost />
      <CallAudio />
    </div>
  );
}
