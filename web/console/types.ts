// Shapes the console receives from the server (docs/protocol.md). Fields the protocol marks as
// "may carry ... later" are optional, and anything that could arrive as either a string or an
// object (company, segment, experience) is typed as both: the console reads them defensively.

export type Activity = "active" | "another_tab" | "idle";
export type Availability = "available" | "away";
export type ConversationStatus = "incoming" | "active" | "ended" | "missed";

export interface Rep {
  id: string;
  name: string;
  email?: string;
  role?: "admin" | "rep" | string;
  availability?: Availability | string;
  auto_pounce_enabled?: boolean;
  // Why auto pounce was turned off for this rep (a missed response), until they turn it on again.
  auto_pounce_off_reason?: string | null;
  voice_video_enabled?: boolean;
  active?: boolean;
  avatar_url?: string | null;
  created_at?: string;
}

export interface Org {
  id?: string;
  name?: string;
  site_key?: string;
  allowed_origins?: string[];
  idle_after_seconds?: number;
  proactive?: ProactiveSettings;
  [key: string]: unknown;
}

export interface ProactiveSettings {
  auto_pounce: boolean;
  auto_pounce_after_seconds: number;
  nudge_after_seconds: number;
  rep_timeout_seconds: number;
  repeat_interval_seconds: number;
  allowed_link_domains: string[];
}

export interface Segment {
  id: string;
  name: string;
  color?: string | null;
  cold?: boolean;
  position?: number;
  rules?: RuleSet;
  routing?: RoutingRule;
  experience_id?: string | null;
  catch_all?: boolean;
  // live visitors in this segment right now (that this rep may see, in the snapshot)
  live_count?: number;
}

export interface Condition {
  field: string;
  op: string;
  value?: unknown;
}

export interface RuleSet {
  match?: "all" | "any";
  conditions?: Condition[];
}

export type RoutingKind = "account_owner" | "team" | "reps" | "everyone";

export interface RoutingStep {
  kind: RoutingKind;
  team_id?: string | null;
  rep_ids?: string[];
  round_robin?: boolean;
}

export interface RoutingRule {
  steps?: RoutingStep[];
}

// A field segment rules can look at (GET /api/segments `fields`): `ops` is comma-separated.
export interface RuleField {
  field: string;
  type: "text" | "number" | "bool" | string;
  description: string;
  ops: string;
}

export interface Team {
  id: string;
  name: string;
  rep_ids: string[];
}

export interface Experience {
  id: string;
  is_default: boolean;
  name: string;
  rep_window_seconds: number;
  bot_greeting: string;
  ask_identity: boolean;
  identity_prompt: string;
  handoff_message: string;
  timeout_seconds: number;
  timeout_message: string;
  offline_message: string;
}

export interface Account {
  id: string;
  name: string;
  domain: string;
  target_account: boolean;
  open_pipeline: number;
  owner_rep_id: string | null;
  employees: number | null;
  industry: string | null;
  custom: Record<string, unknown>;
}

export interface IpRange {
  id: string;
  cidr: string;
  company: string;
  account_id: string | null;
}

export interface OfflineMessage {
  id: string;
  visitor_id: string | null;
  conversation_id: string | null;
  name: string | null;
  email: string | null;
  body: string;
  created_at: string;
  emailed_at: string | null;
  email_error: string | null;
  // how the email to the routed reps went, worded for reps; admins also get what to configure
  email_status?: "emailed" | "sending" | "no_mail_server" | "failed";
  email_note?: string;
  email_admin_hint?: string | null;
}

export type InvitationStatus = "pending" | "shown" | "expired" | "accepted" | string;

export interface Invitation {
  id: string;
  visitor_id: string;
  rep_id: string;
  status: InvitationStatus;
  message?: string;
  created_at?: string;
  shown_at?: string | null;
  conversation_id?: string | null;
}

export interface Shortcut {
  id: string;
  name: string;
  body: string;
  html: string;
  scope: "mine" | "org";
  usage_count: number;
}

export interface Classification {
  qualified?: boolean | null;
  tags?: string[];
  deal_value?: number | null;
  notes?: string | null;
}

export interface ProactiveRow {
  date: string;
  rep_id: string | null;
  rep_name: string | null;
  pounce: number;
  invitation_sent: number;
  invitation_accepted: number;
  invitation_expired: number;
  auto_pounce: number;
  reply: number;
  missed_response: number;
}

