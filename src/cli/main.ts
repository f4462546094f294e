// The `mcalc` command line: the same core as the editor. Exit codes: 0 success, 1 a problem in the input
// (errors, failed checks), 2 usage (bad flags, unreadable files). No stack traces for user errors.

import { Command, CommanderError, Option } from 'commander';
import { CliError, type Io, nodeIo } from './io.ts';
import { shapesCommand } from './shapes.ts';

export function buildProgram(io: Io): Command {
  const program = new Command('mcalc')
    .description('Matrix calculus for deep learning: shapes, derivatives, gradient checks and training.')
    .version('0.1.0')
    .showHelpAfterError('(run mcalc --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  const layoutOption = () => new Option('--layout <layout>', 'Jacobian layout').choices(['numerator', 'denominator']).default('numerator');

  program
    .command('shapes')
    .description("print every definition's and derivative form's shape, and all diagnostics")
    .argument('<files...>', '.mcalc files (or Markdown files with ```mcalc blocks)')
    .addOption(layoutOption())
    .option('--json', 'machine-readable output')
    .action((files: string[], opts: { layout: 'numerator' | 'denominator'; json?: boolean }) => {
      io.exitCode = shapesCommand(io, files, opts);
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
    io.err(`mcalc: internal error: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2), nodeIo()).then((code) => {
    process.exitCode = code;
  });
}

