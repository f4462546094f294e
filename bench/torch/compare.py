"""PyTorch figures that `npm run bench torch` sets beside mcalc's (issue: the numeric core at the memory limit).

Prints one JSON object: a full-batch Adam epoch of the neuron max(0, Xw + b) with the MSE loss (N = 100,000,
n = 100, float64) on one thread and on all threads; torch.autograd.functional.hessian(vectorize=True) of logistic
regression at the bench's three sizes; and torch.autograd.gradcheck of a loss with n = 1,000 parameters.
Medians of repeated runs, data already in memory (the same sizes as the JavaScript sections).
"""
import json
import os
import sys
import time

try:
    import torch
except ImportError:
    print(json.dumps({"skipped": "no torch (install Debian's python3-torch to compare)"}))
    sys.exit(0)


def median(xs):
    s = sorted(xs)
    return s[len(s) // 2]


def timed(fn, reps):
    fn()  # warm-up
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return round(median(out), 2)


def neuron_epoch(threads, reps=7, N=100_000, n=100):
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(1)
    X = torch.rand(N, n, generator=g, dtype=torch.float64) * 2 - 1
    y = torch.rand(N, generator=g, dtype=torch.float64) * 2 - 1
    w = ((torch.rand(n, generator=g, dtype=torch.float64) * 2 - 1) / n**0.5).requires_grad_()
    b = torch.tensor(0.05, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=1e-3)

    def epoch():
        opt.zero_grad()
        loss = torch.mean((y - torch.clamp(X @ w + b, min=0)) ** 2)
        loss.backward()
        opt.step()

    return timed(epoch, reps)


def logistic_hessian(N, n, reps):
    g = torch.Generator().manual_seed(7)
    X = torch.rand(N, n, generator=g, dtype=torch.float64) * 2 - 1
    y = torch.where(torch.rand(N, generator=g) < 0.5, -1.0, 1.0).to(torch.float64)
    w = (torch.rand(n, generator=g, dtype=torch.float64) * 2 - 1) / n**0.5

    def loss(w):
        return torch.sum(torch.log1p(torch.exp(-(y * (X @ w)))))

    return timed(lambda: torch.autograd.functional.hessian(loss, w, vectorize=True), reps)


def gradcheck(n=1000, N=200):
    g = torch.Generator().manual_seed(3)
    X = torch.rand(N, n, generator=g, dtype=torch.float64) * 2 - 1
    y = torch.where(torch.rand(N, generator=g) < 0.5, -1.0, 1.0).to(torch.float64)
    w = ((torch.rand(n, generator=g, dtype=torch.float64) * 2 - 1) / n**0.5).requires_grad_()
    t = time.perf_counter()
    ok = torch.autograd.gradcheck(lambda w: torch.sum(torch.log1p(torch.exp(-(y * (X @ w))))), (w,))
    return {"n": n, "N": N, "ms": round((time.perf_counter() - t) * 1000, 1), "passed": bool(ok)}


if __name__ == "__main__":
    all_threads = os.cpu_count() or 1
    result = {
        "torch": torch.__version__,
        "neuronEpochMs": {"oneThread": neuron_epoch(1), "allThreads": neuron_epoch(all_threads), "threads": all_threads},
        "hessian": [{"N": N, "n": n, "ms": logistic_hessian(N, n, 5 if n <= 100 else 3)} for N, n in ((2000, 100), (20000, 100), (5000, 500))],
        "gradcheck": gradcheck(),
    }
    print(json.dumps(result))
