"""Frontdesk: see who is on your website right now and talk to the right visitors."""

__version__ = "0.1.0"
