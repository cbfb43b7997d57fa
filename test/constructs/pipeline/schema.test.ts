/** Property tests (fast-check) of the strict pipeline props: every position, every key, arbitrary values. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidPropertyError, show } from '../../../constructs/core/validate';
import type { PipelineProps } from '../../../constructs/pipeline/model';
import { validatePipelineProps } from '../../../constructs/pipeline/validate';
import { generateWorkflows } from '../../../constructs/pipeline/workflows';
import {
  addKeyAt,
  exoticValue,
  FUZZ_RUNS,
  get,
  misspell,
  objectPositions,
  positions,
  renameAt,
  replaceAt,
  type Step,
  typeOf,
} from '../fuzz/mutate';

const GCP_POOL = 'projects/1/locations/global/workloadIdentityPools/gh/providers/gh';

/** Valid props that use every key of the contract (but the backend's other variant, in RICH_CLOUD). */
const RICH: PipelineProps = {
  environments: [
    {
      name: 'dev',
      stack: 'acme/switchyard/dev',
      credentials: { provider: 'kubeconfig', secret: 'DEV_KUBECONFIG' },
      readOnly: { provider: 'kubeconfig', secret: 'DEV_VIEW_KUBECONFIG' },
      stateCredentials: {
        deploy: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/dev-state', region: 'eu-west-1' },
        readOnly: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/read', region: 'eu-west-1' },
      },
      smokeTestUrl: 'https://dev.example.com/',
    },
    {
      name: 'staging',
      credentials: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/staging', region: 'eu-west-1' },
      readOnly: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/read', region: 'eu-west-1' },
    },
    {
      name: 'gke',
      credentials: {
        provider: 'gcp',
        workloadIdentityProvider: GCP_POOL,
        serviceAccount: 'd@p.iam.gserviceaccount.com',
      },
      readOnly: { provider: 'gcp', workloadIdentityProvider: GCP_POOL, serviceAccount: 'r@p.iam.gserviceaccount.com' },
      stateCredentials: {
        deploy: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/gke-state', region: 'eu-west-1' },
        readOnly: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/read', region: 'eu-west-1' },
      },
    },
    {
      name: 'aks',
      credentials: { provider: 'azure', clientId: 'deploy-client', tenantId: 'tenant', subscriptionId: 'sub' },
      readOnly: { provider: 'azure', clientId: 'reader-client', tenantId: 'tenant', subscriptionId: 'sub' },
      stateCredentials: {
        deploy: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/aks-state', region: 'eu-west-1' },
        readOnly: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/read', region: 'eu-west-1' },
      },
    },
  ],
  stateBackend: {
    kind: 'self-managed',
    url: 's3://state?region=eu-west-1',
    secretsProvider: 'passphrase',
    passphraseSecret: 'STATE_PASSPHRASE',
  },
  signatures: {
    certificateIdentityRegexp: '^https://github\\.com/acme/',
    certificateOidcIssuer: 'https://issuer.example',
  },
  branch: 'main',
  nodeVersion: '20',
  failOnSeverities: 'CRITICAL,HIGH',
  driftSchedule: '0 5 * * 1-5',
  kubernetesVersion: '1.32',
  kindNodeImage: 'kindest/node:v1.32.5',
  fluxVersion: 'v2.4.0',
  endToEndEnvironment: 'dev',
  policyPack: 'stacks/policy-pack',
};

/** The same on Pulumi Cloud, whose backend has its own keys (and needs no state credentials). */
const RICH_CLOUD: PipelineProps = {
  ...RICH,
  environments: RICH.environments.map(({ stateCredentials: _, ...env }) => env),
  stateBackend: { kind: 'pulumi-cloud', accessTokenSecret: 'DEPLOY_TOKEN', readOnlyAccessTokenSecret: 'READ_TOKEN' },
};

const SAMPLES = [RICH, RICH_CLOUD];
const POSITIONS = SAMPLES.flatMap((props) => positions(props).map((path) => [props, path] as const));
const OBJECTS = SAMPLES.flatMap((props) => objectPositions(props).map((path) => [props, path] as const));

