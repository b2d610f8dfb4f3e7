/**
 * A command that could not finish for a reason outside the user's flags (a file that cannot be written, an interrupt):
 * printed as its one-line message, with exit code 1, or 128 + the signal number after SIGINT (130) or SIGTERM (143).
 */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}
