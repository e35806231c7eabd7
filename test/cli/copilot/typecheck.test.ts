import { ALL_CASES, workspaceOf } from './field-cases';
import { convertWorkspace, FIXTURE_ENV, synthGroups, typeCheckGeneratedApp } from './generated-app';

// One TypeScript program (strict) over every generated app: the collected manifests' and each field case's.
test('the generated apps compile against the library\'s sources', () => {
  const sources = [
    ...synthGroups(10).map(group => convertWorkspace(group, FIXTURE_ENV).app),
    ...ALL_CASES.map(c => convertWorkspace(workspaceOf(c), {}).app),
  ];
  // The last file has one type error: the only error must be it (so the check can fail).
  const broken = `${sources[0]}\nconst broken: number = 'x';\n`;
  expect(typeCheckGeneratedApp(sources[0], [...sources.slice(1), broken]))
    .toEqual([expect.stringMatching(new RegExp(`^app${sources.length}\\.ts: Type 'string' is not assignable to type 'number'`))]);
});
