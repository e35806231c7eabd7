import * as fs from 'fs';
import { DOC, renderDoc } from '../../../scripts/copilot-doc';
import { FIELD_MAPPINGS, lookupField, MANIFEST_TYPES, renderFieldTable } from '../../../src/cli/copilot';

describe('docs/coming-from-copilot.md and the mapping table', () => {
  const doc = fs.readFileSync(DOC, 'utf8');

  test('the page shows the mapping table of every manifest type (regenerate: scripts/copilot-doc.ts)', () => {
    expect(doc).toEqual(renderDoc(doc));
    MANIFEST_TYPES.forEach(type => expect(doc).toContain(renderFieldTable(type)));
  });

  test('the errors the guide had are gone', () => {
    const job = renderFieldTable('Scheduled Job');
    expect(job).toContain('`@daily` (and `@midnight`) `cron(0 0 * * ? *)`');
    expect(doc).not.toContain('`events.Schedule.rate(Duration.days(1))` for `@daily`');
    // WorkerService.scaleOnUtilization scales an internal worker on memory when the target is set.
    expect(doc).not.toContain('is accepted but has no effect');
    expect(lookupField('Backend Service', 'count.memory_percentage')).toMatchObject({ status: 'mapped', prop: 'worker.targetMemoryUtilizationPercent' });
    expect(lookupField('Worker Service', 'count.memory_percentage')?.status).toBe('unsupported');
  });

  test('a row per field path and type, each with a reason', () => {
    for (const type of MANIFEST_TYPES) {
      for (const row of FIELD_MAPPINGS[type]) expect(row.note.length).toBeGreaterThan(5);
      const paths = FIELD_MAPPINGS[type].map(row => row.path);
      // Rows of one path may repeat only where a type refines the shared rows (the later wins, and only it is shown).
      const shown = renderFieldTable(type).split('\n').slice(2).map(line => /^\| `([^`]+)`/.exec(line)![1]);
      expect(shown.length).toBe(new Set(paths).size);
      expect(new Set(shown)).toEqual(new Set(paths));
    }
  });
});
