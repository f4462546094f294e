// What differs between NumPy, PyTorch and JAX in an exported module: the imports, the helpers the operators'
// Python lowerings call (the `python` hook of each registry entry; `xp` is numpy, torch or jax.numpy), how values are converted, and which automatic differentiation the self-check compares
// with (none for NumPy). Everything numeric uses float64.

export type Backend = 'numpy' | 'pytorch' | 'jax';
export const BACKENDS: readonly Backend[] = ['numpy', 'pytorch', 'jax'];

export interface BackendCode {
  /** Imports and the helpers; defines `xp`, `DTYPE` and `_asarray`. */
  prelude: string;
  /** Converts a backend array back to NumPy for the self-check. */
  toNumpy: string;
  /** A function `_autodiff(values, names)` returning the library's own gradients, or None. */
  autodiff: string;
  library: string;
  /** The Python package the module imports (and `pip install`s by the same name). */
  package: string;
}

const COMMON_HELPERS = `def _stack(*xs):
    return xp.stack([_asarray(x) for x in xs])


def _det(a):
    return xp.linalg.det(a) if a.ndim == 2 else a


def _inv(a):
    return xp.linalg.inv(a) if a.ndim == 2 else 1.0 / a


def _logdet(a):
    if a.ndim != 2:
        return xp.log(a)
    sign, value = xp.linalg.slogdet(a)
    return value if sign > 0 else value * float("nan")  # outside the domain, as log of a negative


# The softmax family shifted by the maximum, so that no exponential overflows.
def _logsumexp(a):
    m = xp.max(a)
    return m + xp.log(xp.sum(xp.exp(a - m)))


def _log_softmax(a):
    return a - _logsumexp(a)


def _softmax(a):
    e = xp.exp(a - xp.max(a))
    return e / xp.sum(e)
`;

/** Helpers that read the same in NumPy and jax.numpy (both follow the NumPy API). */
const NUMPY_STYLE_HELPERS = `def _asarray(v):
    return xp.asarray(v, dtype=DTYPE)


def _ind(c):
    return xp.asarray(c, dtype=DTYPE)


def _maximum(a, b):
    return xp.maximum(a, b)


def _minimum(a, b):
    return xp.minimum(a, b)


def _relu(a):
    return xp.maximum(a, 0.0)


def _outer(a, b):
    return xp.outer(a, b)


def _full(shape, v):
    return xp.full(shape, v, dtype=DTYPE)


def _eye(n):
    return xp.eye(n, dtype=DTYPE)


${COMMON_HELPERS}`;

const NUMPY: BackendCode = {
  library: 'NumPy',
  package: 'numpy',
  prelude: `import numpy as xp

DTYPE = xp.float64


def _sigmoid(a):
    return 0.5 * (1.0 + xp.tanh(0.5 * a))  # = 1 / (1 + exp(-a)), without overflow


${NUMPY_STYLE_HELPERS}`,
  toNumpy: 'np.asarray(v, dtype=np.float64)',
  autodiff: `def _autodiff(values, names):
    return None  # NumPy has no automatic differentiation: central differences only
`,
};

const PYTORCH: BackendCode = {
  library: 'PyTorch',
  package: 'torch',
  prelude: `import torch

xp = torch
DTYPE = torch.float64


def _asarray(v):
    return torch.as_tensor(v, dtype=DTYPE)


def _ind(c):
    return _asarray(c).to(DTYPE)


def _maximum(a, b):
    return torch.maximum(_asarray(a), _asarray(b))


def _minimum(a, b):
    return torch.minimum(_asarray(a), _asarray(b))


def _sigmoid(a):
    return torch.sigmoid(a)


def _relu(a):
    return torch.clamp(a, min=0.0)


def _outer(a, b):
    return torch.outer(a, b)


def _full(shape, v):
    return torch.full(shape, v, dtype=DTYPE)


def _eye(n):
    return torch.eye(n, dtype=DTYPE)


${COMMON_HELPERS}`,
  toNumpy: 'v.detach().cpu().numpy() if hasattr(v, "detach") else np.asarray(v, dtype=np.float64)',
  autodiff: `def _autodiff(values, names):
    inputs = {k: torch.tensor(v, dtype=DTYPE, requires_grad=k in names) for k, v in values.items()}
    out = value(**inputs)
    grads = torch.autograd.grad(out, [inputs[k] for k in names], allow_unused=True)
    return {k: (np.zeros(np.shape(values[k])) if g is None else g.detach().numpy()) for k, g in zip(names, grads)}
`,
};

const JAX: BackendCode = {
  library: 'JAX',
  package: 'jax',
  prelude: `import jax

jax.config.update("jax_enable_x64", True)
import jax.numpy as xp  # noqa: E402

DTYPE = xp.float64


def _sigmoid(a):
    return jax.nn.sigmoid(a)


${NUMPY_STYLE_HELPERS}`,
  toNumpy: 'np.asarray(v, dtype=np.float64)',
  autodiff: `def _autodiff(values, names):
    def f(*args):
        return value(**{**{k: _asarray(v) for k, v in values.items()}, **dict(zip(names, args))})

    grads = jax.grad(f, argnums=tuple(range(len(names))))(*[_asarray(values[k]) for k in names])
    return {k: np.asarray(g) for k, g in zip(names, grads)}
`,
};

export function backendCode(backend: Backend): BackendCode {
  return backend === 'numpy' ? NUMPY : backend === 'pytorch' ? PYTORCH : JAX;
}
