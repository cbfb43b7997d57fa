/**
 * The AWS Load Balancer Controller's annotation formats, for the oracle: the JSON of
 * `actions.<name>`, `conditions.<name>` and `transforms.<name>` parsed and validated as
 * kubernetes-sigs/aws-load-balancer-controller pkg/ingress/config_types.go does (Go's encoding/json:
 * field names match case-insensitively). Fields the controller would silently ignore throw here.
 * Pure: no engine imports.
 */
export const ALB = 'alb.ingress.kubernetes.io/';

/** One ALB rule condition (elbv2 RuleCondition); glob `values` or `regexValues`. */
export interface AlbCondition {
  readonly field: 'host-header' | 'path-pattern' | 'http-header' | 'http-request-method' | 'query-string' | 'source-ip';
  readonly values?: readonly string[];
  readonly regexValues?: readonly string[];
  readonly headerName?: string;
  readonly query?: readonly { readonly key?: string; readonly value: string }[];
}

/** A target group of a forward action: the Service port, the weight, and the Ingress that builds it. */
export interface AlbTargetGroup {
  readonly namespace: string;
  readonly service: string;
  readonly port: number;
  readonly weight?: number;
  /** svc annotations over Ingress annotations (model_build_target_group.go buildTargetGroupSpec). */
  readonly annotations: Readonly<Record<string, string>>;
}

export type AlbAction =
  | { readonly type: 'fixed-response'; readonly statusCode: string }
  | {
      readonly type: 'redirect';
      readonly host?: string;
      readonly path?: string;
      readonly port?: string;
      readonly protocol?: string;
      readonly query?: string;
      readonly statusCode: string;
    }
  | { readonly type: 'forward'; readonly targetGroups: readonly AlbTargetGroup[]; readonly groupStickiness?: number };

export interface AlbRewrite {
  readonly type: 'url-rewrite' | 'host-header-rewrite';
  readonly rewrites: readonly { readonly regex: string; readonly replace: string }[];
}

export interface AlbRule {
  readonly conditions: readonly AlbCondition[];
  readonly action: AlbAction;
  readonly transforms: readonly AlbRewrite[];
  /** 'namespace/name' of the Ingress, for messages. */
  readonly owner: string;
}

export interface AlbListener {
  readonly port: number;
  readonly protocol: 'HTTP' | 'HTTPS';
  /** Rules in priority order (priority 1 first), after the optimizer. */
  readonly rules: readonly AlbRule[];
  readonly defaultAction: AlbAction;
}

const fail = (message: string): never => {
  throw new Error(`oracle aws-alb: ${message}`);
};

/** Annotations the builder reads; any other alb.ingress.kubernetes.io/ key is not modelled and throws. */
/** Per-backend service name annotation. */
export type AnnotationsFor = (service: string) => Record<string, string>;

/** Go's encoding/json matches struct fields case-insensitively; unknown fields are ignored there, refused here. */
function fields(value: unknown, allowed: readonly string[], where: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return fail(`${where}: expected a JSON object`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const name = allowed.find((a) => a.toLowerCase() === k.toLowerCase());
    if (!name) fail(`${where}: field '${k}' is not modelled`);
    out[name!] = v;
  }
  return out;
}

function strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return fail(`${where}: expected strings`);
  return value as string[];
}

export function json(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(`${where}: not JSON`);
  }
}

