import * as path from 'node:path';
import { isBlocking, renderFindings, runGuardrails, summarizeFindings } from '../guardrails/engine';
import { type Finding, type GuardrailOptions, type Manifest, SEVERITIES, type Severity } from '../guardrails/findings';
import { SchemaRegistry } from '../guardrails/schema';
import {
  type NamespaceException,
  podSecurityExceptionsOf,
  renderPodSecurityExceptions,
} from '../ingress/pod-security-exceptions';
import { parseRoutingSnapshot, ROUTING_SNAPSHOT_FILE } from '../routing/route-map';
import { type CliIo, type ExitCode, readYamlDocuments } from './io';

const MANIFEST = /\.ya?ml$/;

/** Manifest files under the paths, grouped by folder: each folder is one environment's object set. */
function collect(paths: readonly string[], io: CliIo): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  const add = (file: string) => {
    const dir = path.dirname(file);
    groups.set(dir, [...(groups.get(dir) ?? []), file]);
  };
  const walk = (p: string) => {
    if (!io.exists(p)) throw new Error(`${p}: no such file or folder`);
    if (!io.isDirectory(p)) return add(p);
    for (const name of io.listDir(p).sort()) {
      const child = path.join(p, name);
      if (io.isDirectory(child)) walk(child);
      else if (MANIFEST.test(name)) add(child);
    }
  };
  for (const p of paths) walk(p);
  return groups;
}

const registry = new SchemaRegistry();

/**
 * Schema problems as findings: an object its schema rejects is a danger; a kind without a known schema
 * (a CRD Switchyard has no model for) is reported as info, since it cannot be checked here.
 */
async function schemaFindings(objects: readonly Manifest[]): Promise<Finding[]> {
  return (await registry.validate(objects)).map((f) => {
    const unknownKind = f.message.startsWith('no schema is registered');
    return {
      rule: 'schema',
      severity: unknownKind ? 'info' : 'danger',
      object: `${f.type}/${f.object}`,
      field: '(object)',
      message: f.message,
      fix: unknownKind
        ? 'check this kind against its CRD with kubeconform or a server-side dry run'
        : 'fix the field the message names',
    };
  });
}

/** Options of `switchyard check`. */
export interface CheckOptions extends GuardrailOptions {
  /** Exit 1 when a finding is at least this bad. @default 'danger' */
  readonly failOn?: Severity;
  readonly json?: boolean;
}

/**
 * `switchyard check PATH... [--profile standard|production] [--fail-on danger|warning|info]
 * [--allow-registries R,...] [--json]`: validates manifests against their schemas and runs the guardrails over them (files, or folders searched
 * recursively; each folder is one object set, with its routing.json when synth wrote one).
 */
export async function checkCommand(paths: readonly string[], options: CheckOptions, io: CliIo): Promise<ExitCode> {
  if (options.failOn !== undefined && !SEVERITIES.includes(options.failOn)) {
    io.stderr(`switchyard: --fail-on must be one of ${SEVERITIES.join(', ')}, got '${options.failOn}'\n`);
    return 2;
  }
  const results: {
    folder: string;
    files: string[];
    findings: Finding[];
    podSecurityExceptions: NamespaceException[];
  }[] = [];
  try {
    for (const [folder, files] of collect(paths, io)) {
      const objects = files.flatMap((f) =>
        readYamlDocuments(f, io).filter((o): o is Manifest => typeof o === 'object'),
      );
      const snapshotFile = path.join(folder, ROUTING_SNAPSHOT_FILE);
      const snapshot = io.exists(snapshotFile)
        ? parseRoutingSnapshot(io.readFile(snapshotFile), snapshotFile)
        : undefined;
      const guardrails = runGuardrails(objects, options, snapshot?.policies, snapshot?.target);
      results.push({
        folder,
        files,
        findings: [...(await schemaFindings(objects)), ...guardrails],
        // Namespaces below restricted, with the reason recorded in POD_SECURITY_EXCEPTIONS (info only).
        podSecurityExceptions: podSecurityExceptionsOf(objects),
      });
    }
  } catch (error) {
    io.stderr(`switchyard: ${(error as Error).message}\n`);
    return 2;
  }
  if (results.length === 0) {
    io.stderr(`switchyard: no manifests (*.yaml, *.yml) under ${paths.join(', ')}\n`);
    return 2;
  }
  const all = results.flatMap((r) => r.findings);
  if (options.json) io.stdout(`${JSON.stringify(results, null, 2)}\n`);
  else
    for (const r of results)
      io.stdout(
        `# ${r.folder} (${r.files.length} file(s))\n${renderFindings(r.findings)}\n${renderPodSecurityExceptions(r.podSecurityExceptions)}`,
      );
  const failed = isBlocking(all, options.failOn);
  io.stderr(`${failed ? 'FAILED' : 'passed'}: ${summarizeFindings(all)} (failing on ${options.failOn ?? 'danger'})\n`);
  return failed ? 1 : 0;
}
