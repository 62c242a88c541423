"""A visitor's data on request (export, erase), and an org's privacy settings: retention,
IP address storage, Global Privacy Control / Do Not Track."""

from frontdesk.features.privacy.retention import (
    KIND_RETENTION,
    RetentionRun,
    on_org_settings_changed,
    on_retention_due,
    purge_org,
)
from frontdesk.features.privacy.service import erase_visitor, export_visitor
from frontdesk.features.privacy.settings import (
    MAX_RETENTION_DAYS,
    PrivacySettingsOut,
    PrivacySettingsPatch,
    RetentionSettings,
    merged_privacy,
    privacy_settings,
)

__all__ = [
    "KIND_RETENTION",
    "MAX_RETENTION_DAYS",
    "PrivacySettingsOut",
    "PrivacySettingsPatch",
    "RetentionRun",
    "RetentionSettings",
    "erase_visitor",
    "export_visitor",
    "merged_privacy",
    "on_org_settings_changed",
    "on_retention_due",
    "privacy_settings",
    "purge_org",
]
