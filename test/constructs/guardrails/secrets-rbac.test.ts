import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../../constructs/guardrails/findings';
import { NO_PLAINTEXT_SECRETS, RBAC_LEAST_PRIVILEGE } from '../../../constructs/guardrails/rules/secrets-rbac';
import { goodContainer, goodPodSpec, goodWorkload } from './fixtures';

const secrets = (objects: Manifest[]) => NO_PLAINTEXT_SECRETS.check({ objects, policies: [], options: {} });
const rbac = (objects: Manifest[]) => RBAC_LEAST_PRIVILEGE.check({ objects, policies: [], options: {} });

describe('no-plaintext-secrets', () => {
  it('flags Secrets that carry values, but not empty ones or references', () => {
    const secret = (extra: Record<string, unknown>) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'shop' },
      ...extra,
    });
    expect(secrets([secret({ data: { password: 'aHVudGVyMg==' } })]).map((f) => f.field)).toEqual(['data']);
    expect(secrets([secret({ stringData: { token: 'x' } })]).map((f) => f.field)).toEqual(['stringData']);
    expect(secrets([secret({ type: 'kubernetes.io/service-account-token' })])).toEqual([]);
  });

  it('flags credentials in env values and ConfigMaps, and private keys anywhere in them', () => {
    const env = [
      { name: 'DB_PASSWORD', value: 'hunter2' },
      { name: 'API_TOKEN', valueFrom: { secretKeyRef: { name: 'api', key: 'token' } } },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'TLS_KEY', value: '-----BEGIN RSA PRIVATE KEY-----\nMII...' },
    ];
    const fields = secrets(goodWorkload(goodPodSpec({ containers: [goodContainer({ env })] }))).map((f) => f.field);
    expect(fields).toEqual([
      'spec.template.spec.containers[0].env[0].value',
      'spec.template.spec.containers[0].env[3].value',
    ]);
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c' },
      data: { 'api-key': 'abc', 'app.conf': 'port=80', cert: '-----BEGIN PRIVATE KEY-----', 'secret-name': '' },
    };
    expect(secrets([cm]).map((f) => f.field)).toEqual(['data.api-key', 'data.cert']);
  });

  it('stays quiet on a clean workload', () => {
    expect(secrets(goodWorkload())).toEqual([]);
  });
});

describe('rbac-least-privilege', () => {
  const role = (rules: unknown[], kind = 'Role') => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name: 'r', namespace: 'shop' },
    rules,
  });

  it('flags wildcards in apiGroups, resources and verbs', () => {
    const fields = rbac([role([{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], 'ClusterRole')]).map(
      (f) => f.field,
    );
    expect(fields).toEqual(['rules[0].apiGroups', 'rules[0].resources', 'rules[0].verbs']);
  });

  it('flags exec, attach and port-forward into pods', () => {
    const [f] = rbac([role([{ apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['create'] }])]);
    expect(f).toMatchObject({ object: 'Role/shop/r', field: 'rules[0].resources' });
    expect(f!.message).toMatch(/pods\/exec/);
  });

  it('flags cluster-admin bindings of either kind', () => {
    const binding = (kind: string) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind,
      metadata: { name: 'b' },
      roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
    });
    expect(rbac([binding('ClusterRoleBinding'), binding('RoleBinding')]).map((f) => f.object)).toEqual([
      'ClusterRoleBinding/b',
      'RoleBinding/b',
    ]);
  });

  it('stays quiet on a narrow role', () => {
    expect(
      rbac([role([{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'watch'] }])]),
    ).toEqual([]);
  });
});
