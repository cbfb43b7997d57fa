/**
 * sloAlertRouting: where the SLO burn-rate alerts of sloRules go, as a plain monitoring.coreos.com/v1alpha1
 * AlertmanagerConfig: every alert carrying `switchyard_slo`, grouped per route objective, to one receiver
 * named in the environment, pages repeated more often than tickets. Receivers take Secret references only:
 * no URL, token or key is ever written into the object. Pure: no engine imports, no I/O.
 *
 * The Prometheus Operator adds a `namespace="<the AlertmanagerConfig's namespace>"` matcher to the route it
 * generates from this object (Alertmanager's alertmanagerConfigMatcherStrategy, OnNamespace by default):
 * give sloRules the same namespace as `alertNamespace` (or as its own `namespace`) so its alerts carry it.
 */
import { assertProps, type Check, opt, req, shapeOf, str, union } from '../core/strict';
import { checkDnsLabel, checkDnsSubdomain } from '../core/validate';
import type { AlertSeverity } from './burn-rates';
import { ROUTE_LABELS } from './slo-names';

/** A key of a Secret in the AlertmanagerConfig's namespace. */
export interface SecretKeyRef {
  /** The Secret's name. */
  readonly name: string;
  /** The key in the Secret's data. */
  readonly key: string;
}

/** A generic webhook; its URL (which may carry a token) is read from a Secret. */
export interface WebhookReceiver {
  /** Receiver name, a DNS-1123 label. */
  readonly name: string;
  readonly webhook: { /** The Secret key holding the URL. */ readonly urlSecret: SecretKeyRef };
}

/** A Slack channel, through an incoming webhook whose URL is read from a Secret. */
export interface SlackReceiver {
  /** Receiver name, a DNS-1123 label. */
  readonly name: string;
  readonly slack: {
    /** The Secret key holding the incoming webhook URL. */
    readonly apiUrlSecret: SecretKeyRef;
    /** The channel ('#alerts') or user ('@oncall'). */
    readonly channel: string;
  };
}

/** A PagerDuty service (Events API v2), its integration routing key read from a Secret. */
export interface PagerDutyReceiver {
  /** Receiver name, a DNS-1123 label. */
  readonly name: string;
  readonly pagerduty: { /** The Secret key holding the routing key. */ readonly routingKeySecret: SecretKeyRef };
}

/** Where the SLO alerts are sent. */
export type SloReceiver = WebhookReceiver | SlackReceiver | PagerDutyReceiver;
/** The same as {@link SloReceiver}. */
export type SloAlertReceiver = SloReceiver;

/** Options of sloAlertRouting. */
export interface SloAlertRoutingOptions {
  /** Namespace of the AlertmanagerConfig, and of the Secrets the receiver names. */
  readonly namespace: string;
  /** The receiver of every SLO alert. */
  readonly receiver: SloReceiver;
  /**
   * Name of the AlertmanagerConfig object.
   * @default 'switchyard-slo-alerts'
   */
  readonly name?: string;
  /**
   * How often a page still firing is sent again (an Alertmanager duration).
   * @default '1h'
   */
  readonly pageRepeatInterval?: string;
  /**
   * How often a ticket still firing is sent again (an Alertmanager duration).
   * @default '1d'
   */
  readonly ticketRepeatInterval?: string;
}

/** A matcher of an AlertmanagerConfig route. */
export interface AlertMatcher {
  readonly name: string;
  /**
   * Left out for '=', the CRD's default: a bare `=` in YAML is the "value" type of YAML 1.1, which such
   * parsers refuse or misread.
   * @default '='
   */
  readonly matchType?: '!=' | '=~' | '!~';
  readonly value: string;
}

/** A route of an AlertmanagerConfig. */
export interface AlertRoute {
  /** The receiver of the alerts this route takes. @default - the parent route's */
  readonly receiver?: string;
  /** Every matcher must match an alert's labels for the route to take it. */
  readonly matchers: readonly AlertMatcher[];
  /** Labels that split alerts into notification groups. @default - the parent route's */
  readonly groupBy?: readonly string[];
  /** How long a new group waits for more alerts before its first notification. @default - the parent route's */
  readonly groupWait?: string;
  /** How long a group waits before notifying about alerts added to it. @default - the parent route's */
  readonly groupInterval?: string;
  /** How long before a notification still firing is sent again. @default - the parent route's */
  readonly repeatInterval?: string;
  /** Child routes, tried in order; the first that matches takes the alert. @default - none */
  readonly routes?: readonly AlertRoute[];
}

/** A plain monitoring.coreos.com/v1alpha1 AlertmanagerConfig. */
export interface AlertmanagerConfigObject {
  readonly apiVersion: 'monitoring.coreos.com/v1alpha1';
  readonly kind: 'AlertmanagerConfig';
  readonly metadata: {
    readonly name: string;
    readonly namespace: string;
    readonly labels: Readonly<Record<string, string>>;
  };
  readonly spec: { readonly route: AlertRoute; readonly receivers: readonly Readonly<Record<string, unknown>>[] };
}

