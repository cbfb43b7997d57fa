/**
 * External Secrets Operator references, as pure data: an ExternalSecret names where each key lives in the
 * secret manager (AWS Secrets Manager, Google Secret Manager, Azure Key Vault, Vault ...) and the operator
 * writes the Kubernetes Secret in the cluster. Manifests carry the reference, never the value.
 */
import { assertProps } from '../core/strict';
import { assertDnsLabel, InvalidPropertyError, show } from '../core/validate';
import type { KubeObject } from '../routing';
import { EXTERNAL_SECRET_PROPS_SPEC } from './schema';

/** Where one key of the Secret comes from. */
export interface RemoteSecretKey {
  /** Key (name or path) of the secret in the store. */
  readonly remoteKey: string;
  /** Property within a JSON secret. @default - the whole value */
  readonly property?: string;
}

/** Properties of {@link externalSecret}. */
export interface ExternalSecretProps {
  /** Name of the ExternalSecret and of the Secret it creates (what `secretEnv` references). */
  readonly name: string;
  readonly namespace: string;
  /** The store to read from. */
  readonly store: { readonly name: string; readonly kind?: 'SecretStore' | 'ClusterSecretStore' };
  /** Secret keys and where each comes from. */
  readonly data: Readonly<Record<string, RemoteSecretKey>>;
  /** How often the operator re-reads the store. @default '1h' */
  readonly refreshInterval?: string;
}

/** An `external-secrets.io/v1` ExternalSecret owning the Secret it creates. */
export function externalSecret(props: ExternalSecretProps): KubeObject {
  assertProps(props, EXTERNAL_SECRET_PROPS_SPEC);
  assertDnsLabel('name', props.name);
  assertDnsLabel('namespace', props.namespace);
  assertDnsLabel('store.name', props.store?.name);
  const refresh = props.refreshInterval ?? '1h';
  if (!/^\d+(s|m|h)$/.test(refresh)) {
    throw new InvalidPropertyError(
      'refreshInterval',
      `'refreshInterval' (${show(refresh)}) must be a duration like 15m or 1h`,
    );
  }
  const entries = Object.entries(props.data ?? {});
  if (entries.length === 0) throw new InvalidPropertyError('data', `'data' is empty: name at least one key`);
  for (const [key, ref] of entries) {
    if (!/^[-._a-zA-Z0-9]+$/.test(key))
      throw new InvalidPropertyError(`data.${key}`, `'data' key ${show(key)} is not a valid Secret key`);
    if (typeof ref?.remoteKey !== 'string' || !ref.remoteKey.trim()) {
      throw new InvalidPropertyError(
        `data.${key}.remoteKey`,
        `'data.${key}.remoteKey' must name the secret in the store`,
      );
    }
  }
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: {
      name: props.name,
      namespace: props.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'switchyard' },
    },
    spec: {
      secretStoreRef: { name: props.store.name, kind: props.store.kind ?? 'ClusterSecretStore' },
      refreshInterval: refresh,
      target: { name: props.name, creationPolicy: 'Owner' },
      data: entries.map(([secretKey, ref]) => ({
        secretKey,
        remoteRef: { key: ref.remoteKey, ...(ref.property ? { property: ref.property } : {}) },
      })),
    },
  };
}
