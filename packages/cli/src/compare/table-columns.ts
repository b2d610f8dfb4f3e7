/** The comparison's fixed columns, in order, by task: the printed table's and the report's (anything else follows). */
export const TABLE_COLUMNS = {
  classification: ['train_loss', 'train_accuracy', 'test_accuracy', 'lambda_max', 'lambda_min', 'noise_scale', 'critical_batch_size', 'T_top', 'predicted_steps', 'grad_norm', 'distance'],
  regression: ['train_mse', 'test_mse', 'lambda_max', 'lambda_min', 'noise_scale', 'critical_batch_size', 'T_top', 'predicted_steps', 'grad_norm', 'distance'],
} as const;
