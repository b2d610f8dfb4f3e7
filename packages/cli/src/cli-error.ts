/** An error the user can fix: printed as its message alone (no stack), exit code 2 like commander's usage errors. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
