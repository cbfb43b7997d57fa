/** Hand-written requests for the oracle tests: a GET of '/' with no headers, query or cookies, unless told. */
import type { TrafficRequest } from '../../../../constructs/routing/oracle/types';

/** A request builder whose defaults (scheme, host, client address...) suit one test file. */
export function requestWith(defaults: Partial<TrafficRequest>): (over?: Partial<TrafficRequest>) => TrafficRequest {
  return (over = {}) => ({
    scheme: 'http',
    host: 'a.example.org',
    path: '/',
    method: 'GET',
    headers: {},
    query: {},
    cookies: {},
    sourceIp: '10.1.2.3',
    ...defaults,
    ...over,
  });
}
