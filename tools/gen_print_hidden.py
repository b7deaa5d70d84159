#!/usr/bin/env python3
"""Generate src/readers/print_hidden.inc: the constructor arguments that print(model) never shows.

print(model) writes each module as ``Name(<extra_repr>)``, and PyTorch's ``extra_repr`` leaves
some constructor arguments out (``AvgPool2d(kernel_size=2, stride=2, padding=0)`` has no
ceil_mode, count_include_pad or divisor_override; MaxPool's repr has no return_indices). When
cnnshape plans print(model) text it takes those at their defaults, and says so; this script finds
them by asking PyTorch, so the list is never guessed.

For every layer type ``cnnshape layers`` lists (Add and Concat are cnnshape's own and are never
printed by PyTorch), the module is built from a base set of arguments, then once per constructor
argument with that argument changed to a value other than its default. An argument is *hidden*
when changing it leaves ``repr(module)`` unchanged: print(model) text cannot tell its value. An
argument that repr shows only when it is not the default (Conv2d's ``padding_mode``, ``bias``,
ReLU's ``inplace``) is not hidden: its absence means the default.

The script also checks that cnnshape's parameter names and order are PyTorch's, and fails when
a parameter has no alternative value below (a new layer or argument must be added here).

Regenerate from the repository root after building (needs PyTorch, which only /usr/bin/python3
has here):

    /usr/bin/python3 tools/gen_print_hidden.py [build/cnnshape]
"""

import inspect
import subprocess
import sys

import torch
import torch.nn as nn
import torchvision.ops
import warnings

warnings.filterwarnings("ignore", message="keyword argument m")  # Hardtanh's min_value/max_value

BINARY = sys.argv[1] if len(sys.argv) > 1 else "build/cnnshape"
OUT = "src/readers/print_hidden.inc"

# Required arguments (and the base every alternative starts from), per type prefix.
BASE = [
    ("ConvTranspose", dict(in_channels=4, out_channels=4, kernel_size=2)),
    ("Conv", dict(in_channels=4, out_channels=4, kernel_size=2)),
    ("MaxPool", dict(kernel_size=2)),
    ("MaxUnpool", dict(kernel_size=2)),
    ("AvgPool", dict(kernel_size=2)),
    ("LPPool", dict(norm_type=2, kernel_size=2)),
    ("Adaptive", dict(output_size=2)),
    ("Linear", dict(in_features=4, out_features=4)),
    ("BatchNorm", dict(num_features=4)),
    ("InstanceNorm", dict(num_features=4)),
    ("LayerNorm", dict(normalized_shape=4)),
    ("GroupNorm", dict(num_groups=2, num_channels=4)),
    ("LocalResponseNorm", dict(size=2)),
    ("ZeroPad2d", dict(padding=1)),
    ("LazyConvTranspose", dict(out_channels=4, kernel_size=2)),
    ("LazyConv", dict(out_channels=4, kernel_size=2)),
    ("LazyLinear", dict(out_features=4)),
    ("LazyBatchNorm", dict()),
    ("ConstantPad", dict(padding=1, value=0.0)),
    ("ReflectionPad", dict(padding=1)),
    ("ReplicationPad", dict(padding=1)),
    ("Fold", dict(output_size=4, kernel_size=2)),
    ("Unfold", dict(kernel_size=2)),
    ("Threshold", dict(threshold=0.1, value=20.0)),
    ("StochasticDepth", dict(p=0.2, mode="row")),
    ("Unflatten", dict(dim=0, unflattened_size=(2, 2))),
    ("PixelShuffle", dict(upscale_factor=2)),
    ("PixelUnshuffle", dict(downscale_factor=2)),
    ("ChannelShuffle", dict(groups=2)),
]

# Values other than the default to try, in order, for each argument (the first one PyTorch's
# constructor accepts is used).
ALTERNATIVES = {
    "in_channels": [8],
    "out_channels": [8],
    "kernel_size": [3],
    "stride": [3],
    "padding": [1, 2],
    "dilation": [2],
    "groups": [2, 3],
    "bias": [False],
    "padding_mode": ["reflect", "circular"],
    "output_padding": [1],
    "device": ["meta"],
    "dtype": [torch.float64],
    "return_indices": [True],
    "ceil_mode": [True],
    "count_include_pad": [False],
    "divisor_override": [3],
    "norm_type": [3],
    "output_size": [3],
    "in_features": [8],
    "out_features": [8],
    "start_dim": [0],
    "end_dim": [2],
    "num_features": [8],
    "normalized_shape": [(4, 4)],
    "elementwise_affine": [False],
    "num_groups": [4],
    "num_channels": [8],
    "k": [2.0],
    "eps": [1e-3],
    "momentum": [0.2],
    "affine": [False, True],
    "track_running_stats": [False, True],
    "value": [0.5],
    "size": [5],
    "scale_factor": [3.0],
    "mode": ["bilinear", "batch"],
    "align_corners": [True],
    "recompute_scale_factor": [True],
    "p": [0.25],
    "inplace": [True],
    "negative_slope": [0.2],
    "approximate": ["tanh"],
    "dim": [1],
    "min_val": [-2.0],
    "max_val": [2.0],
    "min_value": [-2.0],
    "max_value": [2.0],
    "alpha": [0.5],
    "beta": [2],
    "threshold": [5],
    "lambd": [0.25],
    "num_parameters": [3],
    "init": [0.1],
    "unflattened_size": [(4,)],
    "upscale_factor": [3],
    "downscale_factor": [3],
}


