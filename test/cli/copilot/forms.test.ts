import {
  COPILOT_HEALTH_CHECK_COMMAND, interpolate, mergeOverrides, parseAliases, parseCommand, parseContainerHealthCheck, parseCount,
  parseDuration, parseHealthCheck, parsePlatform, parseSecret, scheduleExpression, Yaml,
} from '../../../src/cli/copilot';

describe('the forms of Copilot fields', () => {
  test.each([
    ['1h30m', 5400000], ['90s', 90000], ['2m30s', 150000], ['500ms', 500], ['1.5s', 1500], ['0', 0], ['15m', 900000],
  ])('duration %s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['', '10', '1d', 'abc', '1h 30m'])('%j is not a duration', text => expect(parseDuration(text)).toBeUndefined());

  test.each([
    ['@hourly', 'cron(0 * * * ? *)'],
    ['@daily', 'cron(0 0 * * ? *)'],
    ['@midnight', 'cron(0 0 * * ? *)'],
    ['@weekly', 'cron(0 0 ? * 1 *)'],
    ['@monthly', 'cron(0 0 1 * ? *)'],
    ['@yearly', 'cron(0 0 1 1 ? *)'],
    ['@annually', 'cron(0 0 1 1 ? *)'],
    ['@every 5m', 'rate(5 minutes)'],
    ['@every 1m', 'rate(1 minute)'],
    ['@every 1h30m', 'rate(90 minutes)'],
    ['rate(1 day)', 'rate(1 day)'],
    ['cron(0 9 ? * MON-FRI *)', 'cron(0 9 ? * MON-FRI *)'],
    ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
    ['0 12 * * MON', 'cron(0 12 ? * MON *)'],
    ['*/15 * * * *', 'cron(*/15 * * * ? *)'],
    ['0 0 1 * *', 'cron(0 0 1 * ? *)'],
  ])('schedule %s is %s', (schedule, expression) => expect(scheduleExpression(schedule)).toEqual({ expression }));

  test.each([['none'], ['@every 30s'], ['@every 90s'], ['0 0 1 * 1'], ['@sometimes'], ['']])('schedule %j has no expression', schedule => {
    expect(scheduleExpression(schedule).expression).toBeUndefined();
    expect(scheduleExpression(schedule).problem).toBeDefined();
  });

  test('count: a number, a range string, a range map with spot_from, spot, percentages in both forms, queue_delay', () => {
    expect(parseCount(3)).toMatchObject({ min: 3, max: 3 });
    expect(parseCount({ range: '1-10', cpu_percentage: 70, memory_percentage: { value: 80, cooldown: { in: '30s' } } }))
      .toMatchObject({ min: 1, max: 10, cpuPercent: 70, memoryPercent: 80, problems: [] });
    expect(parseCount({ range: { min: 1, max: 10, spot_from: 6 } })).toMatchObject({ min: 1, max: 10, spotFrom: 6 });
    expect(parseCount({ spot: 2 })).toMatchObject({ min: 2, max: 2, allSpot: true });
    expect(parseCount({ queue_delay: { acceptable_latency: '15m', msg_processing_time: '1s' } })).toMatchObject({ messagesPerTask: 900 });
    expect(parseCount({ range: 'lots' }).problems).toEqual(['count.range "lots" is not "min-max"']);
    expect(parseCount({ requests: 30, response_time: '2s' })).toMatchObject({ min: undefined, cpuPercent: undefined, problems: [] });
  });

  test('count: requests and response time in both forms, cooldowns general and per metric, and whether Copilot autoscales', () => {
    expect(parseCount({ range: '1-10', cooldown: { in: '60s', out: '30s' }, requests: { value: 30, cooldown: { out: '2m' } }, response_time: '2s' })).toMatchObject({
      requests: 30, responseTimeMs: 2000, autoscales: true, cooldown: { in: 60000, out: 30000 }, metricCooldowns: { requests: { out: 120000 } },
    });
    expect(parseCount({ range: '1-10', response_time: { value: '500ms' } })).toMatchObject({ responseTimeMs: 500, autoscales: true });
    // A number, spot, or a range without a metric (which Copilot refuses) do not autoscale.
    ([3, { spot: 2 }, { range: '1-10' }] as Yaml[]).forEach(count => expect(parseCount(count).autoscales).toBe(false));
  });

  test('alias: a string, a list, objects with their hosted zone', () => {
    expect(parseAliases('example.com', 'Z1')).toEqual([{ name: 'example.com', hostedZone: 'Z1' }]);
    expect(parseAliases(['a.example.com', 'example.com'])).toEqual([{ name: 'a.example.com' }, { name: 'example.com' }]);
    expect(parseAliases([{ name: 'qa.example.com', hosted_zone: 'Z2' }], 'Z1')).toEqual([{ name: 'qa.example.com', hostedZone: 'Z2' }]);
  });

  test('secrets: SSM name or ARN, secretsmanager name or ARN with a JSON key, from_cfn', () => {
    expect(parseSecret('GITHUB_TOKEN')).toEqual({ source: 'ssm', name: 'GITHUB_TOKEN' });
    expect(parseSecret('arn:aws:ssm:us-east-1:123456789012:parameter/copilot/app/token')).toEqual({ source: 'ssm', name: '/copilot/app/token' });
    expect(parseSecret({ secretsmanager: 'mysql' })).toEqual({ source: 'secretsmanager', name: 'mysql', isArn: false, jsonKey: undefined });
    expect(parseSecret({ secretsmanager: 'demo/mysql:username::' })).toMatchObject({ source: 'secretsmanager', name: 'demo/mysql', jsonKey: 'username' });
    expect(parseSecret({ secretsmanager: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf:password::' }))
      .toMatchObject({ name: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:demo-AbCdEf', isArn: true, jsonKey: 'password' });
    expect(parseSecret({ secretsmanager: 'demo:key:AWSPREVIOUS:' }).source).toBe('unsupported');
    expect(parseSecret({ from_cfn: 'stack-Export' })).toMatchObject({ source: 'unsupported', problem: expect.stringContaining('from_cfn') });
  });

  test('health check: a path string or a map', () => {
    expect(parseHealthCheck('/_healthcheck')).toEqual({ path: '/_healthcheck' });
    expect(parseHealthCheck({ path: '/h', healthy_threshold: 4, interval: '15s', grace_period: '2m', timeout: '10s' }))
      .toMatchObject({ path: '/h', healthyThreshold: 4, intervalMs: 15000, gracePeriodMs: 120000, timeoutMs: 10000 });
    // YAML reads a single code as a number.
    expect(parseHealthCheck({ port: 8081, success_codes: 200, unhealthy_threshold: 3 })).toMatchObject({ port: 8081, successCodes: '200', unhealthyThreshold: 3 });
  });

  test('container health check: the fields given, Copilot\'s default command when none is', () => {
    expect(parseContainerHealthCheck(undefined)).toBeUndefined();
    expect(parseContainerHealthCheck({ command: ['CMD', '/check'], interval: '20s', timeout: '3s', retries: 4, start_period: '1m' }))
      .toEqual({ command: ['CMD', '/check'], intervalMs: 20000, timeoutMs: 3000, retries: 4, startPeriodMs: 60000 });
    expect(parseContainerHealthCheck({ retries: 3 })?.command).toEqual(COPILOT_HEALTH_CHECK_COMMAND);
  });

  test('command: a list, or a string split as a shell does', () => {
    expect(parseCommand(['node', 'job.js'])).toEqual(['node', 'job.js']);
    expect(parseCommand('python -c "print(\'hi there\')" --flag')).toEqual(['python', '-c', 'print(\'hi there\')', '--flag']);
    expect(parseCommand('echo \'\' a\\ b')).toEqual(['echo', '', 'a b']);
  });

  test('platform: string and object forms', () => {
    expect(parsePlatform('linux/arm64')).toEqual({ arch: 'ARM64' });
    expect(parsePlatform({ osfamily: 'linux', architecture: 'x86_64' })).toEqual({ arch: 'X86_64' });
    expect(parsePlatform('windows/x86_64').problem).toMatch(/only Linux/);
  });

  test('overrides merge maps key by key; scalars, lists and another form replace', () => {
    expect(mergeOverrides(
      { http: { path: '/', alias: 'a.com' }, count: { range: '1-4', cpu_percentage: 70 }, variables: { A: '1' }, sidecars: ['x'] },
      { http: { alias: ['b.com'] }, count: 1, variables: { B: '2' }, sidecars: ['y'] },
    )).toEqual({ http: { path: '/', alias: ['b.com'] }, count: 1, variables: { A: '1', B: '2' }, sidecars: ['y'] });
  });

  test('${VAR} interpolation: predefined and shell names, escapes, unset names kept and listed', () => {
    const unset = new Set<string>();
    expect(interpolate({ 'a': '${X}-${COPILOT_ENVIRONMENT_NAME}', 'b': ['\\${X}', '${MISSING}'], '${X}': 1 }, { X: 'x', COPILOT_ENVIRONMENT_NAME: 'test' }, unset))
      .toEqual({ 'a': 'x-test', 'b': ['${X}', '${MISSING}'], '${X}': 1 });
    expect([...unset]).toEqual(['MISSING']);
  });
});
