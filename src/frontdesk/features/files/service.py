"""Files in chat: checked, stored, sent as a message of the conversation, served by signed link,
and deleted with their conversation."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from frontdesk.core.errors import (
    Forbidden,
    NotFound,
    TooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from frontdesk.core.ids import new_id
from frontdesk.features import audience, conversations
from frontdesk.features.conversations.events import MessageOut
from frontdesk.features.conversations.models import Conversation
from frontdesk.features.files import signing
from frontdesk.features.files.images import IMAGE_EXTENSIONS, ImageRefused
from frontdesk.features.files.incoming import IncomingFile
from frontdesk.features.files.models import ChatFile
from frontdesk.features.files.schemas import (
    FileLink,
    FileLinks,
    FileSettings,
    MessageFile,
    VisitorFileRules,
)
from frontdesk.features.files.stores import (
    FileStore,
    StoredObject,
    create_file_store,
    object_key,
)
from frontdesk.features.files.workers import ImageWorkers
from frontdesk.features.orgs import Authenticated, announce_org_changed
from frontdesk.features.orgs.models import Org
from frontdesk.runtime import Runtime

log = logging.getLogger("frontdesk.files")

STORE_STATE = "files.store"
IMAGE_WORKERS_STATE = "files.image_workers"
MAX_NAME = 200
# Links asked for in one call (a transcript's files are asked for together).
MAX_LINKS = 100


# ---- settings ------------------------------------------------------------------------------


def file_settings(org: Org) -> FileSettings:
    """The org's rules for files, or the defaults while its admin has set none."""
    return FileSettings.model_validate((org.settings or {}).get("files") or {})


def visitor_file_rules(org: Org) -> VisitorFileRules | None:
    """For the messenger's welcome: None when visitors may not send files."""
    settings = file_settings(org)
    if not (settings.enabled and settings.visitors_may_send):
        return None
    return VisitorFileRules(max_mb=settings.max_mb, extensions=settings.extensions)


async def settings_for_org(runtime: Runtime, org_id: str) -> FileSettings:
    async with runtime.db.read() as session:
        org = await session.get(Org, org_id)
        if org is None:
            raise NotFound("org not found")
        return file_settings(org)


async def update_file_settings(
    runtime: Runtime, actor: Authenticated, settings: FileSettings
) -> FileSettings:
    """An admin sets the org's rules; every process hears of it (orgs topic)."""
    actor.require_admin()
    cap = runtime.settings.file_max_mb
    if settings.max_mb > cap:
        raise ValidationFailed(
            f"files may be at most {cap} MB on this server (FRONTDESK_FILE_MAX_MB)",
            details=[{"field": "max_mb", "problem": f"at most {cap}"}],
        )
    async with runtime.uow() as work:
        org = await work.session.get(Org, actor.org_id)
        if org is None:
            raise NotFound("org not found")
        org.settings = {**(org.settings or {}), "files": settings.model_dump(mode="json")}
        announce_org_changed(work, org)
    return settings


# ---- the store -----------------------------------------------------------------------------


def image_workers(runtime: Runtime) -> ImageWorkers:
    """This process's image workers (features/files/workers.py), made on first use."""
    workers = runtime.state.get(IMAGE_WORKERS_STATE)
    if not isinstance(workers, ImageWorkers):
        workers = ImageWorkers(
            runtime.settings.file_image_workers, runtime.settings.file_image_queue_mb * 1_000_000
        )
        runtime.state[IMAGE_WORKERS_STATE] = workers
    return workers


def close_image_workers(runtime: Runtime) -> None:
    workers = runtime.state.pop(IMAGE_WORKERS_STATE, None)
    if isinstance(workers, ImageWorkers):
        workers.close()


async def receive_file(runtime: Runtime) -> IncomingFile:
    """A new upload to write as it arrives (incoming.py), in this process's store's incoming
    directory. The caller discards it when the request ends."""
    return await IncomingFile.create(file_store(runtime).incoming)


def file_store(runtime: Runtime) -> FileStore:
    """This process's store (local directory or S3), made on first use."""
    store = runtime.state.get(STORE_STATE)
    if store is None:
        store = runtime.state[STORE_STATE] = create_file_store(runtime.settings)
    return store  # type: ignore[return-value]


