"""Runs `frontdesk serve` counting the SQL it sends (for bench/page_views.py).

    .venv/bin/python bench/serve_with_sql_probe.py OUT.json serve --host 127.0.0.1 --port N

Hooks SQLAlchemy's engine events for every engine of the process, as tests/query_count.py does
for one: `before_cursor_execute` counts statements (an executemany is one statement, however
many rows it carries) and the rows inserted into page_views, and `commit` counts commits. A thread rewrites OUT.json with the counters
every 0.2 s, so the caller reads them before and after a window. Nothing in src/ changes: this
calls frontdesk.cli.main() as the `frontdesk` command does. What bypasses SQLAlchemy (visitor
chat messages written through the raw driver) is not seen.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections import Counter
from typing import Any

OUT = sys.argv[1]
state: dict[str, Any] = {
    "pid": os.getpid(),
    "statements": 0,
    "commits": 0,
    "by_verb": Counter(),
    # Rows inserted into page_views (an executemany counts each of its rows).
    "page_view_rows": 0,
}


def _write() -> None:
    tmp = OUT + ".tmp"
    with open(tmp, "w") as out:
        json.dump(state, out)
    os.replace(tmp, OUT)


def _loop() -> None:
    while True:
        _write()
        time.sleep(0.2)


def main() -> int:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def statement(
        _conn: Any, _cursor: Any, sql: str, params: Any, _context: Any, many: bool
    ) -> None:
        state["statements"] += 1
        verb = sql.lstrip().split(None, 1)[0].upper()
        state["by_verb"][verb] += 1
        if verb == "INSERT" and "INTO page_views" in sql:
            state["page_view_rows"] += len(params) if many else 1

    def commit(_conn: Any) -> None:
        state["commits"] += 1

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    _write()
    threading.Thread(target=_loop, daemon=True).start()
    from frontdesk.cli import main as frontdesk_main

    try:
        return frontdesk_main(sys.argv[2:])
    finally:
        _write()


if __name__ == "__main__":
    raise SystemExit(main())
