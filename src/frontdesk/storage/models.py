"""Every feature's models, imported so the metadata (and Alembic) sees all tables."""

from frontdesk.deadlines.models import Deadline
from frontdesk.features.conversations.models import Conversation, Message
from frontdesk.features.orgs.models import Org, Rep, RepSession
from frontdesk.features.visitors.models import Contact, PageView, Visit, Visitor
from frontdesk.storage.base import Base

__all__ = [
    "Base",
    "Contact",
    "Conversation",
    "Deadline",
    "Message",
    "Org",
    "PageView",
    "Rep",
    "RepSession",
    "Visit",
    "Visitor",
]