/** The values of `switchyard_slo` the route matches. */
export const SLO_KINDS = ['availability', 'latency'] as const;

/** The labels alerts are grouped by: one notification group per route objective. */
export const SLO_GROUP_BY: readonly string[] = [
  ROUTE_LABELS.namespace,
  ROUTE_LABELS.policy,
  ROUTE_LABELS.rule,
  ROUTE_LABELS.slo,
];

const ALERTMANAGER_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;

const checkInterval: Check = (v) =>
  typeof v === 'string' && v !== '' && ALERTMANAGER_DURATION.test(v) && /[1-9]/.test(v)
    ? undefined
    : "must be a non-zero Alertmanager duration: units y, w, d, h, m, s, ms, largest first (e.g. '1h', '1d', '4h30m')";

const checkSecretKey: Check = (v) =>
  typeof v === 'string' && /^[-._a-zA-Z0-9]{1,253}$/.test(v)
    ? undefined
    : "must be a Secret data key: letters, digits, '-', '_' and '.' (e.g. 'url')";

const checkChannel: Check = (v) =>
  typeof v === 'string' && /^[#@]?[a-zA-Z0-9][a-zA-Z0-9._-]{0,79}$/.test(v)
    ? undefined
    : "must be a Slack channel or user: '#alerts', '@oncall' or a channel ID";

const SECRET = shapeOf<SecretKeyRef>()({ name: req(str(checkDnsSubdomain)), key: req(str(checkSecretKey)) });

const RECEIVER = union(
  'must be a receiver: { name, webhook: { urlSecret } }, { name, slack: { apiUrlSecret, channel } } or { name, pagerduty: { routingKeySecret } }',
  shapeOf<WebhookReceiver>()({
    name: req(str(checkDnsLabel)),
    webhook: req(shapeOf<WebhookReceiver['webhook']>()({ urlSecret: req(SECRET) })),
  }),
  shapeOf<SlackReceiver>()({
    name: req(str(checkDnsLabel)),
    slack: req(shapeOf<SlackReceiver['slack']>()({ apiUrlSecret: req(SECRET), channel: req(str(checkChannel)) })),
  }),
  shapeOf<PagerDutyReceiver>()({
    name: req(str(checkDnsLabel)),
    pagerduty: req(shapeOf<PagerDutyReceiver['pagerduty']>()({ routingKeySecret: req(SECRET) })),
  }),
);

const OPTIONS = shapeOf<SloAlertRoutingOptions>()({
  namespace: req(str(checkDnsLabel)),
  receiver: req(RECEIVER),
  name: opt(str(checkDnsSubdomain)),
  pageRepeatInterval: opt(str(checkInterval)),
  ticketRepeatInterval: opt(str(checkInterval)),
});

const secretRef = (s: SecretKeyRef) => ({ name: s.name, key: s.key });

/** The Alertmanager receiver of `receiver`: Secret references only. */
function receiverSpec(receiver: SloReceiver): Record<string, unknown> {
  if ('webhook' in receiver)
    return {
      name: receiver.name,
      webhookConfigs: [{ urlSecret: secretRef(receiver.webhook.urlSecret), sendResolved: true }],
    };
  if ('slack' in receiver)
    return {
      name: receiver.name,
      slackConfigs: [
        {
          apiURL: secretRef(receiver.slack.apiUrlSecret),
          channel: receiver.slack.channel,
          sendResolved: true,
          title: '{{ .CommonAnnotations.summary }}',
          text: '{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}',
        },
      ],
    };
  return {
    name: receiver.name,
    pagerdutyConfigs: [{ routingKey: secretRef(receiver.pagerduty.routingKeySecret), sendResolved: true }],
  };
}

const severityRoute = (severity: AlertSeverity, repeatInterval: string): AlertRoute => ({
  matchers: [{ name: 'severity', value: severity }],
  repeatInterval,
});

/**
 * An AlertmanagerConfig in `options.namespace` routing every SLO alert of sloRules (label `switchyard_slo`)
 * to `options.receiver`, grouped by route objective, pages repeated every `pageRepeatInterval` and tickets
 * every `ticketRepeatInterval`. Throws InvalidPropertyError naming the field for bad options.
 */
export function sloAlertRouting(options: SloAlertRoutingOptions): AlertmanagerConfigObject {
  assertProps(options, OPTIONS, 'options');
  return {
    apiVersion: 'monitoring.coreos.com/v1alpha1',
    kind: 'AlertmanagerConfig',
    metadata: {
      name: options.name ?? 'switchyard-slo-alerts',
      namespace: options.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'switchyard' },
    },
    spec: {
      route: {
        receiver: options.receiver.name,
        matchers: [{ name: ROUTE_LABELS.slo, matchType: '=~', value: SLO_KINDS.join('|') }],
        groupBy: SLO_GROUP_BY,
        groupWait: '30s',
        groupInterval: '5m',
        routes: [
          severityRoute('page', options.pageRepeatInterval ?? '1h'),
          severityRoute('ticket', options.ticketRepeatInterval ?? '1d'),
        ],
      },
      receivers: [receiverSpec(options.receiver)],
    },
  };
}
