/**
 * The guardrail rules that are pure pod-spec checks, written as CEL for ValidatingAdmissionPolicies. Each
 * validation's expression is true when the object passes; together they fail exactly when the TypeScript rule
 * of the same id reports a finding (the differential test evaluates both). Pure: strings only.
 *
 * The expressions use only core CEL (`has`, `all`, `in`, `size`, `matches`, `startsWith`, `+`) and guard every
 * optional field with `has()`, so they run on Kubernetes' typed objects and on plain JSON alike.
 */

/** One validation of a ValidatingAdmissionPolicy: a CEL expression that holds when the object passes. */
export interface AdmissionValidation {
  /** CEL over `object` and `variables.podSpec`, `variables.containers`, `variables.ephemeralContainers`. */
  readonly expression: string;
  /** What is wrong when the expression is false, prefixed with the rule id. */
  readonly message: string;
}

/** A guardrail rule compiled to CEL. */
export interface CompiledRule {
  /** The guardrail rule id (see `GUARDRAIL_RULES`). */
  readonly rule: string;
  /** Whether the rule is one of the Pod Security rules, which namespaces with a recorded exception are not bound to. */
  readonly podSecurity: boolean;
  readonly validations: readonly AdmissionValidation[];
}

/** A rule id left to synth and preview, and why it has no admission policy. */
export interface UnsupportedRule {
  readonly rule: string;
  readonly reason: string;
}

/**
 * The pod spec of every matched kind: a Pod's own, a CronJob's job template's, a workload template's otherwise.
 * Kubernetes validates the object's schema before validating admission, so the templates are present.
 */
export const POD_SPEC_VARIABLE =
  "object.kind == 'Pod' ? object.spec : object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec";

/** Containers and init containers (one element type); ephemeral containers, of another type, apart. */
export const CONTAINERS_VARIABLE =
  '(has(variables.podSpec.containers) ? variables.podSpec.containers : []) + (has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : [])';
export const EPHEMERAL_CONTAINERS_VARIABLE =
  'has(variables.podSpec.ephemeralContainers) ? variables.podSpec.ephemeralContainers : []';

/** `has(a.b) && has(a.b.c) && ...` for the dotted field under `root`: true when the whole path is set. */
export function present(root: string, field: string): string {
  const parts = field.split('.');
  return parts.map((_, i) => `has(${[root, ...parts.slice(0, i + 1)].join('.')})`).join(' && ');
}

/** `value in [...]` as a CEL list of string literals. */
function list(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}

/** The check holds for every container of every kind (`c` is the container). */
function everyContainer(check: string): string {
  return `variables.containers.all(c, ${check}) && variables.ephemeralContainers.all(c, ${check})`;
}

const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const SAFE_SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
];
/**
 * Every volume source of the Kubernetes Volume type outside restricted's eight (configMap, csi, downwardAPI,
 * emptyDir, ephemeral, persistentVolumeClaim, projected, secret). A typed object cannot list its own keys in
 * CEL, so the sources are named; the API server prunes or refuses fields its schema does not know.
 */
export const RESTRICTED_VOLUME_SOURCES: readonly string[] = [
  'awsElasticBlockStore',
  'azureDisk',
  'azureFile',
  'cephfs',
  'cinder',
  'fc',
  'flexVolume',
  'flocker',
  'gcePersistentDisk',
  'gitRepo',
  'glusterfs',
  'hostPath',
  'image',
  'iscsi',
  'nfs',
  'photonPersistentDisk',
  'portworxVolume',
  'quobyte',
  'rbd',
  'scaleIO',
  'storageos',
  'vsphereVolume',
];

const P = 'variables.podSpec';
const PSC = `${P}.securityContext`;

function seLinux(root: string, where: string): AdmissionValidation[] {
  const at = `${root}.seLinuxOptions`;
  return [
    {
      expression: `!(${present(root, 'seLinuxOptions.type')}) || ${at}.type in ${list(SELINUX_TYPES)}`,
      message: `${where} SELinux type is not container_t, container_init_t or container_kvm_t`,
    },
    ...(['user', 'role'] as const).map((key) => ({
      expression: `!(${present(root, `seLinuxOptions.${key}`)}) || ${at}.${key} == ''`,
      message: `${where} SELinux ${key} is set`,
    })),
  ];
}

