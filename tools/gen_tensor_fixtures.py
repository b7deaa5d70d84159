#!/usr/bin/env python3
"""Generate the tensor fixtures of cnnshape's [random] and [tensor_io] tests (tests/data/tensors/).

PyTorch (and NumPy) are the oracles; CI has neither, so the outputs are committed as data.

* random.json: torch.manual_seed(S) then torch.randn(n) / torch.rand(n) /
  torch.empty(n).uniform_(a, b), for S in {0, 1, 42, 12345, 2**32 + 7} and n in {1..20, 31, 32,
  33, 100, 1000, 4097}, plus sequences of calls on one generator, plus the integers
  torch.manual_seed takes (negative ones wrap modulo 2**64) and refuses.  Values are float32 bit
  patterns as 8 hex digits; up to 100 elements every value is stored, above that the first and
  last 32 values and an FNV-1a 64 checksum of all of them (over their little-endian bytes).
* npy/*.npy and npy.json: small arrays written by NumPy (every readable dtype, format versions
  1.0, 2.0 and 3.0, 0-d, empty, NaN/Inf) with the float32 values cnnshape must read from them,
  and broken ones (big-endian, Fortran order, objects, structured, complex, truncated, bad
  magic) whose errors the C++ test checks.
* model.safetensors and safetensors.json: a small model's state_dict (Conv2d, BatchNorm2d with
  its int64 num_batches_tracked, Linear) plus one tensor of every dtype the reader converts,
  written in the safetensors format by this script (the safetensors package is not needed), and
  the float32 values each tensor converts to (torch's .float()).
* literal.json: literal texts and the float32 tensor torch.tensor(..., dtype=torch.float32)
  makes of the same numbers.
* literal_code.json: literals written as PyTorch code (torch.tensor(...) with and without
  dtype=, torch.Tensor(...), "x = ...", comments), each evaluated by Python: the tensor's shape,
  its dtype and its values as float32 (.float()), which cnnshape must read from the same text.
* print.json: tensors (values as bit patterns) and exactly what print(tensor) prints for them:
  float32 and int64, 0-d to 5-d, integer-valued, tiny, huge, mixed signs, NaN/Inf, negative
  zero, empty, long rows (line wrapping) and more than 1000 elements (summarization).

Regenerate from the repository root (Debian's python3-torch is importable by /usr/bin/python3):

    /usr/bin/python3 tools/gen_tensor_fixtures.py

The output is deterministic (fixed seeds, no timestamps).
"""

import io
import json
import math
import os
import re
import struct
import sys

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "data", "tensors")
NPY_DIR = os.path.join(OUT, "npy")

SEEDS = [0, 1, 42, 12345, 2**32 + 7]
SIZES = list(range(1, 21)) + [31, 32, 33, 100, 1000, 4097]
FULL_LIMIT = 100  # above this many elements: first/last 32 values and a checksum
UNIFORM_RANGES = [
    (-0.17677669529663687, 0.17677669529663687),  # kaiming_uniform_ bound for fan_in 32
    (-3.0, 7.5),
    (0.3, 0.7),
    (-1.0 / 3.0, 1.0 / 9.0),
]
UNIFORM_SIZES = [1, 7, 16, 33, 1000]


def hex32(t):
    """float32 values (tensor or array) as 8-hex-digit bit patterns."""
    a = np.ascontiguousarray(np.asarray(t, dtype=np.float32)).reshape(-1)
    return ["%08x" % v for v in a.view(np.uint32).tolist()]


def hexjoin(t):
    return "".join(hex32(t))


def fnv1a64(t):
    a = np.ascontiguousarray(np.asarray(t, dtype=np.float32)).reshape(-1)
    h = 0xCBF29CE484222325
    for byte in a.astype("<f4").tobytes():
        h ^= byte
        h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def values_entry(t):
    t = t.reshape(-1)
    if t.numel() <= FULL_LIMIT:
        return {"values": hex32(t)}
    return {"first": hex32(t[:32]), "last": hex32(t[-32:]), "fnv1a64": fnv1a64(t)}


def write_json(name, obj):
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=False)
        f.write("\n")
    return path


