# bash completion for cnnshape (installed by cmake --install; or: source completions/cnnshape.bash)
# Subcommands, their options and option values, layer names and spec files.
_cnnshape() {
    local cur prev i sub=""
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    # --opt=value: complete the value.
    if [ "$prev" = "=" ] && [ "$COMP_CWORD" -ge 2 ]; then
        prev="${COMP_WORDS[COMP_CWORD-2]}"
    elif [ "$cur" = "=" ]; then
        cur=""
    fi
    local layers="Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyConv1d LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d LPPool1d LPPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d Linear LazyLinear Flatten TensorFlatten BatchNorm1d BatchNorm2d BatchNorm3d InstanceNorm1d InstanceNorm2d InstanceNorm3d LazyBatchNorm1d LazyBatchNorm2d LazyBatchNorm3d LazyInstanceNorm1d LazyInstanceNorm2d LazyInstanceNorm3d LayerNorm GroupNorm LocalResponseNorm ZeroPad1d ZeroPad2d ZeroPad3d ConstantPad1d ConstantPad2d ConstantPad3d ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d ReplicationPad3d Upsample UpsamplingNearest2d UpsamplingBilinear2d Dropout Dropout2d Identity ReLU ReLU6 LeakyReLU GELU SiLU Sigmoid Tanh Hardswish Hardsigmoid Dropout1d Dropout3d AlphaDropout FeatureAlphaDropout StochasticDepth Hardtanh ELU SELU CELU Mish Softplus Softsign Threshold Hardshrink Softshrink Tanhshrink LogSigmoid PReLU Softmax LogSoftmax Softmax2d GLU Add Sub Mul Div Concat Stack Reshape View Permute Transpose Squeeze Unsqueeze Unflatten TensorUnflatten Expand Roll Contiguous PixelShuffle PixelUnshuffle ChannelShuffle Select Narrow Slice Flip Chunk Split Unbind Parameter Buffer Fold Unfold MaxUnpool1d MaxUnpool2d MaxUnpool3d Mean Sum Amax Amin Matmul Bmm Einsum MultiheadAttention ShiftedWindowAttention ShiftedWindowAttentionV2 PatchMerging PatchMergingV2 RelativePositionalMultiHeadAttention"
    local solvable="Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d"
    local commands="plan explain run solve diff layers"
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
        plan | explain | run | solve | diff | layers)
            sub="${COMP_WORDS[i]}"
            break
            ;;
        esac
    done
    if [ -z "$sub" ]; then
        COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
        return
    fi

    local opts
    case "$sub" in
    plan) opts="--input --layer --model --format --mode --expect-output --max-params --max-macs --max-memory --batch --help" ;;
    explain) opts="--input --layer --model --format --mode --help" ;;
    run) opts="--layer --model --input --seed --fill --weights --no-strict --output --indices --save-all --format --repeat --backend --threads --memory-limit --mode --help" ;;
    solve) opts="--input --output --layer --max-kernel --max-stride --max-padding --max-dilation --no-ceil --in-channels --out-channels --check --input-range --model --axis --limit --format --help" ;;
    diff) opts="--input --format --model --model-a --model-b --mode --exit-code --help" ;;
    layers) opts="--help" ;;
    esac

    local files=0
    case "$prev" in
    -f | --format)
        case "$sub" in
        plan) COMPREPLY=($(compgen -W "table json csv markdown dot mermaid svg" -- "$cur")) ;;
        *) COMPREPLY=($(compgen -W "text json" -- "$cur")) ;;
        esac
        return
        ;;
    --mode)
        COMPREPLY=($(compgen -W "eval train" -- "$cur"))
        return
        ;;
    -l | --layer)
        if [ "$sub" = solve ]; then
            COMPREPLY=($(compgen -W "$solvable" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(for l in $layers; do echo "nn.$l("; done)" -- "$cur"))
            compopt -o nospace 2>/dev/null
        fi
        return
        ;;
    --fill)
        COMPREPLY=($(compgen -W "randn rand zeros ones arange" -- "$cur"))
        return
        ;;
    --backend)
        COMPREPLY=($(compgen -W "ref simd" -- "$cur"))
        return
        ;;
    --axis)
        COMPREPLY=($(compgen -W "H W D L" -- "$cur"))
        return
        ;;
    -w | --weights | --indices | --save-all) files=1 ;;
    -o | --output) [ "$sub" = run ] && files=1 || return ;;
    -i | --input) [ "$sub" = run ] && files=1 || return ;; # run takes .npy/.json files too
    --expect-output | --max-params | --max-macs | --max-memory | --memory-limit | --seed | --repeat | --threads | \
        --max-kernel | --max-stride | --max-padding | --max-dilation | --in-channels | \
        --out-channels | --check | --input-range | --limit | --model | --model-a | --model-b)
        return
        ;;
    esac

    if [ "$files" = 0 ] && [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return
    fi
    if [ "$sub" = layers ] && [ "$files" = 0 ]; then
        COMPREPLY=($(compgen -W "$layers" -- "$cur"))
        return
    fi
    # Spec files (JSON, Python, print(model) text) and the files options take.
    COMPREPLY=($(compgen -f -- "$cur"))
    compopt -o filenames 2>/dev/null
}
complete -F _cnnshape cnnshape
