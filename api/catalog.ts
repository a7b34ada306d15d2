import { z } from 'zod';
import type { WorkflowContract } from '../workflows/contract';
import { workflowContracts } from '../workflows/contracts';

/** A JSON Schema document (draft 2020-12), as zod writes it. */
const jsonSchema = z.record(z.string(), z.unknown()).describe('JSON Schema (draft 2020-12) of what the caller sends');

const messageSchema = z.object({ name: z.string(), description: z.string(), input: jsonSchema });

export const catalogEntrySchema = z.object({
  workflowType: z.string(),
  summary: z.string(),
  description: z.string(),
  input: jsonSchema,
  exampleInput: z.unknown().describe("A valid input: the contract's example"),
  progressQuery: z.string().nullable().describe('The query the progress stream reports, if any'),
  signals: z.array(messageSchema),
  queries: z.array(messageSchema),
  updates: z.array(messageSchema),
});
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;

// Input side: fields with defaults are optional, which is what a form (or any caller) may leave out.
export const toJsonSchema = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

function messagesOf(record: Record<string, { description: string; input: z.ZodType }>) {
  return Object.entries(record).map(([name, message]) => ({
    name,
    description: message.description,
    input: toJsonSchema(message.input),
  }));
}

function entryOf(contract: WorkflowContract): CatalogEntry {
  return {
    workflowType: contract.workflowType,
    summary: contract.summary,
    description: contract.description,
    input: toJsonSchema(contract.input),
    exampleInput: contract.exampleInput,
    progressQuery: contract.progressQuery ?? null,
    signals: messagesOf(contract.signals),
    queries: messagesOf(contract.queries),
    updates: messagesOf(contract.updates),
  };
}

/** Every registered workflow type described from its contract, computed once: forms are generated from it. */
export const workflowCatalog: readonly CatalogEntry[] = workflowContracts.map((contract) => entryOf(contract));