/** config_types.go RuleCondition (+ Validate): exactly one of values and regexValues where both exist. */
export function parseCondition(raw: unknown, where: string): AlbCondition {
  const c = fields(
    raw,
    [
      'field',
      'hostHeaderConfig',
      'httpHeaderConfig',
      'httpRequestMethodConfig',
      'pathPatternConfig',
      'queryStringConfig',
      'sourceIPConfig',
    ],
    where,
  );
  const valuesOrRegex = (cfg: unknown, at: string, extra: string[] = []) => {
    const f = fields(cfg, ['values', 'regexValues', ...extra], at);
    const values = f.values === undefined ? [] : strings(f.values, `${at}.values`);
    const regexValues = f.regexValues === undefined ? [] : strings(f.regexValues, `${at}.regexValues`);
    if ((values.length === 0) === (regexValues.length === 0)) fail(`${at}: precisely one of values and regexValues`);
    return { f, values, regexValues };
  };
  switch (c.field) {
    case 'host-header': {
      const { values, regexValues } = valuesOrRegex(c.hostHeaderConfig, `${where}.hostHeaderConfig`);
      return { field: 'host-header', values, regexValues };
    }
    case 'path-pattern': {
      const { values, regexValues } = valuesOrRegex(c.pathPatternConfig, `${where}.pathPatternConfig`);
      return { field: 'path-pattern', values, regexValues };
    }
    case 'http-header': {
      const { f, values, regexValues } = valuesOrRegex(c.httpHeaderConfig, `${where}.httpHeaderConfig`, [
        'httpHeaderName',
      ]);
      if (typeof f.httpHeaderName !== 'string' || f.httpHeaderName === '') fail(`${where}: httpHeaderName`);
      return { field: 'http-header', headerName: f.httpHeaderName as string, values, regexValues };
    }
    case 'http-request-method': {
      const f = fields(c.httpRequestMethodConfig, ['values'], `${where}.httpRequestMethodConfig`);
      const values = strings(f.values, `${where}.httpRequestMethodConfig.values`);
      if (values.length === 0) fail(`${where}: method values cannot be empty`);
      return { field: 'http-request-method', values };
    }
    case 'query-string': {
      const f = fields(c.queryStringConfig, ['values'], `${where}.queryStringConfig`);
      if (!Array.isArray(f.values) || f.values.length === 0) return fail(`${where}: query values cannot be empty`);
      const query = f.values.map((pair, i) => {
        const p = fields(pair, ['key', 'value'], `${where}.queryStringConfig.values[${i}]`);
        if (typeof p.value !== 'string' || p.value === '') fail(`${where}: query value cannot be empty`);
        if (p.key !== undefined && typeof p.key !== 'string') fail(`${where}: query key`);
        return { ...(p.key !== undefined ? { key: p.key as string } : {}), value: p.value as string };
      });
      return { field: 'query-string', query };
    }
    case 'source-ip': {
      const f = fields(c.sourceIPConfig, ['values'], `${where}.sourceIPConfig`);
      const values = strings(f.values, `${where}.sourceIPConfig.values`);
      if (values.length === 0) fail(`${where}: source-ip values cannot be empty`);
      return { field: 'source-ip', values };
    }
    default:
      return fail(`${where}: condition field ${JSON.stringify(c.field)} is not modelled`);
  }
}

