/** A final model could not be saved (`saveModels`): which file, and why. Training itself finished. */
export class ModelSaveError extends Error {
  constructor(
    /** The model.json that was being written. */
    readonly path: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: cannot save the model (${reason})`, options);
    this.name = 'ModelSaveError';
  }
}
