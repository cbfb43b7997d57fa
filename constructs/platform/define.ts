/**
 * `definePlatform`: the environments checked once at the boundary, and how a stack's settings apply to
 * them. Pure: both engines, the pipeline and the CLI read the result.
 */
import { resolveClusterTraits } from '../cluster/traits';
import { arr, assertProps, bool, type Fields, json, oneOf, opaque, opt, rec, req, str, tagged } from '../core/strict';
import { checkDnsLabel, firstDuplicate, InvalidPropertyError, show, within } from '../core/validate';
import type { Environment, PlatformDefinition, StackSettings } from './model';
import { BUILT_IN_STACK_KEYS, STACK_NAMESPACE } from './stack-settings';

/** A checked platform: its environments in promotion order and how stacks configure them. */
export interface Platform {
  readonly environments: readonly Environment[];
  readonly definition: PlatformDefinition;
  /** The environment `name` as defined. @throws InvalidPropertyError listing the environments */
  environment(name: string): Environment;
  /** The environment `name` with a stack's settings applied (built-in keys, then `configure`). */
  configured(name: string, settings: StackSettings, file?: string): Environment;
}

const plain = json;
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const APP = (kind: string): Fields => ({
  kind: req(oneOf(kind)),
  name: req(str(checkDnsLabel)),
  props: req(plain),
});
const ENVIRONMENT_SPEC = {
  kind: 'object',
  fields: {
    name: req(str(checkDnsLabel)),
    namespace: req(str(checkDnsLabel)),
    cluster: req({
      kind: 'object',
      // Created clusters' args may hold Pulumi inputs (a secret key): their components check them.
      fields: { traits: req(plain), create: opt(opaque('must be an object with a kind', isObject)) },
    }),
    controller: opt(plain),
    addons: opt(plain),
    apps: opt(
      arr(
        tagged('kind', {
          web: { kind: 'object', fields: APP('web') },
          stateful: { kind: 'object', fields: APP('stateful') },
          'scheduled-job': { kind: 'object', fields: APP('scheduled-job') },
        }),
      ),
    ),
    routing: opt(arr(plain)),
    secrets: opt(arr(plain)),
    objects: opt(arr(plain)),
    networkPolicies: opt(bool),
    observability: opt(plain),
    guardrails: opt(plain),
    pipeline: opt(opaque('must be the pipeline settings (an object) or false', (v) => v === false || isObject(v))),
  },
} as const;
const isFunction = (v: unknown) => typeof v === 'function';
const DEFINITION_SPEC = {
  kind: 'object',
  fields: {
    environments: req(arr(ENVIRONMENT_SPEC)),
    settings: opt(
      rec(
        tagged('type', {
          integer: {
            kind: 'object',
            fields: {
              type: req(str()),
              min: req({ kind: 'number' }),
              max: req({ kind: 'number' }),
              description: opt(str()),
            },
          },
          string: { kind: 'object', fields: { type: req(str()), pattern: opt(str()), description: opt(str()) } },
          'dns-subdomain': { kind: 'object', fields: { type: req(str()), description: opt(str()) } },
          boolean: { kind: 'object', fields: { type: req(str()), description: opt(str()) } },
          list: { kind: 'object', fields: { type: req(str()), description: opt(str()) } },
        }),
      ),
    ),
    configure: opt(opaque('must be a function (environment, settings) => environment', isFunction)),
    failOn: opt({
      kind: 'union',
      of: [oneOf('danger', 'warning', 'info'), bool],
      problem: "must be 'danger', 'warning', 'info' or false",
    }),
    pipeline: opt(plain),
  },
} as const;

const BARE_METAL_KEYS = ['servers', 'agents', 'apiAddress', 'sshUser', 'hostKeys', 'k3sInstallerSha256'] as const;
const EKS_KEYS = ['apiAllowedCidrs'] as const;

/** The built-in keys that apply to a cluster kind ('existing' when nothing is created). */
function keysFor(kind: string): readonly string[] {
  return kind === 'bare-metal' ? BARE_METAL_KEYS : kind === 'eks' ? EKS_KEYS : [];
}

