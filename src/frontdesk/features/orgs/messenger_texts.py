"""The messenger's own texts an admin may reword (Admin -> Messenger -> Texts).

Each key of web/widget/i18n/en.json, with the {placeholders} its text may use; the messenger
lays an org's texts over its language file (docs/widget.md, "Your own texts").
tests/unit/features/orgs/test_messenger_texts.py keeps this list equal to en.json's.
"""

from __future__ import annotations

import re

from frontdesk.core.errors import ValidationFailed

MAX_TEXT = 300  # characters of one text
TEXT_KEYS: dict[str, tuple[str, ...]] = {
    "sound": (),
    "close": (),
    "closeChat": (),
    "intro": (),
    "ended": (),
    "missed": (),
    "missedEmail": (),
    "conversation": (),
    "message": (),
    "placeholder": (),
    "send": (),
    "chat": (),
    "chatWith": ("org",),
    "powered": (),
    "support": (),
    "hello": ("org",),
    "away": (),
    "replyTime": (),
    "you": (),
    "assistant": (),
    "team": (),
    "imageFailed": (),
    "retry": (),
    "notSent": ("why",),
    "tooLong": (),
    "tooFast": (),
    "refused": (),
    "sending": (),
    "dismiss": (),
    "unread1": (),
    "unreadN": ("n",),
    "typing": ("name",),
    "someone": (),
    "minimize": (),
    "openChat": (),
    "reconnecting": (),
    "idTitle": (),
    "idTitleMissed": (),
    "contact": (),
    "name": (),
    "nameOptional": (),
    "email": (),
    "save": (),
    "badEmail": (),
    "thanksMissed": ("email",),
    "thanksReply": ("email",),
    "offTitle": (),
    "offNote": (),
    "offLabel": (),
    "offHelp": (),
    "offSubmit": (),
    "offThanks": ("email",),
    "offThanksNoEmail": (),
    "writeMessage": (),
    "offline": (),
    "notSentForm": (),
    "bookMeeting": (),
    "wrong": (),
    "loadingTimes": (),
    "tryAgain": (),
    "booked": ("email", "when"),
    "noTimes": (),
    "timesIn": ("zone",),
    "day": (),
    "timeOn": ("day",),
    "book": ("when",),
    "details": (),
    "optional": ("label",),
    "withRep": ("name",),
    "rateTitle": (),
    "rateLabel": (),
    "rate1of3": (),
    "rate2of3": (),
    "rate3of3": (),
    "stars": ("n",),
    "rateComment": (),
    "rateSend": (),
    "rateThanks": (),
    "rateFailed": (),
    "sneakPeek": (),
    "queuePlace": ("n",),
    "backAt": ("when",),
    "busy": (),
    "outsideHours": (),
    "phoneOffer": (),
    "phoneLabel": (),
    "phoneHint": (),
    "phoneCall": (),
    "phoneStatus": (),
    "phoneCalling": ("number",),
    "phoneRinging": (),
    "phoneConnected": (),
    "phoneBusy": (),
    "phoneNoAnswer": (),
    "phoneFailed": (),
    "phoneEnded": (),
    "phoneHangUp": (),
    "phoneCountry": (),
    "phoneLimit": (),
    "phoneInvalid": (),
    "phoneType": (),
    "phoneNoChat": (),
    "phoneAlready": (),
    "phoneOff": (),
    "attach": (),
    "fileOpenImage": ("name",),
    "fileDownload": ("name",),
    "fileUnavailable": ("name",),
    "fileNoConnection": (),
    "fileSending": ("name",),
    "botAnswer": (),
    "talkToPerson": (),
    "callRemoteVideo": (),
    "callLocalVideo": (),
    "callMute": (),
    "callUnmute": (),
    "callCameraOn": (),
    "callCameraOff": (),
    "callFullScreen": (),
    "callEnd": (),
    "callEndShort": (),
    "callJoinVideo": (),
    "callJoinAudio": (),
    "callNotNow": (),
    "callNotRecorded": (),
    "callArea": (),
    "callStartVoice": (),
    "callVoice": (),
    "callStartVideo": (),
    "callVideo": (),
    "callUs": (),
    "callUsOffer": (),
    "callTeam": (),
    "callIncoming": ("name",),
    "callIncomingVideo": ("name",),
    "calling": (),
    "callSoon": ("name",),
    "callOn": ("name", "time"),
    "callConnecting": (),
    "callReconnecting": (),
    "callSharing": (),
    "callLost": ("name",),
    "callNobody": (),
    "callEndedByRep": ("name",),
    "callEndedByYou": (),
    "callDeclined": (),
    "callMissed": (),
    "callEnded": (),
    "callFailed": (),
    "callEndedDetail": ("detail",),
    "callBlockedMic": (),
    "callBlockedBoth": (),
    "callBlockedCamera": (),
    "callNoDevice": (),
    "callUnsupported": (),
    "callRelayRefused": (),
    "callNetwork": (),
    "callHold": ("org",),
    # Written by the server into the chat (features/orgs/visitor_texts.py).
    "serverGreeting": (),
    "serverIdentity": (),
    "serverHandoff": ("name",),
    "serverTimeout": (),
    "serverTimeoutEmail": ("email",),
    "serverOffline": (),
    "serverAway": (),
    "serverQueued": (),
    "serverReleased": (),
    "serverCallMissed": (),
    "serverTransferred": ("name",),
    "serverIdleEnded": (),
    "serverMeetingOffer": ("minutes", "title"),
    "serverMeetingBooked": ("email", "title", "when"),
    "serverMeetingMoved": ("email", "title", "when"),
    "serverMeetingCancelled": ("title", "when"),
}


def validate_texts(texts: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """An org's texts per language, checked: known keys only, at most MAX_TEXT characters, and
    no {placeholder} the text does not have. Blank texts are dropped (the default shows)."""
    out: dict[str, dict[str, str]] = {}
    problems: list[dict[str, str]] = []
    for lang, by_key in texts.items():
        kept: dict[str, str] = {}
        for key, raw in by_key.items():
            field, text = f"messenger.texts.{lang}.{key}", raw.strip()
            if key not in TEXT_KEYS:
                problems.append({"field": field, "problem": "not a text of the messenger"})
            elif len(text) > MAX_TEXT:
                problems.append({"field": field, "problem": f"write at most {MAX_TEXT} characters"})
            elif unknown := sorted(set(re.findall(r"\{(\w+)\}", text)) - set(TEXT_KEYS[key])):
                allowed = ", ".join("{" + n + "}" for n in TEXT_KEYS[key]) or "none"
                problems.append(
                    {
                        "field": field,
                        "problem": f"unknown placeholder {{{unknown[0]}}} (this text may use: {allowed})",
                    }
                )
            elif text:
                kept[key] = text
        if kept:
            out[lang] = kept
    if problems:
        raise ValidationFailed(
            "; ".join(f"{p['field']}: {p['problem']}" for p in problems), details=problems
        )
    return out
