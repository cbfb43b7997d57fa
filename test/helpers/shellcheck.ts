/**
 * shellcheck from the system (Debian's package). On a machine with only Node.js and npm the tests that
 * need it are skipped, and say so; CI sets SWITCHYARD_REQUIRE_SHELLCHECK=1, which turns a missing binary
 * into a failure, so CI can never skip them.
 */
import { spawnSync } from 'node:child_process';

function probe(): boolean {
  const result = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  return result.status === 0;
}

/** True when the shellcheck binary runs here. */
export const SHELLCHECK_AVAILABLE = probe();

/** True when a missing shellcheck must fail the run (CI). */
export const SHELLCHECK_REQUIRED = process.env.SWITCHYARD_REQUIRE_SHELLCHECK === '1';

if (!SHELLCHECK_AVAILABLE) {
  if (SHELLCHECK_REQUIRED) {
    throw new Error(
      'SWITCHYARD_REQUIRE_SHELLCHECK=1 but shellcheck is not installed: apt-get install -y shellcheck (CI must not skip the shell lint)',
    );
  }
  console.warn(
    'shellcheck not found: the shell lint tests are SKIPPED (apt-get install -y shellcheck to run them; CI requires them)',
  );
}

/** `it` when shellcheck runs here, `it.skip` otherwise: pass vitest's `it`. */
export function withShellcheck<T extends { skip: unknown }>(it: T): T {
  return (SHELLCHECK_AVAILABLE ? it : it.skip) as T;
}

/** Lints one bash script; returns '' when clean, the findings otherwise. */
export function shellcheck(script: string): string {
  const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], {
    input: script,
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return result.status === 0 ? '' : result.stdout || `shellcheck exited ${result.status}`;
}
