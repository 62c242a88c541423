"""What the server itself writes into a visitor's chat, in the visitor's language.

The bot's lines (the greeting after the rep window, the away message outside business hours
with when the team is back, the queue's "you are number N in line", the offline and timeout
lines, ...) are stored as chat messages, so the rep's transcript shows what the visitor read.
They are written in the language the visitor's messenger shows: the org's choice (Admin ->
Messenger -> Language), else the first of the browser's languages the messenger has (the
visit's `language`, from the WebSocket upgrade's Accept-Language or the hello's `language`),
else English; the same rule as web/widget/i18n.ts `pickLanguage`.

Each text is a messenger text (web/widget/i18n/<lang>.json has the same key and default, and
TEXT_KEYS lists it), so an admin rewords it per language in Admin -> Messenger -> Texts; the
org's wording is laid over the defaults below. tests/unit/features/orgs/test_visitor_texts.py
keeps these defaults equal to the JSON files'.

Times ("back Monday at 09:00") are written in the team's time zone (named after the time, as
"CET"), with weekday names from the small table below: no locale library is installed.
"""

# ruff: noqa: RUF001  (Japanese is written with full-width punctuation)
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from frontdesk.features.orgs.schemas import MAX_LANGUAGE_TAG, MESSENGER_LANGUAGES

# A short BCP-47 tag: a 2-3 letter language, then up to three subtags ("pt-BR", "zh-Hant-TW").
MAX_TAG = MAX_LANGUAGE_TAG
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,3}")
# Accept-Language is read only this far, and only its first few tags.
MAX_ACCEPT_LANGUAGE = 500
MAX_ACCEPT_TAGS = 12

