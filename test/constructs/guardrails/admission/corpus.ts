/**
 * The objects the differential test runs through both the TypeScript rules and the compiled CEL: the guardrail
 * fixtures, the pod-security and workload tests' cases (one violation each), and the other kinds and edge cases.
 */
import type { Manifest } from '../../../../constructs/guardrails/findings';
import { deployment, goodContainer, goodPodSpec, goodWorkload, IMAGE } from '../fixtures';

const sc = (securityContext: Record<string, unknown>) => ({
  containers: [goodContainer({ securityContext: { ...goodContainer().securityContext, ...securityContext } })],
});
const podSc = (extra: Record<string, unknown>) => ({ securityContext: { ...goodPodSpec().securityContext, ...extra } });

/** One change of a good pod spec each: the pod-security tests' violations and quiet cases, and more. */
export const POD_SPEC_CHANGES: readonly [string, Record<string, unknown>][] = [
  ['good', {}],
  ['hostNetwork', { hostNetwork: true }],
  ['hostPID', { hostPID: true }],
  ['hostIPC', { hostIPC: true }],
  ['hostNetwork false', { hostNetwork: false }],
  ['a hostPath volume', { volumes: [{ name: 'root', hostPath: { path: '/' } }] }],
  ['an nfs volume', { volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }],
  [
    'allowed volumes',
    {
      volumes: [
        { name: 'a', configMap: { name: 'c' } },
        { name: 'b', secret: { secretName: 's' } },
        { name: 'c', projected: { sources: [] } },
        { name: 'd', persistentVolumeClaim: { claimName: 'p' } },
      ],
    },
  ],
  ['an unsafe sysctl', podSc({ sysctls: [{ name: 'kernel.msgmax', value: '1' }] })],
  ['a safe sysctl', podSc({ sysctls: [{ name: 'net.ipv4.tcp_syncookies', value: '1' }] })],
  ['pod runAsNonRoot false', { securityContext: { runAsNonRoot: false, seccompProfile: { type: 'RuntimeDefault' } } }],
  [
    'pod runAsUser 0',
    { securityContext: { runAsNonRoot: true, runAsUser: 0, seccompProfile: { type: 'RuntimeDefault' } } },
  ],
  ['pod seccomp Unconfined', { securityContext: { runAsNonRoot: true, seccompProfile: { type: 'Unconfined' } } }],
  ['an SELinux user', podSc({ seLinuxOptions: { user: 'root' } })],
  ['an SELinux role', podSc({ seLinuxOptions: { role: 'r' } })],
  ['an SELinux pod type', podSc({ seLinuxOptions: { type: 'spc_t' } })],
  ['an allowed SELinux type', podSc({ seLinuxOptions: { type: 'container_t', level: 's0:c1' } })],
  ['a Windows host process', podSc({ windowsOptions: { hostProcess: true } })],
  ['privileged', sc({ privileged: true })],
  ['privilege escalation unset', sc({ allowPrivilegeEscalation: undefined })],
  ['privilege escalation true', sc({ allowPrivilegeEscalation: true })],
  ['container runAsUser 0', sc({ runAsUser: 0 })],
  ['container runAsNonRoot false', sc({ runAsNonRoot: false })],
  ['capabilities not dropped', sc({ capabilities: {} })],
  ['NET_ADMIN added', sc({ capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } })],
  ['NET_BIND_SERVICE added', sc({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } })],
  ['drop all (lower case)', sc({ capabilities: { drop: ['all'] } })],
  ['procMount Unmasked', sc({ procMount: 'Unmasked' })],
  ['procMount Default', sc({ procMount: 'Default' })],
  ['an SELinux type', sc({ seLinuxOptions: { type: 'spc_t' } })],
  ['a container SELinux user', sc({ seLinuxOptions: { user: 'system_u' } })],
  ['a container SELinux role', sc({ seLinuxOptions: { role: 'system_r' } })],
  ['an empty container SELinux user', sc({ seLinuxOptions: { user: '', level: 's0' } })],
  ['a container Windows host process', sc({ windowsOptions: { hostProcess: true } })],
  ['a host port', { containers: [goodContainer({ ports: [{ containerPort: 80, hostPort: 80 }] })] }],
  ['host port 0', { containers: [goodContainer({ ports: [{ containerPort: 80, hostPort: 0 }] })] }],
  ['no container securityContext', { containers: [goodContainer({ securityContext: undefined })] }],
  [
    'runAsNonRoot and seccomp on neither',
    {
      securityContext: {},
      containers: [
        goodContainer({ securityContext: { ...sc({}).containers[0]!.securityContext, runAsNonRoot: undefined } }),
      ],
    },
  ],
  ['no pod securityContext', { securityContext: undefined }],
  [
    'container-level seccomp Localhost',
    {
      securityContext: { runAsNonRoot: true },
      containers: [
        goodContainer({
          securityContext: {
            ...goodContainer().securityContext,
            seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' },
          },
        }),
      ],
    },
  ],
  ['container seccomp Unconfined', sc({ seccompProfile: { type: 'Unconfined' } })],
  ['privileged init container', { initContainers: [goodContainer(sc({ privileged: true }).containers[0])] }],
  ['privileged ephemeral container', { ephemeralContainers: [goodContainer(sc({ privileged: true }).containers[0])] }],
  ['writable root', sc({ readOnlyRootFilesystem: false })],
  [
    'init container without resources or probes',
    { initContainers: [goodContainer({ resources: {}, readinessProbe: undefined })] },
  ],
  ['no resources', { containers: [goodContainer({ resources: {} })] }],
  [
    'no memory limit',
    { containers: [goodContainer({ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1' } } })] },
  ],
  ['no readiness probe', { containers: [goodContainer({ readinessProbe: undefined })] }],
  ['no liveness probe', { containers: [goodContainer({ livenessProbe: undefined })] }],
  ['no containers', { containers: [] }],
  ...[
    'nginx',
    'nginx:latest',
    'nginx:1.27',
    'registry.local:5000/team/app',
    'registry.local:5000/app:latest',
    'registry.local:5000/app:2.0',
    `nginx@sha256:${'b'.repeat(64)}`,
    `nginx:latest@sha256:${'b'.repeat(64)}`,
    'ghcr.io/acme/web:1.4.2',
    'ghcr.io/acme-evil/web:1.0',
    'ghcr.io/acme',
    'nginx:',
    'nginx@',
    IMAGE,
  ].map((image): [string, Record<string, unknown>] => [`image ${image}`, { containers: [goodContainer({ image })] }]),
  ['no image', { containers: [goodContainer({ image: undefined })] }],
];

/** The pod spec under each kind the policies match. */
export function underEveryKind(name: string, podSpec: Record<string, unknown>): [string, Manifest][] {
  const metadata = (kind: string) => ({
    name: `${kind.toLowerCase()}-${name.replace(/[^a-z0-9]+/gi, '-')}`,
    namespace: 'shop',
  });
  const template = { metadata: { labels: { app: 'x' } }, spec: podSpec };
  return [
    ['Deployment', deployment(podSpec)],
    ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: metadata('Pod'), spec: podSpec }],
    [
      'StatefulSet',
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: metadata('StatefulSet'), spec: { template } },
    ],
    ['DaemonSet', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: metadata('DaemonSet'), spec: { template } }],
    ['ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: metadata('ReplicaSet'), spec: { template } }],
    ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: metadata('Job'), spec: { template } }],
    [
      'CronJob',
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: metadata('CronJob'),
        spec: { schedule: '@daily', jobTemplate: { spec: { template } } },
      },
    ],
  ].map(([kind, object]) => [`${kind as string} with ${name}`, object as Manifest]);
}

/** Every fixture object: the good workload's, and each change under every kind. */
export function fixtureObjects(): [string, Manifest][] {
  return [
    ...goodWorkload().map((o): [string, Manifest] => [`fixture ${String(o.kind)}`, o]),
    ...POD_SPEC_CHANGES.flatMap(([name, change]) => underEveryKind(name, goodPodSpec(change))),
  ];
}
