/** A usage error the user can fix (a bad flag, or an input file named by a flag): printed as its message alone, exit 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
