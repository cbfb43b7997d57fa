import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  AKS_AAD_SERVER_ID,
  aksExec,
  aksKubeconfig,
  eksExec,
  execKubeconfig,
  gkeExec,
} from '../../../constructs/cluster/kubeconfig';

describe('execKubeconfig', () => {
  it('writes one cluster, user and context with an exec plugin and no credential', () => {
    const config = parse(
      execKubeconfig({
        name: 'prod',
        endpoint: 'api.example.com',
        certificateAuthority: 'Q0EK',
        exec: eksExec('prod', 'eu-west-1', 'arn:aws:iam::111122223333:role/ci'),
      }),
    );
    expect(config).toMatchObject({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'prod',
      clusters: [
        { name: 'prod', cluster: { server: 'https://api.example.com', 'certificate-authority-data': 'Q0EK' } },
      ],
      contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'prod' } }],
    });
    expect(config.users[0].user.exec).toMatchObject({
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: [
        'eks',
        'get-token',
        '--cluster-name',
        'prod',
        '--region',
        'eu-west-1',
        '--output',
        'json',
        '--role-arn',
        'arn:aws:iam::111122223333:role/ci',
      ],
    });
    expect(Object.keys(config.users[0].user)).toEqual(['exec']);
  });

  it('uses the GKE and AKS token helpers', () => {
    expect(gkeExec().command).toBe('gke-gcloud-auth-plugin');
    expect(aksExec('workloadidentity').args).toEqual([
      'get-token',
      '--login',
      'workloadidentity',
      '--server-id',
      AKS_AAD_SERVER_ID,
    ]);
  });
});

describe('aksKubeconfig', () => {
  const encoded = (config: unknown) => Buffer.from(stringify(config)).toString('base64');

  it('keeps the server and CA of what AKS returned and replaces the interactive login', () => {
    const config = parse(
      aksKubeconfig(
        encoded({
          clusters: [{ cluster: { server: 'https://x.azmk8s.io:443', 'certificate-authority-data': 'Q0EK' } }],
        }),
        'shop',
      ),
    );
    expect(config.clusters[0].cluster).toEqual({
      server: 'https://x.azmk8s.io:443',
      'certificate-authority-data': 'Q0EK',
    });
    expect(config.users[0].user.exec.args).toContain('azurecli');
  });

  it('is empty when AKS returned nothing, and fails on a kubeconfig without a server', () => {
    expect(aksKubeconfig(undefined, 'shop')).toBe('');
    expect(() => aksKubeconfig(encoded({ clusters: [] }), 'shop')).toThrow(/without a cluster server/);
  });
});
