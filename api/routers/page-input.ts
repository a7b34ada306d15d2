import { z } from 'zod';

/** The paging fields every list procedure takes: a page size and the opaque token a previous page answered with. */
export const pageInputShape = {
  pageSize: z.number().int().min(1).max(100).default(20),
  pageToken: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9_-]*$/, 'not a page token from this API')
    .optional(),
};