export interface CompanyInfo {
  name?: string | null;
  domain?: string | null;
  sources?: unknown;
  [key: string]: unknown;
}

export interface VisitorCard {
  visitor_id: string;
  visit_id?: string;
  name?: string | null;
  email?: string | null;
  identity_status?: string;
  company?: string | CompanyInfo | null;
  segment?: string | Segment | null;
  segment_id?: string | null;
  url?: string | null;
  title?: string | null;
  og_image?: string | null; // an image-proxy URL ("/img?...") or null
  favicon?: string | null; // the same
  activity?: Activity | string;
  visit_started_at?: string;
  page_views?: number;
  referrer?: string | null;
  utm?: Record<string, string | null> | null;
  returning?: boolean;
  conversation_id?: string | null;
  conversation_status?: string | null;
  routed_rep_ids?: string[];
  routing_reason?: string | null;
  firmographics?: Record<string, unknown> | null;
  // Each enriched field with where it came from: {company: {value, source, confidence}, ...}
  enrichment?: Record<string, EnrichedValue> | null;
  account?: AccountBrief | null;
  experience?: string | { name?: string | null; [key: string]: unknown } | null;
  experience_name?: string | null;
  [key: string]: unknown;
}

export interface EnrichedValue {
  value: unknown;
  source?: string | null;
  confidence?: string | null;
}

export interface AccountBrief {
  id?: string;
  name?: string | null;
  domain?: string | null;
  target_account?: boolean;
  open_pipeline?: boolean | number | null;
  owner_rep_id?: string | null;
}

export interface Message {
  id: string;
  conversation_id: string;
  seq: number;
  author_kind: "visitor" | "rep" | "bot" | "system" | string;
  author_name?: string | null;
  author_rep_id?: string | null;
  body: string;
  html?: string | null;
  client_id?: string | null;
  created_at: string;
  internal?: boolean;
  // Rep-only annotations, e.g. {auto_pounce: true}; the server strips them for visitors.
  meta?: Record<string, unknown> | null;
}

export interface ConversationSummary {
  id: string;
  visitor_id: string;
  status: ConversationStatus | string;
  origin?: string;
  owner_rep_id?: string | null;
  owner_name?: string | null;
  routed_rep_ids?: string[];
  routing_reason?: string | null;
  meta?: Record<string, unknown>;
  created_at?: string;
  accepted_at?: string | null;
  ended_at?: string | null;
  ended_reason?: string | null;
  last_seq?: number;
  last_message?: Message | null;
  visitor_name?: string | null;
  company?: string | CompanyInfo | null;
  rep_window_ends_at?: string | null;
  classification?: Classification | null;
  [key: string]: unknown;
}

export interface PageView {
  id?: string;
  url: string;
  title?: string | null;
  referrer?: string | null;
  viewed_at?: string;
}

export interface Visit {
  id: string;
  started_at?: string;
  last_seen_at?: string;
  referrer?: string | null;
  landing_url?: string | null;
  utm_source?: string | null;
  utm_medium?: string | null;
  utm_campaign?: string | null;
  utm?: Record<string, string | null> | null;
  ip?: string | null;
  user_agent?: string | null;
  page_view_count?: number;
  page_views?: PageView[];
  [key: string]: unknown;
}

export interface Visitor360 {
  visitor: VisitorCard & {
    id?: string;
    created_at?: string;
    first_seen_at?: string;
    last_seen_at?: string;
    visit_count?: number;
    blocked_at?: string | null;
    blocked?: boolean;
    online?: boolean;
    company_sources?: unknown;
  };
  visits: Visit[];
  conversations: ConversationSummary[];
  company?: CompanyInfo | string | null;
}

// A message the rep wrote that the server has not acknowledged yet.
export interface PendingMessage {
  client_id: string;
  conversation_id: string;
  body: string;
  created_at: number;
  failed?: string;
}

export type BatchEvent =
  | { type: "visitor.joined"; visitor: VisitorCard }
  | { type: "visitor.updated"; visitor_id: string; changes: Partial<VisitorCard> }
  | { type: "visitor.left"; visitor_id: string }
  | { type: "conversation.updated"; conversation: ConversationSummary }
  | { type: "rep.changed"; rep_id: string; [key: string]: unknown }
  | { type: string; [key: string]: unknown };
