/**
 * Kubeconfigs for managed clusters, as pure functions. They hold no credential: each runs the cloud's
 * token helper (`aws eks get-token`, `gke-gcloud-auth-plugin`, `kubelogin`), so a kubeconfig in state or
 * in a CI log grants nothing by itself. Pulumi still marks them secret because endpoints are sensitive.
 */
import { parse, stringify } from 'yaml';

/** How the client gets a token: an exec credential plugin. */
export interface ExecCredential {
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Shown by kubectl when the command is missing. */
  readonly installHint: string;
}

/** A cluster's endpoint and certificate authority, plus how to authenticate. */
export interface ExecKubeconfigOptions {
  /** Name of the cluster, user and context. */
  readonly name: string;
  /** API server URL (https://...). A bare host gets https:// prepended. */
  readonly endpoint: string;
  /** Base64-encoded PEM of the cluster's certificate authority. */
  readonly certificateAuthority: string;
  readonly exec: ExecCredential;
}

/** A kubeconfig with one cluster, user and context, authenticating with an exec plugin. */
export function execKubeconfig(options: ExecKubeconfigOptions): string {
  const server = /^https?:\/\//.test(options.endpoint) ? options.endpoint : `https://${options.endpoint}`;
  const env = Object.entries(options.exec.env ?? {}).map(([name, value]) => ({ name, value }));
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: options.name, cluster: { server, 'certificate-authority-data': options.certificateAuthority } }],
    users: [
      {
        name: options.name,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: options.exec.command,
            args: [...options.exec.args],
            ...(env.length ? { env } : {}),
            interactiveMode: 'IfAvailable',
            provideClusterInfo: false,
            installHint: options.exec.installHint,
          },
        },
      },
    ],
    contexts: [{ name: options.name, context: { cluster: options.name, user: options.name } }],
    'current-context': options.name,
  });
}

/** EKS: `aws eks get-token`, optionally assuming a role first. */
export function eksExec(clusterName: string, region: string, roleArn?: string): ExecCredential {
  return {
    command: 'aws',
    args: [
      'eks',
      'get-token',
      '--cluster-name',
      clusterName,
      '--region',
      region,
      '--output',
      'json',
      ...(roleArn ? ['--role-arn', roleArn] : []),
    ],
    installHint:
      'Install the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html',
  };
}

/** GKE: the gke-gcloud-auth-plugin, with the ambient gcloud or workload identity credentials. */
export function gkeExec(): ExecCredential {
  return {
    command: 'gke-gcloud-auth-plugin',
    args: [],
    installHint: 'Install it with: gcloud components install gke-gcloud-auth-plugin',
  };
}

/** The Entra ID application every AKS cluster with Entra integration accepts tokens for. */
export const AKS_AAD_SERVER_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';

/** How kubelogin signs in: the Azure CLI's session (people) or workload identity (CI runners). */
export type KubeloginMode = 'azurecli' | 'workloadidentity';

/** AKS with Entra ID: kubelogin, non-interactive. */
export function aksExec(mode: KubeloginMode = 'azurecli'): ExecCredential {
  return {
    command: 'kubelogin',
    args: ['get-token', '--login', mode, '--server-id', AKS_AAD_SERVER_ID],
    installHint: 'Install kubelogin: https://azure.github.io/kubelogin/install.html',
  };
}

/**
 * The kubeconfig AKS returns for Entra ID clusters (base64, with an interactive kubelogin login), turned
 * into one that signs in non-interactively with `mode`. Empty when AKS returned nothing (a preview).
 */
export function aksKubeconfig(encoded: string | undefined, name: string, mode: KubeloginMode = 'azurecli'): string {
  if (!encoded) return '';
  const config = parse(Buffer.from(encoded, 'base64').toString('utf8')) as {
    clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  };
  const cluster = config?.clusters?.[0]?.cluster;
  if (!cluster?.server) throw new Error(`AKS returned a kubeconfig for ${name} without a cluster server`);
  return execKubeconfig({
    name,
    endpoint: cluster.server,
    certificateAuthority: cluster['certificate-authority-data'] ?? '',
    exec: aksExec(mode),
  });
}