/** `pss-restricted`: every baseline and restricted check, as the TypeScript rule applies them. */
function podSecurityValidations(): AdmissionValidation[] {
  const pod: AdmissionValidation[] = [
    ...(['hostNetwork', 'hostPID', 'hostIPC'] as const).map((ns) => ({
      expression: `!(has(${P}.${ns}) && ${P}.${ns} == true)`,
      message: `${ns} is true: the pod shares the node's namespace`,
    })),
    {
      expression: `!(${present(P, 'securityContext.windowsOptions.hostProcess')} && ${PSC}.windowsOptions.hostProcess == true)`,
      message: 'host process containers are privileged',
    },
    {
      expression: `!(${present(P, 'securityContext.runAsNonRoot')} && ${PSC}.runAsNonRoot == false)`,
      message: 'runAsNonRoot is false',
    },
    {
      expression: `!(${present(P, 'securityContext.runAsUser')} && ${PSC}.runAsUser == 0)`,
      message: 'runAsUser is 0 (root)',
    },
    {
      expression: `!(${present(P, 'securityContext.seccompProfile.type')}) || ${PSC}.seccompProfile.type in ${list(SECCOMP_TYPES)}`,
      message: "the pod's seccomp profile is not RuntimeDefault or Localhost",
    },
    {
      expression: `!(${present(P, 'securityContext.sysctls')}) || ${PSC}.sysctls.all(s, has(s.name) && s.name in ${list(SAFE_SYSCTLS)})`,
      message: 'a sysctl is not in the safe set',
    },
    {
      expression: `!has(${P}.volumes) || ${P}.volumes.all(v, ${RESTRICTED_VOLUME_SOURCES.map((s) => `!has(v.${s})`).join(' && ')})`,
      message:
        'a volume is not configMap, secret, emptyDir, projected, downwardAPI, csi, ephemeral or persistentVolumeClaim',
    },
  ];
  const podSeLinux = seLinux(PSC, "the pod's").map((v) => ({
    expression: `!has(${PSC}) || ${v.expression}`,
    message: v.message,
  }));
  const sc = 'c.securityContext';
  const container = (check: string, message: string): AdmissionValidation => ({
    expression: everyContainer(check),
    message,
  });
  const containers: AdmissionValidation[] = [
    container(
      `!(${present('c', 'securityContext.privileged')} && ${sc}.privileged == true)`,
      'a container is privileged',
    ),
    container(
      `!(${present('c', 'securityContext.windowsOptions.hostProcess')} && ${sc}.windowsOptions.hostProcess == true)`,
      'a container is a host process',
    ),
    container(
      `${present('c', 'securityContext.allowPrivilegeEscalation')} && ${sc}.allowPrivilegeEscalation == false`,
      'a container does not set allowPrivilegeEscalation: false',
    ),
    container(
      `${present('c', 'securityContext.runAsNonRoot')} ? ${sc}.runAsNonRoot == true : (${present(P, 'securityContext.runAsNonRoot')} && ${PSC}.runAsNonRoot == true)`,
      'a container may run as root',
    ),
    container(`!(${present('c', 'securityContext.runAsUser')} && ${sc}.runAsUser == 0)`, 'a container runs as UID 0'),
    container(
      `${present('c', 'securityContext.seccompProfile.type')} ? ${sc}.seccompProfile.type in ${list(SECCOMP_TYPES)} : (${present(P, 'securityContext.seccompProfile.type')})`,
      'a container has no seccomp profile RuntimeDefault or Localhost, on itself or on the pod',
    ),
    container(
      `${present('c', 'securityContext.capabilities.drop')} && 'ALL' in ${sc}.capabilities.drop`,
      'a container does not drop ALL capabilities',
    ),
    container(
      `!(${present('c', 'securityContext.capabilities.add')}) || ${sc}.capabilities.add.all(a, a == 'NET_BIND_SERVICE')`,
      'a container adds a capability other than NET_BIND_SERVICE',
    ),
    container(
      `!(${present('c', 'securityContext.procMount')}) || ${sc}.procMount == 'Default'`,
      'a container has a procMount other than Default',
    ),
    ...seLinux(sc, "a container's").map((v) => container(`!has(${sc}) || ${v.expression}`, v.message)),
    container('!has(c.ports) || c.ports.all(p, !has(p.hostPort) || p.hostPort == 0)', 'a container binds a host port'),
  ];
  return [...pod, ...podSeLinux, ...containers];
}

