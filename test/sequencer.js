// Jest runs the slowest test files first, so that no worker idles at the end of a run while the other finishes a long
// file. Jest does so by itself from the timings it caches, but a fresh clone (CI) has none, and jest then orders by
// file size: small files that synthesize many apps (generated props, compliance, seeds) would start last. This list
// of the known slow files (CPU measured 2026-12-02) is used only while no timing is cached.
const Sequencer = require('@jest/test-sequencer').default;

const SLOWEST = [
  'test/generated-props.test.ts',
  'test/compliance.test.ts',
  'test/seed-examples.test.ts',
  'test/update-safety.test.ts',
  'test/deploy-readiness.test.ts',
  'test/cfn-lint.test.ts',
  'test/workload-stacks.test.ts',
  'test/weakened-defaults.test.ts',
  'test/domain-certificate.test.ts',
  'test/teardown.test.ts',
  'test/quotas.test.ts',
  'test/compliance-packs.test.ts',
  'test/secret-scan.test.ts',
  'test/cli/copilot/fixtures.test.ts',
  'test/cli/help-and-errors.test.ts',
];

class SlowestFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some(test => test.duration != null)) return sorted;
    const rank = test => {
      const index = SLOWEST.findIndex(file => test.path.endsWith(file));
      return index < 0 ? SLOWEST.length : index;
    };
    return sorted.map((test, order) => ({ test, order }))
      .sort((a, b) => rank(a.test) - rank(b.test) || a.order - b.order)
      .map(({ test }) => test);
  }
}

module.exports = SlowestFirst;
