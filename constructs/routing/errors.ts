import type { Dialect, RouteConflict } from './types';

/** Base of every routing error: `path` names the field, e.g. 'shop.rules[1].backends[0].weight'. */
export class RoutingError extends Error {
  public constructor(
    public readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: the message names the field, shows the value and says how to fix it. */
export class InvalidRoutingPolicyError extends RoutingError {}

/** The dialect cannot express a feature the policy uses. */
export class UnsupportedFeatureError extends RoutingError {
  public constructor(
    path: string,
    public readonly feature: string,
    public readonly dialect: Dialect,
    public readonly supportedBy: readonly Dialect[],
    detail?: string,
  ) {
    const alternatives = supportedBy.length > 0 ? supportedBy.join(', ') : 'no dialect';
    super(
      path,
      `${path}: ${dialect} cannot express '${feature}'${detail ? ` (${detail})` : ''}. ` +
        `Dialects that can: ${alternatives}. Remove the feature or compile for one of them.`,
    );
  }
}

/** Rules across policies claim the same traffic; nothing is compiled. */
export class RouteConflictError extends RoutingError {
  public constructor(public readonly conflicts: readonly RouteConflict[]) {
    const lines = conflicts.map((c) => `  ${c.host} ${c.match}: ${c.rules.join(' and ')}`);
    super(
      conflicts[0]?.rules[0] ?? '',
      `${conflicts.length} routing conflict(s): these rules claim the same traffic, so the controller would pick ` +
        `one arbitrarily. Give each a distinct host, path or header match, or merge them:\n${lines.join('\n')}`,
    );
  }
}

/**
 * The dialect only approximates a feature, or sets it controller-wide, and the policy did not accept
 * that: the message says what the controller does instead and how to opt in.
 */
export class ApproximationError extends UnsupportedFeatureError {
  public constructor(
    path: string,
    feature: string,
    dialect: Dialect,
    supportedBy: readonly Dialect[],
    public readonly support: 'approximate' | 'global-only',
    public readonly policy: string,
    detail: string,
  ) {
    super(path, feature, dialect, supportedBy, detail);
    this.message =
      `${path}: ${dialect} ${support === 'global-only' ? 'sets' : 'only approximates'} '${feature}'` +
      `${support === 'global-only' ? ' controller-wide' : ''}: ${detail}. Accept it with ` +
      `${policy}.acceptApproximations: ['${feature}'], remove the feature, or compile for a dialect that ` +
      `expresses it exactly: ${supportedBy.length > 0 ? supportedBy.join(', ') : 'none'}.`;
  }
}