/** A digest follows the first `@`. */
const DIGEST = "c.image.matches('@.')";
/** The part before the first `@` ends in `:<tag>` after its last `/` (a colon before it is a registry port). */
const TAGGED = "c.image.matches('^[^@]*:[^:/@]+(@.*)?$')";
const LATEST = "c.image.matches('^[^@]*:latest(@.*)?$')";

/**
 * The rules compiled to CEL. `allowedRegistries` (as in GuardrailOptions) compiles `image-registry`,
 * which checks nothing without it.
 */
export function compiledRules(allowedRegistries?: readonly string[]): CompiledRule[] {
  const rules: CompiledRule[] = [
    { rule: 'pss-restricted', podSecurity: true, validations: podSecurityValidations() },
    {
      rule: 'image-tag',
      podSecurity: false,
      validations: [
        {
          expression: everyContainer(`has(c.image) && (${DIGEST} || (${TAGGED} && !${LATEST}))`),
          message: "a container's image is not pinned (no tag, or tag 'latest')",
        },
      ],
    },
    {
      rule: 'image-digest',
      podSecurity: false,
      validations: [
        {
          expression: everyContainer(`!has(c.image) || ${DIGEST} || !${TAGGED} || ${LATEST}`),
          message: "a container's image is pinned by tag only; tags can move",
        },
      ],
    },
    {
      rule: 'resources',
      podSecurity: false,
      validations: [
        {
          // Init and ephemeral containers are not held to it, as in the TypeScript rule.
          expression: `!has(${P}.containers) || ${P}.containers.all(c, ${['requests', 'limits']
            .flatMap((kind) => ['cpu', 'memory'].map((r) => present('c', `resources.${kind}.${r}`)))
            .join(' && ')})`,
          message: 'a container has no cpu or memory requests or limits',
        },
      ],
    },
    {
      rule: 'probes',
      podSecurity: false,
      validations: [
        {
          expression: `object.kind in ['Job', 'CronJob'] || !has(${P}.containers) || ${P}.containers.all(c, has(c.readinessProbe) && has(c.livenessProbe))`,
          message: 'a long-running container has no readinessProbe or livenessProbe',
        },
      ],
    },
    {
      rule: 'read-only-root-filesystem',
      podSecurity: false,
      validations: [
        {
          expression: everyContainer(
            `${present('c', 'securityContext.readOnlyRootFilesystem')} && c.securityContext.readOnlyRootFilesystem == true`,
          ),
          message: 'a container can write to its root filesystem',
        },
      ],
    },
  ];
  if (allowedRegistries) {
    const prefixes = allowedRegistries.map((r) => `'${r.replace(/\/+$/, '')}/'`);
    rules.push({
      rule: 'image-registry',
      podSecurity: false,
      validations: [
        {
          expression: everyContainer(
            `${prefixes.length ? `(${prefixes.map((p) => `(has(c.image) && c.image.startsWith(${p}))`).join(' || ')})` : 'false'}`,
          ),
          message: `a container's image is not from an allowed registry (${allowedRegistries.join(', ')})`,
        },
      ],
    });
  }
  return rules.map((r) => ({
    ...r,
    validations: r.validations.map((v) => ({ ...v, message: `${r.rule}: ${v.message}` })),
  }));
}

/** Every guardrail rule id that has no admission policy, with the reason. */
export const ADMISSION_UNSUPPORTED: readonly UnsupportedRule[] = [
  {
    rule: 'high-availability',
    reason:
      'cross-object: replicas count only with the HorizontalPodAutoscaler and PodDisruptionBudget that select the workload, which an admission request does not carry',
  },
  {
    rule: 'network-policy',
    reason: 'cross-object: coverage depends on the NetworkPolicies of the namespace, not on the admitted object',
  },
  {
    rule: 'no-plaintext-secrets',
    reason:
      'scans Secrets, ConfigMaps and env values for secret material with heuristics beyond core CEL; left to synth and preview in this slice',
  },
  {
    rule: 'rbac-least-privilege',
    reason:
      "checks RBAC objects (and recognises Switchyard's deployer bindings by shape), not pod specs; left to synth and preview in this slice",
  },
  ...['route-tls', 'route-hsts', 'route-timeouts', 'route-wildcard-hosts', 'route-approximations'].map((rule) => ({
    rule,
    reason: 'a routing rule: it reads the typed routing policies, which exist only at synth, not Kubernetes objects',
  })),
];