# ------------------------------------------------------------------------------------------------
# random.json


def gen_random():
    cases = []
    for seed in SEEDS:
        for n in SIZES:
            torch.manual_seed(seed)
            e = {"fn": "randn", "seed": seed, "n": n}
            e.update(values_entry(torch.randn(n)))
            cases.append(e)
            torch.manual_seed(seed)
            e = {"fn": "rand", "seed": seed, "n": n}
            e.update(values_entry(torch.rand(n)))
            cases.append(e)
        for lo, hi in UNIFORM_RANGES:
            for n in UNIFORM_SIZES:
                torch.manual_seed(seed)
                e = {"fn": "uniform", "seed": seed, "n": n, "from": lo, "to": hi}
                e.update(values_entry(torch.empty(n).uniform_(lo, hi)))
                cases.append(e)
    # Several calls on one generator: the cached Box-Muller value of the small path survives a
    # large randn, and every call consumes exactly the draws PyTorch consumes.
    call_lists = [
        [("randn", 3), ("randn", 3), ("randn", 1)],
        [("randn", 1), ("randn", 20), ("randn", 1), ("randn", 5)],
        [("randn", 17), ("randn", 17), ("rand", 3), ("randn", 2)],
        [("rand", 1), ("randn", 15), ("randn", 16), ("uniform", 10, -0.5, 0.25), ("randn", 3)],
        [("randn", 5), ("rand", 4), ("randn", 1), ("randn", 700), ("randn", 7)],
    ]
    sequences = []
    for seed in [0, 42, 2**32 + 7]:
        for calls in call_lists:
            torch.manual_seed(seed)
            out = []
            for c in calls:
                if c[0] == "randn":
                    t = torch.randn(c[1])
                    entry = {"fn": "randn", "n": c[1]}
                elif c[0] == "rand":
                    t = torch.rand(c[1])
                    entry = {"fn": "rand", "n": c[1]}
                else:
                    t = torch.empty(c[1]).uniform_(c[2], c[3])
                    entry = {"fn": "uniform", "n": c[1], "from": c[2], "to": c[3]}
                entry.update(values_entry(t))
                out.append(entry)
            sequences.append({"seed": seed, "calls": out})
    # torch.manual_seed's range: what the generator is seeded with (initial_seed()) for integers
    # around the limits of uint64 and int64, or its error (--seed takes the same).
    manual_seeds = []
    for seed in [0, 1, 12345, 2**32 + 7, 2**63 - 1, 2**63, 2**64 - 2, 2**64 - 1, 2**64, 2**64 + 1,
                 2**70, 10**30, -1, -2, -5, -2**32, -2**63 + 1, -2**63, -2**63 - 1, -2**64, -10**30]:
        try:
            g = torch.manual_seed(seed)
            manual_seeds.append({"seed": str(seed), "initial_seed": str(g.initial_seed()),
                                 "randn": hexjoin(torch.randn(1))})
        except RuntimeError as exc:
            manual_seeds.append({"seed": str(seed), "error": str(exc)})
    write_json(
        "random.json",
        {
            "torch": torch.__version__,
            "note": "float32 bit patterns; above %d elements: first/last 32 and FNV-1a 64 of "
            "the little-endian bytes of all values" % FULL_LIMIT,
            "cases": cases,
            "sequences": sequences,
            "manual_seed": manual_seeds,
        },
    )
    return len(cases), len(sequences)


# ------------------------------------------------------------------------------------------------
# npy


def npy_bytes(arr, version=None, allow_pickle=False):
    b = io.BytesIO()
    if version is None:
        np.save(b, arr, allow_pickle=allow_pickle)
    else:
        np.lib.format.write_array(b, arr, version=version, allow_pickle=allow_pickle)
    return b.getvalue()


