// The naive way to put HTTP in front of Temporal, as a baseline (B5): a hand-written Express route that calls the
// client, with no tRPC, no OpenAPI layer and no zod (B5: start, B15: execute).
// Usage: naive-server <port> <temporal address> <start task queue> <execute task queue>.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import express from 'express';

async function main(): Promise<void> {
  const [port, address, taskQueue, executeQueue] = process.argv.slice(2);
  if (!port || !address || !taskQueue || !executeQueue)
    throw new Error('usage: naive-server <port> <address> <start task queue> <execute task queue>');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const app = express();
  app.use(express.json());
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.post('/start', async (req, res) => {
    try {
      const workflowId = `YourWorkflow-${randomUUID()}`;
      const handle = await client.workflow.start('YourWorkflow', {
        taskQueue,
        workflowId,
        args: [(req.body as { input: unknown }).input],
      });
      res.json({ workflowId, runId: handle.firstExecutionRunId });
    } catch (error) {
      res.status(500).json({ message: error instanceof Error ? error.message : String(error) });
    }
  });
  app.post('/execute', async (req, res) => {
    try {
      const workflowId = `YourWorkflow-${randomUUID()}`;
      const result: unknown = await client.workflow.execute('YourWorkflow', {
        taskQueue: executeQueue,
        workflowId,
        args: [(req.body as { input: unknown }).input],
      });
      res.json({ workflowId, result });
    } catch (error) {
      res.status(500).json({ message: error instanceof Error ? error.message : String(error) });
    }
  });
  const server = app.listen(Number(port), '127.0.0.1');
  process.once('SIGTERM', () => {
    server.close();
    void connection.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
