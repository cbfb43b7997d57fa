import { Cron, Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { assertProps } from '../core/strict';
import { assertIntegerInRange, InvalidPropertyError, show } from '../core/validate';
import { SCHEDULED_JOB_PROPS_SPEC } from './schema';
import {
  hardenPodSpec,
  resolveWorkload,
  type WorkloadEndpoint,
  type WorkloadProps,
  workloadContainer,
  workloadEndpoint,
  workloadMetadata,
  workloadPodProps,
} from './workload';

/** Properties of a {@link ScheduledJob}. */
export interface ScheduledJobProps extends WorkloadProps {
  /** Cron schedule, five fields (`minute hour day month weekday`), like '30 2 * * *'. */
  readonly schedule: string;
  /**
   * Command to run.
   * @default - the image's entrypoint
   */
  readonly command?: readonly string[];
  /** @default - the image's arguments */
  readonly args?: readonly string[];
  /**
   * Time zone of the schedule (IANA name).
   * @default 'Etc/UTC'
   */
  readonly timeZone?: string;
  /**
   * Longest a run may take before it is stopped.
   * @default 3600 (one hour)
   */
  readonly timeoutSeconds?: number;
  /**
   * Retries of a failed run.
   * @default 2
   */
  readonly retries?: number;
}

const CRON_FIELD = /^(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?(,(\*|\d{1,2}(-\d{1,2})?)(\/\d{1,2})?)*$/;

/**
 * A job run on a schedule: a CronJob that never overlaps itself, stops runs that take too long, keeps a
 * short history, and runs the same hardened pod as {@link WebApp} (without probes or spreading).
 */
export class ScheduledJob extends Construct {
  public readonly cronJob: kplus.CronJob;
  public readonly name: string;
  /** What NetworkPolicies need to know about this job (it serves nothing). */
  public readonly endpoint: WorkloadEndpoint;

  public constructor(scope: Construct, id: string, props: ScheduledJobProps) {
    super(scope, id);
    assertProps(props, SCHEDULED_JOB_PROPS_SPEC);
    const w = resolveWorkload(id, props, 'job');
    this.name = w.name;
    const fields = typeof props.schedule === 'string' ? props.schedule.trim().split(/\s+/) : [];
    if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
      throw new InvalidPropertyError(
        'schedule',
        `'schedule' (${show(props.schedule)}) must be five cron fields, like '30 2 * * *' (02:30 every day)`,
      );
    }
    const timeZone = props.timeZone ?? 'Etc/UTC';
    if (!/^[A-Za-z]+(\/[A-Za-z0-9_+-]+)*$/.test(timeZone)) {
      throw new InvalidPropertyError(
        'timeZone',
        `'timeZone' (${show(timeZone)}) must be an IANA time zone like Europe/Paris`,
      );
    }
    const timeout = props.timeoutSeconds ?? 3600;
    assertIntegerInRange('timeoutSeconds', timeout, 1, 7 * 24 * 3600);
    const retries = props.retries ?? 2;
    assertIntegerInRange('retries', retries, 0, 10);
    const [minute, hour, day, month, weekDay] = fields as [string, string, string, string, string];
    this.cronJob = new kplus.CronJob(this, 'CronJob', {
      metadata: workloadMetadata(w),
      schedule: Cron.schedule({ minute, hour, day, month, weekDay }),
      timeZone,
      concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
      startingDeadline: Duration.minutes(5),
      successfulJobsRetained: 3,
      failedJobsRetained: 1,
      activeDeadline: Duration.seconds(timeout),
      backoffLimit: retries,
      ...workloadPodProps(this, w),
      containers: [
        workloadContainer(this, w, {
          ...(props.command ? { command: [...props.command] } : {}),
          ...(props.args ? { args: [...props.args] } : {}),
        }),
      ],
    });
    hardenPodSpec(this.cronJob, '/spec/jobTemplate/spec/template/spec', w, false);
    this.endpoint = workloadEndpoint(w, []);
  }
}
