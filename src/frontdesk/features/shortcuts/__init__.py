"""Shortcuts: saved replies reps insert with "/name" (private ones, and org ones admins own)."""

from frontdesk.features.shortcuts.service import (
    VARIABLES,
    create_shortcut,
    delete_shortcut,
    list_shortcuts,
    shortcut_out,
    update_shortcut,
    use_shortcut,
)

__all__ = [
    "VARIABLES",
    "create_shortcut",
    "delete_shortcut",
    "list_shortcuts",
    "shortcut_out",
    "update_shortcut",
    "use_shortcut",
]