def gen_npy():
    os.makedirs(NPY_DIR, exist_ok=True)
    for f in os.listdir(NPY_DIR):
        if f.endswith(".npy"):
            os.remove(os.path.join(NPY_DIR, f))
    rng = np.random.RandomState(7)
    good = {}

    def put(name, arr, note, version=None):
        with open(os.path.join(NPY_DIR, name), "wb") as f:
            f.write(npy_bytes(arr, version))
        as_f32 = torch.from_numpy(np.ascontiguousarray(arr)).float() if arr.dtype != np.uint16 \
            and arr.dtype != np.uint32 and arr.dtype != np.uint64 else \
            torch.from_numpy(arr.astype(np.float64)).float()
        good[name] = {"shape": list(arr.shape), "values": hexjoin(as_f32), "note": note}

    put("f32_2x3.npy", rng.randn(2, 3).astype(np.float32), "")
    put("f64_2x2.npy", np.array([[1.0 / 3.0, -2.5e-8], [1e300, -1e-300]]), "converted from float64")
    put("f16_5.npy", np.array([0.1, -2.0, 65504.0, 6e-8, -0.0], dtype=np.float16),
        "converted from float16")
    put("i8_4.npy", np.array([-128, -1, 0, 127], dtype=np.int8), "converted from int8")
    put("i16_3.npy", np.array([-32768, 12345, 32767], dtype=np.int16), "converted from int16")
    put("i32_2x2.npy", np.array([[-2**31, 16777217], [7, 2**31 - 1]], dtype=np.int32),
        "converted from int32")
    put("i64_3.npy", np.array([-2**63, 2**53 + 1, 42], dtype=np.int64), "converted from int64")
    put("u8_4.npy", np.array([0, 1, 128, 255], dtype=np.uint8), "converted from uint8")
    put("u16_2.npy", np.array([0, 65535], dtype=np.uint16), "converted from uint16")
    put("u32_2.npy", np.array([16777217, 2**32 - 1], dtype=np.uint32), "converted from uint32")
    put("u64_2.npy", np.array([2**64 - 1, 3], dtype=np.uint64), "converted from uint64")
    put("bool_2x2.npy", np.array([[True, False], [False, True]]), "converted from bool")
    put("scalar_0d.npy", np.array(2.5, dtype=np.float32), "")
    put("empty_0x3.npy", np.zeros((0, 3), dtype=np.float32), "")
    put("nan_inf.npy", np.array([np.nan, np.inf, -np.inf, -0.0, 1.0], dtype=np.float32), "")
    put("v2_f32_3.npy", np.array([1.5, -2.5, 3.25], dtype=np.float32), "", version=(2, 0))
    put("v3_f32_2x1.npy", np.array([[7.0], [-8.0]], dtype=np.float32), "", version=(3, 0))
    put("f32_1x2x3x4.npy", rng.randn(1, 2, 3, 4).astype(np.float32), "")
    # Fortran order is fine for 1-d arrays (NumPy writes fortran_order False for them).
    put("fortran_1d.npy", np.asfortranarray(np.arange(4, dtype=np.float32)), "")

    bad = {
        "bad_big_endian.npy": npy_bytes(np.array([1.0, 2.0], dtype=">f4")),
        "bad_fortran.npy": npy_bytes(np.asfortranarray(np.arange(6, dtype=np.float32)
                                                       .reshape(2, 3))),
        "bad_object.npy": npy_bytes(np.array([1, "a", None], dtype=object), allow_pickle=True),
        "bad_structured.npy": npy_bytes(np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")])),
        "bad_complex.npy": npy_bytes(np.array([1 + 2j], dtype=np.complex64)),
        "bad_unicode.npy": npy_bytes(np.array(["ab", "c"])),
        "bad_magic.npy": b"PK\x03\x04 this is a zip file, not an npy file" + b"\0" * 64,
    }
    whole = npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))
    bad["bad_truncated_data.npy"] = whole[:-2]
    bad["bad_truncated_header.npy"] = whole[:40]
    bad["bad_extra_data.npy"] = whole + b"\0\0\0\0"
    for name, data in bad.items():
        with open(os.path.join(NPY_DIR, name), "wb") as f:
            f.write(data)
    write_json("npy.json", {"numpy": np.__version__, "files": good})
    return len(good), len(bad)


# ------------------------------------------------------------------------------------------------
# safetensors


