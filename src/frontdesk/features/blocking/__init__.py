"""Blocking: visitors by id/cookie, and IP addresses or ranges per org, with reports for admins."""

from frontdesk.features.blocking.service import (
    Network,
    active_ip_blocks,
    active_ip_blocks_until,
    add_ip_block,
    address_blocked,
    address_in,
    block_visitor,
    ip_blocked,
    mark_report_reviewed,
    overview,
    remove_ip_block,
    unblock_visitor,
    visitor_blocked,
    visitor_blocked_now,
)

__all__ = [
    "Network",
    "active_ip_blocks",
    "active_ip_blocks_until",
    "add_ip_block",
    "address_blocked",
    "address_in",
    "block_visitor",
    "ip_blocked",
    "mark_report_reviewed",
    "overview",
    "remove_ip_block",
    "unblock_visitor",
    "visitor_blocked",
    "visitor_blocked_now",
]
