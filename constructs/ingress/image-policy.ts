/**
 * Signed images only, in the cluster: the Sigstore policy-controller as an add-on, and the
 * ClusterImagePolicy that admits only images signed (keyless, through Fulcio and Rekor) by the identity
 * the pipeline's image gate checks (`PipelineProps.signatures`): one setting, two enforcement points.
 *
 * Why policy-controller over Kyverno's verifyImages: it does one thing, image signatures and
 * attestations, with cosign's own verification code, so `cosign verify --certificate-identity-regexp`
 * in CI and the admission webhook agree by construction; Kyverno is a general policy engine whose
 * image verification is one rule type among many, a second policy language beside the admission policies.
 *
 * The webhook acts only in namespaces labelled `policy.sigstore.dev/include: "true"` (the chart's
 * namespace selector): Switchyard labels the apps' namespaces. The add-ons' namespaces are the
 * documented exception: their images are the charts' own, pinned by the charts (by digest where the
 * chart pins one), not signed by the platform's signer. Pure.
 */
import type { ResolvedClusterTraits } from '../cluster/traits';
import { arr, assertProps, bool, json, oneOf, opt, req, shapeOf, str } from '../core/strict';
import { assertDnsLabel, checkDnsLabel, InvalidPropertyError, show } from '../core/validate';
import type { SignaturePolicy } from '../pipeline/model';
import { SIGNATURE_POLICY_SPEC } from '../pipeline/schema';
import type { KubeObject } from '../routing/types';
import { CHARTS } from './charts';
import { topologySpread } from './exposure';
import { deepMerge, type ReleaseSpec, validateRelease } from './release';
import { assertResolvedTraits } from './schema';

/** The label that puts a namespace under the image policy (the chart's default namespace selector). */
export const IMAGE_POLICY_LABEL = 'policy.sigstore.dev/include';

/** GitHub Actions' OIDC issuer: the pipeline signs there unless it says otherwise. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** What admission does with an image that fails the policy. */
export type ImagePolicyMode = 'enforce' | 'warn';

/** Options of {@link imagePolicyController}. */
export interface ImagePolicyControllerOptions {
  /** @default 'cosign-system' */
  readonly namespace?: string;
  /** Two webhook replicas with a disruption budget, spread over nodes. @default true */
  readonly highAvailability?: boolean;
  /** Raw chart values, deep-merged last. @default {} */
  readonly values?: Readonly<Record<string, unknown>>;
}

const CONTROLLER_OPTIONS = shapeOf<ImagePolicyControllerOptions>()({
  namespace: opt(str(checkDnsLabel)),
  highAvailability: opt(bool),
  values: opt(json),
});

const HARDENED = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/**
 * The policy-controller release. Its webhook fails closed (`failurePolicy: Fail`): an image that cannot
 * be verified because the webhook is down is not admitted either, hence two replicas by default.
 * Chart value paths: sigstore/helm-charts charts/policy-controller/values.yaml (the chart calls the
 * container's security context `webhook.podSecurityContext` and the pod's `webhook.securityContext`).
 */
