"""Files and images in chat: both ways, checked against the org's rules, images cleaned and
thumbnailed, stored locally or in S3, served by signed short-lived links, deleted with their
conversation (docs/files.md)."""

from frontdesk.features.files.images import ImageRefused, clean_image
from frontdesk.features.files.incoming import IncomingFile
from frontdesk.features.files.service import (
    ServedFile,
    check_allowed,
    check_name_allowed,
    clean_name,
    close_image_workers,
    delete_files_for_conversations,
    delete_stored,
    file_settings,
    file_store,
    forget_files,
    links_for_rep,
    links_for_visitor,
    message_file,
    open_signed,
    receive_file,
    send_rep_file,
    send_visitor_file,
    settings_for_org,
    update_file_settings,
    visitor_file_rules,
)
from frontdesk.features.files.signing import LINK_SECONDS
from frontdesk.features.files.stores import FileStore, LocalFileStore, S3FileStore

__all__ = [
    "LINK_SECONDS",
    "FileStore",
    "ImageRefused",
    "IncomingFile",
    "LocalFileStore",
    "S3FileStore",
    "ServedFile",
    "check_allowed",
    "check_name_allowed",
    "clean_image",
    "clean_name",
    "close_image_workers",
    "delete_files_for_conversations",
    "delete_stored",
    "file_settings",
    "file_store",
    "forget_files",
    "links_for_rep",
    "links_for_visitor",
    "message_file",
    "open_signed",
    "receive_file",
    "send_rep_file",
    "send_visitor_file",
    "settings_for_org",
    "update_file_settings",
    "visitor_file_rules",
]