# ---- sending -------------------------------------------------------------------------------

_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def clean_name(name: str | None) -> str:
    """The name shown and offered on download: its last path part, without control or path
    characters, at most 200 characters (keeping the extension)."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").rsplit("/", 1)[-1])
    base = _UNSAFE_NAME.sub("_", base).strip(" .")
    if not base:
        return "file"
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (
            (stem[: MAX_NAME - len(ext) - 1] + dot + ext)
            if dot and len(ext) <= 10
            else base[:MAX_NAME]
        )
    return base


def extension_of(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


@dataclass(frozen=True)
class _Prepared:
    file_id: str
    name: str
    kind: str
    content_type: str
    size: int
    width: int | None
    height: int | None
    storage_key: str
    thumb_key: str | None

    def message_file(self) -> MessageFile:
        return MessageFile(
            id=self.file_id,
            name=self.name,
            size=self.size,
            kind="image" if self.kind == "image" else "file",
            content_type=self.content_type,
            width=self.width,
            height=self.height,
        )

    @property
    def keys(self) -> list[str]:
        return [self.storage_key, *([self.thumb_key] if self.thumb_key else [])]


def check_name_allowed(settings: FileSettings, name: str | None, *, visitor: bool) -> str:
    """The org's rules that need only the file's name (checked before its body is read): the
    name as it will be shown."""
    if not settings.enabled:
        raise Forbidden("files are turned off for this chat")
    if visitor and not settings.visitors_may_send:
        raise Forbidden("this team does not accept files in chat")
    shown = clean_name(name)
    ext = extension_of(shown)
    if ext not in settings.extensions:
        allowed = ", ".join(settings.extensions) or "none"
        raise UnsupportedMediaType(
            f"{'.' + ext if ext else 'files without an extension'} files are not accepted "
            f"here (accepted: {allowed})",
            details={"accepted": settings.extensions},
        )
    return shown


def check_allowed(settings: FileSettings, name: str, size: int, *, visitor: bool) -> None:
    """The org's rules, before anything is decoded or stored."""
    check_name_allowed(settings, name, visitor=visitor)
    if size > settings.max_mb * 1024 * 1024:
        raise TooLarge(f"files may be at most {settings.max_mb} MB")
    if size == 0:
        raise ValidationFailed("this file is empty")


async def _prepare(runtime: Runtime, name: str, upload: IncomingFile) -> _Prepared:
    """Checks an image (decoded and re-encoded without metadata, thumbnailed in a worker
    process, so the event loop keeps serving chats) and stores the file: the upload itself,
    or for an image its clean copy and thumbnail, each handed to the store as a file."""
    file_id = new_id()
    store = file_store(runtime)
    if extension_of(name) in IMAGE_EXTENSIONS:
        clean, thumbnail = upload.derived("clean"), upload.derived("thumb")
        try:
            image = await image_workers(runtime).clean(upload.path, clean, thumbnail, upload.size)
        except ImageRefused as refused:
            raise UnsupportedMediaType(str(refused)) from None
        prepared = _Prepared(
            file_id,
            name,
            "image",
            image.content_type,
            image.size,
            image.width,
            image.height,
            object_key(file_id, "bin"),
            object_key(file_id, "thumb"),
        )
        await store.put_file(prepared.storage_key, clean, image.content_type)
        assert prepared.thumb_key is not None
        try:
            await store.put_file(prepared.thumb_key, thumbnail, image.thumbnail_type)
        except BaseException:
            await _forget_blobs(runtime, [prepared.storage_key])
            raise
        return prepared
    # Anything else is served as a download only (application/octet-stream, attachment):
    # what it claims to be does not matter, the browser never renders it.
    prepared = _Prepared(
        file_id,
        name,
        "file",
        "application/octet-stream",
        upload.size,
        None,
        None,
        object_key(file_id, "bin"),
        None,
    )
    await store.put_file(prepared.storage_key, upload.path, prepared.content_type)
    return prepared


def _body(prepared: _Prepared) -> str:
    # What a transcript, an email or a webhook shows for the message; clients show the file.
    return f"File: {prepared.name}"


