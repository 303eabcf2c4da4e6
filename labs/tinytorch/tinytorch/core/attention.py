"""Scaled dot-product attention and multi-head attention over (batch, seq, embed) tensors."""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import softmax
from .layers import Layer, Linear
from .tensor import Tensor


def scaled_dot_product_attention(q: Tensor, k: Tensor, v: Tensor,
                                 mask: Any = None) -> tuple[Tensor, Tensor]:  # fmt: skip
    """softmax(q k^T / sqrt(d)) v, and the attention weights.

    ``mask`` (broadcastable to the scores) is 1 where attending is allowed, 0 where not.
    """
    scores = (q @ k.transpose()) / float(np.sqrt(q.shape[-1]))
    if mask is not None:
        allowed = np.asarray(mask.data if isinstance(mask, Tensor) else mask)
        scores = scores + np.where(allowed == 0, -1e9, 0.0).astype(scores.dtype)
    weights = softmax(scores, dim=-1)
    return weights @ v, weights


class MultiHeadAttention(Layer):
    """``num_heads`` attention heads of size embed_dim / num_heads, with in and out projections."""

    def __init__(self, embed_dim: int, num_heads: int) -> None:
        if embed_dim % num_heads:
            raise ValueError(f"embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.head_dim = embed_dim // num_heads
        self.q_proj = Linear(embed_dim, embed_dim)
        self.k_proj = Linear(embed_dim, embed_dim)
        self.v_proj = Linear(embed_dim, embed_dim)
        self.out_proj = Linear(embed_dim, embed_dim)

    def _split(self, x: Tensor) -> Tensor:
        batch, seq, _ = x.shape
        return x.reshape(batch, seq, self.num_heads, self.head_dim).transpose(1, 2)

    def forward(self, x: Tensor, mask: Any = None) -> Tensor:
        batch, seq, _ = x.shape
        q, k, v = (self._split(proj(x)) for proj in (self.q_proj, self.k_proj, self.v_proj))
        out, _ = scaled_dot_product_attention(q, k, v, mask)
        merged = out.transpose(1, 2).reshape(batch, seq, self.embed_dim)
        return self.out_proj(merged)

    def __repr__(self) -> str:
        return f"MultiHeadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"
