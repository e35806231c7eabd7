import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { Conversion, convertWorkspace, Finding, ManifestFile, Workspace } from './convert';
import { MappingStatus } from './mapping';

const USAGE = 'usage: cdk-backend-platform import-copilot <copilot/ folder> [--out <dir>]';
const DEFAULT_OUT = 'cdk-backend-platform-app';

/** Reads `copilot/.workspace` and every manifest: `<svc>/manifest.yml`, `environments/<env>/manifest.yml`, `pipelines/<name>/manifest.yml`. */
export function readWorkspace(dir: string): Workspace {
  const manifests: ManifestFile[] = [];
  const read = (relative: string) => {
    const file = path.join(dir, relative);
    if (fs.existsSync(file)) manifests.push({ path: relative.split(path.sep).join('/'), text: fs.readFileSync(file, 'utf8') });
  };
  const folders = (relative: string) => fs.existsSync(path.join(dir, relative))
    ? fs.readdirSync(path.join(dir, relative), { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name).sort() : [];
  const environmentNames = folders('environments');
  for (const name of folders('.')) {
    if (name === 'environments' || name === 'pipelines' || name.startsWith('.')) continue;
    read(path.join(name, 'manifest.yml'));
  }
  environmentNames.forEach(name => read(path.join('environments', name, 'manifest.yml')));
  folders('pipelines').forEach(name => read(path.join('pipelines', name, 'manifest.yml')));
  read('pipeline.yml');
  const workspaceFile = path.join(dir, '.workspace');
  const workspace = fs.existsSync(workspaceFile) ? parse(fs.readFileSync(workspaceFile, 'utf8')) : undefined;
  const application = typeof workspace?.application === 'string' ? workspace.application : undefined;
  return { application, environmentNames, manifests };
}

/** Counts of findings by status. */
export type StatusCounts = { [status in MappingStatus]: number };

/** Fields mapped / mapped differently / unsupported, per manifest type and in total. */
export function countFindings(findings: Finding[]): { byType: { [type: string]: StatusCounts }; total: StatusCounts } {
  const empty = (): StatusCounts => ({ 'mapped': 0, 'mapped-differently': 0, 'unsupported': 0 });
  const byType: { [type: string]: StatusCounts } = {};
  const total = empty();
  for (const finding of findings) {
    (byType[finding.type] ??= empty())[finding.status]++;
    total[finding.status]++;
  }
  return { byType, total };
}

/** The report printed and written beside the app: every field that maps differently or not at all, with the reason. */
export function renderReport(conversion: Conversion): string {
  const { byType, total } = countFindings(conversion.findings);
  const lines = ['# import-copilot report', ''];
  lines.push('| manifest type | maps | maps differently | not supported |', '| --- | --- | --- | --- |');
  for (const [type, counts] of Object.entries(byType)) {
    lines.push(`| ${type} | ${counts.mapped} | ${counts['mapped-differently']} | ${counts.unsupported} |`);
  }
  lines.push(`| total | ${total.mapped} | ${total['mapped-differently']} | ${total.unsupported} |`, '');
  const section = (status: MappingStatus, title: string) => {
    const rows = conversion.findings.filter(f => f.status === status);
    if (rows.length === 0) return;
    lines.push(`## ${title}`, '');
    rows.forEach(f => lines.push(`- ${f.manifest}: \`${f.path}\`${f.prop ? ` -> \`${f.prop}\`` : ''}: ${f.note}`));
    lines.push('');
  };
  section('unsupported', 'Not supported');
  section('mapped-differently', 'Mapped with other behaviour');
  if (conversion.notes.length > 0) lines.push('## Notes', '', ...conversion.notes.map(note => `- ${note}`), '');
  return lines.join('\n');
}

/**
 * `import-copilot <copilot/ folder> [--out <dir>]`: writes `app.ts`, `cdk.json` and `IMPORT-REPORT.md` to the out
 * folder and prints the report. Exit code 0 when every manifest was read, 1 when one was not, 2 on bad usage.
 */
export async function importCopilot(argv: string[], env: { readonly [name: string]: string | undefined } = process.env): Promise<number> {
  const args = [...argv];
  let out = DEFAULT_OUT;
  const positional: string[] = [];
  while (args.length > 0) {
    const arg = args.shift()!;
    if (arg === '--out') {
      const value = args.shift();
      if (!value) return usage('--out needs a folder');
      out = value;
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    } else if (arg.startsWith('-')) {
      return usage(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  if (positional.length !== 1) return usage('give one copilot/ folder');
  const dir = positional[0];
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return usage(`${dir} is not a folder`);
  const workspace = readWorkspace(dir);
  if (workspace.manifests.length === 0) return usage(`${dir} has no manifest.yml (give the copilot/ folder itself)`);

  const conversion = convertWorkspace(workspace, env);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'app.ts'), conversion.app);
  fs.writeFileSync(path.join(out, 'cdk.json'), `${JSON.stringify({ app: 'npx tsx app.ts' }, undefined, 2)}\n`);
  const report = renderReport(conversion);
  fs.writeFileSync(path.join(out, 'IMPORT-REPORT.md'), report);
  process.stdout.write(`${report}\nWrote ${path.join(out, 'app.ts')}, cdk.json and IMPORT-REPORT.md.\n`);
  return conversion.failed.length > 0 ? 1 : 0;
}

function usage(problem: string): number {
  process.stderr.write(`import-copilot: ${problem}\n${USAGE}\n`);
  return 2;
}