/** The environment with the built-in settings applied to the cluster it creates. */
function withBuiltInSettings(env: Environment, settings: StackSettings, file: string): Environment {
  const create = env.cluster.create;
  const kind = create?.kind ?? 'existing';
  for (const key of [...BARE_METAL_KEYS, ...EKS_KEYS]) {
    if (settings[key] !== undefined && !keysFor(kind).includes(key)) {
      const takes = keysFor(kind).map((k) => `${STACK_NAMESPACE}:${k}`);
      throw new InvalidPropertyError(
        `${STACK_NAMESPACE}:${key}`,
        `${file}: ${STACK_NAMESPACE}:${key} does not apply: ${env.name} runs on ${kind}` +
          (takes.length ? `, which takes ${takes.join(', ')}` : `, which takes only ${STACK_NAMESPACE}:kubeContext`),
      );
    }
  }
  if (create?.kind === 'bare-metal') {
    const { servers, agents, apiAddress, sshUser, hostKeys, k3sInstallerSha256 } = settings;
    const overrides = { servers, agents, apiAddress, sshUser, hostKeys, k3sInstallerSha256 };
    const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
    return { ...env, cluster: { ...env.cluster, create: { ...create, ...defined } } };
  }
  if (create?.kind === 'eks' && settings.apiAllowedCidrs) {
    const endpoint = { private: true, ...create.endpoint, publicCidrs: settings.apiAllowedCidrs };
    return { ...env, cluster: { ...env.cluster, create: { ...create, endpoint } } };
  }
  return env;
}

/**
 * Checks a platform's definition: every environment's shape (unknown keys refused, naming the path), unique
 * environment names, cluster traits, and custom stack keys that do not shadow the built-in ones. The apps'
 * and add-ons' own props are checked by their constructs when an environment is built, with the path.
 * @throws InvalidPropertyError naming the field
 */
export function definePlatform(definition: PlatformDefinition): Platform {
  assertProps(definition, DEFINITION_SPEC as never, 'definition');
  const environments = definition.environments;
  if (environments.length === 0) {
    throw new InvalidPropertyError('environments', "'environments' is empty: define at least one environment");
  }
  const duplicate = firstDuplicate(environments.map((e) => e.name));
  if (duplicate !== undefined) {
    throw new InvalidPropertyError(
      'environments',
      `'environments' defines ${show(duplicate)} twice: names are stack names, so unique`,
    );
  }
  for (const [i, env] of environments.entries()) {
    within(
      `environments[${i}].cluster.traits`,
      () => resolveClusterTraits(env.cluster.traits),
      `environments[${i}] (${env.name}).cluster.traits`,
    );
    const create = env.cluster.create;
    if (create && env.cluster.traits.kind !== create.kind) {
      throw new InvalidPropertyError(
        `environments[${i}].cluster.create.kind`,
        `environments[${i}] (${env.name}): cluster.create.kind (${show(create.kind)}) must match cluster.traits.kind (${show(env.cluster.traits.kind)})`,
      );
    }
    const apps = firstDuplicate((env.apps ?? []).map((a) => a.name));
    if (apps !== undefined) {
      throw new InvalidPropertyError(
        `environments[${i}].apps`,
        `environments[${i}] (${env.name}) defines app ${show(apps)} twice`,
      );
    }
  }
  for (const key of Object.keys(definition.settings ?? {})) {
    if ((BUILT_IN_STACK_KEYS as readonly string[]).includes(key) || !/^[a-zA-Z][a-zA-Z0-9]*$/.test(key)) {
      throw new InvalidPropertyError(
        `settings.${key}`,
        `settings.${key}: a custom stack key must be a camelCase word not among the built-in ones (${BUILT_IN_STACK_KEYS.join(', ')})`,
      );
    }
  }
  if (Object.keys(definition.settings ?? {}).length > 0 && !definition.configure) {
    throw new InvalidPropertyError(
      'configure',
      "'settings' declares stack keys but there is no 'configure' to apply them",
    );
  }
  const environment = (name: string): Environment => {
    const found = environments.find((e) => e.name === name);
    if (!found) {
      throw new InvalidPropertyError(
        'stack',
        `Unknown stack ${show(name)}: the platform defines the environments ${environments.map((e) => e.name).join(', ')}. ` +
          `Select one with 'pulumi stack select <name>', or add the environment to the platform first.`,
      );
    }
    return found;
  };
  return {
    environments,
    definition,
    environment,
    configured(name, settings, file = `Pulumi.${name}.yaml`) {
      const env = withBuiltInSettings(environment(name), settings, file);
      return definition.configure ? definition.configure(env, settings) : env;
    },
  };
}
