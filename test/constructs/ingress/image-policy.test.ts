import { describe, expect, it } from 'vitest';
import { resolveClusterTraits } from '../../../constructs/cluster/traits';
import { SchemaRegistry } from '../../../constructs/guardrails/schema';
import { CHARTS } from '../../../constructs/ingress/charts';
import {
  GITHUB_ACTIONS_ISSUER,
  IMAGE_POLICY_LABEL,
  imagePolicyController,
  signedImagesPolicy,
} from '../../../constructs/ingress/image-policy';
import { expectInvalid } from '../../helpers/errors';

const EKS = resolveClusterTraits({ kind: 'eks', zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] });
const SIGNER = { certificateIdentityRegexp: '^https://github\\.com/acme/' };

describe('imagePolicyController', () => {
  it('installs the pinned policy-controller, failing closed, highly available and hardened', () => {
    const release = imagePolicyController(EKS);
    expect(release).toMatchObject({
      name: 'policy-controller',
      namespace: 'cosign-system',
      chart: CHARTS.policyController,
    });
    const webhook = (release.values as any).webhook;
    expect(webhook).toMatchObject({
      replicaCount: 2,
      failurePolicy: 'Fail',
      podDisruptionBudget: { enabled: true, minAvailable: 1 },
      configData: { 'no-match-policy': 'deny' },
      namespaceSelector: { matchExpressions: [{ key: IMAGE_POLICY_LABEL, operator: 'In', values: ['true'] }] },
    });
    // The chart's container context is webhook.podSecurityContext, its pod context webhook.securityContext.
    expect(webhook.podSecurityContext).toMatchObject({
      enabled: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(webhook.securityContext).toMatchObject({ enabled: true, runAsNonRoot: true });
    expect(webhook.topologySpreadConstraints.length).toBeGreaterThan(0);
    expect((release.values as any).serviceMonitor).toEqual({ enabled: false });
  });

  it('runs one replica without a budget when asked, and merges raw values last', () => {
    const release = imagePolicyController(
      { ...EKS, prometheusOperator: true },
      { highAvailability: false, namespace: 'sigstore', values: { webhook: { replicaCount: 3 } } },
    );
    expect(release.namespace).toBe('sigstore');
    expect((release.values as any).webhook.replicaCount).toBe(3);
    expect((release.values as any).webhook.podDisruptionBudget.enabled).toBe(false);
    expect((release.values as any).serviceMonitor).toEqual({ enabled: true });
  });

  it('refuses bad options naming the field', () => {
    expectInvalid(() => imagePolicyController(EKS, { namespace: 'Cosign' }), 'imagePolicy.namespace', /Cosign/);
    expectInvalid(() => imagePolicyController(EKS, { replicas: 2 } as never), 'imagePolicy.replicas', /replicas/);
  });
});

describe('signedImagesPolicy', () => {
  it("admits only images signed keyless by the pipeline's identity, through Fulcio and Rekor", async () => {
    const policy = signedImagesPolicy({ signatures: SIGNER });
    expect(policy.spec).toEqual({
      images: [{ glob: '**' }],
      authorities: [
        {
          name: 'pipeline',
          keyless: {
            url: 'https://fulcio.sigstore.dev',
            identities: [{ issuer: GITHUB_ACTIONS_ISSUER, subjectRegExp: SIGNER.certificateIdentityRegexp }],
          },
          ctlog: { url: 'https://rekor.sigstore.dev' },
        },
      ],
      mode: 'enforce',
    });
    expect(await new SchemaRegistry().validate([policy])).toEqual([]);
  });

  it('warns instead of refusing in audit mode, with the issuer, images and name given', async () => {
    const policy = signedImagesPolicy({
      signatures: { ...SIGNER, certificateOidcIssuer: 'https://gitlab.example.com' },
      mode: 'warn',
      images: ['ghcr.io/acme/**'],
      name: 'acme-images',
    });
    expect(policy.metadata.name).toBe('acme-images');
    expect((policy.spec as any).mode).toBe('warn');
    expect((policy.spec as any).images).toEqual([{ glob: 'ghcr.io/acme/**' }]);
    expect((policy.spec as any).authorities[0].keyless.identities[0].issuer).toBe('https://gitlab.example.com');
    expect(await new SchemaRegistry().validate([policy])).toEqual([]);
  });

  it('refuses a bad signer, mode, glob or URL naming the field', () => {
    expectInvalid(
      () => signedImagesPolicy({ signatures: { certificateIdentityRegexp: '(' } }),
      'imagePolicy.signatures.certificateIdentityRegexp',
      /regular expression/,
    );
    expectInvalid(
      () => signedImagesPolicy({ signatures: SIGNER, mode: 'audit' as never }),
      'imagePolicy.mode',
      /audit/,
    );
    expectInvalid(() => signedImagesPolicy({ signatures: SIGNER, images: [] }), 'imagePolicy.images', /empty/);
    expectInvalid(
      () => signedImagesPolicy({ signatures: SIGNER, images: ['ghcr.io/a b'] }),
      'imagePolicy.images[0]',
      /glob/,
    );
    expectInvalid(
      () => signedImagesPolicy({ signatures: SIGNER, rekorUrl: 'http://rekor' }),
      'imagePolicy.rekorUrl',
      /https/,
    );
  });

  it('the schema model refuses unknown fields and a bad mode', async () => {
    const policy = signedImagesPolicy({ signatures: SIGNER });
    const bad = { ...policy, spec: { ...(policy.spec as object), mode: 'audit', extra: true } };
    const messages = (await new SchemaRegistry().validate([bad])).map((f) => f.message);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringMatching(/\/spec\/mode/), expect.stringMatching(/\/spec\/extra/)]),
    );
  });
});
