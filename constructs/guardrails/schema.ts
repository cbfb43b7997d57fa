import { HTTP_PROXY, httpProxyRules } from './models/contour';
import {
  ALERTMANAGER_CONFIG,
  alertmanagerConfigRules,
  PROMETHEUS_RULE,
  prometheusRuleRules,
} from './models/monitoring';
import { ROUTE, routeRules } from './models/openshift';
import {
  CLUSTER_IMAGE_POLICY,
  CLUSTER_SECRET_STORE,
  EXTERNAL_SECRET,
  POD_MONITOR,
  SERVICE_MONITOR,
} from './models/operators';
import { validateStructural } from './models/structural';

/**
 * Schema checks for Kubernetes objects: every object is validated against the OpenAPI schema of its
 * kind (Kubernetes 1.27 from `kubernetes-models` 4.3.0, CRDs from `@kubernetes-models/*`). An object whose
 * kind has no registered schema is a finding, never a silent pass.
 */

/** Anything with `apiVersion` and `kind`; the shape of every manifest. */
export interface ManifestLike {
  readonly apiVersion?: unknown;
  readonly kind?: unknown;
  readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
}

/** Returns the schema errors of one object (empty when it is valid). */
export type SchemaValidator = (object: unknown) => readonly string[];

/** One schema problem, naming the object and what is wrong. */
export interface SchemaFinding {
  /** `apiVersion/kind`, e.g. `apps/v1/Deployment`. */
  readonly type: string;
  /** `namespace/name` or `name`. */
  readonly object: string;
  readonly message: string;
}

/** Where the models of a CRD API group live. */
const CRD_PACKAGES: Readonly<Record<string, string>> = {
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
  'gateway.networking.x-k8s.io': '@kubernetes-models/gateway-api',
  'cert-manager.io': '@kubernetes-models/cert-manager',
  'acme.cert-manager.io': '@kubernetes-models/cert-manager',
  'traefik.io': '@kubernetes-models/traefik',
  'helm.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'source.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'kustomize.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'notification.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
  'image.toolkit.fluxcd.io': '@kubernetes-models/flux-cd',
};

/**
 * The built-in kinds' models: kubernetes-models 4.3.0 (Kubernetes 1.27) under an npm alias, so the CRD
 * packages share one kubernetes-models 5.x instead of nesting a copy each (70 MB of an install).
 */
const BUILTIN_MODELS = 'kubernetes-models-1.27';

/** Kubernetes' built-in API groups (1.27), served by {@link BUILTIN_MODELS}. */
const BUILTIN_GROUPS = new Set([
  '',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'apps',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'networking.k8s.io',
  'node.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'scheduling.k8s.io',
  'storage.k8s.io',
]);

interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: unknown): { validate(): void };
}

function isModelClass(value: unknown): value is ModelClass {
  if (typeof value !== 'function') return false;
  const candidate = value as unknown as Record<string, unknown>;
  return (
    typeof candidate.apiVersion === 'string' &&
    typeof candidate.kind === 'string' &&
    typeof (value as { prototype?: { validate?: unknown } }).prototype?.validate === 'function'
  );
}

/** Turns a model's ValidationError into one message per problem. */
function errorsOf(error: unknown): string[] {
  const details = (error as { errors?: { instancePath?: string; message?: string }[] }).errors;
  if (Array.isArray(details) && details.length > 0) {
    return details.map((d) => `${d.instancePath || '/'} ${d.message ?? 'is invalid'}`);
  }
  return [error instanceof Error ? error.message : String(error)];
}

function validatorFor(model: ModelClass): SchemaValidator {
  return (object) => {
    try {
      new model(object).validate();
      return [];
    } catch (error) {
      return errorsOf(error);
    }
  };
}

/** Splits `group/version` (or the core `v1`) into its parts. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function describe(object: ManifestLike): SchemaFinding['object'] {
  const name = typeof object.metadata?.name === 'string' ? object.metadata.name : '<unnamed>';
  const namespace = typeof object.metadata?.namespace === 'string' ? object.metadata.namespace : undefined;
  return namespace ? `${namespace}/${name}` : name;
}

/**
 * Validators by `apiVersion` and `kind`. Built-in and CRD models load lazily, one API group-version at a
 * time, so checking a handful of objects stays fast. Tests and users register validators for other kinds.
 */
