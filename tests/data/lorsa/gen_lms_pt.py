#!/usr/bin/python3
"""Writes a Language-Model-SAEs Lorsa in its .pt layout for the C++ layout tests.

lms_pt/ holds config.json and sae_weights.pt exactly as current Language-Model-SAEs saves them:
torch.save({"sae": module.state_dict(), "version": ...}) of a Lorsa with n_qk_heads 4 whose file
stores only 2 QK heads (upstream load_full_state_dict repeats them with repeat_interleave), the
RMS post-QK norm (ln_q.w, ln_k.w, also 2 stored heads), dataset-wise norms and the persistent
buffers (mask, IGNORE, rotary_sin, rotary_cos) a real checkpoint carries; attn_scale is left
out, as older configs lack it. canonical.safetensors holds the
same Lorsa with every QK head written out (float64), which the test runs its float64 reference
on. Run with Debian's python3-torch: /usr/bin/python3 gen_lms_pt.py
"""

import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "lms_pt")
D, N_QK, STORED_QK, N_OV, D_QK, N_CTX, ROT = 16, 4, 2, 16, 4, 64, 4


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().to(torch.float64).numpy().tobytes()
        header[name] = {"dtype": "F64", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


class Lorsa(torch.nn.Module):
    """The parameter and buffer names of llamascopium's Lorsa (models/lorsa.py)."""

    def __init__(self, g):
        super().__init__()
        r = lambda *shape, s: torch.nn.Parameter(torch.randn(*shape, generator=g) * s)
        self.W_Q = r(STORED_QK, D, D_QK, s=0.5)
        self.W_K = r(STORED_QK, D, D_QK, s=0.5)
        self.W_V = r(N_OV, D, s=0.25)
        self.W_O = r(N_OV, D, s=0.25)
        self.b_Q = r(STORED_QK, D_QK, s=0.1)
        self.b_K = r(STORED_QK, D_QK, s=0.1)
        self.b_V = r(N_OV, s=0.1)
        self.b_D = r(D, s=0.1)
        self.ln_q = torch.nn.Module()
        self.ln_q.w = torch.nn.Parameter(1 + torch.randn(STORED_QK, D_QK, generator=g) * 0.2)
        self.ln_k = torch.nn.Module()
        self.ln_k.w = torch.nn.Parameter(1 + torch.randn(STORED_QK, D_QK, generator=g) * 0.2)
        self.register_buffer("mask", torch.tril(torch.ones(N_CTX, N_CTX, dtype=torch.bool)))
        self.register_buffer("IGNORE", torch.tensor(float("-inf")))
        # Upstream's tables: rotate-half pairs (rotary_adjacent_pairs false), float32.
        freq = 10000.0 ** (torch.arange(ROT // 2, dtype=torch.float32) / (ROT / 2))
        angles = torch.arange(N_CTX, dtype=torch.float32)[:, None] / freq.repeat(2)[None, :]
        self.register_buffer("rotary_sin", torch.sin(angles))
        self.register_buffer("rotary_cos", torch.cos(angles))


def main():
    os.makedirs(OUT, exist_ok=True)
    g = torch.Generator().manual_seed(7)
    lorsa = Lorsa(g)
    state = lorsa.state_dict()
    state["dataset_average_activation_norm.blocks.0.ln1.hook_normalized"] = torch.tensor(3.0)
    state["dataset_average_activation_norm.blocks.0.hook_attn_out"] = torch.tensor(2.0)
    torch.save({"sae": state, "version": "2.0.0b40"}, os.path.join(OUT, "sae_weights.pt"))

    config = {
        "sae_type": "lorsa", "d_model": D, "expansion_factor": N_OV / D,
        "hook_point_in": "blocks.0.ln1.hook_normalized", "hook_point_out": "blocks.0.hook_attn_out",
        "n_qk_heads": N_QK, "d_qk_head": D_QK, "act_fn": "topk", "top_k": 3, "use_decoder_bias": True,
        "norm_activation": "dataset-wise", "sparsity_include_decoder_norm": True,
        "positional_embedding_type": "rotary", "rotary_dim": ROT, "rotary_adjacent_pairs": False, "rotary_base": 10000, "rotary_scale": 1,
        "use_NTK_by_parts_rope": False, "n_ctx": N_CTX, "use_post_qk_ln": True, "normalization_type": "RMS",
        "eps": 1e-6,
    }
    with open(os.path.join(OUT, "config.json"), "w") as f:
        json.dump(config, f, indent=2)

    repeat = N_QK // STORED_QK
    canonical = {k: v.detach() for k, v in state.items() if k not in ("mask", "IGNORE", "rotary_sin", "rotary_cos")}
    for name in ("W_Q", "W_K", "b_Q", "b_K", "ln_q.w", "ln_k.w"):
        canonical[name] = torch.repeat_interleave(canonical[name], repeat, dim=0)
    write_safetensors(os.path.join(OUT, "canonical.safetensors"), canonical)


if __name__ == "__main__":
    main()