/** config_types.go Action (+ validate), enhanced_backend_builder.go normalizeServicePortForBackwardsCompatibility. */
export function parseAction(raw: unknown, where: string, namespace: string, ann: AnnotationsFor): AlbAction {
  const a = fields(
    raw,
    ['type', 'targetGroupARN', 'targetGroupName', 'fixedResponseConfig', 'redirectConfig', 'forwardConfig'],
    where,
  );
  if (a.targetGroupARN != null || a.targetGroupName != null)
    fail(`${where}: target groups outside Kubernetes are not modelled`);
  switch (a.type) {
    case 'fixed-response': {
      const f = fields(
        a.fixedResponseConfig,
        ['contentType', 'messageBody', 'statusCode'],
        `${where}.fixedResponseConfig`,
      );
      if (typeof f.statusCode !== 'string' || f.statusCode === '') fail(`${where}: statusCode is required`);
      return { type: 'fixed-response', statusCode: f.statusCode as string };
    }
    case 'redirect': {
      const r = fields(
        a.redirectConfig,
        ['host', 'path', 'port', 'protocol', 'query', 'statusCode'],
        `${where}.redirectConfig`,
      );
      if (typeof r.statusCode !== 'string' || r.statusCode === '') fail(`${where}: statusCode is required`);
      for (const k of ['host', 'path', 'port', 'protocol', 'query'] as const)
        if (r[k] !== undefined && typeof r[k] !== 'string') fail(`${where}.redirectConfig.${k}: expected a string`);
      return { type: 'redirect', ...(r as Record<string, string>), statusCode: r.statusCode as string };
    }
    case 'forward': {
      const f = fields(a.forwardConfig, ['targetGroups', 'targetGroupStickinessConfig'], `${where}.forwardConfig`);
      if (!Array.isArray(f.targetGroups)) return fail(`${where}: forwardConfig.targetGroups`);
      const groups = f.targetGroups.map((tg, i) => {
        const t = fields(
          tg,
          ['serviceName', 'servicePort', 'weight', 'targetGroupARN', 'targetGroupName'],
          `${where}.targetGroups[${i}]`,
        );
        if (t.targetGroupARN != null || t.targetGroupName != null)
          fail(`${where}: target groups by ARN or name are not modelled`);
        if (typeof t.serviceName !== 'string') return fail(`${where}.targetGroups[${i}]: missing serviceName`);
        const port =
          typeof t.servicePort === 'string' && /^[0-9]+$/.test(t.servicePort) ? Number(t.servicePort) : t.servicePort;
        if (typeof port !== 'number')
          return fail(`${where}.targetGroups[${i}]: service ports by name are not modelled`);
        if (
          t.weight !== undefined &&
          (typeof t.weight !== 'number' || !Number.isInteger(t.weight) || t.weight < 0 || t.weight > 999)
        )
          fail(`${where}.targetGroups[${i}].weight: ALB weights are integers 0-999`);
        return {
          namespace,
          service: t.serviceName,
          port,
          ...(t.weight !== undefined ? { weight: t.weight as number } : {}),
          annotations: ann(t.serviceName),
        };
      });
      if (groups.length > 1 && groups.some((g) => g.weight === undefined))
        fail(`${where}: weight must be set for several target groups`);
      let groupStickiness: number | undefined;
      if (f.targetGroupStickinessConfig !== undefined) {
        const s = fields(
          f.targetGroupStickinessConfig,
          ['enabled', 'durationSeconds'],
          `${where}.targetGroupStickinessConfig`,
        );
        if (s.enabled === true) groupStickiness = typeof s.durationSeconds === 'number' ? s.durationSeconds : 3600;
      }
      return { type: 'forward', targetGroups: groups, ...(groupStickiness !== undefined ? { groupStickiness } : {}) };
    }
    default:
      return fail(`${where}: action type ${JSON.stringify(a.type)} is not modelled`);
  }
}

export function parseTransforms(raw: unknown, where: string): AlbRewrite[] {
  if (!Array.isArray(raw)) return fail(`${where}: expected a list`);
  return raw.map((t, i) => {
    const f = fields(t, ['type', 'hostHeaderRewriteConfig', 'urlRewriteConfig'], `${where}[${i}]`);
    const cfg =
      f.type === 'url-rewrite'
        ? f.urlRewriteConfig
        : f.type === 'host-header-rewrite'
          ? f.hostHeaderRewriteConfig
          : fail(`${where}[${i}]: unknown transform type`);
    const c = fields(cfg, ['rewrites'], `${where}[${i}]`);
    if (!Array.isArray(c.rewrites) || c.rewrites.length === 0) return fail(`${where}[${i}]: rewrites cannot be empty`);
    const rewrites = c.rewrites.map((r, j) => {
      const x = fields(r, ['regex', 'replace'], `${where}[${i}].rewrites[${j}]`);
      if (typeof x.regex !== 'string' || typeof x.replace !== 'string')
        return fail(`${where}: regex and replace are strings`);
      return { regex: x.regex, replace: x.replace };
    });
    return { type: f.type as AlbRewrite['type'], rewrites };
  });
}
