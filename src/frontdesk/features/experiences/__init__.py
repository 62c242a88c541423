"""Inbound-chat experiences: rep window, bot greeting, identity capture, hand-off, timeout, offline."""
