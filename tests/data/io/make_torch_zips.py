#!/usr/bin/python3
"""Writes the small torch.save archives that tests/model/io/test_torch_zip.cpp reads.

Run with Debian's python3-torch (1.13): /usr/bin/python3 tests/data/io/make_torch_zips.py
Every tensor is also written to expected.json as plain numbers,
so the C++ test compares against values computed here, not by the reader under test.
"""
import collections
import io
import json
import os
import zipfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(1234)
expected = {}


def record(file, tensors):
    expected[file] = {
        name: {"dtype": str(t.dtype).replace("torch.", ""), "shape": list(t.shape),
               "values": t.detach().double().flatten().tolist() if t.dtype != torch.bfloat16
               else t.detach().float().double().flatten().tolist()}
        for name, t in tensors.items()}


class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(3, 2)
        self.norm = torch.nn.LayerNorm(2)
        self.register_buffer("steps", torch.tensor([5, -7], dtype=torch.int64))


# 1. A module's state_dict: an OrderedDict carrying _metadata, saved through a BUILD opcode.
tiny = Tiny()
state = tiny.state_dict()
torch.save(state, os.path.join(HERE, "state_dict.pth"))
record("state_dict.pth", state)

# 2. A plain dict of several dtypes, including a strided view sharing one storage at an offset,
#    a scalar, an empty tensor and non-tensor values (which the reader skips or exposes).
base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
plain = {
    "f32": torch.randn(2, 3),
    "f16": torch.randn(3).half(),
    "bf16": torch.randn(2, 2).bfloat16(),
    "i64": torch.tensor([1, -2, 3 << 40]),
    "bool": torch.tensor([True, False, True]),
    "base": base,
    "view_t": base[1:, 2:5].t(),          # offset 8, strides (1, 6), shares base's storage
    "scalar": torch.tensor(3.25, dtype=torch.float64),
    "empty": torch.zeros(0, 5),
}
torch.save(dict(plain, step=12, lr=0.5, name="run"), os.path.join(HERE, "plain_dict.pth"))
record("plain_dict.pth", plain)

# 3. Nested dicts: names are flattened with '.'.
nested = {"model": {"w": torch.ones(2), "inner": {"b": torch.full((1,), 4.0)}}, "epoch": 3}
torch.save(nested, os.path.join(HERE, "nested.pth"))
record("nested.pth", {"model.w": nested["model"]["w"], "model.inner.b": nested["model"]["inner"]["b"]})

# 4. Storages that say they lived on 'cuda:0', as the paper's final.pth does. No GPU here, so the
#    archive is saved from the CPU and its pickle patched: each persistent id's location string
#    'cpu' (BINUNICODE, 3 bytes) becomes 'cuda:0'; the entries are rewritten by Python's zipfile
#    (STORED, fresh CRCs, no 64-byte alignment padding: exercises the copy path too) under the
#    archive folder name 'final'. torch.load(map_location='cpu') reads it back.
cuda_state = collections.OrderedDict(W_Q=torch.randn(2, 3, 2), b_O=torch.randn(3))
buffer = io.BytesIO()
torch.save(cuda_state, buffer)
cpu_location = b"X\x03\x00\x00\x00cpu"
cuda_location = b"X\x06\x00\x00\x00cuda:0"
with zipfile.ZipFile(buffer) as source, \
        zipfile.ZipFile(os.path.join(HERE, "cuda_state.pth"), "w", zipfile.ZIP_STORED) as target:
    for entry in source.namelist():
        data = source.read(entry)
        if entry.endswith("/data.pkl"):
            assert data.count(cpu_location) == 1  # later ids reuse the memoized string
            data = data.replace(cpu_location, cuda_location)
        target.writestr("final/" + entry.split("/", 1)[1], data)
check = torch.load(os.path.join(HERE, "cuda_state.pth"), map_location="cpu")
assert all(torch.equal(check[k], cuda_state[k]) for k in cuda_state)
record("cuda_state.pth", cuda_state)

with open(os.path.join(HERE, "expected.json"), "w") as out:
    json.dump(expected, out, indent=1, sort_keys=True)