def cnnshape_signatures():
    out = subprocess.run([BINARY, "layers"], check=True, capture_output=True, text=True).stdout
    sigs = []
    for line in out.splitlines():
        line = line.split("  also ")[0]  # "Add(...)  also torch.add": the torch spellings
        name, rest = line.split("(", 1)
        params = []
        for p in rest.rstrip(")").split(", "):
            p = p.split("=", 1)[0].strip()
            if p and not p.startswith("*"):
                params.append(p)
        sigs.append((name, params))
    return sigs


def base_for(name):
    for prefix, base in BASE:
        if name.startswith(prefix):
            return dict(base)
    return {}


def torch_params(cls):
    sig = inspect.signature(cls.__init__)
    return [
        p.name
        for p in list(sig.parameters.values())[1:]
        if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    ]


# Arguments cnnshape takes as a layer's that PyTorch takes in forward(): never in print(model).
FORWARD_ARGS = {"MaxUnpool1d": ["output_size"], "MaxUnpool2d": ["output_size"],
                "MaxUnpool3d": ["output_size"]}


def hidden_args(name, params):
    params = [p for p in params if p not in FORWARD_ARGS.get(name, [])]
    cls = getattr(nn, name, None) or getattr(torchvision.ops, name)
    if torch_params(cls) != params:
        sys.exit(f"{name}: cnnshape's parameters {params} are not PyTorch's {torch_params(cls)}")
    base = base_for(name)
    reference = repr(cls(**base))
    defaults = {k: v.default for k, v in inspect.signature(cls.__init__).parameters.items()}
    hidden = []
    for p in params:
        if p not in ALTERNATIVES:
            sys.exit(f"{name}: no alternative value for '{p}'; add one to ALTERNATIVES")
        for alt in ALTERNATIVES[p]:
            if (p in base and base[p] == alt) or (p not in base and defaults.get(p) is alt):
                continue  # not a change (InstanceNorm's affine and track_running_stats are False)
            try:
                changed = repr(cls(**{**base, p: alt}))
            except (ValueError, TypeError, RuntimeError):
                continue
            if changed == reference:
                hidden.append(p)
            break
        else:
            # No value but the default is accepted (ConvTranspose's padding_mode): print(model)
            # text cannot hold anything else, so nothing is assumed.
            print(f"note: {name}({p}=...) accepts only its default", file=sys.stderr)
    return hidden


def main():
    rows = []
    for name, params in cnnshape_signatures():
        if name in ("ZeroPad1d", "ZeroPad3d"):  # PyTorch 2.1's: repr shows padding, as ZeroPad2d
            rows.append((name, []))
            continue
        if not (isinstance(getattr(nn, name, None), type) and issubclass(getattr(nn, name), nn.Module)):
            # Add, Concat, torch.reshape: torch functions, never in print(model) text;
            # torchvision.ops' modules (StochasticDepth, Permute) print as they print, and a
            # missing argument is refused as missing; nn.Parameter is a tensor, not a module.
            continue
        rows.append((name, [] if name == "Identity" else hidden_args(name, params)))
    with open(OUT, "w") as f:
        f.write(
            "// Generated by tools/gen_print_hidden.py from PyTorch "
            + torch.__version__.split("+")[0]
            + "; do not edit.\n"
            "// The constructor arguments that repr(module) never shows, so print(model) text\n"
            "// cannot tell their values: {type, {argument, ...}}, for every layer type cnnshape\n"
            "// reads from print(model) text.\n"
        )
        for name, hidden in rows:
            args = ", ".join(f'"{h}"' for h in hidden)
            f.write(f'{{"{name}", {{{args}}}}},\n')
    for name, hidden in rows:
        print(f"{name}: {', '.join(hidden) or '-'}")


if __name__ == "__main__":
    main()
