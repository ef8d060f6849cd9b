"""Codes and slot indices shared by every kernel and by the Python side that packs them.

Kernels take a few grouped arrays instead of dozens of positionals: ``hyp`` (float64 hyper-parameters),
``opt`` (int64 switches) and ``lay`` (int64 per-layer geometry). The named indices below are the only place
their layout is declared; ``pack_*`` helpers in ``engine/model/network.py`` fill them.
"""

# ---- activation codes (hidden layers and the autoencoder output) ----
TANH = 0
RECTIFIER = 1
MAXOUT = 2          # two channels per unit, like H2O (output = larger channel)
EXPRECTIFIER = 3    # ELU with alpha = 1
LINEAR = 4          # regression output (and the "no activation" case)
SOFTMAX = 5         # classification output

ACTIVATION_CODES = {"tanh": TANH, "rectifier": RECTIFIER, "maxout": MAXOUT, "exprectifier": EXPRECTIFIER,
                    "linear": LINEAR, "softmax": SOFTMAX}

# ---- output gradient codes (what dE/dz of the output layer is) ----
CROSSENTROPY = 0    # softmax + cross-entropy: y - t
QUADRATIC_SOFTMAX = 1  # softmax + squared error through the full softmax Jacobian
GAUSSIAN = 2
LAPLACE = 3
QUANTILE = 4
HUBER = 5
POISSON = 6
GAMMA = 7
TWEEDIE = 8

# ---- per-layer geometry: lay[k, :] ----
L_FAN_IN = 0     # rows of W[k] (inputs of the layer)
L_UNITS = 1      # outputs of the layer (after maxout)
L_CHANNELS = 2   # 2 for maxout, else 1; W[k] has units * channels columns
L_W_OFF = 3      # offset of W[k] in the flat weight buffer (row-major [fan_in, units * channels])
L_B_OFF = 4      # offset of b[k] in the flat bias buffer
L_ACT = 5        # activation code
L_Z_OFF = 6      # offset of this layer's pre-activations in the per-row scratch buffer
L_A_OFF = 7      # offset of this layer's activations in the per-row scratch buffer
L_NCOLS = 8

# ---- float hyper-parameters: hyp[...] ----
H_RHO = 0
H_EPSILON = 1
H_RATE = 2
H_RATE_ANNEALING = 3
H_RATE_DECAY = 4
H_MOMENTUM_START = 5
H_MOMENTUM_RAMP = 6
H_MOMENTUM_STABLE = 7
H_L1 = 8
H_L2 = 9
H_MAX_W2 = 10
H_SAMPLES = 11          # samples processed before this call (annealing and momentum ramp)
H_HUBER_DELTA = 12
H_QUANTILE_ALPHA = 13
H_TWEEDIE_POWER = 14
H_AVERAGE_ACTIVATION = 15
H_SPARSITY_BETA = 16
H_NCOLS = 17

# ---- integer switches: opt[...] ----
O_ADAPTIVE = 0      # 1 = ADADELTA, 0 = manual rate (+ momentum)
O_NESTEROV = 1
O_LOSS = 2          # output gradient code above
O_AUTOENCODER = 3
O_FAST_MODE = 4     # skip updates of weights whose input activation is exactly 0
O_SEED = 5          # dropout stream seed
O_N_NUM = 6         # numeric inputs (the last O_N_NUM rows of W[0]); one-hot slots come first
O_MOMENTUM = 7      # 1 when momentum state exists (manual rate with momentum_start or momentum_stable != 0)
O_NCOLS = 8

# ---- update rules: the optimizer as a compile-time constant ----
# Training kernels take ``rule`` as a literal argument (``rules.py``), so each compiled kernel holds only its own
# optimizer's loops: typing, lowering and LLVM see a fifth of the update code (cold start, issue 20).
RULE_ADADELTA = 0        # ADADELTA without l1/l2: a row's squared gradients factor as delta**2 * a**2
RULE_ADADELTA_L1L2 = 1   # ADADELTA with l1 and/or l2
RULE_PLAIN = 2           # manual rate, no momentum
RULE_MOMENTUM = 3        # manual rate, heavy-ball momentum
RULE_NESTEROV = 4        # manual rate, Nesterov momentum
RULES = (RULE_ADADELTA, RULE_ADADELTA_L1L2, RULE_PLAIN, RULE_MOMENTUM, RULE_NESTEROV)


# The model spec (``spec``), a compile-time constant like ``rule``: the loss code in the low bits plus flags for
# the options whose code a model may not need at all. ``backward.output_delta_units`` compiles one loss's
# gradient; the max_w2 and sparsity steps compile to nothing when their flag is off (``backward.max_w2_step``,
# ``backward.sparsity_step``). Dropout has no flag: an overload around the forward pass cost more to compile (its
# implementation is compiled once on its own to be typed, then again inlined) than the dropout code it left out.
SPEC_LOSS = 15           # mask of the loss code
SPEC_AUTOENCODER = 16
SPEC_MAX_W2 = 32         # max_w2 is finite
SPEC_SPARSITY = 128      # sparsity_beta > 0


def spec_of(drop, hyp, opt):
    """The model spec that ``drop``/``hyp``/``opt`` configure (plain Python)."""
    spec = int(opt[O_LOSS])
    if opt[O_AUTOENCODER] == 1:
        spec |= SPEC_AUTOENCODER
    if hyp[H_MAX_W2] < 3.0e38:
        spec |= SPEC_MAX_W2
    if hyp[H_SPARSITY_BETA] > 0.0:
        spec |= SPEC_SPARSITY
    return spec


def rule_of(hyp, opt):
    """The update rule that ``hyp``/``opt`` configure (plain Python: the kernels receive it as a constant)."""
    if opt[O_ADAPTIVE] == 1:
        return RULE_ADADELTA if hyp[H_L1] == 0.0 and hyp[H_L2] == 0.0 else RULE_ADADELTA_L1L2
    if opt[O_MOMENTUM] != 1:
        return RULE_PLAIN
    return RULE_NESTEROV if opt[O_NESTEROV] == 1 else RULE_MOMENTUM


# ---- kernel status codes ----
OK = 0
DIVERGED = 1
