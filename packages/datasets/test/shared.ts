import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The project's read-only reference material (`../shared` beside the repository root), or KRAMERS_SHARED.
 * Tests compare against it because its values were computed independently (float64, other tools).
 */
export const SHARED = process.env['KRAMERS_SHARED'] ?? fileURLToPath(new URL('../../../test/fixtures/shared/', import.meta.url));
if (!existsSync(SHARED)) {
  throw new Error(`reference material not found at ${SHARED}; set KRAMERS_SHARED to the shared folder`);
}
