import { parseAllDocuments } from 'yaml';
import { importIngressNginx, renderPoliciesModule } from '../routing/import-nginx';
import type { CliIo, ExitCode } from './io';

function readManifests(files: readonly string[], io: CliIo): unknown[] {
  return files.flatMap((file) =>
    parseAllDocuments(io.readFile(file)).map((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS();
    }),
  );
}

/** `switchyard import-nginx FILE... [--json]`: ingress-nginx Ingresses to routing policies. */
export function importNginxCommand(files: readonly string[], json: boolean, io: CliIo): ExitCode {
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
