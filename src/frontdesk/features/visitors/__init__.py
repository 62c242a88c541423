"""Site visitors: anonymous identity, verified contacts, visits and page views."""

from frontdesk.features.visitors.address import (
    privacy_signal,
    stored_ip,
    tracking_refused,
    truncate_ip,
)
from frontdesk.features.visitors.service import (
    PageInfo,
    VisitorBlocked,
    arrive,
    count_page_views,
    get_visitor,
    identify,
    insert_arrivals,
    insert_page_views,
    latest_visit,
    latest_visits,
    new_visit,
    new_visitor,
    page_view_row,
    pages_of_visits,
    visit_continues,
    visitor_voice,
)
from frontdesk.features.visitors.tokens import issue_visitor_token, read_visitor_token

__all__ = [
    "PageInfo",
    "VisitorBlocked",
    "arrive",
    "count_page_views",
    "get_visitor",
    "identify",
    "insert_arrivals",
    "insert_page_views",
    "issue_visitor_token",
    "latest_visit",
    "latest_visits",
    "new_visit",
    "new_visitor",
    "page_view_row",
    "pages_of_visits",
    "privacy_signal",
    "read_visitor_token",
    "stored_ip",
    "tracking_refused",
    "truncate_ip",
    "visit_continues",
    "visitor_voice",
]