export function imagePolicyController(
  cluster: ResolvedClusterTraits,
  options: ImagePolicyControllerOptions = {},
): ReleaseSpec {
  assertResolvedTraits(cluster);
  assertProps(options, CONTROLLER_OPTIONS, 'imagePolicy', 'imagePolicy');
  const namespace = options.namespace ?? 'cosign-system';
  assertDnsLabel('imagePolicy.namespace', namespace);
  const ha = options.highAvailability ?? true;
  return validateRelease({
    name: 'policy-controller',
    namespace,
    chart: CHARTS.policyController,
    values: deepMerge(
      {
        installCRDs: true,
        webhook: {
          replicaCount: ha ? 2 : 1,
          failurePolicy: 'Fail',
          podDisruptionBudget: { enabled: ha, minAvailable: 1 },
          topologySpreadConstraints: topologySpread(cluster, { 'app.kubernetes.io/name': 'policy-controller' }),
          podSecurityContext: { enabled: true, ...HARDENED },
          securityContext: {
            enabled: true,
            runAsNonRoot: true,
            runAsUser: 65532,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          namespaceSelector: {
            matchExpressions: [{ key: IMAGE_POLICY_LABEL, operator: 'In', values: ['true'] }],
          },
          // An image no policy matches is refused, not waved through.
          configData: { 'no-match-policy': 'deny' },
        },
        leasescleanup: { podSecurityContext: { enabled: true, ...HARDENED } },
        serviceMonitor: { enabled: cluster.prometheusOperator },
      },
      options.values,
    ),
    timeoutSeconds: 600,
  });
}

/** Options of {@link signedImagesPolicy}. */
export interface SignedImagesPolicyOptions {
  /** The pipeline's signer: the same identity `cosign verify` checks in CI. */
  readonly signatures: SignaturePolicy;
  /** 'enforce' refuses an unsigned image, 'warn' admits it with a warning (audit, e.g. in dev). @default 'enforce' */
  readonly mode?: ImagePolicyMode;
  /** Image globs the policy covers. @default ['**'] (every image of the included namespaces) */
  readonly images?: readonly string[];
  /** @default 'switchyard-signed-images' */
  readonly name?: string;
  /** Fulcio, the keyless CA. @default 'https://fulcio.sigstore.dev' */
  readonly fulcioUrl?: string;
  /** Rekor, the transparency log. @default 'https://rekor.sigstore.dev' */
  readonly rekorUrl?: string;
}

const https = (v: unknown) =>
  typeof v === 'string' && /^https:\/\/[^\s'"`{}]+$/.test(v) ? undefined : 'must be an https:// URL';

const POLICY_OPTIONS = shapeOf<SignedImagesPolicyOptions>()({
  signatures: req(SIGNATURE_POLICY_SPEC),
  mode: opt(oneOf('enforce', 'warn')),
  images: opt(arr(str())),
  name: opt(str(checkDnsLabel)),
  fulcioUrl: opt(str(https)),
  rekorUrl: opt(str(https)),
});

/** The ClusterImagePolicy admitting only images signed by the pipeline's identity. */
export function signedImagesPolicy(options: SignedImagesPolicyOptions): KubeObject {
  assertProps(options, POLICY_OPTIONS, 'imagePolicy', 'imagePolicy');
  const images = options.images ?? ['**'];
  if (images.length === 0)
    throw new InvalidPropertyError('imagePolicy.images', `'imagePolicy.images' is empty: list at least one glob`);
  for (const [i, glob] of images.entries())
    if (glob.trim() === '' || /\s/.test(glob))
      throw new InvalidPropertyError(
        `imagePolicy.images[${i}]`,
        `'imagePolicy.images[${i}]' (${show(glob)}) must be an image glob like 'ghcr.io/acme/**'`,
      );
  return {
    apiVersion: 'policy.sigstore.dev/v1beta1',
    kind: 'ClusterImagePolicy',
    metadata: {
      name: options.name ?? 'switchyard-signed-images',
      labels: { 'app.kubernetes.io/managed-by': 'switchyard' },
    },
    spec: {
      images: images.map((glob) => ({ glob })),
      authorities: [
        {
          name: 'pipeline',
          keyless: {
            url: options.fulcioUrl ?? 'https://fulcio.sigstore.dev',
            identities: [
              {
                issuer: options.signatures.certificateOidcIssuer ?? GITHUB_ACTIONS_ISSUER,
                subjectRegExp: options.signatures.certificateIdentityRegexp,
              },
            ],
          },
          ctlog: { url: options.rekorUrl ?? 'https://rekor.sigstore.dev' },
        },
      ],
      mode: options.mode ?? 'enforce',
    },
  };
}
