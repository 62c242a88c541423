"""The server's chat lines: the same defaults as the messenger's language files, the browser's
language picked as the messenger picks it, and "back Monday at 09:00" in the team's zone."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from frontdesk.features.orgs.schemas import MESSENGER_LANGUAGES
from frontdesk.features.orgs.visitor_texts import (
    CALL_LINES,
    DAY_AT,
    MEETING_TIME,
    MONTHS,
    SERVER_TEXTS,
    WEEKDAYS,
    browser_language,
    call_line,
    language_tag,
    meeting_time,
    messenger_language,
    visitor_text,
    when_back,
)

I18N = Path(__file__).parents[4] / "web" / "widget" / "i18n"


@pytest.mark.parametrize("language", MESSENGER_LANGUAGES)
def test_every_language_has_every_server_text_as_its_messenger_file_has_it(
    language: str,
) -> None:
    assert set(SERVER_TEXTS[language]) == set(SERVER_TEXTS["en"])
    assert len(WEEKDAYS[language]) == 7 and language in DAY_AT
    assert len(MONTHS[language]) == 12 and language in MEETING_TIME
    assert set(CALL_LINES[language]) == set(CALL_LINES["en"])
    file = json.loads((I18N / f"{language}.json").read_text())
    for key, text in SERVER_TEXTS[language].items():
        assert file[key] == text, f"{language}.json {key}"
        # The same placeholders as the English text.
        names = set(re.findall(r"\{(\w+)\}", text))
        assert names == set(re.findall(r"\{(\w+)\}", SERVER_TEXTS["en"][key])), key


def test_the_browser_s_first_language_the_messenger_has_is_picked_by_quality_then_order() -> None:
    assert browser_language("de-DE,de;q=0.9,en;q=0.8") == "de-DE"
    assert browser_language("nl-NL, es;q=0.8, fr;q=0.9") == "fr"
    assert browser_language("nl;q=0.9, ja;q=0") == "nl"  # q=0: not wanted at all
    assert browser_language("*, x_y, en") == "en"
    assert browser_language("nl;q=abc, de") == "de"
    assert browser_language(None) is None and browser_language("") is None
    # Only its first few tags are read, however long the header is.
    assert browser_language(", ".join(["nl"] * 50 + ["de"])) == "nl"


def test_a_language_tag_is_short_and_bcp_47_shaped() -> None:
    assert language_tag("pt-BR") == "pt-BR" and language_tag("zh-Hant-TW") == "zh-Hant-TW"
    for bad in ("de_DE", "d", "deutsch", "de-" + "x" * 40, "", None, "de DE"):
        assert language_tag(bad) is None, bad


def test_the_org_s_choice_comes_first_then_the_browser_s_then_english() -> None:
    assert messenger_language({"messenger": {"language": "ja"}}, "de-DE") == "ja"
    assert messenger_language({"messenger": {"language": "auto"}}, "pt-BR") == "pt"
    assert messenger_language({}, "nl") == "en"
    assert messenger_language(None, None) == "en"


def test_an_org_s_own_wording_is_used_for_its_language_and_placeholders_are_filled() -> None:
    settings = {"messenger": {"texts": {"de": {"queuePlace": "Platz {n}!"}}}}
    assert visitor_text(settings, "de", "queuePlace", n=3) == "Platz 3!"
    assert visitor_text(settings, "fr", "queuePlace", n=3) == (
        "Vous êtes numéro 3 dans la file d'attente."
    )
    assert visitor_text(None, "xx", "backAt", when="soon") == "We're back soon."


def test_when_the_team_is_back_reads_in_the_team_s_zone_and_a_far_day_gets_its_date() -> None:
    now = datetime(2027, 1, 9, 19, 0, tzinfo=UTC)  # Saturday
    monday_9_berlin = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    assert when_back("en", monday_9_berlin, berlin, now) == "Monday at 09:00 (CET)"
    assert when_back("ja", monday_9_berlin, berlin, now) == "月曜日 09:00 (CET)"
    assert when_back("de", monday_9_berlin, ZoneInfo("Asia/Tokyo"), now) == "Montag, 17:00 (JST)"
    after_holidays = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)
    assert when_back("fr", after_holidays, berlin, now) == "lundi 2027-01-18 à 09:00 (CET)"


def test_a_meeting_s_time_reads_in_the_visitor_s_language_and_zone() -> None:
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    end = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    assert meeting_time("en", start, end, "Europe/Berlin") == (
        "Mon 7 Dec 2026, 10:00-10:30 (Europe/Berlin)"
    )
    assert meeting_time("de", start, end, "Europe/Berlin") == (
        "Montag, 7. Dezember 2026, 10:00-10:30 (Europe/Berlin)"
    )
    assert meeting_time("ja", start, end, "Asia/Tokyo") == (
        "2026年12月7日 月曜日 18:00-18:30 (Asia/Tokyo)"
    )
    assert meeting_time("es", start, end, "UTC") == (
        "lunes, 7 de diciembre de 2026, 09:00-09:30 (UTC)"
    )
    assert meeting_time("xx", start, end, "UTC") == "Mon 7 Dec 2026, 09:00-09:30 (UTC)"


def test_a_call_s_line_reads_in_the_visitor_s_language_without_the_server_s_english_detail() -> (
    None
):
    call = {
        "media": "video",
        "rep_name": "Dana Reyes",
        "by_visitor": False,
        "connected": True,
        "seconds": 75,
        "end_reason": "ended_by_visitor",
        "end_detail": None,
    }
    assert (
        call_line("de", **call)
        == "Videoanruf mit Dana Reyes, 1 Min. 15 Sek., vom Besucher beendet."
    )
    assert call_line("fr", **call | {"media": "audio", "seconds": 3720}) == (
        "Appel vocal avec Dana Reyes, 1 h 2 min, terminé par le visiteur."
    )
    assert call_line("ja", **call | {"connected": False, "end_reason": "missed"}) == (
        "Dana Reyesとのビデオ通話: 応答がありませんでした。"
    )
    failed = call | {"end_reason": "failed", "end_detail": "the visitor's browser went away"}
    assert call_line("pt", **failed) == (
        "Chamada de vídeo com Dana Reyes, 1 min 15 s, a conexão caiu."
    )
    assert call_line("en", **failed) == (
        "Video call with Dana Reyes, 1 min 15 s, the connection was lost "
        "(the visitor's browser went away)."
    )
    queued = call | {
        "rep_name": None,
        "by_visitor": True,
        "connected": False,
        "end_reason": "declined",
        "end_detail": "declined by Dana Reyes",
    }
    assert call_line("es", **queued) == "Videollamada del visitante: rechazada."
    assert call_line("en", **queued) == "Video call from the visitor: declined by Dana Reyes."
