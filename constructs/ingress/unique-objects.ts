/**
 * One environment emits each object once: two sources (charts, constructs, catalog entries, policies)
 * emitting the same API group, kind, namespace and name would overwrite each other at apply time, so
 * that is an error naming both sources. Pure.
 */
import { InvalidPropertyError } from '../core/validate';
import { objectIdentity } from '../routing/names';
import type { KubeObject } from '../routing/types';

export { objectIdentity };

import { assertList, OBJECT_SOURCES_SPEC } from './schema';

/** Objects and who emitted them (a chart, a construct path, a catalog entry). */
export interface ObjectSource {
  readonly source: string;
  readonly objects: readonly KubeObject[];
}

/** Two sources emit the same object. */
export class DuplicateObjectError extends InvalidPropertyError {
  public constructor(
    /** `group/kind/namespace/name` of the object (`core` for the core group, `-` for cluster scope). */
    public readonly object: string,
    public readonly sources: readonly [string, string],
  ) {
    super(
      'objects',
      `${object} is emitted twice: by ${sources[0]} and by ${sources[1]}; rename one or drop it, since the later would overwrite the earlier at apply time`,
    );
    this.name = 'DuplicateObjectError';
  }
}

/** Throws {@link DuplicateObjectError} at the first object two sources (or one source twice) emit. */
export function assertUniqueObjects(sources: readonly ObjectSource[]): void {
  assertList(OBJECT_SOURCES_SPEC, sources, 'sources');
  const seen = new Map<string, string>();
  for (const { source, objects } of sources) {
    for (const object of objects) {
      const id = objectIdentity(object);
      const first = seen.get(id);
      if (first !== undefined) throw new DuplicateObjectError(id, [first, source]);
      seen.set(id, source);
    }
  }
}
