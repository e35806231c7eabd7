import { Duration, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { invalidProp } from './validation';

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.*)\)$/;

/**
 * Checks an EventBridge schedule expression the way EventBridge will: `rate(N unit)` with a matching singular
 * or plural unit, or `cron(...)` with six fields, one of day-of-month / day-of-week being `?`.
 */
export function validateSchedule(scope: IConstruct, prop: string, schedule: events.Schedule): void {
  const expression = schedule.expressionString;
  if (Token.isUnresolved(expression)) return;
  const rate = RATE.exec(expression);
  if (rate) {
    const [, value, unit] = rate;
    if (Number(value) < 1 || (Number(value) === 1) !== !unit.endsWith('s')) {
      invalidProp(scope, prop, expression, 'use rate(1 minute) for one and rate(N minutes) for more, with N >= 1');
    }
    return;
  }
  const cron = CRON.exec(expression);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length !== 6) {
      invalidProp(scope, prop, expression, 'an EventBridge cron has six fields (minute hour day-of-month month day-of-week year); use events.Schedule.cron({ minute: "0", hour: "8" })');
    }
    if (fields[2] !== '?' && fields[4] !== '?') {
      invalidProp(scope, prop, expression, 'one of day-of-month or day-of-week must be "?"');
    }
    return;
  }
  if (!expression.startsWith('at(')) {
    invalidProp(scope, prop, expression, 'use events.Schedule.rate(...) or events.Schedule.cron(...)');
  }
}

/** Period of a rate schedule, or undefined for cron and one-off schedules. */
export function ratePeriod(schedule: events.Schedule): Duration | undefined {
  const rate = RATE.exec(schedule.expressionString);
  if (!rate) return undefined;
  const value = Number(rate[1]);
  if (rate[2].startsWith('minute')) return Duration.minutes(value);
  if (rate[2].startsWith('hour')) return Duration.hours(value);
  return Duration.days(value);
}
