// Same-run ratios against PyTorch, when the torch section ran beside the sections it compares with (`npm run
// bench training hessian gradcheck torch`): mcalc's figure over PyTorch's, per issue-12 target.

type Json = Record<string, any>;

const r = (a: number, b: number) => +(a / b).toFixed(3);

export function torchRatios(sections: Json): Json | undefined {
  const torch = sections.torch;
  if (!torch || torch.skipped || torch.error) return undefined;
  const out: Json = {};
  const one = sections.training?.onePass;
  if (one) {
    out.epochVsTorchOneThread = { target: 0.6, ratio: r(one.onePassEpochMs.oneThread, torch.neuronEpochMs.oneThread) };
    out.epochVsTorchAllThreads = { target: 1.0, ratio: r(one.onePassEpochMs.allThreads, torch.neuronEpochMs.allThreads) };
  }
  const cases = sections.hessian?.cases as Array<{ N: number; n: number; ms: number }> | undefined;
  if (cases) {
    out.hessianVsTorch = cases.map((c) => {
      const t = (torch.hessian as Array<{ N: number; n: number; ms: number }>).find((h) => h.N === c.N && h.n === c.n);
      return { N: c.N, n: c.n, target: 0.1, ratio: t ? r(c.ms, t.ms) : null };
    });
  }
  const check = sections.gradcheck;
  if (check) out.gradcheckVsTorch = { target: 0.5, ratio: r(check.checkMs, torch.gradcheck.ms) };
  return out;
}
