import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { IMonitoredScheduledWork } from '../monitoring/monitored';
import { createDeadLetterQueue, deadLetterQueueAlarm, failedInvocationsAlarm, notify } from '../private/alarms';
import { checkAll } from '../private/errors';
import { checkPropTypes } from '../private/prop-types';
import { validateSchedule } from '../private/schedule';
import { createSharedSecret } from '../private/secret';
import { invalidProp, validateIntegerRange, validateNonEmpty, validatePath, validateUnique } from '../private/validation';

/** One backend endpoint called on a schedule. */
export interface ScheduledApiCall {
  /** Identifier, unique in the list; names the rule and its alarm (e.g. `ResetQueue`). */
  readonly id: string;
  /** When to call, e.g. `events.Schedule.cron({ minute: '0', hour: '8' })`. */
  readonly schedule: events.Schedule;
  /** Path below the base URL, starting with `/`. */
  readonly path: string;
  /**
   * HTTP method.
   * @default events.HttpMethod.POST
   */
  readonly method?: events.HttpMethod;
  /**
   * Body sent with the call, e.g. `events.RuleTargetInput.fromObject({ kind: 'review' })`.
   * @default - the EventBridge scheduled event as JSON
   */
  readonly body?: events.RuleTargetInput;
  /**
   * Extra headers.
   * @default - none
   */
  readonly headers?: { [key: string]: string };
}

/** Props of `ScheduledApiCalls`. */
export interface ScheduledApiCallsProps {
  /** HTTPS base URL of the backend, e.g. the service URL. */
  readonly baseUrl: string;
  /** The calls to make. */
  readonly calls: ScheduledApiCall[];
  /**
   * Secret whose value is the API key sent with every call; the backend reads the same secret to verify it.
   * @default - a generated 48-character secret
   */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /**
   * Header carrying the API key.
   * @default 'x-api-key'
   */
  readonly apiKeyHeaderName?: string;
  /**
   * Maximum invocations per second of each endpoint.
   * @default 10
   */
  readonly rateLimitPerSecond?: number;
  /**
   * Times EventBridge retries a failed call.
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * Topic that receives the alarms.
   * @default - alarms without actions
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * EventBridge rules that call backend endpoints on cron or rate schedules through API destinations with
 * API-key auth (the key lives in Secrets Manager, never in the template), each with retries, a dead-letter
 * queue and an alarm on failed invocations.
 */
export class ScheduledApiCalls extends Construct implements IMonitoredScheduledWork {
  /** The connection holding the API-key authorization. */
  public readonly connection: events.Connection;
  /** Secret holding the API key; grant your backend read access to verify calls. */
  public readonly apiKeySecret: secretsmanager.ISecret;
  /** Dead-letter queue shared by all calls. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Rule of each call, by id. */
  public readonly rules: { [id: string]: events.Rule };
  /** Alarms: one per call on failed invocations, one on the dead-letter queue. */
  public readonly alarms: cloudwatch.Alarm[];

  /** The calls' schedule rules, by call ID (the same map as `rules`). */
  public get scheduleRules(): { [name: string]: events.Rule } {
    return this.rules;
  }

  constructor(scope: Construct, id: string, props: ScheduledApiCallsProps) {
    super(scope, id);
    checkPropTypes(this, 'ScheduledApiCallsProps', props);
    const headerName = props.apiKeyHeaderName ?? DEFAULT_API_KEY_HEADER;
    validateProps(this, props, headerName);

    this.apiKeySecret = props.apiKeySecret ?? this.generateApiKey();
    this.connection = new events.Connection(this, 'Connection', {
      description: 'API-key authorization of scheduled backend calls',
      authorization: events.Authorization.apiKey(headerName, this.apiKeySecret.secretValue),
    });
    this.deadLetterQueue = createDeadLetterQueue(this, 'DeadLetterQueue');
    this.rules = {};
    this.alarms = [];
    for (const call of props.calls) {
      const rule = this.addCall(props, call);
      this.rules[call.id] = rule;
      this.alarms.push(notify(failedInvocationsAlarm(this, `${call.id}FailedAlarm`, rule.ruleName, `Scheduled call ${call.id}`), props.alarmTopic));
    }
    this.alarms.push(notify(deadLetterQueueAlarm(this, 'DeadLetterAlarm', this.deadLetterQueue, 'Scheduled API calls'), props.alarmTopic));
  }

  private generateApiKey(): secretsmanager.Secret {
    return createSharedSecret(this, 'ApiKey', 'API key of scheduled backend calls; the backend verifies it',
      'The key is shared with the backend that verifies it; rotate it by updating the secret when the backend re-reads it.');
  }

  private addCall(props: ScheduledApiCallsProps, call: ScheduledApiCall): events.Rule {
    const destination = new events.ApiDestination(this, `${call.id}Destination`, {
      connection: this.connection,
      endpoint: `${props.baseUrl.replace(/\/+$/, '')}${call.path}`,
      httpMethod: call.method ?? events.HttpMethod.POST,
      rateLimitPerSecond: props.rateLimitPerSecond ?? 10,
      description: `Scheduled call ${call.id}`,
    });
    return new events.Rule(this, `${call.id}Rule`, {
      schedule: call.schedule,
      description: `Calls ${call.method ?? 'POST'} ${call.path}`,
      targets: [new targets.ApiDestination(destination, {
        event: call.body,
        headerParameters: call.headers,
        retryAttempts: props.retryAttempts ?? 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      })],
    });
  }
}

const DEFAULT_API_KEY_HEADER = 'x-api-key';
/** An HTTP field name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function validateHeaderName(scope: Construct, prop: string, name: string): void {
  if (!Token.isUnresolved(name) && !HEADER_NAME.test(name)) {
    invalidProp(scope, prop, name, 'use an HTTP header name: letters, digits and hyphens (e.g. "x-api-key")');
  }
}

function validateProps(scope: Construct, props: ScheduledApiCallsProps, apiKeyHeader: string): void {
  checkAll([
    () => {
      if (!Token.isUnresolved(props.baseUrl) && !/^https:\/\/[^\s/]+/.test(props.baseUrl)) {
        invalidProp(scope, 'baseUrl', props.baseUrl, 'API destinations call HTTPS endpoints only; use a URL such as "https://api.example.com"');
      }
    },
    () => validateNonEmpty(scope, 'calls', props.calls),
    () => validateUnique(scope, 'calls[].id', props.calls.map(c => c.id)),
    () => validateHeaderName(scope, 'apiKeyHeaderName', apiKeyHeader),
    () => validateIntegerRange(scope, 'rateLimitPerSecond', props.rateLimitPerSecond, 1, 300),
    () => validateIntegerRange(scope, 'retryAttempts', props.retryAttempts, 0, 185),
    () => {
      props.calls.forEach((call, i) => {
        if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(call.id)) {
          invalidProp(scope, `calls[${i}].id`, call.id, 'use letters and digits, starting with a letter (e.g. "ResetQueue")');
        }
        validatePath(scope, `calls[${i}].path`, call.path);
        validateSchedule(scope, `calls[${i}].schedule`, call.schedule);
        Object.keys(call.headers ?? {}).forEach(name => {
          validateHeaderName(scope, `calls[${i}].headers`, name);
          if (name.toLowerCase() === apiKeyHeader.toLowerCase()) {
            invalidProp(scope, `calls[${i}].headers`, name,
              `the connection already sends ${apiKeyHeader} from Secrets Manager; drop it here, where its value would sit in the template in clear`);
          }
        });
      });
    },
  ]);
}
