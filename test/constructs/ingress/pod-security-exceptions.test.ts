import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../../constructs/cli/check-command';
import type { CliIo } from '../../../constructs/cli/io';
import { namespaceObject, platformAddons } from '../../../constructs/ingress/platform';
import {
  POD_SECURITY_EXCEPTION_LABEL,
  POD_SECURITY_EXCEPTIONS,
  podSecurityExceptionsOf,
  podSecurityLevel,
  renderPodSecurityExceptions,
} from '../../../constructs/ingress/pod-security-exceptions';
import type { KubeObject } from '../../../constructs/routing/types';
import { expectSchemaValid } from '../../helpers/schema';

const METALLB = { addresses: ['192.168.50.240-192.168.50.250'] };
const labelsOf = (n: KubeObject) => (n.metadata.labels ?? {}) as Record<string, string>;
const enforce = (n: KubeObject) => labelsOf(n)['pod-security.kubernetes.io/enforce'];

/** An in-memory tree of files for `switchyard check`. */
function memoryIo(files: Record<string, string>) {
  const out: string[] = [];
  const isDirectory = (p: string) => Object.keys(files).some((f) => f.startsWith(`${p}/`));
  const cli: CliIo = {
    readFile: (p) => files[p]!,
    writeFile: () => undefined,
    listDir: (dir) => [
      ...new Set(
        Object.keys(files)
          .filter((f) => f.startsWith(`${dir}/`))
          .map((f) => f.slice(dir.length + 1).split('/')[0]!),
      ),
    ],
    exists: (p) => p in files || isDirectory(p),
    isDirectory,
    stdout: (t) => out.push(t),
    stderr: () => undefined,
  };
  return { cli, out: () => out.join('') };
}

describe('Pod Security of the platform namespaces', () => {
  it('enforces restricted everywhere but the recorded exceptions, pinned to the minor of the cluster (k3s: that of K3S_VERSION)', async () => {
    const a = platformAddons({
      cluster: { kind: 'bare-metal' },
      controller: { kind: 'envoy-gateway' },
      metallb: METALLB,
    });
    expect(Object.fromEntries(a.namespaces.map((n) => [n.metadata.name, enforce(n)]))).toEqual({
      'metallb-system': 'privileged',
      'cert-manager': 'restricted',
      'envoy-gateway-system': 'restricted',
      'gateway-system': 'restricted',
    });
    const metallb = a.namespaces.find((n) => n.metadata.name === 'metallb-system')!;
    expect(metallb.metadata.labels).toMatchObject({
      [POD_SECURITY_EXCEPTION_LABEL]: 'metallb',
      'pod-security.kubernetes.io/enforce-version': 'v1.33',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    for (const n of a.namespaces.filter((n) => n !== metallb))
      expect(labelsOf(n)[POD_SECURITY_EXCEPTION_LABEL]).toBeUndefined();
    await expectSchemaValid(a.namespaces);
  });

  it.each(['haproxy', 'contour', 'ingress-nginx', 'traefik'] as const)(
    '%s: its namespace follows the table',
    (kind) => {
      const a = platformAddons({
        cluster: { kind: 'eks' },
        controller: { kind },
        awsLoadBalancerController: {
          clusterName: 'shop',
          roleArn: 'arn:aws:iam::111122223333:role/lbc',
        },
      });
      const ns = a.namespaces.find((n) => n.metadata.name === a.releases.find((r) => r.name === kind)!.namespace)!;
      expect(enforce(ns)).toBe(podSecurityLevel(kind));
      expect(enforce(ns)).toBe(POD_SECURITY_EXCEPTIONS[kind]?.level ?? 'restricted');
    },
  );

  it('has a reason for every exception, and restricted for every other release', () => {
    for (const [release, e] of Object.entries(POD_SECURITY_EXCEPTIONS)) {
      expect(e.reason.length, release).toBeGreaterThan(20);
      expect(['baseline', 'privileged']).toContain(e.level);
    }
    expect(podSecurityLevel('cert-manager')).toBe('restricted');
    expect(podSecurityLevel('envoy-gateway')).toBe('restricted');
  });

  it('finds the namespaces below restricted, with or without a recorded exception', () => {
    const found = podSecurityExceptionsOf([
      namespaceObject('metallb-system', 'privileged', undefined, 'metallb'),
      namespaceObject('legacy', 'baseline'),
      namespaceObject('shop', 'restricted'),
      namespaceObject('wrong', 'baseline', undefined, 'metallb'), // label names an exception of another level
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } },
    ]);
    expect(found).toEqual([
      {
        namespace: 'metallb-system',
        level: 'privileged',
        release: 'metallb',
        reason: POD_SECURITY_EXCEPTIONS.metallb!.reason,
      },
      { namespace: 'legacy', level: 'baseline' },
      { namespace: 'wrong', level: 'baseline' },
    ]);
    expect(renderPodSecurityExceptions(found)).toMatch(
      /^info: Namespace\/metallb-system enforces Pod Security 'privileged' \(recorded exception for metallb: .*NET_RAW.*\)\ninfo: Namespace\/legacy enforces Pod Security 'baseline' and no exception is recorded/,
    );
  });

  it('`switchyard check` prints the exceptions of the namespaces it sees as info lines, and in --json', async () => {
    const yaml = [
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: metallb-system\n  labels:\n    pod-security.kubernetes.io/enforce: privileged\n    switchyard.io/pod-security-exception: metallb',
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels:\n    pod-security.kubernetes.io/enforce: restricted',
    ].join('\n---\n');
    const text = memoryIo({ 'dist/dev/ns.yaml': yaml });
    expect(await checkCommand(['dist'], {}, text.cli)).toBe(0);
    expect(text.out()).toContain(
      `info: Namespace/metallb-system enforces Pod Security 'privileged' (recorded exception for metallb: ${POD_SECURITY_EXCEPTIONS.metallb!.reason})\n`,
    );
    expect(text.out()).not.toContain('Namespace/shop');
    const json = memoryIo({ 'dist/dev/ns.yaml': yaml });
    expect(await checkCommand(['dist'], { json: true }, json.cli)).toBe(0);
    expect(JSON.parse(json.out())[0].podSecurityExceptions).toEqual([
      expect.objectContaining({ namespace: 'metallb-system', release: 'metallb' }),
    ]);
  });
});