ST_DTYPES = {
    torch.float32: "F32",
    torch.float64: "F64",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().tobytes()  # little-endian machine


def write_safetensors(path, tensors, metadata):
    """The safetensors format: u64 LE header size, JSON header, then the tensors' bytes."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    # Like the safetensors package: larger alignments first, then by name.
    order = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    for name, t in order:
        data = tensor_bytes(t)
        header[name] = {
            "dtype": ST_DTYPES[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def gen_safetensors():
    torch.manual_seed(5)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3),
        torch.nn.BatchNorm2d(3),
        torch.nn.ReLU(),
        torch.nn.Flatten(),
        torch.nn.Linear(12, 4),
    )
    model.train()
    model(torch.randn(2, 2, 4, 4))  # update running stats and num_batches_tracked
    tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
    g = torch.Generator().manual_seed(11)
    tensors["extra.f64"] = torch.randn(2, 3, generator=g, dtype=torch.float64) * 1e3
    tensors["extra.f16"] = torch.tensor([0.1, -2.0, 65504.0, 6e-8, -0.0], dtype=torch.float16)
    tensors["extra.bf16"] = (torch.randn(3, 2, generator=g) * 100).to(torch.bfloat16)
    tensors["extra.i32"] = torch.tensor([-2**31, 16777217, 5], dtype=torch.int32)
    tensors["extra.i16"] = torch.tensor([-32768, 32767], dtype=torch.int16)
    tensors["extra.i8"] = torch.tensor([[-128, 0], [1, 127]], dtype=torch.int8)
    tensors["extra.u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    tensors["extra.bool"] = torch.tensor([True, False, True])
    tensors["extra.scalar"] = torch.tensor(3.5)
    tensors["extra.empty"] = torch.zeros(0, 4)
    tensors["extra.i64_big"] = torch.tensor([2**53 + 1, -7], dtype=torch.int64)
    path = os.path.join(OUT, "model.safetensors")
    write_safetensors(path, tensors, {"format": "pt", "producer": "gen_tensor_fixtures.py"})
    names = {torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16",
             torch.int64: "int64", torch.int32: "int32", torch.int16: "int16",
             torch.int8: "int8", torch.uint8: "uint8", torch.bool: "bool"}
    expected = {}
    for k, t in tensors.items():
        expected[k] = {
            "shape": list(t.shape),
            "values": hexjoin(t.float()),
            "note": "" if t.dtype == torch.float32 else "converted from " + names[t.dtype],
        }
    write_json("safetensors.json", {"file": "model.safetensors", "tensors": expected})
    return len(tensors)


# ------------------------------------------------------------------------------------------------
# literal.json

LITERALS = [
    "[[[[1.0, 2.0], [3.0, 4.0]]]]",
    "[1, 2, 3]",
    "[[1, 2.5], [-0.5, 1e-3]]",
    "[0.1, 0.2, 0.3, 1e-45, 1e-46, 3.4028235e38, 1e39, -1e39]",
    "3",
    "-0.0",
    "2.5e-3",
    "[]",
    "[[], []]",
    "[[[]]]",
    "[16777217, 16777219, 123456789012345678, -9007199254740993]",
    "[0.1234567890123456789, 1.00000005960464477539, 1.0000000596046448]",
    "[NaN, Infinity, -Infinity, nan, inf, -inf]",
    "[ [ 1 , 2 ] ,\n  [ 3 , 4 ] ]",
    "[[1, 2,], [3, 4,],]",
    "((1, 2), (3, 4))",
    "[+1.5, .5, 5., 1E3, 1e+2, -2E-2]",
    "[[[1], [2]], [[3], [4]], [[5], [6]]]",
    "[-0, -0.0, 0, -0e0]",
    "[[1e400, -1e400, 1e-400, 2.5e-310]]",
]


def py_value(text):
    """The literal as a Python value: JSON's NaN/Infinity and Python's nan/inf as floats."""
    def word(m):
        return m.group(1) + ("float('nan')" if m.group(2) in ("NaN", "nan") else "float('inf')")

    return eval(re.sub(r"(-?)\b(Infinity|inf|NaN|nan)\b", word, text))


def gen_literals():
    cases = []
    for text in LITERALS:
        v = py_value(text)
        t = torch.tensor(v, dtype=torch.float32)
        cases.append({"text": text, "shape": list(t.shape), "values": hexjoin(t)})
    write_json("literal.json", {"cases": cases})
    return len(cases)


# ------------------------------------------------------------------------------------------------
# print.json


def gen_print():
    cases = []

    def add(name, t):
        t = t.contiguous()
        e = {"name": name, "dtype": "int64" if t.dtype == torch.int64 else "float32",
             "shape": list(t.shape)}
        if t.dtype == torch.int64:
            e["values"] = t.reshape(-1).tolist()
        else:
            assert t.dtype == torch.float32
            e["values"] = hexjoin(t)
        e["text"] = str(t)
        cases.append(e)

    f = lambda *v: torch.tensor(v, dtype=torch.float32)  # noqa: E731
    nan, inf = float("nan"), float("inf")

    # The 4x4 pooling tutorial.
    x = torch.arange(1, 17, dtype=torch.float32).reshape(1, 1, 4, 4)
    add("pool_input", x)
    out, idx = torch.nn.functional.max_pool2d(x, 2, return_indices=True)
    add("maxpool_output", out)
    add("maxpool_indices", idx)
    add("avgpool_output", torch.nn.functional.avg_pool2d(x, 2))
    add("maxpool_3x3_s1_output", torch.nn.functional.max_pool2d(x, 3, stride=1))
    add("avgpool_pad", torch.nn.functional.avg_pool2d(x, 3, stride=2, padding=1))

    # 0-d.
    for v in [3.0, 0.12345, -0.0, 0.0, nan, inf, -inf, 1e10, 1e-10, -2.5, 123456789.0, 1e-4,
              65504.0, 3.4028234663852886e38, 1e-45]:
        add("scalar_%r" % v, torch.tensor(v))

    # Small hand-picked vectors.
    hand = {
        "ints": f(1, 2, 3),
        "ints_neg": f(-1, 0, 10, -100),
        "ints_big_1e8": f(1e8, 1.0),
        "ints_over_1e8": f(1e8 + 8, 1.0),
        "ints_ratio_1000": f(1000, 1),
        "ints_ratio_1001": f(1001, 1),
        "ints_ratio_2000": f(2000, 1),
        "floats_basic": f(0.1, 0.25, -1.5),
        "round_half": f(0.00005, 0.5, 0.12345, 0.12355),
        "tiny_1e-4_float": f(1e-4, 0.5),
        "tiny": f(1e-5, 1.0),
        "tiny_all": f(1e-7, -3e-6, 2.5e-9),
        "huge": f(1e9, -3.5e9, 1.25),
        "huge_ints": f(1e12, -4e15),
        "ratio_just_1000": f(0.001, 1.0),
        "ratio_over": f(0.0009, 1.0),
        "mixed_signs": f(-1.5, 2.25, -0.001, 1000.0),
        "nan_inf": f(nan, inf, -inf, 1.5),
        "nan_inf_ints": f(nan, inf, -inf, 2.0),
        "nan_only": f(nan, nan),
        "inf_only": f(inf, -inf),
        "zeros": f(0.0, 0.0, 0.0),
        "neg_zero": f(-0.0, 0.0, -0.0),
        "neg_zero_frac": f(-0.0, 0.5),
        "neg_zero_sci": f(-0.0, 1e-6),
        "zero_nan": f(0.0, nan),
        "sci_with_nan": f(1e-6, nan, -inf, 0.0),
        "subnormal": f(1e-45, 1.0),
        "max_float": f(3.4028234663852886e38, -1.0),
        "width_mix": f(-1234.5678, 0.5, 99.99999),
        "rounds_to_int_text": f(0.99999, 1.00001, 2.0),
        "one_elem": f(7.0),
        "one_elem_frac": f(-0.75),
    }
    for name, t in hand.items():
        add(name, t)

    # Shapes 1-d .. 5-d, integer-valued and random.
    g = torch.Generator().manual_seed(1234)
    shapes = [(5,), (3, 4), (2, 3, 4), (2, 2, 2, 2), (1, 2, 3, 2, 2), (1, 1, 1, 1, 1), (4, 1),
              (1, 6), (2, 1, 3)]
    for s in shapes:
        n = int(np.prod(s))
        add("arange_%s" % "x".join(map(str, s)), torch.arange(n, dtype=torch.float32).reshape(s))
        add("randn_%s" % "x".join(map(str, s)), torch.randn(s, generator=g))
    scales = [1e-7, 1e-5, 1e-4, 1e-3, 0.01, 1.0, 10.0, 1000.0, 1e5, 1e8, 1e9, 1e20]
    for i, sc in enumerate(scales):
        s = shapes[i % len(shapes)]
        add("randn_scaled_%g" % sc, torch.randn(s, generator=g) * sc)
        add("randint_scaled_%g" % sc, torch.round(torch.randn(s, generator=g) * 10) * sc)
    # Random mixtures: zeros, negative zeros, NaN/Inf sprinkled in, integer rounding.
    for i in range(40):
        dims = int(torch.randint(0, 5, (1,), generator=g))
        s = tuple(int(v) for v in torch.randint(1, 5, (dims,), generator=g))
        t = torch.randn(s, generator=g) * float(10.0 ** torch.randint(-8, 11, (1,), generator=g))
        flat = t.reshape(-1)
        r = torch.rand(flat.shape, generator=g)
        kind = i % 5
        if kind == 1:
            flat = torch.round(flat)
        if kind == 2:
            flat = torch.where(r < 0.2, torch.tensor(0.0), flat)
            flat = torch.where(r > 0.9, torch.tensor(-0.0), flat)
        if kind == 3:
            flat = torch.where(r < 0.15, torch.tensor(nan), flat)
            flat = torch.where(r > 0.9, torch.tensor(inf), flat)
            flat = torch.where((r > 0.5) & (r < 0.55), torch.tensor(-inf), flat)
        if kind == 4:
            flat = torch.round(flat * 100) / 100
        add("mix_%d" % i, flat.reshape(s))

    # Empty tensors.
    for s in [(0,), (0, 3), (3, 0), (2, 0, 4), (1, 0, 1, 1)]:
        add("empty_%s" % "x".join(map(str, s)), torch.zeros(s))

    # Long rows: line wrapping at linewidth 80.
    add("long_row_ints", torch.arange(40, dtype=torch.float32))
    add("long_row_randn", torch.randn(30, generator=g))
    add("long_rows_2d", torch.randn(3, 17, generator=g) * 100)
    add("long_rows_3d", torch.randn(2, 2, 25, generator=g))
    add("long_row_sci", torch.randn(25, generator=g) * 1e-6)
    add("long_row_5d", torch.randn(1, 1, 1, 2, 30, generator=g))
    add("long_row_wide", torch.randn(12, generator=g) * 1e12)
    add("long_row_1000", torch.arange(1000, dtype=torch.float32) / 7)

    # Summarization (more than 1000 elements).
    add("summ_1001", torch.arange(1001, dtype=torch.float32))
    add("summ_randn_2000", torch.randn(2000, generator=g))
    add("summ_40x30", torch.randn(40, 30, generator=g))
    add("summ_2x3x20x20", torch.randn(2, 3, 20, 20, generator=g))
    add("summ_10x200", torch.arange(2000, dtype=torch.float32).reshape(10, 200))
    add("summ_2000x1", torch.randn(2000, 1, generator=g))
    add("summ_1x1001", torch.randn(1, 1001, generator=g) * 1e-5)
    add("summ_7x7x7x7", torch.randn(7, 7, 7, 7, generator=g))
    add("summ_1x2x3x13x13", torch.randn(1, 2, 3, 13, 13, generator=g))
    t = torch.randn(1200, generator=g)
    t[0] = nan
    t[600] = 1e30  # hidden by summarization: does not switch to scientific notation
    add("summ_hidden_huge", t)
    t = torch.randn(30, 40, generator=g)
    t[-1, -1] = 1e-9
    add("summ_edge_tiny", t)

    # int64 tensors.
    i64 = lambda v: torch.tensor(v, dtype=torch.int64)  # noqa: E731
    add("i64_scalar", i64(5))
    add("i64_scalar_neg", i64(-12))
    add("i64_arange", torch.arange(10))
    add("i64_mixed", i64([[-3, 10, 200], [7, -1000, 0]]))
    add("i64_big", i64([2**40, -(2**62), 1]))
    add("i64_4d", torch.arange(16).reshape(1, 1, 4, 4))
    add("i64_5d", torch.arange(48).reshape(1, 2, 2, 3, 4) - 20)
    add("i64_long_row", torch.arange(100) * 37)
    add("i64_summ", torch.arange(2000))
    add("i64_summ_2d", torch.arange(3000).reshape(50, 60) - 1500)
    add("i64_empty", torch.zeros(0, dtype=torch.int64))
    add("i64_empty_2d", torch.zeros(0, 3, dtype=torch.int64))
    add("i64_randint", torch.randint(-50, 50000, (4, 6), generator=g))

    write_json("print.json", {"torch": torch.__version__, "cases": cases})
    return len(cases)


LITERAL_CODE = [
    "torch.tensor([[1., 2.], [3., 4.]])",
    "input_tensor = torch.tensor([[[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, "
    "11.0, 12.0], [13.0, 14.0, 15.0, 16.0]]]])",
    "x = torch.tensor([0.1, 0.2, -0.3], dtype=torch.float32)",
    "torch.tensor([[1., 2.]], dtype=torch.float)",
    "torch.tensor([0.1, 1e-40, 3.4028235e38, 1e39], dtype=torch.float64)",
    "torch.tensor([0.1, 0.2], dtype=torch.double)",
    "torch.tensor([[1, 2], [3, 4]])",
    "torch.tensor([16777217, 16777219, -9007199254740993])",
    "torch.tensor([1, 2.5])",
    "torch.tensor(3.5)",
    "torch.tensor(7)",
    "torch.tensor([1.7, -1.7, -0.5, 2.0], dtype=torch.int64)",
    "torch.tensor([1.7, -1.7], dtype=torch.long)",
    "torch.tensor([100000.9, -2.5], dtype=torch.int32)",
    "torch.tensor([127.0, -128.0, 126.9, -127.9], dtype=torch.int8)",
    "torch.tensor([0.0, 2.0, -1.0, 0.5], dtype=torch.bool)",
    "torch.Tensor([[1, 2], [3, 4]])",
    "torch.FloatTensor([1, 2])",
    "torch.as_tensor([[1., 2.]])",
    "torch.tensor([[1., -2.]], requires_grad=True)",
    "torch.tensor([[1., 2.]], device='cpu', requires_grad=False)",
    "torch.tensor([])",
    "torch.tensor([[1., 2.],\n              [3., 4.]])  # two rows",
    "torch.tensor(((1., 2.), (3., 4.)))",
    "torch.tensor([1., 2.],)",
    "t = torch.tensor([[0.5, -0.25]], dtype=torch.float32, requires_grad=True);",
]


def gen_literal_code():
    cases = []
    for text in LITERAL_CODE:
        expr = re.sub(r"^\s*\w+\s*=\s*", "", text).rstrip().rstrip(";")
        t = eval(expr, {"torch": torch})
        dtype = str(t.dtype).replace("torch.", "")
        cases.append({"text": text, "shape": list(t.shape), "dtype": dtype,
                      "values": hexjoin(t.detach().float())})
    write_json("literal_code.json", {"cases": cases})
    return len(cases)


def main():
    os.makedirs(OUT, exist_ok=True)
    n_random, n_seq = gen_random()
    n_good, n_bad = gen_npy()
    n_st = gen_safetensors()
    n_lit = gen_literals()
    n_code = gen_literal_code()
    n_print = gen_print()
    print("random.json: %d cases, %d sequences" % (n_random, n_seq))
    print("npy: %d readable files, %d broken ones" % (n_good, n_bad))
    print("model.safetensors: %d tensors" % n_st)
    print("literal.json: %d cases" % n_lit)
    print("literal_code.json: %d cases" % n_code)
    print("print.json: %d cases" % n_print)


if __name__ == "__main__":
    sys.exit(main())
