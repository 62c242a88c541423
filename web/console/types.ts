// Shapes the console receives from the server: generated from the server's pydantic models
// (web/generated/openapi.ts; `make types` after changing a model). A field renamed on the
// server fails `tsc` here wherever the console still reads the old name. Only what the server
// leaves open (segment rules, conversation meta, enrichment) and the console's own state are
// declared by hand below.
import type * as S from "../generated/openapi";

export type Activity = S.VisitorCard["activity"];
export type Availability = S.RepOut["availability"];
export type ConversationStatus = S.ConversationSummary["status"];

// The signed-in rep (GET /api/me, the snapshot's `rep`, `rep.changed`) and colleagues (the
// snapshot's `reps`, GET /api/reps): every source gives id and name, the rest depends on it.
export type Rep = Pick<S.RepOut, "id" | "name"> & Partial<Omit<S.RepOut, "id" | "name">>;

export type Org = S.OrgOut;
export type PrivacySettingsOut = S.PrivacySettingsOut;
export type ProactiveSettings = S.ProactiveSettings;
// From the snapshot and GET /api/segments with `live_count`; a saved segment without it.
// `rules` and `routing` are stored as the admin saved them: read as the editor writes them.
export type Segment = Omit<S.SegmentOut, "rules" | "routing"> & {
  rules: RuleSet;
  routing: RoutingRule;
} & Partial<Pick<S.LiveSegmentOut, "live_count">>;
export type RuleField = S.RuleFieldOut;
export type Team = S.TeamOut;
export type Experience = S.ExperienceOut;
export type Account = S.AccountOut;
export type IpRange = S.IpRangeOut;
export type OfflineMessage = S.OfflineMessageOut;
export type Invitation = S.InvitationOut;
export type InvitationStatus = S.InvitationOut["status"];
export type Shortcut = S.ShortcutOut;
export type Classification = S.Classification;
export type ProactiveRow = S.DailyCounts;
export type VisitorCard = S.VisitorCard;
export type AccountBrief = S.AccountBrief;
export type Message = S.MessageOut;
export type ConversationSummary = S.ConversationSummary;
export type PageView = S.PageViewOut;
export type Visit = S.VisitOut;
export type Visitor360 = S.Visitor360;

// Every generated shape, HTTP answers included (MeOut, Transcript, ConversationList, ...):
// the names above take precedence over these.
export type * from "../generated/openapi";

// Frames of the rep socket (docs/protocol.md), narrowed by `type`.
export type ServerFrame = S.RepServerFrame;
export type ClientFrame = S.RepClientFrame;
export type Snapshot = S.Snapshot;
export type BatchEvent = S.Batch["events"][number];

// Segment rules and routing as the admin screens edit them (the server stores and returns the
// objects as saved; docs/segments-and-routing.md).
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

// One entry of a card's `enrichment`: {company: {value, source, confidence}, ...}.
export interface EnrichedValue {
  value: unknown;
  source?: string | null;
  confidence?: string | null;
}

// A message the rep wrote that the server has not acknowledged yet.
export interface PendingMessage {
  client_id: string;
  conversation_id: string;
  body: string;
  created_at: number;
  failed?: string;
}
