import { describe, expect, it } from 'vitest';
import { InvalidPropertyError } from '../../../constructs/core/validate';
import { buildGateway, buildGatewayClass, GATEWAY_ACCESS_LABEL } from '../../../constructs/ingress/gateway';
import { expectSchemaValid } from '../../helpers/schema';

describe('buildGateway', () => {
  const selector = {
    namespaces: { from: 'Selector', selector: { matchLabels: { [GATEWAY_ACCESS_LABEL]: 'public' } } },
  };

  it('has only an HTTP listener by default, open to labelled namespaces only', async () => {
    const gateway = buildGateway({ name: 'public', namespace: 'gateway-system', gatewayClassName: 'eg' });
    expect(gateway.spec).toEqual({
      gatewayClassName: 'eg',
      listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: selector }],
    });
    await expectSchemaValid([gateway, buildGatewayClass('eg', 'gateway.envoyproxy.io/gatewayclass-controller')]);
  });

  it('adds an HTTPS listener terminating with the given certificates, and a passthrough listener on request', async () => {
    const gateway = buildGateway({
      name: 'public',
      namespace: 'gateway-system',
      gatewayClassName: 'eg',
      certificateRefs: [{ name: 'shop-tls', namespace: 'shop' }],
      tlsPassthrough: true,
    });
    const listeners = (gateway.spec as { listeners: Record<string, unknown>[] }).listeners;
    expect(listeners.map((l) => [l.name, l.protocol, l.port])).toEqual([
      ['http', 'HTTP', 80],
      ['https', 'HTTPS', 443],
      ['tls-passthrough', 'TLS', 8443],
    ]);
    expect(listeners[1]!.tls).toEqual({
      mode: 'Terminate',
      certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-tls', namespace: 'shop' }],
    });
    expect(listeners[2]!.tls).toEqual({ mode: 'Passthrough' });
    await expectSchemaValid([gateway]);
  });

  it('rejects bad names and duplicate certificates', () => {
    expect(() => buildGateway({ name: 'Public', namespace: 'gw', gatewayClassName: 'eg' })).toThrow(
      /'name' \("Public"\) must be a DNS-1123 label/,
    );
    expect(() => buildGatewayClass('EG', 'x')).toThrow(InvalidPropertyError);
    const twice = [
      { name: 'a', namespace: 'n' },
      { name: 'a', namespace: 'n' },
    ];
    expect(() => buildGateway({ name: 'g', namespace: 'gw', gatewayClassName: 'eg', certificateRefs: twice })).toThrow(
      /lists a Secret twice/,
    );
  });
});
