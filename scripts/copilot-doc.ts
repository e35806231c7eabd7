/**
 * Renders the field tables of docs/coming-from-copilot.md from import-copilot's mapping table
 * (src/cli/copilot/mapping.ts). `npx ts-node --transpile-only --project tsconfig.dev.json scripts/copilot-doc.ts`;
 * test/cli/copilot/doc.test.ts fails while the page and the table disagree.
 */
import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_TYPES, renderFieldTable } from '../src/cli/copilot';

export const DOC = path.join(__dirname, '..', 'docs', 'coming-from-copilot.md');

/** The page with each `<!-- import-copilot table: TYPE -->` block rendered from the table. */
export function renderDoc(text: string): string {
  let result = text;
  for (const type of MANIFEST_TYPES) {
    const begin = `<!-- import-copilot table: ${type} -->`;
    const end = `<!-- end of import-copilot table: ${type} -->`;
    const start = result.indexOf(begin);
    const stop = result.indexOf(end);
    if (start < 0 || stop < start) throw new Error(`${DOC} has no block ${begin} ... ${end}`);
    result = `${result.slice(0, start + begin.length)}\n${renderFieldTable(type)}\n${result.slice(stop)}`;
  }
  return result;
}

if (require.main === module) fs.writeFileSync(DOC, renderDoc(fs.readFileSync(DOC, 'utf8')));
