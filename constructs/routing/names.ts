/** Stable, valid Kubernetes names for generated objects. Pure: no engine imports. */
import type { KubeObject } from './types';

/** 32-bit FNV-1a of a string, as 8 hex characters: stable across runs and platforms. */
export function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * Joins parts into a DNS-1123 label of at most `max` characters (63 by default). Names that fit are
 * kept as they are; longer ones are cut and end in a hash of the full name, so they stay unique and stable.
 */
export function objectName(parts: readonly string[], max = 63): string {
  const full = parts
    .filter((p) => p.length > 0)
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  if (full.length <= max) return full || shortHash('');
  const hash = shortHash(full);
  return `${full.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}

/** The identity of an object in a cluster: API group (not version), kind, namespace, name. */
export function objectIdentity(object: KubeObject): string {
  const slash = object.apiVersion.lastIndexOf('/');
  const group = slash < 0 ? 'core' : object.apiVersion.slice(0, slash);
  return `${group}/${object.kind}/${object.metadata.namespace ?? '-'}/${object.metadata.name}`;
}
