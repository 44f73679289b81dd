#!/usr/bin/python3
"""Writes the original-release Lorsa fixtures (OpenMOSS/Lorsa format) used by the C++ tests.

Each folder gets config.json and final.pth (a real torch.save zip of a state_dict, as the
release ships) plus reference.safetensors: the same weights in float64, an input x [2,T,d]
in model units, and the outputs of the release's forward_top_k (cal_out_top_k_for_ov1 after
scale_norm) computed here in float64: z (hidden_pre), top_k_z (acts) and out (model units).
Run with Debian's python3-torch: /usr/bin/python3 gen_original_lorsa.py
"""

import json
import math
import os
import struct
from collections import OrderedDict

import torch

HERE = os.path.dirname(os.path.abspath(__file__))


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


def rotate_every_two(x, adjacent):
    rot = x.clone()
    if adjacent:
        rot[..., ::2] = -x[..., 1::2]
        rot[..., 1::2] = x[..., ::2]
    else:
        n = x.size(-1) // 2
        rot[..., :n] = -x[..., n:]
        rot[..., n:] = x[..., :n]
    return rot


def sin_cos(cfg):
    rd = cfg["rotary_dim"]
    pos = torch.arange(cfg["n_ctx"], dtype=torch.float64)
    dim = torch.arange(rd // 2, dtype=torch.float64)
    freq = cfg["rotary_base"] ** (dim / (rd / 2))
    freq = freq.repeat_interleave(2) if cfg["rotary_adjacent_pairs"] else freq.repeat(2)
    angles = pos[:, None] / freq[None, :]
    return torch.sin(angles), torch.cos(angles)


def apply_rotary(x, cfg):
    sin, cos = sin_cos(cfg)
    rd, t = cfg["rotary_dim"], x.size(1)
    x_rot, x_pass = x[..., :rd], x[..., rd:]
    rotated = x_rot * cos[None, :t, None, :] + rotate_every_two(x_rot, cfg["rotary_adjacent_pairs"]) * sin[None, :t, None, :]
    return torch.cat([rotated, x_pass], dim=-1)


def reference(sd, cfg, x_model):
    """The release's forward_top_k on scale_norm'ed input, returned in model units."""
    d = cfg["d_model"]
    f_in = math.sqrt(d) / cfg["avg_norm"]["in"]
    f_out = math.sqrt(d) / cfg["avg_norm"]["out"]
    x = x_model * f_in
    q = torch.einsum("btd,hdk->bthk", x, sd["W_Q"]) + sd["b_Q"]
    k = torch.einsum("btd,hdk->bthk", x, sd["W_K"]) + sd["b_K"]
    v = torch.einsum("btd,hdk->bthk", x, sd["W_V"]) + sd["b_V"]
    if cfg["positional_embedding_type"] == "rotary":
        q, k = apply_rotary(q, cfg), apply_rotary(k, cfg)
    scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / cfg["attn_scale"]
    t = x.size(1)
    mask = torch.tril(torch.ones(t, t, dtype=torch.bool))
    pattern = torch.softmax(torch.where(mask, scores, torch.tensor(-math.inf, dtype=torch.float64)), dim=-1)
    pattern = pattern.repeat_interleave(cfg["n_ov_heads"] // cfg["n_qk_heads"], dim=1)
    z = torch.einsum("bhqk,bkhd->bqhd", pattern, v)  # [B,T,n_ov,1]
    o_norm = torch.norm(sd["W_O"], p=2, dim=2).view(1, 1, -1)
    l1 = (torch.relu(z.squeeze(-1)) if cfg["use_z_relu"] else z.squeeze(-1).abs()) * o_norm
    kth, _ = torch.kthvalue(l1, k=cfg["n_ov_heads"] - cfg["top_k"] + 1, dim=2)
    top_k_z = z * (l1 >= kth.unsqueeze(-1)).unsqueeze(-1)
    out = torch.einsum("bqhd,hdm->bqm", top_k_z, sd["W_O"]) + sd["b_O"]
    return z.squeeze(-1), top_k_z.squeeze(-1), out / f_out, pattern


def make(name, seed, use_z_relu, rotary, layer):
    torch.manual_seed(seed)
    d, n_qk, n_ov, d_qk, t = 16, 2, 8, 4, 7
    cfg = {
        "d_qk_head": d_qk, "d_ov_head": 1, "n_qk_heads": n_qk, "n_ov_heads": n_ov,
        "device": "cuda", "dtype": "torch.float32", "virtual_kv_num": 0,
        "use_z_relu": use_z_relu, "n_ctx": 32, "layer": layer, "model_name": "EleutherAI/pythia-160m",
        "mode": "top_k", "top_k": 3, "avg_norm": {"in": 3.5, "out": 1.75},
        "d_model": d, "attn_scale": math.sqrt(8.0),
        "positional_embedding_type": "rotary" if rotary else "standard",
        "rotary_scale": 1, "rotary_dim": 4, "rotary_base": 10000, "rotary_adjacent_pairs": False,
    }
    sd32 = OrderedDict()
    sd32["W_Q"] = torch.randn(n_qk, d, d_qk) * 0.5
    sd32["W_K"] = torch.randn(n_qk, d, d_qk) * 0.5
    sd32["W_V"] = torch.randn(n_ov, d, 1) * 0.25
    sd32["W_O"] = torch.randn(n_ov, 1, d) * 0.25
    sd32["b_Q"] = torch.randn(n_qk, d_qk) * 0.1
    sd32["b_K"] = torch.randn(n_qk, d_qk) * 0.1
    sd32["b_V"] = torch.randn(n_ov, 1) * 0.1
    sd32["b_O"] = torch.randn(d) * 0.1
    sd32["mask"] = torch.tril(torch.ones(cfg["n_ctx"], cfg["n_ctx"])).bool()
    sd32["IGNORE"] = torch.tensor(-math.inf)
    if rotary:
        sin, cos = sin_cos(cfg)
        sd32["rotary_sin"], sd32["rotary_cos"] = sin.float(), cos.float()
    # A state_dict is an OrderedDict carrying _metadata, as nn.Module.state_dict() returns.
    sd32._metadata = OrderedDict({"": {"version": 1}})
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=4)
    torch.save(sd32, os.path.join(folder, "final.pth"))

    sd = {k: v.to(torch.float64) for k, v in sd32.items() if k.startswith(("W_", "b_"))}
    x = torch.randn(2, t, d, dtype=torch.float64) * cfg["avg_norm"]["in"] / math.sqrt(d)
    z, acts, out, pattern = reference(sd, cfg, x)
    write_safetensors(os.path.join(folder, "reference.safetensors"),
                      {**sd, "x": x, "z": z, "acts": acts, "out": out, "pattern": pattern})


if __name__ == "__main__":
    make("original_zrelu", 11, use_z_relu=True, rotary=True, layer=1)
    make("original_abs", 12, use_z_relu=False, rotary=False, layer=0)
