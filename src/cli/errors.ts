/** A failure the user can fix: printed as one line (what is wrong and the fix), no stack trace. */
export class CliError extends Error {
  constructor(message: string, public readonly exitCode: number = 1) {
    super(message);
    this.name = 'CliError';
  }
}
