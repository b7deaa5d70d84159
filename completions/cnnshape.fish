# fish completion for cnnshape (installed by cmake --install)
set -l __cnnshape_layers Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d AvgPool3d LPPool1d LPPool2d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d AdaptiveMaxPool2d AdaptiveMaxPool3d Linear Flatten BatchNorm1d BatchNorm2d BatchNorm3d ZeroPad2d ConstantPad2d Upsample Dropout Dropout2d Identity ReLU ReLU6 LeakyReLU GELU SiLU Sigmoid Tanh Hardswish Softmax Add Concat
complete -c cnnshape -f
complete -c cnnshape -n __fish_use_subcommand -a plan -d 'Infer shapes, params, MACs, memory and receptive fields'
complete -c cnnshape -n __fish_use_subcommand -a layers -d 'List supported layers and their signatures'
complete -c cnnshape -n __fish_use_subcommand -l version -d 'Show the version'
complete -c cnnshape -l help -d 'Show help'
complete -c cnnshape -n '__fish_seen_subcommand_from plan' -F
complete -c cnnshape -n '__fish_seen_subcommand_from plan' -s i -l input -x -d 'Input shape, e.g. 1x3x224x224'
complete -c cnnshape -n '__fish_seen_subcommand_from plan' -s l -l layer -x -a "(string join \n -- (printf 'nn.%s(\n' $__cnnshape_layers))" -d 'Layer as a PyTorch expression'
complete -c cnnshape -n '__fish_seen_subcommand_from plan' -s f -l format -x -a 'table json csv markdown' -d 'Output format'
complete -c cnnshape -n '__fish_seen_subcommand_from plan' -l mode -x -a 'eval train' -d 'Module mode'
complete -c cnnshape -n '__fish_seen_subcommand_from layers' -x -a "$__cnnshape_layers"
