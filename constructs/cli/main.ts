#!/usr/bin/env node
/**
 * The `switchyard` command line. The one place in the package that reads files and writes to the
 * terminal: everything it calls is pure.
 */
import * as fs from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { importIngressNginx, renderPoliciesModule } from '../routing/import-nginx';

/** Where the command reads and writes: the real process, or a test double. */
export interface CliIo {
  readonly readFile: (path: string) => string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const USAGE = `usage: switchyard import-nginx FILE... [--json]

  import-nginx  Read ingress-nginx Ingress manifests (YAML, several documents per file) and print
                routing policies as a TypeScript module (or JSON with --json). What could not be
                carried over is reported on stderr.`;

function readManifests(files: readonly string[], io: CliIo): unknown[] {
  return files.flatMap((file) =>
    parseAllDocuments(io.readFile(file)).map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS();
    }),
  );
}

/** Runs the command; returns the process exit code (0 done, 1 nothing imported, 2 usage or input error). */
export function run(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command !== 'import-nginx') {
    io.stderr(`${USAGE}\n`);
    return command === undefined || command === '--help' ? 0 : 2;
  }
  const json = rest.includes('--json');
  const files = rest.filter((a) => a !== '--json');
  if (files.length === 0) {
    io.stderr(`${USAGE}\n`);
    return 2;
  }
  let objects: unknown[];
  try {
    objects = readManifests(files, io);
  } catch (error) {
    io.stderr(`switchyard: ${(error as Error).message}\n`);
    return 2;
  }
  const { policies, report } = importIngressNginx(objects);
  io.stdout(json ? `${JSON.stringify({ policies, report }, null, 2)}\n` : renderPoliciesModule(policies, files));
  for (const f of report) io.stderr(`${f.object}${f.annotation ? ` ${f.annotation}` : ''}: ${f.message}\n`);
  io.stderr(`imported ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}; ${report.length} finding(s)\n`);
  return policies.length > 0 ? 0 : 1;
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), {
    readFile: (path) => fs.readFileSync(path, 'utf8'),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
