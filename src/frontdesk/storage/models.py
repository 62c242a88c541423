"""Every feature's models, imported so the metadata (and Alembic) sees all tables."""

from frontdesk.deadlines.models import Deadline
from frontdesk.features.accounts.models import Account, IpRange
from frontdesk.features.api_tokens.models import ApiToken
from frontdesk.features.audit.models import AuditEntry
from frontdesk.features.blocking.models import IpBlock, VisitorReport
from frontdesk.features.calls.models import Call
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.experiences.models import Experience, OfflineMessage
from frontdesk.features.orgs.models import Org, Rep, RepSession
from frontdesk.features.proactive.models import Invitation, ProactiveEvent
from frontdesk.features.routing.models import RoundRobinCursor, Team, TeamMember
from frontdesk.features.segments.models import Segment
from frontdesk.features.shortcuts.models import Shortcut
from frontdesk.features.telephony.models import PhoneLeg, TelephonyAccount
from frontdesk.features.visitors.models import Contact, PageView, Visit, Visitor
from frontdesk.features.webhooks.models import WebhookDelivery, WebhookEndpoint
from frontdesk.storage.base import Base

__all__ = [
    "Account",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Call",
    "Contact",
    "Conversation",
    "Deadline",
    "Experience",
    "Invitation",
    "IpBlock",
    "IpRange",
    "Message",
    "OfflineMessage",
    "Org",
    "PageView",
    "PhoneLeg",
    "ProactiveEvent",
    "Rep",
    "RepSession",
    "RoundRobinCursor",
    "Segment",
    "Shortcut",
    "Team",
    "TeamMember",
    "TelephonyAccount",
    "Visit",
    "Visitor",
    "VisitorReport",
    "WebhookDelivery",
    "WebhookEndpoint",
]
