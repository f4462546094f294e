// The self-check every exported module runs under `python3 F.py`: random inputs at small sizes — positive ones,
// and signed ones where the function is defined there (so that ReLU masks, signs and absolute values take both
// sides: positive inputs alone would never notice a wrong mask) — every gradient element against central
// differences of `value` (PyTorch gradcheck's eps and tolerances), and the library's own automatic
// differentiation where it has one. Exit 1 on any mismatch, so a wrong export cannot pass quietly.

/** Python source; `toNumpy` converts a backend array `v` to NumPy. */
export function selfCheckCode(toNumpy: string): string {
  return `def _to_numpy(v):
    return ${toNumpy}


def _random_values(rng, signed):
    """Inputs at small sizes: in [0.5, 1.5] (inside the domains of log and sqrt) with square matrices made well
    conditioned, or signed in [-1.5, 1.5] as they come (where ReLU masks, signs and absolute values take both sides)."""
    sizes = {}
    values = {}
    for name, shape in SHAPES.items():
        size = tuple(d if isinstance(d, int) else sizes.setdefault(d, 3 + len(sizes)) for d in shape)
        if signed:
            v = rng.uniform(-1.5, 1.5, size=size)
        else:
            v = rng.uniform(0.5, 1.5, size=size)
            if len(size) == 2 and size[0] == size[1]:
                v = v + size[0] * np.eye(size[0])
        values[name] = np.asarray(v, dtype=np.float64)
    return values


def _finite(f, grads):
    return bool(np.all(np.isfinite(_to_numpy(f)))) and all(bool(np.all(np.isfinite(_to_numpy(g)))) for g in grads.values())


def _check_at(values, eps, atol, rtol, label, failures):
    """Compares every gradient element at one point with central differences; returns (count, worst error)."""
    _, grads = value_and_grad(**{k: _asarray(v) for k, v in values.items()})
    worst = 0.0
    count = 0
    for name in GRADIENT_OF:
        g = _to_numpy(grads[name])
        if g.shape != values[name].shape:
            failures.append(f"grad of {name} has shape {g.shape}, expected {values[name].shape}")
            continue
        for idx in np.ndindex(values[name].shape):
            moved = []
            for step in (eps, -eps):
                x = values[name].copy()
                x[idx] += step
                moved.append(float(_to_numpy(value(**{**{k: _asarray(v) for k, v in values.items()}, name: _asarray(x)}))))
            fd = (moved[0] - moved[1]) / (2 * eps)
            err = abs(fd - float(g[idx]))
            worst = max(worst, err)
            count += 1
            if err > atol + rtol * abs(fd):
                failures.append(f"d/d{name}{list(idx)} at {label}: formula {float(g[idx]):.6g}, central difference {fd:.6g}")
    auto = _autodiff(values, list(GRADIENT_OF))
    auto_worst = None
    if auto is not None:
        auto_worst = 0.0
        for name in GRADIENT_OF:
            g = _to_numpy(grads[name])
            a = np.asarray(auto[name], dtype=np.float64)
            diff = float(np.max(np.abs(a - g))) if g.size else 0.0
            auto_worst = max(auto_worst, diff)
            if not np.allclose(a, g, atol=1e-8, rtol=1e-6):
                failures.append(f"grad of {name} at {label} differs from {LIBRARY}'s autodiff by {diff:.3g}")
    return count, worst, auto_worst


def _self_check(eps=1e-6, atol=1e-5, rtol=1e-3):
    rng = np.random.default_rng(0)
    failures = []
    count, worst, auto_worst, points, notes = 0, 0.0, None, 0, []
    for label, signed in (("positive inputs", False), ("signed inputs", True)):
        values = _random_values(rng, signed)
        with np.errstate(all="ignore"):
            f, grads = value_and_grad(**{k: _asarray(v) for k, v in values.items()})
        if signed and not _finite(f, grads):
            notes.append("signed inputs are outside the function's domain: checked at positive inputs only")
            continue
        c, w, a = _check_at(values, eps, atol, rtol, label, failures)
        count, worst, points = count + c, max(worst, w), points + 1
        if a is not None:
            auto_worst = max(auto_worst or 0.0, a)
    report = f"self-check ({LIBRARY}): {count} gradient elements at {points} point{'s' if points != 1 else ''}, max error against central differences {worst:.2e}"
    if auto_worst is not None:
        report += f", against {LIBRARY} autodiff {auto_worst:.2e}"
    print(report)
    for n in notes:
        print(f"  {n}")
    for f in failures[:10]:
        print(f"  mismatch: {f}")
    print("FAILED" if failures else "ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(_self_check())
`;
}
