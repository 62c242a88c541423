"""docs/configuration.md lists every setting, as the Settings model describes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from frontdesk.settings import Settings, env_var
from frontdesk.settings_docs import BEGIN, END, MissingDescription, render_table, with_table

ROOT = Path(__file__).resolve().parents[2]
CONFIGURATION = ROOT / "docs" / "configuration.md"


def test_the_checked_in_settings_table_is_the_one_the_model_generates() -> None:
    document = CONFIGURATION.read_text()
    assert BEGIN in document and END in document
    assert with_table(document) == document, (
        "docs/configuration.md is out of date: run PYTHONPATH=src python -m frontdesk.settings_docs"
    )


def test_every_setting_has_a_description_and_a_row() -> None:
    table = render_table()
    for name, field in Settings.model_fields.items():
        assert field.description, f"Settings.{name} needs a description"
        assert f"| `{env_var(name)}` |" in table
    # The ones issue 13 found missing from the hand-written table.
    for variable in (
        "FRONTDESK_SMTP_URL",
        "FRONTDESK_MAIL_FROM",
        "FRONTDESK_ENRICHMENT_URL",
        "FRONTDESK_ENRICHMENT_TOKEN",
        "FRONTDESK_ALLOW_PRIVATE_TARGETS",
        "FRONTDESK_AI_URL",
        "FRONTDESK_AI_MODEL",
        "FRONTDESK_AI_API_KEY",
        "FRONTDESK_AI_TIMEOUT",
        "FRONTDESK_IP_DATA_DIR",
    ):
        assert f"| `{variable}` |" in table, variable


def test_a_field_without_a_description_stops_the_generator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    field = Settings.model_fields["bus_url"]
    monkeypatch.setattr(field, "description", None)
    with pytest.raises(MissingDescription, match=r"Settings\.bus_url"):
        render_table()


def test_no_frontdesk_variable_is_read_outside_the_settings() -> None:
    # Every FRONTDESK_* variable goes through Settings (pydantic-settings), so each one is in
    # the table above and checked at start. Test seams such as the movable clock live in the
    # test tree (tests/support/serve_with_clock.py), where production cannot reach them.
    reads = re.compile(r"""(?:environ(?:\.get)?\s*[\[(]|getenv\()\s*["'](FRONTDESK_\w+)""")
    assert reads.search('os.environ.get("FRONTDESK_X")')  # the pattern finds a direct read
    read_directly = {
        f"{path.relative_to(ROOT)}: {variable}"
        for path in (ROOT / "src").rglob("*.py")
        for variable in reads.findall(path.read_text())
    }
    assert not read_directly, f"read outside frontdesk.settings: {sorted(read_directly)}"
    assert "TEST_CLOCK" not in "".join(p.read_text() for p in (ROOT / "src").rglob("*.py"))