export class SchemaRegistry {
  private readonly validators = new Map<string, SchemaValidator>();
  private readonly loaded = new Set<string>();

  public constructor() {
    // CRDs without published models: typed models written from their API references.
    this.register('projectcontour.io/v1', 'HTTPProxy', (o) => [
      ...validateStructural(HTTP_PROXY, o),
      ...httpProxyRules(o),
    ]);
    this.register('route.openshift.io/v1', 'Route', (o) => [...validateStructural(ROUTE, o), ...routeRules(o)]);
    this.register('monitoring.coreos.com/v1', 'ServiceMonitor', (o) => validateStructural(SERVICE_MONITOR, o));
    this.register('monitoring.coreos.com/v1', 'PodMonitor', (o) => validateStructural(POD_MONITOR, o));
    this.register('monitoring.coreos.com/v1', 'PrometheusRule', (o) => [
      ...validateStructural(PROMETHEUS_RULE, o),
      ...prometheusRuleRules(o),
    ]);
    this.register('monitoring.coreos.com/v1alpha1', 'AlertmanagerConfig', (o) => [
      ...validateStructural(ALERTMANAGER_CONFIG, o),
      ...alertmanagerConfigRules(o),
    ]);
    this.register('external-secrets.io/v1', 'ExternalSecret', (o) => validateStructural(EXTERNAL_SECRET, o));
    this.register('external-secrets.io/v1', 'ClusterSecretStore', (o) => validateStructural(CLUSTER_SECRET_STORE, o));
    this.register('policy.sigstore.dev/v1beta1', 'ClusterImagePolicy', (o) =>
      validateStructural(CLUSTER_IMAGE_POLICY, o),
    );
  }

  /** Adds (or replaces) the validator of one kind. */
  public register(apiVersion: string, kind: string, validator: SchemaValidator): void {
    this.validators.set(`${apiVersion}/${kind}`, validator);
  }

  /** Whether a validator is known for the kind, loading its API group-version if needed. */
  public async has(apiVersion: string, kind: string): Promise<boolean> {
    await this.load(apiVersion);
    return this.validators.has(`${apiVersion}/${kind}`);
  }

  /** Validates every object; returns one finding per problem (empty when all are valid). */
  public async validate(objects: readonly unknown[]): Promise<SchemaFinding[]> {
    const findings: SchemaFinding[] = [];
    for (const raw of objects) {
      const object = (raw ?? {}) as ManifestLike;
      if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
        findings.push({ type: '<unknown>', object: describe(object), message: 'has no apiVersion or kind' });
        continue;
      }
      const type = `${object.apiVersion}/${object.kind}`;
      if (!(await this.has(object.apiVersion, object.kind))) {
        findings.push({
          type,
          object: describe(object),
          message: `no schema is registered for ${type}: register a validator for it or use a known kind`,
        });
        continue;
      }
      const validator = this.validators.get(type)!;
      for (const message of validator(raw)) findings.push({ type, object: describe(object), message });
    }
    return findings;
  }

  private async load(apiVersion: string): Promise<void> {
    if (this.loaded.has(apiVersion)) return;
    this.loaded.add(apiVersion);
    const { group, version } = parseApiVersion(apiVersion);
    const specifier = BUILTIN_GROUPS.has(group)
      ? `${BUILTIN_MODELS}/${group === '' ? '' : `${group}/`}${version}`
      : CRD_PACKAGES[group] && `${CRD_PACKAGES[group]}/${group}/${version}`;
    if (!specifier) return;
    let module: Record<string, unknown>;
    try {
      module = (await import(specifier)) as Record<string, unknown>;
    } catch {
      return; // an API version the models do not ship: its kinds stay unknown and are reported
    }
    for (const exported of Object.values(module)) {
      if (isModelClass(exported) && exported.apiVersion === apiVersion) {
        this.register(exported.apiVersion, exported.kind, validatorFor(exported));
      }
    }
  }
}

/** Formats findings as one line each, for error messages and reports. */
export function formatSchemaFindings(findings: readonly SchemaFinding[]): string {
  return findings.map((f) => `${f.type} ${f.object}: ${f.message}`).join('\n');
}
