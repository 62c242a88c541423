"""A visitor's data on request: export everything stored about them, or erase it."""

from frontdesk.features.privacy.service import erase_visitor, export_visitor

__all__ = ["erase_visitor", "export_visitor"]
