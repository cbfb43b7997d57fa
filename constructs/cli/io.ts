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

/** Splits `--flag` / `--flag value` options from positional arguments; unknown flags are usage errors. */
export function parseArgs(
  args: readonly string[],
  flags: readonly string[],
  options: readonly string[],
): { positional: string[]; flags: Set<string>; options: Map<string, string> } | string {
  const positional: string[] = [];
  const seen = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) positional.push(arg);
    else if (flags.includes(arg)) seen.add(arg);
    else if (options.includes(arg)) {
      const value = args[++i];
      if (value === undefined || value.startsWith('--')) return `${arg} needs a value`;
      values.set(arg, value);
    } else return `unknown option ${arg}`;
  }
  return { positional, flags: seen, options: values };
}

/** The documents of a YAML file (several per file), empty ones dropped. @throws Error naming the file */
export function readYamlDocuments(file: string, io: CliIo): unknown[] {
  return parseAllDocuments(io.readFile(file)).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}
