import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Io } from '../../src/cli/io';
import { main } from '../../src/cli/main';

/** A terminal that records lines and never runs a command. */
function recordingIo(): Io & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    env: {},
    out: line => lines.push(line),
    err: line => lines.push(line),
    interactive: () => Promise.reject(new Error('no command runs')),
    sleep: () => Promise.resolve(),
  };
}

describe('npx cdk-backend-platform import-copilot', () => {
  test('THEN the verb writes the app of a Copilot workspace to --out and exits 0', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'import-'));
    const io = recordingIo();
    const code = await main(['import-copilot', path.join(__dirname, 'copilot/fixtures/copilot-cli/regression/multi-svc-app/copilot'), '--out', out], io);
    expect(code).toBe(0);
    expect(fs.readFileSync(path.join(out, 'app.ts'), 'utf8')).toMatch(/new BackendPlatform\(/);
    expect(fs.existsSync(path.join(out, 'IMPORT-REPORT.md'))).toBe(true);
  });

  test('THEN the tool\'s --help lists it', async () => {
    const io = recordingIo();
    await main(['--help'], io);
    expect(io.lines.join('\n')).toMatch(/import-copilot\s+write a CDK app/);
  });
});
