"""The demo website: every page gets the shared header and footer and marks its own section."""

from __future__ import annotations

import pytest

from frontdesk.demo import DEMO_SITE, render_demo_page


@pytest.mark.parametrize(
    ("page", "root", "current"),
    [
        ("index.html", "", "index.html#product"),
        ("pricing.html", "", "pricing.html"),
        ("careers.html", "", "careers.html"),
        ("blog/index.html", "../", "../blog/"),
        ("blog/scaling-analytics.html", "../", "../blog/"),
    ],
)
def test_each_page_has_the_header_and_footer_with_its_section_marked(
    page: str, root: str, current: str
) -> None:
    html = render_demo_page((DEMO_SITE / page).read_text(), root)
    assert (
        "{{HEADER" not in html
        and "{{FOOTER" not in html
        and "{{ROOT}}" not in html
        and "data-nav" not in html
    )
    assert html.count('aria-current="page"') == 1
    assert f'<a href="{current}" aria-current="page">' in html
    assert '<footer class="site-footer">' in html
    assert f'src="{root}img/logo.svg"' in html
    assert "{{FRONTDESK_SNIPPET}}" in html  # filled in by the server with the real script tag