/** Every thrown error is a typed one, never a TypeError or RangeError. */
function typedOnly(run: () => unknown): InvalidPropertyError | undefined {
  try {
    run();
    return undefined;
  } catch (e) {
    if (!(e instanceof InvalidPropertyError)) throw e;
    return e;
  }
}

const pathText = (path: readonly Step[]) =>
  path.reduce<string>(
    (text, step) => (typeof step === 'number' ? `${text}[${step}]` : text ? `${text}.${step}` : step),
    '',
  );

describe('strict pipeline props (property tests)', () => {
  it('the rich props are valid and generate workflows', () => {
    for (const props of SAMPLES) expect(generateWorkflows(props)).toHaveLength(3);
  });

  it('arbitrary JSON and exotic values crash nothing and are refused', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), exoticValue, fc.array(fc.jsonValue())), (value) => {
        const error = typedOnly(() => generateWorkflows(value as PipelineProps));
        expect(error).toBeInstanceOf(InvalidPropertyError);
        typedOnly(() => validatePipelineProps({ ...RICH, environments: [value] } as unknown as PipelineProps));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('a value of another type at any position is refused with a typed error naming that position or a parent', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...POSITIONS),
        fc.oneof(exoticValue, fc.jsonValue()),
        ([props, path], replacement) => {
          const original = get(props, path);
          const mutated = replaceAt(props, path, replacement);
          const error = typedOnly(() => generateWorkflows(mutated));
          if (typeOf(replacement) !== typeOf(original) || typeof replacement === 'symbol') {
            expect(error, `${pathText(path)} = ${show(replacement)} accepted`).toBeInstanceOf(InvalidPropertyError);
            expect(pathText(path).startsWith(error!.property) || error!.property.startsWith(pathText(path))).toBe(true);
          }
        },
      ),
      { numRuns: FUZZ_RUNS * 4 },
    );
  });

  it('an unknown or misspelled key at any object is refused, with the nearest key suggested', () => {
    fc.assert(
      fc.property(fc.constantFrom(...OBJECTS), fc.nat(), fc.nat(), fc.jsonValue(), ([props, path], at, how, item) => {
        const object = get(props, path) as Record<string, unknown>;
        const keys = Object.keys(object);
        const key = keys[at % keys.length]!;
        const typo = misspell(key, at, how);
        if (!keys.includes(typo)) {
          const error = typedOnly(() => generateWorkflows(renameAt(props, path, key, typo)));
          expect(error).toBeInstanceOf(InvalidPropertyError);
          // A misspelled tag key (`provder`) is an unknown key with the suggestion too, like any other.
          expect(error?.message).toBe(`\`${pathText([...path, typo])}\`: unknown; did you mean \`${key}\`?`);
        }
        const added = typedOnly(() => generateWorkflows(addKeyAt(props, path, 'zzUnknownKey', item)));
        expect(added?.property).toBe(pathText([...path, 'zzUnknownKey']));
        expect(added?.message).toMatch(/`[^`]*zzUnknownKey`: unknown/);
      }),
      { numRuns: FUZZ_RUNS * 2 },
    );
  });

  it('the review findings are refused: string booleans, numeric strings, null, holes, BigInt', () => {
    const env0 = RICH.environments[0]!;
    const cases: [unknown, string][] = [
      [{ ...RICH, nodeVersion: 20 }, 'nodeVersion'],
      [{ ...RICH, branch: null }, 'branch'],
      // biome-ignore lint/suspicious/noSparseArray: the hole is the point
      [{ ...RICH, environments: [env0, , RICH.environments[1]] }, 'environments[1]'],
      [{ ...RICH, environments: [{ ...env0, smokeTestUrl: 1n }] }, 'environments[0].smokeTestUrl'],
      [{ ...RICH, stateBackend: { ...RICH.stateBackend, secretsProvider: 'true' } }, 'stateBackend.secretsProvider'],
      [
        { ...RICH, environments: [{ ...env0, credentials: Object.create({ provider: 'aws' }) }] },
        'environments[0].credentials',
      ],
      [null, 'props'],
    ];
    for (const [props, property] of cases) {
      const error = typedOnly(() => generateWorkflows(props as PipelineProps));
      expect(error?.property, property).toBe(property);
    }
  });
});
