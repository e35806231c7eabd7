/**
 * Source of the smoke-test function ECS runs as the blue/green lifecycle hook after test traffic moved to the new
 * tasks (POST_TEST_TRAFFIC_SHIFT). It is plain JavaScript for the Node.js runtime, shipped inline (no asset, no
 * bundling, under Lambda's 4 KB inline limit) and evaluated as a module by its unit test.
 *
 * The hook contract (docs/adr/0008): ECS invokes the function and reads `hookStatus` from its result; `SUCCEEDED`
 * lets the deployment continue, `FAILED` (or a function error) rolls it back to the last successful revision.
 * The test: one GET of `SMOKE_TEST_URL` (the test listener, reachable only from this function's security group);
 * a 2xx answer within `SMOKE_TEST_TIMEOUT_MS` succeeds, anything else (another status, a timeout, a network error)
 * fails. The verdict and its reason are logged as one JSON line.
 */
export const SMOKE_TEST_SOURCE = `'use strict';
async function smokeTest(url, timeoutMs, fetchImpl) {
  const started = Date.now();
  try {
    const response = await fetchImpl(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    const ok = response.status >= 200 && response.status < 300;
    return { hookStatus: ok ? 'SUCCEEDED' : 'FAILED', reason: 'HTTP ' + response.status, ms: Date.now() - started };
  } catch (error) {
    const timedOut = error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { hookStatus: 'FAILED', reason: timedOut ? 'no answer within ' + timeoutMs + ' ms' : String(error && error.message || error), ms: Date.now() - started };
  }
}
exports.smokeTest = smokeTest;
exports.handler = async (event) => {
  const url = process.env.SMOKE_TEST_URL;
  const result = await smokeTest(url, Number(process.env.SMOKE_TEST_TIMEOUT_MS), fetch);
  console.log(JSON.stringify({ url, serviceArn: event && event.serviceArn, targetServiceRevisionArn: event && event.targetServiceRevisionArn, ...result }));
  return { hookStatus: result.hookStatus };
};
`;
