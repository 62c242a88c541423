"""Every feature's models, imported so the metadata (and Alembic) sees all tables."""

from frontdesk.deadlines.models import Deadline
from frontdesk.features.accounts.models import Account, IpRange
from frontdesk.features.api_tokens.models import ApiToken
from frontdesk.features.audit.models import AuditEntry
from frontdesk.features.blocking.models import IpBlock, VisitorReport
from frontdesk.features.calls.models import Call
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.copilot.models import (
    CopilotOrg,
    CopilotUsage,
    KnowledgeItem,
    Passage,
    WebSource,
)
from frontdesk.features.experiences.models import Experience, OfflineMessage
from frontdesk.features.files.models import ChatFile
from frontdesk.features.meetings.models import (
    CalendarConnection,
    Meeting,
    MeetingClaim,
    MeetingOffer,
    MeetingType,
    RepAvailability,
)
from frontdesk.features.orgs.models import Org, Rep, RepSession
from frontdesk.features.proactive.models import Invitation, ProactiveEvent
from frontdesk.features.reports.models import (
    ReportBlockResponses,
    ReportBuiltBlock,
    ReportBuiltDay,
    ReportDayChats,
    ReportDayEvents,
    ReportDayResponses,
    ReportMark,
    ReportOffset,
)
from frontdesk.features.routing.models import RoundRobinCursor, Team, TeamMember
from frontdesk.features.segments.models import Segment
from frontdesk.features.shortcuts.models import Shortcut
from frontdesk.features.staffing.models import (
    BusinessHours,
    ChatCapacity,
    Holiday,
    QueuedChat,
    RepChatLimit,
)
from frontdesk.features.telephony.models import PhoneLeg, TelephonyAccount
from frontdesk.features.visitors.models import Contact, PageView, Visit, Visitor
from frontdesk.features.webhooks.models import WebhookDelivery, WebhookEndpoint
from frontdesk.storage.base import Base

__all__ = [
    "Account",
    "ApiToken",
    "AuditEntry",
    "Base",
    "BusinessHours",
    "CalendarConnection",
    "Call",
    "ChatCapacity",
    "ChatFile",
    "Contact",
    "Conversation",
    "CopilotOrg",
    "CopilotUsage",
    "Deadline",
    "Experience",
    "Holiday",
    "Invitation",
    "IpBlock",
    "IpRange",
    "KnowledgeItem",
    "Meeting",
    "MeetingClaim",
    "MeetingOffer",
    "MeetingType",
    "Message",
    "OfflineMessage",
    "Org",
    "PageView",
    "Passage",
    "PhoneLeg",
    "ProactiveEvent",
    "QueuedChat",
    "Rep",
    "RepAvailability",
    "RepChatLimit",
    "RepSession",
    "ReportBlockResponses",
    "ReportBuiltBlock",
    "ReportBuiltDay",
    "ReportDayChats",
    "ReportDayEvents",
    "ReportDayResponses",
    "ReportMark",
    "ReportOffset",
    "RoundRobinCursor",
    "Segment",
    "Shortcut",
    "Team",
    "TeamMember",
    "TelephonyAccount",
    "Visit",
    "Visitor",
    "VisitorReport",
    "WebSource",
    "WebhookDelivery",
    "WebhookEndpoint",
]
