import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs as parseUtilArgs } from 'node:util';
import { parseAllDocuments } from 'yaml';

/** What the commands may touch: the real process and file system, or a test double. */
export interface CliIo {
  readonly readFile: (path: string) => string;
  readonly writeFile: (path: string, text: string) => void;
  /** Names in a directory; an empty list when it does not exist. */
  readonly listDir: (path: string) => string[];
  readonly exists: (path: string) => boolean;
  readonly isDirectory: (path: string) => boolean;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A command's outcome: the process exit code (0 done, 1 the command's own failure, 2 usage or input error). */
export type ExitCode = 0 | 1 | 2;

/**
 * Parses a command's arguments with `node:util` parseArgs (strict: unknown options are an error).
 * `flags` and `options` are long names with their dashes ('--json', '--stack'); `-h`/`--help` is
 * always known. Returns the problem as a string for the usage error.
 */
export function parseArgs(
  args: readonly string[],
  flags: readonly string[],
  options: readonly string[],
): { positional: string[]; flags: Set<string>; options: Map<string, string>; help: boolean } | string {
  const config: Record<string, { type: 'boolean' | 'string'; short?: string }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const f of flags) config[f.replace(/^--/, '')] = { type: 'boolean' };
  for (const o of options) config[o.replace(/^--/, '')] = { type: 'string' };
  let parsed: ReturnType<typeof parseUtilArgs>;
  try {
    parsed = parseUtilArgs({ args: [...args], options: config, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages name the option ("Unknown option '--x'", "Option '--stack <value>' argument missing").
    return (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  const seen = new Set(flags.filter((f) => values[f.replace(/^--/, '')] === true));
  const given = new Map<string, string>();
  for (const o of options) {
    const value = values[o.replace(/^--/, '')];
    if (typeof value === 'string') {
      if (value === '' || value.startsWith('-')) return `${o} needs a value`;
      given.set(o, value);
    }
  }
  return { positional: parsed.positionals, flags: seen, options: given, help: values.help === true };
}

/** The documents of a YAML file (several per file), empty ones dropped. @throws Error naming the file */
export function readYamlDocuments(file: string, io: CliIo): unknown[] {
  return parseAllDocuments(io.readFile(file)).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

/** This package's package.json (beside lib/ when installed, beside constructs/ in the repository). */
export function ownManifest(): { version: string; devDependencies: Record<string, string> } {
  return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
    devDependencies: Record<string, string>;
  };
}
