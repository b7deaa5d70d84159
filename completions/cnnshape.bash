# bash completion for cnnshape (installed by cmake --install; or: source completions/cnnshape.bash)
_cnnshape() {
    local cur prev words cword
    _init_completion 2>/dev/null || { cur="${COMP_WORDS[COMP_CWORD]}"; prev="${COMP_WORDS[COMP_CWORD-1]}"; }
    local layers="Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d LPPool1d LPPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d Linear Flatten BatchNorm1d BatchNorm2d BatchNorm3d ZeroPad2d ConstantPad2d Upsample Dropout Dropout2d Identity ReLU ReLU6 LeakyReLU GELU SiLU Sigmoid Tanh Hardswish Softmax Add Concat"
    local sub=""
    local w
    for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
        case "$w" in plan|layers) sub="$w"; break ;; esac
    done
    if [ -z "$sub" ]; then
        COMPREPLY=($(compgen -W "plan layers --help --version" -- "$cur"))
        return
    fi
    case "$sub" in
    plan)
        case "$prev" in
        -f|--format) COMPREPLY=($(compgen -W "table json csv markdown" -- "$cur")); return ;;
        --mode) COMPREPLY=($(compgen -W "eval train" -- "$cur")); return ;;
        -i|--input) return ;;
        -l|--layer) COMPREPLY=($(compgen -W "$(for l in $layers; do echo "nn.$l("; done)" -- "$cur")); compopt -o nospace 2>/dev/null; return ;;
        esac
        if [[ "$cur" == -* ]]; then
            COMPREPLY=($(compgen -W "--input --layer --format --mode --help" -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
            compopt -o filenames 2>/dev/null
        fi
        ;;
    layers) COMPREPLY=($(compgen -W "$layers --help" -- "$cur")) ;;
    esac
}
complete -F _cnnshape cnnshape
