/**
 * Pod Security Standards, level restricted (Kubernetes 1.27): every baseline and restricted check of
 * Pod Security admission, applied to Pods and to workload templates (which admission only warns about).
 */
import { findingOn, type GuardrailRule, type RawFinding } from '../findings';
import { containersOf, type Json, podsOf } from '../pods';

const ALLOWED_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
]);
const ALLOWED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const SECCOMP_TYPES = new Set(['RuntimeDefault', 'Localhost']);

function checkPod(spec: Json, path: string, report: (field: string, message: string, fix: string) => void): void {
  for (const ns of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (spec[ns] === true)
      report(`${path}.${ns}`, `${ns} is true: the pod shares the node's namespace`, `remove ${ns}`);
  }
  const pod = spec.securityContext ?? {};
  if (pod.windowsOptions?.hostProcess === true) {
    report(
      `${path}.securityContext.windowsOptions.hostProcess`,
      'host process containers are privileged',
      'remove hostProcess',
    );
  }
  if (pod.runAsNonRoot === false) {
    report(`${path}.securityContext.runAsNonRoot`, 'runAsNonRoot is false', 'set runAsNonRoot: true');
  }
  if (pod.runAsUser === 0)
    report(`${path}.securityContext.runAsUser`, 'runAsUser is 0 (root)', 'run as a non-zero UID');
  if (pod.seccompProfile?.type !== undefined && !SECCOMP_TYPES.has(pod.seccompProfile.type)) {
    report(
      `${path}.securityContext.seccompProfile.type`,
      `seccomp profile '${pod.seccompProfile.type}'`,
      "use type 'RuntimeDefault'",
    );
  }
  checkSeLinux(pod.seLinuxOptions, `${path}.securityContext.seLinuxOptions`, report);
  (pod.sysctls ?? []).forEach((s: Json, i: number) => {
    if (!ALLOWED_SYSCTLS.has(s?.name)) {
      report(
        `${path}.securityContext.sysctls[${i}]`,
        `sysctl '${s?.name}' is not in the safe set`,
        'remove the sysctl',
      );
    }
  });
  (spec.volumes ?? []).forEach((v: Json, i: number) => {
    const sources = Object.keys(v ?? {}).filter((k) => k !== 'name');
    const bad = sources.filter((k) => !ALLOWED_VOLUMES.has(k));
    if (bad.length) {
      report(
        `${path}.volumes[${i}].${bad[0]}`,
        `volume '${v.name}' uses ${bad.join(', ')}`,
        'use configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or persistentVolumeClaim volumes',
      );
    }
  });
}

function checkSeLinux(options: Json, at: string, report: (field: string, message: string, fix: string) => void): void {
  if (!options) return;
  if (options.type !== undefined && !ALLOWED_SELINUX_TYPES.has(options.type)) {
    report(`${at}.type`, `SELinux type '${options.type}'`, 'use container_t or leave it unset');
  }
  for (const key of ['user', 'role'] as const) {
    if (options[key])
      report(`${at}.${key}`, `SELinux ${key} '${options[key]}' is set`, `leave seLinuxOptions.${key} unset`);
  }
}

function checkContainer(
  c: Json,
  at: string,
  pod: Json,
  report: (field: string, message: string, fix: string) => void,
): void {
  const sc = c.securityContext ?? {};
  const name = `container '${c.name}'`;
  if (sc.privileged === true) report(`${at}.securityContext.privileged`, `${name} is privileged`, 'remove privileged');
  if (sc.windowsOptions?.hostProcess === true) {
    report(`${at}.securityContext.windowsOptions.hostProcess`, `${name} is a host process`, 'remove hostProcess');
  }
  if (sc.allowPrivilegeEscalation !== false) {
    report(
      `${at}.securityContext.allowPrivilegeEscalation`,
      `${name} does not set allowPrivilegeEscalation: false`,
      'set securityContext.allowPrivilegeEscalation: false',
    );
  }
  const nonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  if (nonRoot !== true) {
    report(
      `${at}.securityContext.runAsNonRoot`,
      `${name} may run as root`,
      'set runAsNonRoot: true on the pod or container',
    );
  }
  if (sc.runAsUser === 0) report(`${at}.securityContext.runAsUser`, `${name} runs as UID 0`, 'run as a non-zero UID');
  // An invalid pod-level profile is reported once, on the pod; a container falls back to it when unset.
  const own = sc.seccompProfile?.type;
  if (own === undefined ? pod.securityContext?.seccompProfile?.type === undefined : !SECCOMP_TYPES.has(own)) {
    report(
      `${at}.securityContext.seccompProfile.type`,
      `${name} has seccomp profile ${own === undefined ? 'unset' : `'${own}'`}`,
      'set seccompProfile.type: RuntimeDefault on the pod or container',
    );
  }
  const caps = sc.capabilities ?? {};
  if (!(caps.drop ?? []).includes('ALL')) {
    report(
      `${at}.securityContext.capabilities.drop`,
      `${name} does not drop ALL capabilities`,
      "set capabilities.drop: ['ALL']",
    );
  }
  const added = ((caps.add ?? []) as string[]).filter((cap) => cap !== 'NET_BIND_SERVICE');
  if (added.length) {
    report(
      `${at}.securityContext.capabilities.add`,
      `${name} adds ${added.join(', ')}`,
      'add at most NET_BIND_SERVICE',
    );
  }
  if (sc.procMount !== undefined && sc.procMount !== 'Default') {
    report(`${at}.securityContext.procMount`, `${name} has procMount '${sc.procMount}'`, 'leave procMount unset');
  }
  checkSeLinux(sc.seLinuxOptions, `${at}.securityContext.seLinuxOptions`, report);
  (c.ports ?? []).forEach((p: Json, i: number) => {
    if (p?.hostPort)
      report(`${at}.ports[${i}].hostPort`, `${name} binds host port ${p.hostPort}`, 'remove hostPort; use a Service');
  });
}

/** Every check of the Pod Security Standards restricted profile, on every pod template. */
export const POD_SECURITY_RESTRICTED: GuardrailRule = {
  id: 'pss-restricted',
  description: 'Pod Security Standards, restricted level (Kubernetes 1.27), on every pod template',
  severity: 'danger',
  scope: 'object',
  check: ({ objects }) => {
    const findings: RawFinding[] = [];
    for (const { object, pod } of podsOf(objects)) {
      const report = (field: string, message: string, fix: string) =>
        findings.push(findingOn(object, field, message, fix));
      checkPod(pod.spec, pod.path, report);
      for (const { container, path } of containersOf(pod)) checkContainer(container, path, pod.spec, report);
    }
    return findings;
  },
};
