import * as fs from 'fs';
import { renderSchema, SCHEMA_FILE } from '../scripts/prop-schema';

test('the runtime prop types are those of the current jsii assembly (else run `npx projen schema`)', () => {
  expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(renderSchema());
});