# The server's lines, per language (the same keys and defaults as web/widget/i18n/*.json).
SERVER_TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "serverGreeting": "Thanks for reaching out! A member of our team will be with you shortly. While you wait, what can we help you with?",
        "serverIdentity": "So we can follow up if we get disconnected, what's your name and email?",
        "serverHandoff": "{name} from our team joined the chat.",
        "serverTimeout": "Sorry, everyone on our team is busy right now. Leave your email and we'll get back to you soon.",
        "serverTimeoutEmail": "Sorry, nobody from our team could join in time. We'll get back to you at {email}.",
        "serverOffline": "We're offline right now. Leave us a message and your email, and we'll get back to you.",
        "serverAway": "We're outside our business hours right now. Leave us a message and we'll get back to you.",
        "serverQueued": "Everyone on our team is busy with other chats right now. Please stay here: we'll connect you as soon as someone is free.",
        "serverReleased": "Thanks for waiting! Someone from our team will be with you in a moment.",
        "serverCallMissed": "Sorry, nobody could take your call right now.",
        "serverTransferred": "You're now chatting with {name}.",
        "serverIdleEnded": "This chat ended because the visitor was inactive for 10 minutes.",
        "serverMeetingOffer": "Book a meeting: **{title}** ({minutes} min). Pick a time that suits you.",
        "serverMeetingBooked": "Meeting booked: {title}, {when}. An invitation is on its way to {email}.",
        "serverMeetingMoved": "Meeting moved: {title}, {when}. An invitation is on its way to {email}.",
        "serverMeetingCancelled": "Meeting cancelled: {title}, {when}.",
        "queuePlace": "You are number {n} in line.",
        "backAt": "We're back {when}.",
    },
    "de": {
        "serverGreeting": "Danke für Ihre Nachricht! Gleich meldet sich jemand aus unserem Team. Womit können wir Ihnen helfen, während Sie warten?",
        "serverIdentity": "Damit wir uns melden können, falls die Verbindung abbricht: Wie heißen Sie und wie lautet Ihre E-Mail-Adresse?",
        "serverHandoff": "{name} aus unserem Team ist dem Chat beigetreten.",
        "serverTimeout": "Leider sind gerade alle in unserem Team beschäftigt. Hinterlassen Sie Ihre E-Mail-Adresse, wir melden uns bald.",
        "serverTimeoutEmail": "Leider konnte niemand aus unserem Team rechtzeitig dazukommen. Wir melden uns unter {email}.",
        "serverOffline": "Wir sind gerade nicht erreichbar. Hinterlassen Sie uns eine Nachricht und Ihre E-Mail-Adresse, wir melden uns.",
        "serverAway": "Wir sind gerade außerhalb unserer Geschäftszeiten. Hinterlassen Sie uns eine Nachricht, wir melden uns.",
        "serverQueued": "Alle in unserem Team sind gerade in anderen Chats. Bitte bleiben Sie hier: Wir verbinden Sie, sobald jemand frei ist.",
        "serverReleased": "Danke fürs Warten! Gleich ist jemand aus unserem Team für Sie da.",
        "serverCallMissed": "Leider konnte gerade niemand Ihren Anruf annehmen.",
        "serverTransferred": "Sie chatten jetzt mit {name}.",
        "serverIdleEnded": "Dieser Chat wurde beendet, weil der Besucher 10 Minuten lang inaktiv war.",
        "serverMeetingOffer": "Termin buchen: **{title}** ({minutes} Min.). Wählen Sie eine passende Zeit.",
        "serverMeetingBooked": "Termin gebucht: {title}, {when}. Eine Einladung ist unterwegs an {email}.",
        "serverMeetingMoved": "Termin verschoben: {title}, {when}. Eine Einladung ist unterwegs an {email}.",
        "serverMeetingCancelled": "Termin abgesagt: {title}, {when}.",
        "queuePlace": "Sie sind Nummer {n} in der Warteschlange.",
        "backAt": "Wir sind wieder da: {when}.",
    },
    "fr": {
        "serverGreeting": "Merci de nous avoir contactés ! Un membre de notre équipe va vous répondre. En attendant, comment pouvons-nous vous aider ?",
        "serverIdentity": "Pour pouvoir vous recontacter si la connexion est perdue, quels sont votre nom et votre e-mail ?",
        "serverHandoff": "{name} de notre équipe a rejoint la conversation.",
        "serverTimeout": "Désolés, toute notre équipe est occupée pour le moment. Laissez-nous votre e-mail et nous vous répondrons bientôt.",
        "serverTimeoutEmail": "Désolés, personne de notre équipe n'a pu vous rejoindre à temps. Nous vous répondrons à {email}.",
        "serverOffline": "Nous sommes hors ligne pour le moment. Laissez-nous un message et votre e-mail, nous vous répondrons.",
        "serverAway": "Nous sommes en dehors de nos heures d'ouverture. Laissez-nous un message et nous vous répondrons.",
        "serverQueued": "Toute notre équipe est occupée sur d'autres conversations. Restez ici : nous vous mettons en relation dès que quelqu'un est disponible.",
        "serverReleased": "Merci de votre patience ! Un membre de notre équipe arrive dans un instant.",
        "serverCallMissed": "Désolés, personne n'a pu prendre votre appel pour le moment.",
        "serverTransferred": "Vous discutez maintenant avec {name}.",
        "serverIdleEnded": "Cette conversation a pris fin car le visiteur était inactif depuis 10 minutes.",
        "serverMeetingOffer": "Réserver un rendez-vous : **{title}** ({minutes} min). Choisissez l'horaire qui vous convient.",
        "serverMeetingBooked": "Rendez-vous réservé : {title}, {when}. Une invitation a été envoyée à {email}.",
        "serverMeetingMoved": "Rendez-vous déplacé : {title}, {when}. Une invitation a été envoyée à {email}.",
        "serverMeetingCancelled": "Rendez-vous annulé : {title}, {when}.",
        "queuePlace": "Vous êtes numéro {n} dans la file d'attente.",
        "backAt": "Nous serons de retour {when}.",
    },
    "es": {
        "serverGreeting": "¡Gracias por escribirnos! Alguien de nuestro equipo te atenderá en breve. Mientras esperas, ¿en qué podemos ayudarte?",
        "serverIdentity": "Para poder contactarte si se corta la conexión, ¿cuál es tu nombre y tu correo electrónico?",
        "serverHandoff": "{name}, de nuestro equipo, se unió al chat.",
        "serverTimeout": "Lo sentimos, todo nuestro equipo está ocupado ahora mismo. Déjanos tu correo y te responderemos pronto.",
        "serverTimeoutEmail": "Lo sentimos, nadie de nuestro equipo pudo unirse a tiempo. Te responderemos en {email}.",
        "serverOffline": "Ahora mismo no estamos disponibles. Déjanos un mensaje y tu correo, y te responderemos.",
        "serverAway": "Ahora mismo estamos fuera de nuestro horario de atención. Déjanos un mensaje y te responderemos.",
        "serverQueued": "Todo nuestro equipo está atendiendo otros chats ahora mismo. Quédate aquí: te conectaremos en cuanto alguien esté libre.",
        "serverReleased": "¡Gracias por esperar! Alguien de nuestro equipo estará contigo en un momento.",
        "serverCallMissed": "Lo sentimos, nadie pudo atender tu llamada ahora mismo.",
        "serverTransferred": "Ahora estás chateando con {name}.",
        "serverIdleEnded": "Este chat terminó porque el visitante estuvo inactivo durante 10 minutos.",
        "serverMeetingOffer": "Reserva una reunión: **{title}** ({minutes} min). Elige la hora que mejor te venga.",
        "serverMeetingBooked": "Reunión reservada: {title}, {when}. Te enviamos una invitación a {email}.",
        "serverMeetingMoved": "Reunión cambiada: {title}, {when}. Te enviamos una invitación a {email}.",
        "serverMeetingCancelled": "Reunión cancelada: {title}, {when}.",
        "queuePlace": "Eres el número {n} en la fila.",
        "backAt": "Volvemos el {when}.",
    },
    "pt": {
        "serverGreeting": "Obrigado por entrar em contato! Alguém da nossa equipe vai falar com você em breve. Enquanto isso, como podemos ajudar?",
        "serverIdentity": "Para podermos retomar o contato se a conexão cair, qual é o seu nome e e-mail?",
        "serverHandoff": "{name}, da nossa equipe, entrou no chat.",
        "serverTimeout": "Desculpe, toda a nossa equipe está ocupada agora. Deixe seu e-mail e responderemos em breve.",
        "serverTimeoutEmail": "Desculpe, ninguém da nossa equipe conseguiu entrar a tempo. Responderemos em {email}.",
        "serverOffline": "Estamos offline agora. Deixe uma mensagem e seu e-mail, e responderemos.",
        "serverAway": "Estamos fora do nosso horário de atendimento agora. Deixe uma mensagem e responderemos.",
        "serverQueued": "Toda a nossa equipe está em outros chats agora. Fique aqui: vamos conectar você assim que alguém estiver livre.",
        "serverReleased": "Obrigado por esperar! Alguém da nossa equipe vai atender você em instantes.",
        "serverCallMissed": "Desculpe, ninguém pôde atender sua ligação agora.",
        "serverTransferred": "Agora você está conversando com {name}.",
        "serverIdleEnded": "Este chat foi encerrado porque o visitante ficou inativo por 10 minutos.",
        "serverMeetingOffer": "Agende uma reunião: **{title}** ({minutes} min). Escolha o horário que for melhor para você.",
        "serverMeetingBooked": "Reunião agendada: {title}, {when}. Enviamos um convite para {email}.",
        "serverMeetingMoved": "Reunião remarcada: {title}, {when}. Enviamos um convite para {email}.",
        "serverMeetingCancelled": "Reunião cancelada: {title}, {when}.",
        "queuePlace": "Você é o número {n} na fila.",
        "backAt": "Voltamos {when}.",
    },
    "ja": {
        "serverGreeting": "お問い合わせありがとうございます。まもなく担当者が対応いたします。お待ちの間、ご用件をお聞かせください。",
        "serverIdentity": "接続が切れた場合にご連絡できるよう、お名前とメールアドレスを教えていただけますか？",
        "serverHandoff": "{name}がチャットに参加しました。",
        "serverTimeout": "申し訳ありません。ただいま担当者が全員対応中です。メールアドレスを残していただければ、折り返しご連絡いたします。",
        "serverTimeoutEmail": "申し訳ありません。時間内に担当者が対応できませんでした。{email} 宛てにご連絡いたします。",
        "serverOffline": "ただいまオフラインです。メッセージとメールアドレスを残していただければ、折り返しご連絡いたします。",
        "serverAway": "ただいま営業時間外です。メッセージを残していただければ、折り返しご連絡いたします。",
        "serverQueued": "ただいま担当者が全員ほかのチャットに対応中です。このままお待ちください。空き次第おつなぎします。",
        "serverReleased": "お待たせしました。まもなく担当者が対応いたします。",
        "serverCallMissed": "申し訳ありません。ただいまお電話に出られる者がおりません。",
        "serverTransferred": "{name}とチャット中です。",
        "serverIdleEnded": "10分間操作がなかったため、このチャットは終了しました。",
        "serverMeetingOffer": "ミーティングの予約: **{title}**（{minutes}分）。ご都合のよい時間をお選びください。",
        "serverMeetingBooked": "ミーティングを予約しました: {title}、{when}。招待状を {email} 宛てに送信しました。",
        "serverMeetingMoved": "ミーティングの日時を変更しました: {title}、{when}。招待状を {email} 宛てに送信しました。",
        "serverMeetingCancelled": "ミーティングをキャンセルしました: {title}、{when}。",
        "queuePlace": "順番待ち: {n} 番目です。",
        "backAt": "{when} に再開します。",
    },
    "ar": {
        "serverGreeting": "شكرًا لتواصلك معنا! سينضم إليك أحد أعضاء فريقنا قريبًا. ريثما تنتظر، كيف يمكننا مساعدتك؟",
        "serverIdentity": "حتى نتمكن من التواصل معك إذا انقطع الاتصال، ما اسمك وبريدك الإلكتروني؟",
        "serverHandoff": "انضم {name} من فريقنا إلى المحادثة.",
        "serverTimeout": "عذرًا، جميع أعضاء فريقنا مشغولون الآن. اترك بريدك الإلكتروني وسنرد عليك قريبًا.",
        "serverTimeoutEmail": "عذرًا، لم يتمكن أحد من فريقنا من الانضمام في الوقت المناسب. سنرد عليك على {email}.",
        "serverOffline": "نحن غير متصلين الآن. اترك لنا رسالة وبريدك الإلكتروني وسنرد عليك.",
        "serverAway": "نحن خارج ساعات العمل الآن. اترك لنا رسالة وسنرد عليك.",
        "serverQueued": "جميع أعضاء فريقنا مشغولون بمحادثات أخرى الآن. يُرجى البقاء هنا: سنوصلك بأول شخص يصبح متاحًا.",
        "serverReleased": "شكرًا على انتظارك! سينضم إليك أحد أعضاء فريقنا خلال لحظات.",
        "serverCallMissed": "عذرًا، لم يتمكن أحد من الرد على مكالمتك الآن.",
        "serverTransferred": "أنت الآن تتحدث مع {name}.",
        "serverIdleEnded": "انتهت هذه المحادثة لأن الزائر لم يكن نشطًا لمدة 10 دقائق.",
        "serverMeetingOffer": "احجز اجتماعًا: **{title}** ({minutes} دقيقة). اختر الوقت الذي يناسبك.",
        "serverMeetingBooked": "تم حجز الاجتماع: {title}، {when}. الدعوة في طريقها إلى {email}.",
        "serverMeetingMoved": "تم نقل الاجتماع: {title}، {when}. الدعوة في طريقها إلى {email}.",
        "serverMeetingCancelled": "تم إلغاء الاجتماع: {title}، {when}.",
        "queuePlace": "ترتيبك في قائمة الانتظار: {n}.",
        "backAt": "سنعود {when}.",
    },
}