def _file_row(
    prepared: _Prepared, sender_kind: str, rep_id: str | None
) -> conversations.AttachedRow:
    """The file's row (models.ChatFile), stored in its message's transaction: by the group
    writer for a visitor's file in their open chat, else by the careful path."""
    return conversations.AttachedRow(
        ChatFile.__tablename__,
        (
            "id",
            "sender_kind",
            "rep_id",
            "name",
            "kind",
            "content_type",
            "size",
            "width",
            "height",
            "storage_key",
            "thumb_key",
        ),
        (
            prepared.file_id,
            sender_kind,
            rep_id,
            prepared.name,
            prepared.kind,
            prepared.content_type,
            prepared.size,
            prepared.width,
            prepared.height,
            prepared.storage_key,
            prepared.thumb_key,
        ),
    )


async def send_visitor_file(
    runtime: Runtime,
    org: Org,
    visitor_id: str,
    client_id: str,
    name: str | None,
    upload: IncomingFile,
) -> MessageOut:
    """A visitor sends a file (received into `upload`; the caller discards it): a message of
    their open chat (or of a new one, as a first message would). A retry with the same client
    id stores nothing twice."""
    shown = clean_name(name)
    check_allowed(file_settings(org), shown, upload.size, visitor=True)
    prepared = await _prepare(runtime, shown, upload)
    try:
        posted = await conversations.post_visitor_message(
            runtime,
            org.id,
            visitor_id,
            client_id,
            _body(prepared),
            meta={"file": prepared.message_file().model_dump(mode="json")},
            attached=_file_row(prepared, "visitor", None),
        )
    except BaseException:
        await _forget_blobs(runtime, prepared.keys)
        raise
    if posted.duplicate:
        await _forget_blobs(runtime, prepared.keys)
    return posted.message


async def send_rep_file(
    runtime: Runtime,
    actor: Authenticated,
    conversation_id: str,
    client_id: str,
    name: str | None,
    upload: IncomingFile,
) -> MessageOut:
    """A rep sends a file (received into `upload`; the caller discards it) in a chat they may
    write in (the same rules as a text reply)."""
    shown = clean_name(name)
    settings = await settings_for_org(runtime, actor.org_id)
    check_allowed(settings, shown, upload.size, visitor=False)
    prepared = await _prepare(runtime, shown, upload)
    try:
        posted = await conversations.post_rep_message(
            runtime,
            actor,
            conversation_id,
            client_id,
            _body(prepared),
            meta={"file": prepared.message_file().model_dump(mode="json")},
            attached=_file_row(prepared, "rep", actor.rep.id),
        )
    except BaseException:
        await _forget_blobs(runtime, prepared.keys)
        raise
    if posted.duplicate:
        await _forget_blobs(runtime, prepared.keys)
    return posted.message


# ---- links and serving ---------------------------------------------------------------------


def _links(runtime: Runtime, files: Sequence[ChatFile]) -> FileLinks:
    secret = runtime.settings.secret_key
    expires = signing.expiry(runtime.clock.now().timestamp())
    return FileLinks(
        links=[
            FileLink(
                id=f.id,
                url=signing.signed_path(secret, f.id, "file", expires),
                thumbnail_url=signing.signed_path(secret, f.id, "thumb", expires)
                if f.thumb_key
                else None,
                expires=expires,
            )
            for f in files
        ]
    )


def _wanted(ids: Sequence[str]) -> list[str]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        raise ValidationFailed("name at least one file id")
    if len(wanted) > MAX_LINKS:
        raise ValidationFailed(f"ask for at most {MAX_LINKS} files at a time")
    return wanted


async def links_for_rep(runtime: Runtime, actor: Authenticated, ids: Sequence[str]) -> FileLinks:
    """Signed links for files of chats this rep may see (an admin: every chat of the org).
    A file of another org, or of a chat the rep may not see, is not found."""
    wanted = _wanted(ids)
    async with runtime.db.read() as session:
        rows = (
            await session.execute(
                select(ChatFile, Conversation)
                .join(Conversation, Conversation.id == ChatFile.conversation_id)
                .where(ChatFile.id.in_(wanted), ChatFile.org_id == actor.org_id)
            )
        ).all()
    files = [f for f, c in rows if audience.rep_sees_conversation(actor, c)]
    if len(files) != len(wanted):
        raise NotFound("file not found")
    return _links(runtime, files)


