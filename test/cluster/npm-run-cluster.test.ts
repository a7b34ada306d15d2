import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { Connection } from '@temporalio/client';
import { startProcess } from '../../scripts/processes';
import { childProcesses, eventually, portIsClosed } from '../helpers/process-checks';

const ROOT = join(__dirname, '..', '..');

describe('npm run cluster', () => {
  it('prints the frontend address of a cluster on PostgreSQL; Ctrl-C stops all of it and leaves no process behind', async () => {
    const cluster = startProcess('cluster', process.execPath, ['--import', 'tsx', 'scripts/cluster.ts'], {
      cwd: ROOT,
      // The cached server and CLI are found under HOME; Go is on PATH only in case they must be built.
      env: { PATH: `${dirname(process.execPath)}:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin`, HOME: homedir() },
    });
    try {
      const line = await cluster.waitForLine(/^127\.0\.0\.1:\d+$/, 180_000);
      const port = Number(line.split(':')[1]);
      assert.ok(port < 32_768, 'Temporal stores ports as smallint');
      const postgresPort = Number(/PostgreSQL on 127\.0\.0\.1:(\d+)/.exec(cluster.output())?.[1]);
      const connection = await Connection.connect({ address: line });
      try {
        const info = await connection.workflowService.getSystemInfo({});
        assert.ok(info.serverVersion);
        const { namespaceInfo } = await connection.workflowService.describeNamespace({ namespace: 'default' });
        assert.equal(namespaceInfo?.name, 'default');
      } finally {
        await connection.close();
      }
      // What it started: PostgreSQL and the four services (each a direct child).
      const children = childProcesses(cluster.child.pid ?? 0);
      assert.equal(children.filter((child) => /temporal-server/.test(child.command)).length, 4);
      assert.equal(children.filter((child) => /postgres/.test(child.command)).length, 1);
      cluster.child.kill('SIGINT');
      const exit = await cluster.exited;
      assert.equal(exit.code, 0, cluster.output().slice(-2000));
      assert.ok(await portIsClosed(port), 'the frontend is stopped');
      assert.ok(await portIsClosed(postgresPort), 'PostgreSQL is stopped');
      const alive = (pid: number): boolean => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      assert.ok(
        await eventually(() => children.every((child) => !alive(child.pid)), 10_000),
        `left behind: ${children
          .filter((child) => alive(child.pid))
          .map((child) => child.command)
          .join('; ')}`,
      );
    } finally {
      cluster.kill();
    }
  });
});
