# fish completion for cnnshape (installed by cmake --install; or: source completions/cnnshape.fish)
# Subcommands, their options and option values, layer names and spec files.
set -g __cnnshape_layers Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d LazyConv1d LazyConv2d LazyConv3d LazyConvTranspose1d LazyConvTranspose2d LazyConvTranspose3d MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d LPPool1d LPPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d Linear LazyLinear Flatten TensorFlatten BatchNorm1d BatchNorm2d BatchNorm3d InstanceNorm1d InstanceNorm2d InstanceNorm3d LazyBatchNorm1d LazyBatchNorm2d LazyBatchNorm3d LazyInstanceNorm1d LazyInstanceNorm2d LazyInstanceNorm3d LayerNorm GroupNorm LocalResponseNorm ZeroPad1d ZeroPad2d ZeroPad3d ConstantPad1d ConstantPad2d ConstantPad3d ReflectionPad1d ReflectionPad2d ReflectionPad3d ReplicationPad1d ReplicationPad2d ReplicationPad3d Upsample UpsamplingNearest2d UpsamplingBilinear2d Dropout Dropout2d Identity ReLU ReLU6 LeakyReLU GELU SiLU Sigmoid Tanh Hardswish Hardsigmoid Dropout1d Dropout3d AlphaDropout FeatureAlphaDropout StochasticDepth Hardtanh ELU SELU CELU Mish Softplus Softsign Threshold Hardshrink Softshrink Tanhshrink LogSigmoid PReLU Softmax LogSoftmax Softmax2d GLU Add Sub Mul Div Concat Stack Reshape View Permute Transpose Squeeze Unsqueeze Unflatten TensorUnflatten Expand Roll Contiguous PixelShuffle PixelUnshuffle ChannelShuffle Select Narrow Slice Flip Chunk Split Unbind Parameter Buffer Fold Unfold MaxUnpool1d MaxUnpool2d MaxUnpool3d Mean Sum Amax Amin Matmul Bmm Einsum MultiheadAttention ShiftedWindowAttention ShiftedWindowAttentionV2 PatchMerging PatchMergingV2 RelativePositionalMultiHeadAttention
set -l __cnnshape_solvable Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d
set -l __cnnshape_commands plan explain run solve diff layers
# "nn.Conv2d(" and so on: the arguments follow.
function __cnnshape_layer_exprs
    printf 'nn.%s(\n' $__cnnshape_layers
end

complete -c cnnshape -f
complete -c cnnshape -n "not __fish_seen_subcommand_from $__cnnshape_commands" -a plan -d 'Infer shapes, params, MACs, memory and receptive fields'
complete -c cnnshape -n "not __fish_seen_subcommand_from $__cnnshape_commands" -a explain -d 'Show each layer\'s size formula with the numbers'
complete -c cnnshape -n "not __fish_seen_subcommand_from $__cnnshape_commands" -a run -d 'Run the network on a tensor'
complete -c cnnshape -n "not __fish_seen_subcommand_from $__cnnshape_commands" -a solve -d 'Find layer arguments that turn one size into another'
complete -c cnnshape -n "not __fish_seen_subcommand_from $__cnnshape_commands" -a diff -d 'Compare the plans of two specs'
complete -c cnnshape -n "not __fish_seen_subcommand_from $__cnnshape_commands" -a layers -d 'List supported layers and their signatures'
complete -c cnnshape -n "not __fish_seen_subcommand_from $__cnnshape_commands" -l version -d 'Show the version'
complete -c cnnshape -s h -l help -d 'Show help'

# Spec files for the commands that read one.
complete -c cnnshape -n '__fish_seen_subcommand_from plan explain run solve diff' -F

# plan
set -l c '__fish_seen_subcommand_from plan'
complete -c cnnshape -n $c -s i -l input -x -d 'Input shape, e.g. 1x3x224x224'
complete -c cnnshape -n $c -s l -l layer -x -a "(__cnnshape_layer_exprs)" -d 'Layer as a PyTorch expression'
complete -c cnnshape -n $c -s f -l format -x -a 'table json csv markdown dot mermaid svg' -d 'Output format'
complete -c cnnshape -n $c -l mode -x -a 'eval train' -d 'Module mode'
complete -c cnnshape -n $c -l expect-output -x -d 'Check: the output shape must be SHAPE'
complete -c cnnshape -n $c -l max-params -x -d 'Check: at most N parameters (10M, 512Ki)'
complete -c cnnshape -n $c -l max-macs -x -d 'Check: at most N MACs'
complete -c cnnshape -n $c -l max-memory -x -d 'Check: activations + params + buffers at most BYTES'
complete -c cnnshape -n $c -l batch -d 'Read SHAPE EXPR... lines from stdin, answer JSON lines'
complete -c cnnshape -n $c -l model -x -d 'The nn.Sequential to read when the text holds several'

