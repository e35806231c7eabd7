// What `cdk synth` of the first-hour app may print besides the template (issue #31, item 8): the library's warnings
// that the README explains, the CLI's feature-flag note, and aws-cdk-lib's one deprecation line of its own NAT
// instance provider (aws/aws-cdk#30806). No info line, no other deprecation, no other warning.
const fs = require('fs');
const expected = [
  /^\[Warning at \/MyBackendDev\/Backend\/Service\] no hostedZone: /,
  /^\[Warning at \/MyBackendDev\/Backend\/Monitoring\/AlarmTopic\] the platform's \d+ alarms reach this SNS topic/,
  /^\d+ feature flags are not configured/,
  // The same two warnings as newer CLIs print them: the message, the construct path, how to acknowledge it.
  /^WARNING no hostedZone: /,
  /^WARNING the platform's \d+ alarms reach this SNS topic/,
  /^ {3}MyBackendDev\/Backend\/(Service|Monitoring\/AlarmTopic)$/,
  /^ {3}Acknowledge with 'Annotation::cdk-backend-platform:(hostedZone|unsubscribedAlarms)'$/,
  /^\[WARNING\] aws-cdk-lib\.aws_ec2\.InstanceProps#keyName is deprecated\.$/,
  // jsii prints where the deprecated call came from: the platform's line of app.ts (README, "Your first hour").
  /^app\.(ts|js):\d+:\d+$/,
  /^ {2}(- Use `keyPair` instead|This API will be removed)/,
];
const lines = fs.readFileSync(process.argv[2], 'utf8').split('\n').filter(line => line.trim() !== '');
const unexpected = lines.filter(line => !expected.some(pattern => pattern.test(line)));
if (unexpected.length > 0) {
  console.error(`cdk synth printed lines the README does not explain:\n${unexpected.join('\n')}`);
  process.exit(1);
}
console.log(`cdk synth: ${lines.length} lines besides the template, each one the README explains`);
