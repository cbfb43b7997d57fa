import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runGuardrails } from '../../../constructs/guardrails/engine';
import type { Manifest } from '../../../constructs/guardrails/findings';
import { POD_SECURITY_RESTRICTED } from '../../../constructs/guardrails/rules/pod-security';
import { goodContainer, goodPodSpec, goodWorkload } from './fixtures';

const pss = (objects: Manifest[]) =>
  POD_SECURITY_RESTRICTED.check({ objects, policies: [], options: {} }).map((f) => f.field);
const C = 'spec.template.spec.containers[0]';
const sc = (securityContext: Record<string, unknown>) => ({
  containers: [goodContainer({ securityContext: { ...goodContainer().securityContext, ...securityContext } })],
});

/** One way to break restricted Pod Security each, with the field the finding must name. */
const VIOLATIONS: readonly [string, Record<string, unknown>, string][] = [
  ['hostNetwork', { hostNetwork: true }, 'spec.template.spec.hostNetwork'],
  ['hostPID', { hostPID: true }, 'spec.template.spec.hostPID'],
  ['hostIPC', { hostIPC: true }, 'spec.template.spec.hostIPC'],
  [
    'a hostPath volume',
    { volumes: [{ name: 'root', hostPath: { path: '/' } }] },
    'spec.template.spec.volumes[0].hostPath',
  ],
  ['an nfs volume', { volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }, 'spec.template.spec.volumes[0].nfs'],
  [
    'an unsafe sysctl',
    { securityContext: { ...goodPodSpec().securityContext, sysctls: [{ name: 'kernel.msgmax', value: '1' }] } },
    'spec.template.spec.securityContext.sysctls[0]',
  ],
  [
    'pod runAsNonRoot false',
    { securityContext: { runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } } },
    'spec.template.spec.securityContext.runAsNonRoot',
  ],
  [
    'pod runAsUser 0',
    { securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } },
    'spec.template.spec.securityContext.runAsUser',
  ],
  [
    'pod seccomp Unconfined',
    { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } } },
    'spec.template.spec.securityContext.seccompProfile.type',
  ],
  [
    'an SELinux user',
    { securityContext: { ...goodPodSpec().securityContext, seLinuxOptions: { user: 'root' } } },
    'spec.template.spec.securityContext.seLinuxOptions.user',
  ],
  [
    'a Windows host process',
    { securityContext: { ...goodPodSpec().securityContext, windowsOptions: { hostProcess: true } } },
    'spec.template.spec.securityContext.windowsOptions.hostProcess',
  ],
  ['privileged', sc({ privileged: true }), `${C}.securityContext.privileged`],
  [
    'privilege escalation unset',
    sc({ allowPrivilegeEscalation: undefined }),
    `${C}.securityContext.allowPrivilegeEscalation`,
  ],
  ['container runAsUser 0', sc({ runAsUser: 0 }), `${C}.securityContext.runAsUser`],
  ['capabilities not dropped', sc({ capabilities: {} }), `${C}.securityContext.capabilities.drop`],
  [
    'NET_ADMIN added',
    sc({ capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } }),
    `${C}.securityContext.capabilities.add`,
  ],
  ['procMount Unmasked', sc({ procMount: 'Unmasked' }), `${C}.securityContext.procMount`],
  ['an SELinux type', sc({ seLinuxOptions: { type: 'spc_t' } }), `${C}.securityContext.seLinuxOptions.type`],
  [
    'a host port',
    { containers: [goodContainer({ ports: [{ containerPort: 80, hostPort: 80 }] })] },
    `${C}.ports[0].hostPort`,
  ],
];

describe('pss-restricted', () => {
  it('stays quiet on a restricted pod, NET_BIND_SERVICE added and container-level seccomp included', () => {
    expect(pss(goodWorkload())).toEqual([]);
    expect(pss(goodWorkload(goodPodSpec(sc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } }))))).toEqual(
      [],
    );
    const containerSeccomp = goodPodSpec({
      securityContext: { runAsNonRoot: true },
      containers: [
        goodContainer({
          securityContext: {
            ...goodContainer().securityContext,
            seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
          },
        }),
      ],
    });
    expect(pss(goodWorkload(containerSeccomp))).toEqual([]);
  });

  it.each(VIOLATIONS)('reports %s at the field', (_name, change, field) => {
    const findings = POD_SECURITY_RESTRICTED.check({
      objects: goodWorkload(goodPodSpec(change)),
      policies: [],
      options: {},
    });
    expect(findings.map((f) => f.field)).toEqual([field]);
    expect(findings[0]).toMatchObject({ object: 'Deployment/shop/web' });
    expect(findings[0]!.fix.length).toBeGreaterThan(5);
  });

  it('requires runAsNonRoot and seccomp on the pod or on every container', () => {
    const fields = pss(
      goodWorkload(
        goodPodSpec({
          securityContext: {},
          containers: [
            goodContainer({ securityContext: { ...goodContainer().securityContext, runAsNonRoot: undefined } }),
          ],
        }),
      ),
    );
    expect(fields).toEqual([`${C}.securityContext.runAsNonRoot`, `${C}.securityContext.seccompProfile.type`]);
  });

  it('checks init and ephemeral containers and Pods, CronJobs and Jobs at their own paths', () => {
    const bad = goodContainer({
      securityContext: {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        privileged: true,
      },
    });
    const spec = goodPodSpec({ initContainers: [bad], ephemeralContainers: [bad] });
    expect(pss(goodWorkload(spec))).toEqual([
      'spec.template.spec.initContainers[0].securityContext.privileged',
      'spec.template.spec.ephemeralContainers[0].securityContext.privileged',
    ]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: goodPodSpec({ hostPID: true }) };
    expect(pss([pod])).toEqual(['spec.hostPID']);
    const cron = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c', namespace: 'ops' },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { spec: goodPodSpec({ hostIPC: true }) } } } },
    };
    expect(pss([cron])).toEqual(['spec.jobTemplate.spec.template.spec.hostIPC']);
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'j' },
      spec: { template: { spec: goodPodSpec({ hostNetwork: true }) } },
    };
    expect(pss([job])).toEqual(['spec.template.spec.hostNetwork']);
  });

  it('reports every violation combined, and none without (property)', () => {
    fc.assert(
      fc.property(fc.subarray([...VIOLATIONS.keys()]), (picked) => {
        // Violations touching the same field group (securityContext, containers, volumes) overwrite each
        // other; merge them one level deep so each applied change survives.
        const spec: Record<string, any> = goodPodSpec();
        const applied: string[] = [];
        for (const i of picked) {
          const [, change, field] = VIOLATIONS[i]!;
          const key = Object.keys(change)[0]!;
          if (
            key === 'containers' ||
            key === 'volumes' ||
            (key === 'securityContext' && applied.some((f) => f.includes('.spec.securityContext.')))
          )
            continue;
          Object.assign(spec, change);
          applied.push(field);
        }
        const fields = pss(goodWorkload(spec));
        expect(fields.length >= applied.length).toBe(true);
        for (const field of applied) expect(fields).toContain(field);
        if (applied.length === 0) expect(fields).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('blocks by default (danger) through the engine', () => {
    const findings = runGuardrails(goodWorkload(goodPodSpec({ hostNetwork: true })));
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'pss-restricted', severity: 'danger', field: 'spec.template.spec.hostNetwork' }),
    ]);
  });
});