# Weekday names (Monday first) and how a weekday and a time read, per language.
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "pt": (
        "segunda-feira",
        "terça-feira",
        "quarta-feira",
        "quinta-feira",
        "sexta-feira",
        "sábado",
        "domingo",
    ),
    "ja": ("月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日", "日曜日"),
    "ar": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
}
DAY_AT: dict[str, str] = {
    "en": "{weekday} at {time}",
    "de": "{weekday}, {time}",
    "fr": "{weekday} à {time}",
    "es": "{weekday} a las {time}",
    "pt": "{weekday} às {time}",
    "ja": "{weekday} {time}",
    "ar": "{weekday} الساعة {time}",
}


def language_tag(value: str | None) -> str | None:
    """A short BCP-47 tag as given ("pt-BR"), or None for anything else."""
    if value is None or len(value) > MAX_TAG or not _TAG.fullmatch(value):
        return None
    return value


def browser_language(accept_language: str | None) -> str | None:
    """The tag a browser's Accept-Language prefers, as the messenger picks from
    navigator.languages: the first (by q, then order) the messenger has, else the first."""
    tags: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "")[:MAX_ACCEPT_LANGUAGE].split(",")):
        if index >= MAX_ACCEPT_TAGS:
            break
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if q > 0 and (valid := language_tag(tag.strip())):
            tags.append((-q, index, valid))
    ordered = [tag for _, _, tag in sorted(tags)]
    for tag in ordered:
        if tag.split("-")[0].lower() in MESSENGER_LANGUAGES:
            return tag
    return ordered[0] if ordered else None


