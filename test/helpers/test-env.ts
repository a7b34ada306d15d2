import { z } from 'zod';

/**
 * Settings of a test run itself (not of the app under test), parsed once: the one test file that reads process.env,
 * as common/config.ts is for the app.
 */
export const testEnv = z
  .object({
    /** `1` (npm run screenshots): the console tests write their screenshots to docs/ instead of a temporary folder. */
    UPDATE_SCREENSHOTS: z.enum(['0', '1']).default('0'),
  })
  .parse(process.env);
