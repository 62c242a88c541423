"""Blocking: visitors by id/cookie, and IP addresses or ranges per org, with reports for admins."""