async def links_for_visitor(
    runtime: Runtime, org_id: str, visitor_id: str, ids: Sequence[str]
) -> FileLinks:
    """Signed links for files of the visitor's own chats; anyone else's are not found."""
    wanted = _wanted(ids)
    async with runtime.db.read() as session:
        files = list(
            (
                await session.execute(
                    select(ChatFile)
                    .join(Conversation, Conversation.id == ChatFile.conversation_id)
                    .where(
                        ChatFile.id.in_(wanted),
                        ChatFile.org_id == org_id,
                        Conversation.visitor_id == visitor_id,
                    )
                )
            ).scalars()
        )
    if len(files) != len(wanted):
        raise NotFound("file not found")
    return _links(runtime, files)


@dataclass(frozen=True)
class ServedFile:
    body: StoredObject
    content_type: str
    name: str
    # A safe raster image (or its thumbnail): may be shown inline. Everything else downloads.
    inline: bool


async def open_signed(
    runtime: Runtime, file_id: str, variant: str, expires: str, signature: str
) -> ServedFile:
    """The bytes behind a signed link; 403 for a link that is forged or expired."""
    verdict = signing.verify(
        runtime.settings.secret_keys,
        file_id,
        variant,
        expires,
        signature,
        runtime.clock.now().timestamp(),
    )
    if verdict == "expired":
        raise Forbidden("this file link has expired; open the chat again for a fresh one")
    if verdict != "ok":
        raise Forbidden("this file link is not valid")
    async with runtime.db.read() as session:
        found = await session.get(ChatFile, file_id)
    if found is None:
        raise NotFound("this file was deleted")
    key = found.thumb_key if variant == "thumb" else found.storage_key
    if key is None:
        raise NotFound("this file has no thumbnail")
    body = await file_store(runtime).open(key)
    if body is None:
        raise NotFound("this file was deleted")
    if variant == "thumb":
        return ServedFile(body, "image/webp", found.name, inline=True)
    return ServedFile(body, found.content_type, found.name, inline=found.kind == "image")


# ---- deleting ------------------------------------------------------------------------------


async def forget_files(session: AsyncSession, conversation_ids: Sequence[str]) -> list[str]:
    """Deletes the file rows of these conversations inside the caller's transaction and returns
    their storage keys: pass them to `delete_stored` once that transaction has committed."""
    if not conversation_ids:
        return []
    keys: list[str] = []
    ids = list(conversation_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = (
            await session.execute(
                select(ChatFile.storage_key, ChatFile.thumb_key).where(
                    ChatFile.conversation_id.in_(chunk)
                )
            )
        ).all()
        for storage_key, thumb_key in rows:
            keys.append(storage_key)
            if thumb_key:
                keys.append(thumb_key)
        await session.execute(
            delete(ChatFile)
            .where(ChatFile.conversation_id.in_(chunk))
            .execution_options(synchronize_session=False)
        )
    return keys


async def delete_stored(runtime: Runtime, keys: Sequence[str]) -> None:
    """Deletes stored bytes (after the rows that named them are gone)."""
    await _forget_blobs(runtime, keys)


async def delete_files_for_conversations(runtime: Runtime, conversation_ids: Sequence[str]) -> int:
    """Deletes every file of these conversations: the rows, then the bytes in the store.
    Returns how many files went. For retention and erase jobs (docs/files.md); inside a
    transaction of your own, use `forget_files` then `delete_stored` after the commit."""
    async with runtime.uow() as work:
        keys = await forget_files(work.session, conversation_ids)
    await delete_stored(runtime, keys)
    return len([k for k in keys if k.endswith(".bin")])


async def _forget_blobs(runtime: Runtime, keys: Sequence[str]) -> None:
    if not keys:
        return
    try:
        await file_store(runtime).delete(keys)
    except Exception:
        # The rows are gone, so nothing links to these bytes any more; an operator can sweep
        # the store (docs/files.md). Not worth failing the caller's delete for.
        log.warning("could not delete %d stored file(s)", len(keys), exc_info=True)


def message_file(meta: dict[str, Any]) -> MessageFile | None:
    """The file a message carries, if any."""
    raw = meta.get("file")
    return MessageFile.model_validate(raw) if isinstance(raw, dict) else None
