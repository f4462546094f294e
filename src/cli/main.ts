// The `mcalc` command line: the same core as the editor. Exit codes: 0 success, 1 a problem in the input
// (errors, failed checks), 2 usage (bad flags, unreadable files). No stack traces for user errors.

import { Command, CommanderError, Option } from 'commander';
import { DerivativeFormError } from '../core/diff/engine.ts';
import { CliError, type Io, nodeIo } from './io.ts';
import { shapesCommand } from './shapes.ts';
import { deriveCommand } from './derive.ts';
import { evalCommand } from './eval.ts';
import { checkCommand } from './check.ts';
import { collectDim } from './dims.ts';
import { registerTrain } from './train.ts';
import { exportCommand } from './export.ts';

export function buildProgram(io: Io): Command {
  const program = new Command('mcalc')
    .description('Matrix calculus for deep learning: shapes, derivatives, gradient checks and training.')
    .version('0.1.0')
    .showHelpAfterError('(run mcalc --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  // No commander default: an explicit --layout that a document's `layout` directive overrides gets a note.
  const layoutOption = () => new Option('--layout <layout>', "Jacobian layout (default: the document's `layout` directive, else numerator)").choices(['numerator', 'denominator']);

  program
    .command('shapes')
    .description("print every definition's and derivative form's shape, and all diagnostics")
    .argument('<files...>', '.mcalc files (or Markdown files with ```mcalc blocks)')
    .addOption(layoutOption())
    .option('--json', 'machine-readable output')
    .action((files: string[], opts: { layout?: 'numerator' | 'denominator'; json?: boolean }) => {
      io.exitCode = shapesCommand(io, files, opts);
    });

  program
    .command('derive')
    .description('differentiate a definition: the result, its shape, the chain rule and the steps')
    .argument('<file>', '.mcalc file')
    .requiredOption('--of <name>', 'the definition to differentiate')
    .requiredOption('--wrt <var>', 'the variable to differentiate with respect to')
    .addOption(layoutOption())
    .addOption(new Option('--form <form>', 'jacobian, grad or hessian').choices(['jacobian', 'grad', 'hessian']).default('jacobian'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'latex', 'json']).default('text'))
    .action((file: string, opts) => {
      io.exitCode = deriveCommand(io, file, opts);
    });

  program
    .command('eval')
    .description('evaluate an expression (derivative forms included) at given values')
    .argument('<file>', '.mcalc file')
    .requiredOption('--expr <expr>', 'the expression, e.g. "d(loss)/d(w)"')
    .option('--at <values.json>', 'values of the variables, e.g. {"x": 0.7, "w": [1, 2]}')
    .option('--max-elements <k>', 'largest tensor the evaluation may build (default 10000000)')
    .addOption(layoutOption())
    .option('--json', 'print {"shape": [...], "value": ...}')
    .action((file: string, opts) => {
      io.exitCode = evalCommand(io, file, opts);
    });

  program
    .command('export')
    .description('write the gradient of a scalar definition as a Python module (NumPy, PyTorch or JAX) with a self-check')
    .argument('<file>', '.mcalc file')
    .requiredOption('--of <name>', 'the scalar definition (a loss)')
    .option('--wrt <vars>', 'comma-separated variables (default: every variable it depends on)')
    .addOption(new Option('--to <library>', 'numpy, pytorch or jax').choices(['numpy', 'pytorch', 'jax']).default('numpy'))
    .option('--out <file.py>', 'write the module there (default: print it)')
    .option('--force', 'replace --out if it exists')
    .addOption(layoutOption())
    .action((file: string, opts) => {
      io.exitCode = exportCommand(io, file, opts);
    });

  registerTrain(program, io);

  program
    .command('check')
    .description('check every claim (check d(f)/d(x) = …) and derivative form against central finite differences at random points')
    .argument('<file>', '.mcalc file (or Markdown file with ```mcalc blocks)')
    .option('--of <name>', 'only derivatives of this definition (checks d(name)/d(var) even if not written)')
    .option('--wrt <var>', 'only derivatives with respect to this variable')
    .option('--seed <n>', 'seed of the random sizes and points (default: random, printed)')
    .option('--fast', 'directional mode for large inputs: compare vᵀJu along random unit vectors')
    .option('--dim <name=size>', 'size of a symbolic dimension, e.g. --dim n=4 (repeatable; others get small random sizes, each different)', collectDim)
    .option('--eps <h>', 'central-difference step (default 1e-6; Hessians always use second differences with step 1e-4)')
    .option('--atol <a>', 'absolute tolerance, Hessians included (default 1e-5; 1e-4 for Hessians)')
    .option('--rtol <r>', 'relative tolerance, Hessians included (default 1e-3)')
    .option('--points <k>', 'random points per derivative (default 3)')
    .option('--max-elements <k>', 'largest tensor a check may build (default 10000000); larger ones are reported as not checked')
    .addOption(layoutOption())
    .option('--json', 'machine-readable output')
    .action((file: string, opts) => {
      io.exitCode = checkCommand(io, file, opts);
    });

  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  return program;
}

/** Runs the CLI and returns the exit code (never throws for user errors). */
export async function runCli(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  if (argv.length === 0) {
    io.err(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return io.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof CliError) {
      io.err(`mcalc: ${e.message}\n`);
      return e.exitCode;
    }
    if (e instanceof DerivativeFormError) {
      io.err(`mcalc: ${e.message}\n  hint: ${e.hint}\n`);
      return 1;
    }
    io.err(`mcalc: internal error: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  // A reader that stops early (`mcalc derive … | head`) ends the output, not the program with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
  runCli(process.argv.slice(2), nodeIo()).then((code) => {
    process.exitCode = code;
  });
}

