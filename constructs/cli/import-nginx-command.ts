import { importIngressNginx, renderPoliciesModule } from '../routing/import-nginx';
import { type CliIo, type ExitCode, readYamlDocuments } from './io';

/** `switchyard import-nginx FILE... [--json]`: ingress-nginx Ingresses to routing policies. */
export function importNginxCommand(files: readonly string[], json: boolean, io: CliIo): ExitCode {
  let objects: unknown[];
  try {
    objects = files.flatMap((file) => readYamlDocuments(file, io));
  } catch (error) {
    io.stderr(`switchyard: ${(error as Error).message}\n`);
    return 2;
  }
  const { policies, report } = importIngressNginx(objects);
  // A failed import writes nothing to stdout: `> routes.ts` must not be replaced by an empty module.
  if (policies.length > 0)
    io.stdout(json ? `${JSON.stringify({ policies, report }, null, 2)}\n` : renderPoliciesModule(policies, files));
  for (const f of report) io.stderr(`${f.object}${f.annotation ? ` ${f.annotation}` : ''}: ${f.message}\n`);
  io.stderr(`imported ${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}; ${report.length} finding(s)\n`);
  return policies.length > 0 ? 0 : 1;
}
