import { z } from 'zod';
import { workflowIdSchema } from '../schemas';
import { linkProcedure, protectedProcedure, router } from '../trpc';
import { createLink, describeLink, revokeLink, useLink } from './link-operations';
import { createLinkInputSchema, linkTokenSchema, linkUseOutcomeSchema, linkViewSchema } from './link-schemas';

const tags = ['action links'];
const OFF = { 501: 'Action links are off (ACTION_LINK_SIGNING_SECRET unset)', 503: 'Temporal unavailable' };
const LINK_ERRORS = {
  ...OFF,
  401: 'Not a valid action link (tampered, or signed with another secret)',
  404: "The link's workflow no longer exists",
  410: 'The link has expired, been used up or been revoked (data.details.reason says which)',
};

/** Action links: a signed URL that sends one signal or update to one workflow, without credentials. */
export const linksRouter = router({
  /** Makes a link that sends one signal or update to this workflow; the caller needs the message's own scope. */
  create: protectedProcedure
    .meta({
      scope: 'workflows:signal',
      openapi: {
        method: 'POST',
        path: '/workflows/{workflowId}/links',
        tags,
        summary: 'Create an action link that sends one signal or update to this workflow',
        description:
          'The answer’s url may be handed to anyone: a POST to it sends the message without credentials (its input ' +
          'checked by the contract), up to maxUses times until expiresAt. GET on it says what it does.',
        errorResponses: {
          ...OFF,
          400: 'Invalid input, no such signal or update, or a fixed input the contract refuses',
          404: 'No workflow with this ID',
          409: 'The workflow is closed',
        },
      },
      example: { signal: 'approve', maxUses: 1, expiresIn: 3600 },
    })
    .input(createLinkInputSchema)
    .output(linkViewSchema)
    .mutation(({ ctx, input }) => createLink(ctx, input)),

  /** Revokes a link by its id: every later use or look answers 410. */
  revoke: protectedProcedure
    .meta({
      scope: 'workflows:signal',
      openapi: {
        method: 'DELETE',
        path: '/workflows/{workflowId}/links/{linkId}',
        tags,
        summary: 'Revoke an action link',
        errorResponses: { ...OFF, 400: 'Invalid link id', 404: 'No workflow with this ID' },
      },
    })
    .input(
      z.strictObject({
        workflowId: workflowIdSchema,
        linkId: z
          .string()
          .regex(/^[A-Za-z0-9_-]{16}$/, 'not a link id')
          .describe('The id the link was created with'),
      }),
    )
    .output(z.object({ id: z.string(), workflowId: z.string(), status: z.literal('REVOKED') }))
    .mutation(({ ctx, input }) => revokeLink(ctx, input.workflowId, input.linkId)),

  /** What a link will do: its message, the input's JSON Schema, its expiry and uses left. Never acts. */
  describe: linkProcedure
    .meta({
      linkToken: true,
      openapi: {
        method: 'GET',
        path: '/links/{token}',
        tags,
        summary: 'What an action link does (no credentials; never acts)',
        errorResponses: LINK_ERRORS,
      },
    })
    .input(z.strictObject({ token: linkTokenSchema }))
    .output(linkViewSchema)
    .query(({ ctx, input }) => describeLink(ctx, input.token)),

  /** Sends the link's message, its input (the body, unless the link fixes it) checked by the contract. */
  use: linkProcedure
    .meta({
      linkToken: true,
      acceptedWhenPending: true,
      openapi: {
        method: 'POST',
        path: '/links/{token}',
        tags,
        summary: 'Act on an action link: send its signal or update (no credentials)',
        description:
          "The body is the message's input, checked as its authenticated route checks it (400 naming the field); " +
          'send no body when the link fixes the input. Each call takes one use. 200 once the signal is recorded or ' +
          'the update has its result; 202 with resultUrl when the update outlasts the wait.',
        errorResponses: {
          ...LINK_ERRORS,
          400: 'Invalid input',
          409: 'The workflow is closed',
          422: 'The update was rejected',
        },
      },
    })
    .input(z.looseObject({ token: linkTokenSchema }))
    .output(linkUseOutcomeSchema)
    .mutation(({ ctx, input }) => {
      const { token, ...body } = input;
      return useLink(ctx, token, body);
    }),
});
