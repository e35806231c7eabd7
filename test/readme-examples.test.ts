import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * Every ```ts block of the README must compile against the library: each is placed inside a Stack constructor,
 * with `cdk-backend-platform` imports pointed at src/, and type-checked.
 */
const root = path.join(__dirname, '..');
const blocks = [...fs.readFileSync(path.join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);

function wrap(code: string): string {
  const lines = code.split('\n');
  const imports = lines.filter(l => l.startsWith('import ')).map(l => l.replace("'cdk-backend-platform'", `'${path.join(root, 'src').replace(/\\/g, '/')}'`));
  const declarations = lines.filter(l => l.startsWith('declare '));
  const body = lines.filter(l => !l.startsWith('import ') && !l.startsWith('declare ')).join('\n');
  return `${imports.join('\n')}\nimport { Stack } from 'aws-cdk-lib';\n${declarations.join('\n')}\n`
    + `export class Example extends Stack {\n  constructor() {\n    super();\n${body}\n  }\n}\n`;
}

test('the README has examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(6);
});

test('every README example compiles', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  const files = blocks.map((code, i) => {
    const file = path.join(dir, `example${i}.ts`);
    fs.writeFileSync(file, wrap(code));
    return file;
  });
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    skipLibCheck: true,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    typeRoots: [path.join(root, 'node_modules/@types')],
    types: ['node'],
    baseUrl: root,
    paths: { '*': [path.join(root, 'node_modules/*')] },
  });
  const errors = ts.getPreEmitDiagnostics(program)
    .filter(d => d.file && files.includes(d.file.fileName))
    .map(d => `${path.basename(d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
  expect(errors).toEqual([]);
});
