/**
 * Traefik v3 router rules, parsed and evaluated the way Traefik does: `&&` binds tighter than `||`, `!`
 * negates one matcher or group (traefik pkg/rules/parser.go), and each matcher behaves as in
 * pkg/muxer/http/matcher.go (HTTP) and pkg/muxer/tcp/matcher.go (TCP). Pure: no engine imports.
 */
import { ipInCidr } from '../values';
import { regexMatches } from './common';
import type { TrafficRequest } from './types';

type Node =
  | { readonly op: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly op: 'not'; readonly node: Node }
  | { readonly op: 'call'; readonly name: string; readonly args: readonly string[] };

function tokenize(rule: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule[i]!;
    if (/\s/.test(c)) i++;
    else if (rule.startsWith('&&', i) || rule.startsWith('||', i)) {
      tokens.push(rule.slice(i, i + 2));
      i += 2;
    } else if ('()!,'.includes(c)) {
      tokens.push(c);
      i++;
    } else if (c === '`') {
      const end = rule.indexOf('`', i + 1);
      if (end < 0) throw new Error(`traefik oracle: unterminated literal in ${rule}`);
      tokens.push(`"${JSON.stringify(rule.slice(i + 1, end)).slice(1, -1)}"`);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < rule.length && rule[j] !== '"') j += rule[j] === '\\' ? 2 : 1;
      tokens.push(rule.slice(i, j + 1));
      i = j + 1;
    } else {
      const m = /^[A-Za-z]+/.exec(rule.slice(i));
      if (!m) throw new Error(`traefik oracle: unexpected ${JSON.stringify(c)} in rule ${rule}`);
      tokens.push(m[0]);
      i += m[0].length;
    }
  }
  return tokens;
}

/** Parses a rule into a tree; throws on anything Traefik's parser would refuse. */
export function parseRule(rule: string): Node {
  const tokens = tokenize(rule);
  let pos = 0;
  const peek = () => tokens[pos];
  const take = (expected?: string) => {
    const t = tokens[pos++];
    if (t === undefined || (expected !== undefined && t !== expected))
      throw new Error(`traefik oracle: expected ${expected ?? 'a token'} in rule ${rule}`);
    return t;
  };
  const or = (): Node => {
    let left = and();
    while (peek() === '||') {
      take();
      left = { op: 'or', left, right: and() };
    }
    return left;
  };
  const and = (): Node => {
    let left = unary();
    while (peek() === '&&') {
      take();
      left = { op: 'and', left, right: unary() };
    }
    return left;
  };
  const unary = (): Node => {
    const t = take();
    if (t === '!') return { op: 'not', node: unary() };
    if (t === '(') {
      const inner = or();
      take(')');
      return inner;
    }
    if (!/^[A-Za-z]+$/.test(t)) throw new Error(`traefik oracle: unexpected ${t} in rule ${rule}`);
    take('(');
    const args: string[] = [];
    while (peek() !== ')') {
      const a = take();
      if (!a.startsWith('"')) throw new Error(`traefik oracle: ${t} takes string literals, got ${a}`);
      args.push(JSON.parse(a) as string);
      if (peek() === ',') take();
    }
    take(')');
    return { op: 'call', name: t, args };
  };
  const tree = or();
  if (pos !== tokens.length) throw new Error(`traefik oracle: trailing tokens in rule ${rule}`);
  return tree;
}

/** Host expression matching (pkg/muxer/muxer.go DomainMatchHostExpression): '*.' replaces exactly the first label. */
export function domainMatches(domain: string, expr: string): boolean {
  if (expr.startsWith('*')) {
    const labels = domain.split('.');
    labels[0] = '*';
    return labels.join('.').toLowerCase() === expr.toLowerCase();
  }
  return domain.toLowerCase() === expr.toLowerCase();
}

function cidrOf(value: string): string {
  return value.includes('/') ? value : `${value}/${value.includes(':') ? 128 : 32}`;
}

/** The `Cookie` header a client sends for the request's cookies. */
function cookieHeader(request: TrafficRequest): string | undefined {
  const entries = Object.entries(request.cookies);
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join('; ') : undefined;
}

function header(request: TrafficRequest, name: string): string | undefined {
  const key = name.toLowerCase();
  return key === 'cookie' ? cookieHeader(request) : request.headers[key];
}

const arity = (name: string, args: readonly string[], n: number) => {
  if (args.length !== n) throw new Error(`traefik oracle: ${name} takes ${n} arguments, got ${args.length}`);
};

/** Whether an HTTP router rule matches the request (Go regexps match unanchored: `MatchString`). */
export function httpRuleMatches(tree: Node, request: TrafficRequest): boolean {
  if (tree.op === 'and') return httpRuleMatches(tree.left, request) && httpRuleMatches(tree.right, request);
  if (tree.op === 'or') return httpRuleMatches(tree.left, request) || httpRuleMatches(tree.right, request);
  if (tree.op === 'not') return !httpRuleMatches(tree.node, request);
  if (tree.op !== 'call') throw new Error('traefik oracle: malformed rule tree');
  const { name, args } = tree;
  switch (name) {
    case 'Host':
      arity(name, args, 1);
      return args[0] === '*' || domainMatches(request.host, args[0]!);
    case 'HostRegexp':
      arity(name, args, 1);
      return regexMatches(args[0]!, request.host);
    case 'Path':
      arity(name, args, 1);
      return request.path === args[0];
    case 'PathPrefix':
      arity(name, args, 1);
      return request.path.startsWith(args[0]!);
    case 'PathRegexp':
      arity(name, args, 1);
      return regexMatches(args[0]!, request.path);
    case 'Method':
      arity(name, args, 1);
      return request.method === args[0]!.toUpperCase();
    case 'Header':
    case 'HeaderRegexp': {
      arity(name, args, 2);
      const value = header(request, args[0]!);
      if (value === undefined) return false;
      return name === 'Header' ? value === args[1] : regexMatches(args[1]!, value);
    }
    case 'Query':
    case 'QueryRegexp': {
      if (args.length !== 1 && args.length !== 2) throw new Error(`traefik oracle: ${name} takes 1 or 2 arguments`);
      const value = request.query[args[0]!];
      if (value === undefined) return false;
      if (args.length === 1) return value === '';
      return name === 'Query' ? value === args[1] : regexMatches(args[1]!, value);
    }
    case 'ClientIP':
      arity(name, args, 1);
      return ipInCidr(request.sourceIp, cidrOf(args[0]!));
    default:
      throw new Error(`traefik oracle: HTTP matcher ${name} is not modelled`);
  }
}

/** Whether a TCP router rule matches a TLS connection (SNI = the request's host). */
export function tcpRuleMatches(tree: Node, request: TrafficRequest): boolean {
  if (tree.op === 'and') return tcpRuleMatches(tree.left, request) && tcpRuleMatches(tree.right, request);
  if (tree.op === 'or') return tcpRuleMatches(tree.left, request) || tcpRuleMatches(tree.right, request);
  if (tree.op === 'not') return !tcpRuleMatches(tree.node, request);
  if (tree.op !== 'call') throw new Error('traefik oracle: malformed rule tree');
  const { name, args } = tree;
  arity(name, args, 1);
  if (name === 'HostSNI') return args[0] === '*' || domainMatches(request.host, args[0]!.replace(/\.$/, ''));
  if (name === 'ClientIP') return ipInCidr(request.sourceIp, cidrOf(args[0]!));
  throw new Error(`traefik oracle: TCP matcher ${name} is not modelled`);
}