# explain
set -l c '__fish_seen_subcommand_from explain'
complete -c cnnshape -n $c -s i -l input -x -d 'Input shape, e.g. 1x3x224x224'
complete -c cnnshape -n $c -s l -l layer -x -a "(__cnnshape_layer_exprs)" -d 'Layer as a PyTorch expression'
complete -c cnnshape -n $c -s f -l format -x -a 'text json' -d 'Output format'
complete -c cnnshape -n $c -l mode -x -a 'eval train' -d 'Module mode'
complete -c cnnshape -n $c -l model -x -d 'The nn.Sequential to read when the text holds several'

# run
set -l c '__fish_seen_subcommand_from run'
complete -c cnnshape -n $c -s l -l layer -x -a "(__cnnshape_layer_exprs)" -d 'Layer as a PyTorch expression'
complete -c cnnshape -n $c -s i -l input -r -F -d 'Input: a shape, a .npy or .json file, or a list'
complete -c cnnshape -n $c -l seed -x -d 'Seed for the weights and a random input'
complete -c cnnshape -n $c -l fill -x -a 'randn rand zeros ones arange' -d 'How to fill an input given as a shape'
complete -c cnnshape -n $c -s w -l weights -r -F -d 'A .safetensors file or a directory of .npy files'
complete -c cnnshape -n $c -l no-strict -d 'Run even when --weights has missing or unexpected keys'
complete -c cnnshape -n $c -s o -l output -r -F -d 'Save the output as .npy'
complete -c cnnshape -n $c -l indices -r -F -d 'Save the max pooling indices as .npy'
complete -c cnnshape -n $c -l save-all -x -a '(__fish_complete_directories)' -d 'Save every layer\'s output into DIR'
complete -c cnnshape -n $c -s f -l format -x -a 'text json' -d 'Output format'
complete -c cnnshape -n $c -l repeat -x -d 'Time N more forward passes'
complete -c cnnshape -n $c -l backend -x -a 'ref simd' -d 'Kernels'
complete -c cnnshape -n $c -l threads -x -d 'Threads for the kernels'
complete -c cnnshape -n $c -l memory-limit -x -d 'Refuse to run above this many bytes (exit 5)'
complete -c cnnshape -n $c -l mode -x -a 'eval train' -d 'Module mode'
complete -c cnnshape -n $c -l model -x -d 'The nn.Sequential to read when the text holds several'

# solve
set -l c '__fish_seen_subcommand_from solve'
complete -c cnnshape -n $c -s i -l input -x -d 'Input size: 10 or 10x12'
complete -c cnnshape -n $c -s o -l output -x -d 'Wanted output size: 3 or 3x4'
complete -c cnnshape -n $c -s l -l layer -x -a "$__cnnshape_solvable" -d 'Layer type to solve for'
complete -c cnnshape -n $c -l max-kernel -x -d 'Largest kernel_size to try'
complete -c cnnshape -n $c -l max-stride -x -d 'Largest stride to try'
complete -c cnnshape -n $c -l max-padding -x -d 'Largest padding to try'
complete -c cnnshape -n $c -l max-dilation -x -d 'Largest dilation to try'
complete -c cnnshape -n $c -l no-ceil -d 'Do not try ceil_mode=True'
complete -c cnnshape -n $c -l in-channels -x -d 'in_channels written into Conv expressions'
complete -c cnnshape -n $c -l out-channels -x -d 'out_channels written into Conv expressions'
complete -c cnnshape -n $c -l check -x -a "(__cnnshape_layer_exprs)" -d 'PyTorch expressions to check instead of searching'
complete -c cnnshape -n $c -l input-range -x -d 'With SPEC: the sizes to try, LO:HI'
complete -c cnnshape -n $c -l axis -x -a 'H W D L' -d 'With SPEC: vary only this spatial axis'
complete -c cnnshape -n $c -l limit -x -d 'Show at most this many solutions'
complete -c cnnshape -n $c -s f -l format -x -a 'text json' -d 'Output format'
complete -c cnnshape -n $c -l model -x -d 'The nn.Sequential to read when the text holds several'

# diff
set -l c '__fish_seen_subcommand_from diff'
complete -c cnnshape -n $c -s i -l input -x -d 'Input shape for both specs'
complete -c cnnshape -n $c -s f -l format -x -a 'text json' -d 'Output format'
complete -c cnnshape -n $c -l mode -x -a 'eval train' -d 'Module mode for both'
complete -c cnnshape -n $c -l exit-code -d 'Exit 1 when the plans differ'
complete -c cnnshape -n $c -l model -x -d 'The nn.Sequential to read when the text holds several'
complete -c cnnshape -n $c -l model-a -x -d 'As --model, for the first spec only'
complete -c cnnshape -n $c -l model-b -x -d 'As --model, for the second spec only'

# layers
complete -c cnnshape -n '__fish_seen_subcommand_from layers' -x -a "$__cnnshape_layers"
