/**
 * What every command line of the workbench shares: parsing options with node:util so that a bad
 * option is a usage error pointing at the command's `--help`, and turning an expected failure into
 * one message on stderr and its exit code.
 *
 * @module
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { ExitCode, type ExitCodeValue, WorkbenchError } from '../errors.js';

/** What node:util's `parseArgs` returns for `config`, its option values typed after the config. */
export type ParsedCommandLine<Config extends ParseArgsConfig> = ReturnType<typeof parseArgs<Config>>;

/** The usage errors of one command, all pointing at its `--help`. */
export interface CommandLine {
  /** A usage error (exit 2) with the command's help hint. */
  usage(message: string): WorkbenchError;
  /**
   * Parses `argv` (not `config.args`) with node:util; what it rejects (an unknown option, a
   * missing value) is a usage error.
   */
  parse<Config extends ParseArgsConfig>(argv: readonly string[], config: Config): ParsedCommandLine<Config>;
  /** The value of option `--name` as an integer of at least `min`; anything else is a usage error. */
  integer(name: string, text: string, min: number): number;
}

/**
 * The command line of `npm run <command>`. `helpHint` is printed under every usage error; the
 * default names the command's `--help`.
 */
export function commandLine(command: string, helpHint = `See \`npm run ${command} -- --help\`.`): CommandLine {
  const usage = (message: string) => new WorkbenchError(message, ExitCode.USAGE, helpHint);
  return {
    usage,
    integer(name, text, min) {
      const n = Number(text);
      if (!Number.isSafeInteger(n) || n < min) throw usage(`--${name} must be an integer >= ${min}, not "${text}".`);
      return n;
    },
    parse(argv, config) {
      // Every command takes --version (runMain answers it before the command runs).
      const options = { ...config.options, version: { type: 'boolean' as const } };
      try {
        return parseArgs<typeof config>({ ...config, options, args: joinDashedValues(argv, options) });
      } catch (error) {
        throw usage(error instanceof Error ? error.message : String(error));
      }
    },
  };
}

/**
 * `--workers -3` as `--workers=-3`, `--tlc-args -deadlock` as `--tlc-args=-deadlock`: node:util takes
 * a value starting with `-` for an option and calls the argument ambiguous. The word after an option
 * that takes a value is its value, unless it is itself one of the command's options.
 */
function joinDashedValues(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>): string[] {
  const isOption = (arg: string) => {
    const long = /^--([^=]+)/.exec(arg)?.[1];
    if (long !== undefined) return Object.hasOwn(options, long);
    return Object.values(options).some((o) => o.short !== undefined && arg === `-${o.short}`);
  };
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && Object.hasOwn(options, name) && options[name]?.type === 'string' && next?.startsWith('-') && next !== '--' && !isOption(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/**
 * Runs a command and resolves to its exit code. An expected failure (a {@link WorkbenchError}) is
 * printed to `stderr` as `<name>: <message and hint>` (the bare message when `name` is undefined)
 * and ends the command with its exit code; anything else is a bug and propagates with its stack.
 */
export async function runCommand<Code extends number>(
  name: string | undefined,
  stderr: (text: string) => void,
  body: () => Code | Promise<Code>,
): Promise<Code | ExitCodeValue> {
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof WorkbenchError)) throw error;
    stderr(`${name === undefined ? '' : `${name}: `}${error.format()}\n`);
    return error.exitCode;
  }
}
