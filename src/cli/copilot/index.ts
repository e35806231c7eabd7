export * from './forms';
export * from './mapping';
export * from './convert';
export * from './import-copilot';
export { pascalCase, durationCode, literal } from './codegen';