def messenger_language(org_settings: Mapping[str, Any] | None, visit_language: str | None) -> str:
    """The language the visitor's messenger shows: the org's choice, else the visit's
    browser language when the messenger has it, else English."""
    messenger = (org_settings or {}).get("messenger") or {}
    chosen = messenger.get("language")
    if chosen in MESSENGER_LANGUAGES:
        return str(chosen)
    base = (visit_language or "").split("-")[0].lower()
    return base if base in MESSENGER_LANGUAGES else "en"


def visitor_text(
    org_settings: Mapping[str, Any] | None, language: str, key: str, **values: object
) -> str:
    """One server text in `language`: the org's wording (Admin -> Messenger -> Texts), else
    the default, else English; {placeholders} filled from `values`."""
    messenger = (org_settings or {}).get("messenger") or {}
    own = ((messenger.get("texts") or {}).get(language) or {}).get(key)
    text = own or SERVER_TEXTS.get(language, {}).get(key) or SERVER_TEXTS["en"][key]
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), "")), text)


def when_back(language: str, at: datetime, zone: tzinfo, now: datetime) -> str:
    """When the team is back, in the team's time zone: "Monday at 09:00 (CET)"; a day more
    than six days ahead also gets its date ("Monday 2027-01-04 at 09:00 (CET)")."""
    local = at.astimezone(zone)
    weekday = WEEKDAYS.get(language, WEEKDAYS["en"])[local.weekday()]
    if local - now.astimezone(zone) > timedelta(days=6):
        weekday = f"{weekday} {local.date().isoformat()}"
    text = DAY_AT.get(language, DAY_AT["en"]).format(weekday=weekday, time=local.strftime("%H:%M"))
    abbreviation = local.tzname()
    return f"{text} ({abbreviation})" if abbreviation else text


