"""Without the optional embedding packages the copilot still works, with BM25 alone, and
says so."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parents[4] / "src"


def test_without_the_embeddings_extra_retrieval_is_bm25_and_the_status_says_why() -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["onnxruntime"] = None  # as if frontdesk[embeddings] were not installed
        from frontdesk.features.copilot.embedding import (
            embedding_available, embedding_status, load_embedder,
        )
        from frontdesk.features.copilot.retrieval import Entry, OrgIndex
        assert not embedding_available()
        assert load_embedder() is None
        print(embedding_status())
        entries = [Entry("p", "i", "qa", "Refunds?", None, "Refunds?", "Within 30 days.",
                         "Can I get a refund?\\nWithin 30 days.")]
        hits = OrgIndex(1, entries, [None]).search("refund please", None, 3)
        print(hits[0].entry.body, hits[0].dense)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC)},
        check=True,
    )
    status, found = result.stdout.strip().splitlines()
    assert status.startswith("not installed (onnxruntime)")
    assert "install frontdesk[embeddings]; retrieval uses BM25 alone" in status
    assert found == "Within 30 days. None"
