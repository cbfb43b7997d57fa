import * as pulumi from '@pulumi/pulumi';

/** The secret signature Pulumi wraps secret inputs in when they reach the mocks. */
export const SECRET_SIG = '4dabf18193072939515e22adb298388d';

/** Every resource registered since {@link useMocks} was called. */
export interface MockedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
  readonly provider?: string;
}

/** Outputs a provider would add to a resource's inputs (e.g. a command's stdout), by resource type. */
export type MockOutputs = Record<string, (inputs: Record<string, unknown>) => Record<string, unknown>>;

/** Installs Pulumi mocks for `stack` (with results of invokes by token); returns the live list of registered resources. */
/** What the AWS provider's look-ups answer unless a test says otherwise: one account in the aws partition. */
const DEFAULT_CALLS: MockOutputs = {
  'aws:index/getCallerIdentity:getCallerIdentity': () => ({
    accountId: '111122223333',
    arn: 'arn:aws:iam::111122223333:user/test',
    userId: 'AIDATEST',
  }),
  'aws:index/getPartition:getPartition': () => ({ partition: 'aws', dnsSuffix: 'amazonaws.com' }),
};

export function useMocks(
  stack: string,
  config: Record<string, string> = {},
  outputs: MockOutputs = {},
  calls: MockOutputs = {},
): MockedResource[] {
  const registered: MockedResource[] = [];
  pulumi.runtime.setAllConfig(config);
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs[args.type]?.(args.inputs) } };
      },
      call: (args) => (calls[args.token] ?? DEFAULT_CALLS[args.token])?.(args.inputs) ?? args.inputs,
    },
    'switchyard',
    stack,
    false,
  );
  return registered;
}

/** Resolves an Output in tests (mocks run with preview off, so apply always fires). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Waits until registrations queued by resource constructors have reached the mocks. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}
