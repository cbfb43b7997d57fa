import { Construct } from 'constructs';
import { compileRoutes } from '../routing/compile';
import type { CompileTarget, KubeObject, RoutingPolicy } from '../routing/types';
import { addKubeObjects } from './kube-objects';

/** Properties of {@link Routes}. */
export interface RoutesProps {
  /** The routing policies, checked together (conflicts are found across all of them). */
  readonly policies: readonly RoutingPolicy[];
  /** The dialect, and for Gateway API the Gateway, to compile to. */
  readonly target: CompileTarget;
}

/**
 * Compiles routing policies for a controller and adds the resulting objects to the chart. Bad input,
 * conflicts and features the dialect cannot express throw at construction, naming the field.
 */
export class Routes extends Construct {
  /** What the dialect only approximates, or sets controller-wide. */
  public readonly warnings: readonly string[];
  /** The compiled objects, as plain JSON (what `ApiObject`s were created from). */
  public readonly objects: readonly KubeObject[];

  public constructor(scope: Construct, id: string, props: RoutesProps) {
    super(scope, id);
    const result = compileRoutes(props.policies, props.target);
    this.objects = result.objects;
    this.warnings = result.warnings;
    addKubeObjects(this, result.objects);
  }
}
