/** An error the CLI reports in one line and answers with an exit code; 2 means the input was wrong. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
