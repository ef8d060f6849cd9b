"""Network: layer geometry, float32 weight/bias buffers, optimizer state, and H2O's initialization.

All weights live in one flat float32 buffer (biases in another) so every kernel has one signature whatever the
depth; ``weights(k)`` / ``biases(k)`` are views into them. Layer 0 is input-major ``[n_inputs, units]`` so a
one-hot slot is one contiguous row (sparse first layer); layer k is ``[fan_in, units * channels]`` (Maxout has
two channels per unit, interleaved: unit u's channels are columns 2u and 2u+1).
Optimizer state: ``S_w[0]``/``S_b[0]`` hold ADADELTA's E[g^2] (or the momentum velocity), ``S_w[1]``/``S_b[1]``
ADADELTA's E[dx^2]. ``avg_act`` holds the sparse autoencoder's running mean activations.
"""
from __future__ import annotations

import math

import numpy as np

from ..kernels import hyper as H

_BIAS_ONE = (H.RECTIFIER, H.MAXOUT)


class Network:
    """Weights, biases and optimizer state of one multi-layer perceptron."""

    def __init__(self, lay, drop, W, B, S_w=None, S_b=None, avg_act=None):
        self.lay = np.ascontiguousarray(lay, dtype=np.int64)
        self.drop = np.ascontiguousarray(drop, dtype=np.float64)
        self.W = np.ascontiguousarray(W, dtype=np.float32)
        self.B = np.ascontiguousarray(B, dtype=np.float32)
        self.S_w = np.zeros((2, self.W.size), np.float32) if S_w is None else np.ascontiguousarray(S_w, np.float32)
        self.S_b = np.zeros((2, self.B.size), np.float32) if S_b is None else np.ascontiguousarray(S_b, np.float32)
        n_act = int(self.lay[-1, H.L_A_OFF] + self.lay[-1, H.L_UNITS])
        self.avg_act = np.zeros(n_act, np.float32) if avg_act is None else np.ascontiguousarray(avg_act, np.float32)

    # ---------------------------------------------------------------- construction
    @staticmethod
    def geometry(n_inputs, hidden, n_out, activation, output_activation):
        """The ``lay`` table for inputs -> hidden -> output (activation names or codes)."""
        act = _code(activation)
        out = _code(output_activation)
        sizes = [int(n_inputs), *[int(h) for h in hidden], int(n_out)]
        rows = []
        w_off = b_off = z_off = a_off = 0
        for k in range(len(sizes) - 1):
            code = act if k < len(sizes) - 2 else out
            ch = 2 if code == H.MAXOUT else 1
            fan, units = sizes[k], sizes[k + 1]
            row = [0] * H.L_NCOLS
            row[H.L_FAN_IN], row[H.L_UNITS], row[H.L_CHANNELS], row[H.L_ACT] = fan, units, ch, code
            row[H.L_W_OFF], row[H.L_B_OFF], row[H.L_Z_OFF], row[H.L_A_OFF] = w_off, b_off, z_off, a_off
            rows.append(row)
            w_off += fan * units * ch
            b_off += units * ch
            z_off += units * ch
            a_off += units
        return np.array(rows, dtype=np.int64)

    @classmethod
    def build(cls, n_inputs, hidden, n_out, activation="rectifier", output_activation="softmax",
              input_dropout=0.0, hidden_dropout=None, distribution="uniform_adaptive", scale=1.0, seed=0):
        """A freshly initialized network (H2O's rules, semantics doc 2.5).

        UniformAdaptive: U(-r, r), r = sqrt(6 / (fan_in + units)), times 4 for a softmax output layer;
        Uniform: U(-scale, scale); Normal: N(0, scale^2). Hidden biases: Rectifier/Maxout 0.5 for the first hidden
        layer and 1.0 after; Tanh/ExpRectifier 0; output 0.
        """
        lay = cls.geometry(n_inputs, hidden, n_out, activation, output_activation)
        L = lay.shape[0]
        hidden_dropout = list(hidden_dropout or [0.0] * (L - 1))
        if len(hidden_dropout) != L - 1:
            raise ValueError(f"hidden_dropout_ratios needs {L - 1} values, got {len(hidden_dropout)}")
        drop = np.array([float(input_dropout), *map(float, hidden_dropout), 0.0], dtype=np.float64)
        net = cls(lay, drop, np.zeros(_total(lay, "w"), np.float32), np.zeros(_total(lay, "b"), np.float32))
        dist = str(distribution).lower().replace("_", "")
        for k in range(L):
            rng = np.random.default_rng([int(seed) & 0xFFFFFFFFFFFF, 0xBAD5EED, k])
            fan, units = int(lay[k, H.L_FAN_IN]), int(lay[k, H.L_UNITS])
            Wk = net.weights(k)
            if dist == "uniformadaptive":
                r = math.sqrt(6.0 / (fan + units)) * (4.0 if lay[k, H.L_ACT] == H.SOFTMAX else 1.0)
                Wk[:] = rng.uniform(-r, r, size=Wk.shape)
            elif dist == "uniform":
                Wk[:] = rng.uniform(-scale, scale, size=Wk.shape)
            elif dist == "normal":
                Wk[:] = rng.normal(0.0, scale, size=Wk.shape)
            else:
                raise ValueError(f"initial_weight_distribution {distribution!r} is not one of "
                                 "UniformAdaptive, Uniform, Normal")
            if k < L - 1 and lay[k, H.L_ACT] in _BIAS_ONE:
                net.biases(k)[:] = 0.5 if k == 0 else 1.0
        return net

    @classmethod
    def array_layout(cls, lay):
        """``{name: (shape, dtype)}`` of every array of a network with layer table ``lay``, after checking that
        the table is one ``geometry`` builds (model files are checked with it before any weight is read)."""
        lay = np.asarray(lay)
        if lay.dtype != np.int64 or lay.ndim != 2 or lay.shape[1] != H.L_NCOLS or not 1 <= lay.shape[0] <= 1024:
            raise ValueError(f"the layer table must be int64 [layers, {H.L_NCOLS}], not {lay.dtype}{list(lay.shape)}")
        for col, what in ((H.L_FAN_IN, "inputs"), (H.L_UNITS, "units")):
            if not ((lay[:, col] >= 1) & (lay[:, col] < 1 << 31)).all():
                raise ValueError(f"every layer needs 1 to 2^31 {what}")
        codes = set(H.ACTIVATION_CODES.values())
        if not all(int(c) in codes for c in lay[:, H.L_ACT]) or len({int(c) for c in lay[:-1, H.L_ACT]}) > 1:
            raise ValueError("the layer table names an unknown activation or mixes hidden activations")
        hidden_act = int(lay[0, H.L_ACT])
        expected = cls.geometry(lay[0, H.L_FAN_IN], lay[:-1, H.L_UNITS], lay[-1, H.L_UNITS], hidden_act,
                                int(lay[-1, H.L_ACT]))
        if not np.array_equal(expected, lay):
            raise ValueError("the layer table is inconsistent (layer sizes, channels or offsets do not chain)")
        n_w, n_b = _total(lay, "w"), _total(lay, "b")
        f32 = np.dtype(np.float32)
        return {"lay": (lay.shape, np.dtype(np.int64)), "drop": ((lay.shape[0] + 1,), np.dtype(np.float64)),
                "W": ((n_w,), f32), "B": ((n_b,), f32), "S_w": ((2, n_w), f32), "S_b": ((2, n_b), f32),
                "avg_act": ((int(lay[-1, H.L_A_OFF] + lay[-1, H.L_UNITS]),), f32)}

    # ---------------------------------------------------------------- access
    @property
    def n_layers(self):
        return int(self.lay.shape[0])

    @property
    def sizes(self):
        """Units per layer, inputs first."""
        return [int(self.lay[0, H.L_FAN_IN]), *[int(u) for u in self.lay[:, H.L_UNITS]]]

    def weights(self, k):
        """View ``[fan_in, units * channels]`` of layer k's weights (input-major)."""
        fan, width, off = self._geom(k)
        return self.W[off:off + fan * width].reshape(fan, width)

    def biases(self, k):
        """View of layer k's biases (``units * channels``)."""
        _, width, _ = self._geom(k)
        off = int(self.lay[k, H.L_B_OFF])
        return self.B[off:off + width]

    def state(self, k):
        """Optimizer state views of layer k: (S_w0, S_w1, S_b0, S_b1)."""
        fan, width, off = self._geom(k)
        boff = int(self.lay[k, H.L_B_OFF])
        return (self.S_w[0, off:off + fan * width].reshape(fan, width),
                self.S_w[1, off:off + fan * width].reshape(fan, width),
                self.S_b[0, boff:boff + width], self.S_b[1, boff:boff + width])

    @property
    def net(self):
        """The tuple the kernels take: (W, B, S_w, S_b, avg_act)."""
        return (self.W, self.B, self.S_w, self.S_b, self.avg_act)

    @property
    def n_parameters(self):
        return int(self.W.size + self.B.size)

    def copy(self):
        return Network(self.lay.copy(), self.drop.copy(), self.W.copy(), self.B.copy(), self.S_w.copy(),
                       self.S_b.copy(), self.avg_act.copy())

    def load_state(self, other):
        """Copy another network's arrays into this one (same geometry), keeping views valid."""
        if not np.array_equal(self.lay, other.lay):
            raise ValueError("networks have different layer geometry")
        for name in ("W", "B", "S_w", "S_b", "avg_act"):
            getattr(self, name)[...] = getattr(other, name)

    def is_finite(self):
        """Index of the first layer whose weights or biases are not all finite, else None."""
        for k in range(self.n_layers):
            if not (np.isfinite(self.weights(k)).all() and np.isfinite(self.biases(k)).all()):
                return k
        return None

    def to_arrays(self):
        """Plain arrays for persistence (``Network(**arrays)`` restores it)."""
        return dict(lay=self.lay, drop=self.drop, W=self.W, B=self.B, S_w=self.S_w, S_b=self.S_b,
                    avg_act=self.avg_act)

    def _geom(self, k):
        if not 0 <= k < self.n_layers:
            raise IndexError(f"layer {k} is out of range: the network has {self.n_layers} weight layers")
        fan = int(self.lay[k, H.L_FAN_IN])
        width = int(self.lay[k, H.L_UNITS] * self.lay[k, H.L_CHANNELS])
        return fan, width, int(self.lay[k, H.L_W_OFF])

    def __repr__(self):
        acts = {v: k for k, v in H.ACTIVATION_CODES.items()}
        parts = [f"{int(self.lay[k, H.L_UNITS])} {acts[int(self.lay[k, H.L_ACT])]}" for k in range(self.n_layers)]
        return f"Network({self.sizes[0]} inputs -> " + " -> ".join(parts) + f"; {self.n_parameters} parameters)"


def _code(name):
    if isinstance(name, (int, np.integer)):
        return int(name)
    key = str(name).lower().replace("withdropout", "").replace("_", "")
    if key not in H.ACTIVATION_CODES:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(H.ACTIVATION_CODES)}")
    return H.ACTIVATION_CODES[key]


def _total(lay, which):
    K = lay.shape[0] - 1
    width = int(lay[K, H.L_UNITS] * lay[K, H.L_CHANNELS])
    if which == "w":
        return int(lay[K, H.L_W_OFF] + lay[K, H.L_FAN_IN] * width)
    return int(lay[K, H.L_B_OFF] + width)
