"""Business hours and chat capacity: when the org and each team take chats (weekly hours in a
time zone, holidays, an away experience), how many chats each rep takes at once, and the queue
beyond everyone's capacity."""

from frontdesk.features.staffing.capacity import (
    CAPACITY_CHANGED_HOOK,
    announce_positions,
    capacity_out,
    check_room_for_transfer,
    check_room_to_accept,
    dequeue,
    enqueue,
    lock_org_queue,
    pending_offers,
    queue_deadline,
    queued_ids,
    set_capacity,
    set_rep_limit,
)
from frontdesk.features.staffing.gate import (
    KIND_HOURS_REOPEN,
    ChatGate,
    gate_for_chat,
)
from frontdesk.features.staffing.hours import (
    DEFAULT_AWAY_MESSAGE,
    KIND_HOLIDAY_FEED_REFRESH,
    delete_hours,
    fetch_feed,
    holidays_from_ical,
    hours_status,
    import_holidays,
    list_hours,
    on_holiday_feed_refresh,
    set_hours,
)
from frontdesk.features.staffing.schedule import Schedule

__all__ = [
    "CAPACITY_CHANGED_HOOK",
    "DEFAULT_AWAY_MESSAGE",
    "KIND_HOLIDAY_FEED_REFRESH",
    "KIND_HOURS_REOPEN",
    "ChatGate",
    "Schedule",
    "announce_positions",
    "capacity_out",
    "check_room_for_transfer",
    "check_room_to_accept",
    "delete_hours",
    "dequeue",
    "enqueue",
    "fetch_feed",
    "gate_for_chat",
    "holidays_from_ical",
    "hours_status",
    "import_holidays",
    "list_hours",
    "lock_org_queue",
    "on_holiday_feed_refresh",
    "pending_offers",
    "queue_deadline",
    "queued_ids",
    "set_capacity",
    "set_hours",
    "set_rep_limit",
]
