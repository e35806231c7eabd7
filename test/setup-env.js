// Run by jest before each test file (setupFiles in .projenrc.ts).
//
// aws-cdk-lib records a stack trace in the cloud assembly's metadata for every resource it creates
// (aws:cdk:creationStack) and for every annotation. Under jest, which maps each frame of a trace through source maps,
// capturing them took about a third of a synth's time (profiled 2026-12-02: 2.1 s of 5.8 s in generated-props).
// Nothing the tests assert reads a trace, and a template never contains one: the suite synthesizes without them, through
// the context every App reads from CDK_CONTEXT_JSON (what the CDK CLI passes its context in). Context a caller sets
// in that variable, and context an App is given in its props, still win.
const noTraces = { 'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true };
process.env.CDK_CONTEXT_JSON = JSON.stringify({ ...noTraces, ...JSON.parse(process.env.CDK_CONTEXT_JSON || '{}') });
