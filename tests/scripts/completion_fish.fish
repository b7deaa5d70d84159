# Usage: fish completion_fish.fish COMPLETIONS_DIR   (run in the source tree)
# Loads the completion and asks fish what it would offer (complete -C) for each command line.
source $argv[1]/cnnshape.fish; or exit 1
set -g failures 0
function check --argument-names line expected
    set -l got (complete -C"$line" | string replace -r '\t.*' '' | sort | string join ' ')
    set -l want (string split ' ' -- $expected | sort | string join ' ')
    if test "$got" != "$want"
        echo "FAIL: '$line' offered '$got', expected '$want'"
        set -g failures (math $failures + 1)
    end
end
check 'cnnshape pl' 'plan'
check 'cnnshape ' 'plan explain run solve diff layers'
check 'cnnshape plan --format ' 'table json csv markdown dot mermaid svg'
check 'cnnshape plan --format=m' '--format=markdown --format=mermaid'
check 'cnnshape layers MaxP' 'MaxPool1d MaxPool2d MaxPool3d'
check 'cnnshape plan --layer nn.MaxP' 'nn.MaxPool1d( nn.MaxPool2d( nn.MaxPool3d('
check 'cnnshape plan --max-' '--max-params --max-macs --max-memory'
check 'cnnshape diff --e' '--exit-code'
check 'cnnshape solve --layer ConvT' 'ConvTranspose1d ConvTranspose2d ConvTranspose3d'
check 'cnnshape run --backend ' 'ref simd'
check 'cnnshape diff examples/networks/funnel.' 'examples/networks/funnel.json examples/networks/funnel.py'
test $failures -eq 0
