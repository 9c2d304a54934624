/**
 * The composition root as `npm start` runs it (and the Docker image, and the integration tests):
 * the same code as `pushgate serve` (src/cli/serve.ts), so both take the same options.
 */
import { serve } from './cli/serve.js';

await serve(process.argv.slice(2));
