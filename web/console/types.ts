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
  [key: string]: unknown;
}

export interface Segment {
  id: string;
  name: string;
  color?: string | null;
  cold?: boolean;
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
  og_image?: string | null;
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
