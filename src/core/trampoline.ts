// Runs generator-based recursive code with an explicit stack, so that recursion depth is bounded by memory,
// not by the JavaScript call stack (a depth-1,000 nest must parse and analyse, and SymPy's recursion limit is
// exactly where it fails). A step `yield sub` runs `sub` to completion and resumes with its result.

export type Step<T> = Generator<Step<unknown>, T, unknown>;

export function drive<T>(root: Step<T>): T {
  const stack: Step<unknown>[] = [root];
  let value: unknown = undefined;
  let error: { e: unknown } | undefined;
  for (;;) {
    const top = stack[stack.length - 1];
    let r: IteratorResult<Step<unknown>, unknown>;
    try {
      r = error ? top.throw(error.e) : top.next(value);
      error = undefined;
    } catch (e) {
      // The frame did not handle it: unwind to its caller, which may.
      stack.pop();
      if (!stack.length) throw e;
      error = { e };
      continue;
    }
    if (r.done) {
      stack.pop();
      if (!stack.length) return r.value as T;
      value = r.value;
    } else {
      stack.push(r.value);
      value = undefined;
    }
  }
}
