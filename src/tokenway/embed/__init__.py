"""The gateway's shared sentence embedder (all-MiniLM-L6-v2, int8 ONNX) and its async service."""

from tokenway.embed.model import DIM, MODEL_ID, Embedder, ModelUnavailableError, split_windows
from tokenway.embed.service import EmbeddingService

__all__ = ["DIM", "MODEL_ID", "Embedder", "EmbeddingService", "ModelUnavailableError", "split_windows"]