class VisitorVoice:
    """The server's texts for one visitor: their language, with the org's own wording."""

    __slots__ = ("language", "settings")

    def __init__(self, settings: Mapping[str, Any] | None, language: str) -> None:
        self.settings = settings or {}
        self.language = language

    def say(self, key: str, **values: object) -> str:
        return visitor_text(self.settings, self.language, key, **values)

    def when_back(self, at: datetime, zone: tzinfo, now: datetime) -> str:
        return when_back(self.language, at, zone, now)


# A meeting's time in the chat ("Mon 7 Dec 2026, 10:00-10:30 (Europe/Berlin)"), in the
# visitor's zone and language: month names and the order of the parts, per language.
MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "May",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Oct",
        "Nov",
        "Dec",
    ),
    "de": (
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "pt": (
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
    "ja": tuple(f"{n}月" for n in range(1, 13)),
    "ar": (
        "يناير",
        "فبراير",
        "مارس",
        "أبريل",
        "مايو",
        "يونيو",
        "يوليو",
        "أغسطس",
        "سبتمبر",
        "أكتوبر",
        "نوفمبر",
        "ديسمبر",
    ),
}
# English keeps the short weekday names the chat has always shown ("Mon 7 Dec 2026").
SHORT_WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MEETING_TIME: dict[str, str] = {
    "en": "{weekday} {day} {month} {year}, {start}-{end} ({zone})",
    "de": "{weekday}, {day}. {month} {year}, {start}-{end} ({zone})",
    "fr": "{weekday} {day} {month} {year}, {start}-{end} ({zone})",
    "es": "{weekday}, {day} de {month} de {year}, {start}-{end} ({zone})",
    "pt": "{weekday}, {day} de {month} de {year}, {start}-{end} ({zone})",
    "ja": "{year}年{month}{day}日 {weekday} {start}-{end} ({zone})",
    "ar": "{weekday} {day} {month} {year}، {start}-{end} ({zone})",
}


def meeting_time(language: str, start: datetime, end: datetime, zone_name: str) -> str:
    """A meeting's day and hours in `zone_name` (an IANA name, said as it is), in `language`."""
    zone = ZoneInfo(zone_name)
    first, last = start.astimezone(zone), end.astimezone(zone)
    language = language if language in MEETING_TIME else "en"
    weekdays = SHORT_WEEKDAYS_EN if language == "en" else WEEKDAYS[language]
    return MEETING_TIME[language].format(
        weekday=weekdays[first.weekday()],
        day=first.day,
        month=MONTHS[language][first.month - 1],
        year=first.year,
        start=f"{first:%H:%M}",
        end=f"{last:%H:%M}",
        zone=zone_name,
    )


# A call's line in the chat (calls/service.py `transcript_line`): who, how long, how it ended.
# Composed from parts, like the times above, so these are not admin-editable texts. The
# English line also carries the server's detail in English ("(the visitor's browser went
# away)"); the other languages leave it out (the call's record keeps it: Visitor 360, webhooks).
CALL_LINES: dict[str, dict[str, str]] = {
    "en": {
        "video": "Video call",
        "audio": "Voice call",
        "with": "{kind} with {name}",
        "from_to": "{kind} from the visitor to {name}",
        "from": "{kind} from the visitor",
        "a_rep": "a rep",
        "short": "{who}: {how}.",
        "long": "{who}, {duration}, {how}.",
        "not.declined": "declined",
        "not.missed": "not answered",
        "not.blocked": "ended: the visitor was blocked",
        "not.failed": "could not connect",
        "not.ended_by_rep": "cancelled by the rep",
        "not.ended_by_visitor": "cancelled by the visitor",
        "not.other": "ended",
        "on.ended_by_rep": "ended by the rep",
        "on.ended_by_visitor": "ended by the visitor",
        "on.blocked": "ended: the visitor was blocked",
        "on.failed": "the connection was lost",
        "on.other": "ended",
        "h": "{h} h {m} min",
        "m": "{m} min {s} s",
        "s": "{s} s",
    },
    "de": {
        "video": "Videoanruf",
        "audio": "Sprachanruf",
        "with": "{kind} mit {name}",
        "from_to": "{kind} vom Besucher an {name}",
        "from": "{kind} vom Besucher",
        "a_rep": "unserem Team",
        "short": "{who}: {how}.",
        "long": "{who}, {duration}, {how}.",
        "not.declined": "abgelehnt",
        "not.missed": "nicht angenommen",
        "not.blocked": "beendet: der Besucher wurde blockiert",
        "not.failed": "keine Verbindung möglich",
        "not.ended_by_rep": "vom Team abgebrochen",
        "not.ended_by_visitor": "vom Besucher abgebrochen",
        "not.other": "beendet",
        "on.ended_by_rep": "vom Team beendet",
        "on.ended_by_visitor": "vom Besucher beendet",
        "on.blocked": "beendet: der Besucher wurde blockiert",
        "on.failed": "die Verbindung brach ab",
        "on.other": "beendet",
        "h": "{h} Std. {m} Min.",
        "m": "{m} Min. {s} Sek.",
        "s": "{s} Sek.",
    },
    "fr": {
        "video": "Appel vidéo",
        "audio": "Appel vocal",
        "with": "{kind} avec {name}",
        "from_to": "{kind} du visiteur vers {name}",
        "from": "{kind} du visiteur",
        "a_rep": "notre équipe",
        "short": "{who} : {how}.",
        "long": "{who}, {duration}, {how}.",
        "not.declined": "refusé",
        "not.missed": "sans réponse",
        "not.blocked": "terminé : le visiteur a été bloqué",
        "not.failed": "connexion impossible",
        "not.ended_by_rep": "annulé par l'équipe",
        "not.ended_by_visitor": "annulé par le visiteur",
        "not.other": "terminé",
        "on.ended_by_rep": "terminé par l'équipe",
        "on.ended_by_visitor": "terminé par le visiteur",
        "on.blocked": "terminé : le visiteur a été bloqué",
        "on.failed": "la connexion a été perdue",
        "on.other": "terminé",
        "h": "{h} h {m} min",
        "m": "{m} min {s} s",
        "s": "{s} s",
    },
    "es": {
        "video": "Videollamada",
        "audio": "Llamada de voz",
        "with": "{kind} con {name}",
        "from_to": "{kind} del visitante a {name}",
        "from": "{kind} del visitante",
        "a_rep": "nuestro equipo",
        "short": "{who}: {how}.",
        "long": "{who}, {duration}, {how}.",
        "not.declined": "rechazada",
        "not.missed": "sin respuesta",
        "not.blocked": "terminada: se bloqueó al visitante",
        "not.failed": "no se pudo conectar",
        "not.ended_by_rep": "cancelada por el equipo",
        "not.ended_by_visitor": "cancelada por el visitante",
        "not.other": "terminada",
        "on.ended_by_rep": "terminada por el equipo",
        "on.ended_by_visitor": "terminada por el visitante",
        "on.blocked": "terminada: se bloqueó al visitante",
        "on.failed": "se perdió la conexión",
        "on.other": "terminada",
        "h": "{h} h {m} min",
        "m": "{m} min {s} s",
        "s": "{s} s",
    },
    "pt": {
        "video": "Chamada de vídeo",
        "audio": "Chamada de voz",
        "with": "{kind} com {name}",
        "from_to": "{kind} do visitante para {name}",
        "from": "{kind} do visitante",
        "a_rep": "nossa equipe",
        "short": "{who}: {how}.",
        "long": "{who}, {duration}, {how}.",
        "not.declined": "recusada",
        "not.missed": "não atendida",
        "not.blocked": "encerrada: o visitante foi bloqueado",
        "not.failed": "não foi possível conectar",
        "not.ended_by_rep": "cancelada pela equipe",
        "not.ended_by_visitor": "cancelada pelo visitante",
        "not.other": "encerrada",
        "on.ended_by_rep": "encerrada pela equipe",
        "on.ended_by_visitor": "encerrada pelo visitante",
        "on.blocked": "encerrada: o visitante foi bloqueado",
        "on.failed": "a conexão caiu",
        "on.other": "encerrada",
        "h": "{h} h {m} min",
        "m": "{m} min {s} s",
        "s": "{s} s",
    },
    "ja": {
        "video": "ビデオ通話",
        "audio": "音声通話",
        "with": "{name}との{kind}",
        "from_to": "訪問者から{name}への{kind}",
        "from": "訪問者からの{kind}",
        "a_rep": "担当者",
        "short": "{who}: {how}。",
        "long": "{who}、{duration}、{how}。",
        "not.declined": "拒否されました",
        "not.missed": "応答がありませんでした",
        "not.blocked": "終了: 訪問者はブロックされました",
        "not.failed": "接続できませんでした",
        "not.ended_by_rep": "担当者がキャンセルしました",
        "not.ended_by_visitor": "訪問者がキャンセルしました",
        "not.other": "終了しました",
        "on.ended_by_rep": "担当者が終了しました",
        "on.ended_by_visitor": "訪問者が終了しました",
        "on.blocked": "終了: 訪問者はブロックされました",
        "on.failed": "接続が切れました",
        "on.other": "終了しました",
        "h": "{h}時間{m}分",
        "m": "{m}分{s}秒",
        "s": "{s}秒",
    },
    "ar": {
        "video": "مكالمة فيديو",
        "audio": "مكالمة صوتية",
        "with": "{kind} مع {name}",
        "from_to": "{kind} من الزائر إلى {name}",
        "from": "{kind} من الزائر",
        "a_rep": "فريقنا",
        "short": "{who}: {how}.",
        "long": "{who}، {duration}، {how}.",
        "not.declined": "مرفوضة",
        "not.missed": "لم يتم الرد",
        "not.blocked": "انتهت: تم حظر الزائر",
        "not.failed": "تعذّر الاتصال",
        "not.ended_by_rep": "ألغاها الفريق",
        "not.ended_by_visitor": "ألغاها الزائر",
        "not.other": "انتهت",
        "on.ended_by_rep": "أنهاها الفريق",
        "on.ended_by_visitor": "أنهاها الزائر",
        "on.blocked": "انتهت: تم حظر الزائر",
        "on.failed": "انقطع الاتصال",
        "on.other": "انتهت",
        "h": "{h} ساعة {m} دقيقة",
        "m": "{m} دقيقة {s} ثانية",
        "s": "{s} ثانية",
    },
}


def call_line(
    language: str,
    *,
    media: str,
    rep_name: str | None,
    by_visitor: bool,
    connected: bool,
    seconds: int,
    end_reason: str | None,
    end_detail: str | None,
) -> str:
    """A call's line in the chat in `language` (see CALL_LINES)."""
    parts = CALL_LINES.get(language, CALL_LINES["en"])
    kind = parts["video" if media == "video" else "audio"]
    if by_visitor and rep_name is None:
        who = parts["from"].format(kind=kind)  # a queued call nobody answered
    else:
        name = rep_name or parts["a_rep"]
        who = parts["from_to" if by_visitor else "with"].format(kind=kind, name=name)
    reason = end_reason or ""
    english = parts is CALL_LINES["en"]
    if not connected:
        how = parts.get(f"not.{reason}", parts["not.other"])
        if english and end_detail and reason == "declined":
            how = end_detail  # a queued call a rep declined for everyone: "declined by Dana"
        elif english and end_detail:
            how += f" ({end_detail})"
        return parts["short"].format(who=who, how=how)
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    unit = "h" if hours else "m" if minutes else "s"
    duration = parts[unit].format(h=hours, m=minutes, s=secs)
    how = parts.get(f"on.{reason}", parts["on.other"])
    if english and end_detail:
        how += f" ({end_detail})"
    return parts["long"].format(who=who, duration=duration, how=how)
