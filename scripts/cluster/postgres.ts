// PostgreSQL for `npm run cluster`: Debian's binaries (the `postgresql` package), a data directory of its own made
// by initdb, its own port on 127.0.0.1, no system service. PostgreSQL refuses to run as root, so as root it runs as
// the `postgres` user (setpriv: no process in between, so signals reach the postmaster).
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, type ManagedProcess } from '../processes';

const POSTGRES_VERSIONS_DIR = '/usr/lib/postgresql';
const START_TIMEOUT_MS = 30_000;

/** The user and password Temporal (and the shared rate limits) connect with; loopback only. */
export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal';

/** The bin directory of the newest PostgreSQL installed from Debian's packages, or an error naming the package. */
export function postgresBinDir(): string {
  const versions = existsSync(POSTGRES_VERSIONS_DIR)
    ? readdirSync(POSTGRES_VERSIONS_DIR).filter((entry) =>
        existsSync(join(POSTGRES_VERSIONS_DIR, entry, 'bin', 'initdb')),
      )
    : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest === undefined) {
    throw new Error(`no PostgreSQL under ${POSTGRES_VERSIONS_DIR}: install it with 'apt-get install postgresql'`);
  }
  return join(POSTGRES_VERSIONS_DIR, newest, 'bin');
}

/** As root, the uid and gid of the `postgres` user; otherwise undefined (run as ourselves). */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function asPostgres(command: string, args: string[]): [string, string[]] {
  const user = postgresUser();
  if (!user) return [command, args];
  return ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', command, ...args]];
}

export interface LocalPostgres {
  readonly port: number;
  /** A connection string for the `postgres` database (the shared rate limits' store). */
  readonly url: string;
  start(): Promise<void>;
  /** Stops it: SIGINT is PostgreSQL's fast shutdown (open transactions roll back, nothing committed is lost). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  readonly process: () => ManagedProcess | undefined;
}

/** Makes a data directory under `dir` (initdb, once) and returns a handle; start() starts the server. */
export function createPostgres(dir: string, port: number, env: NodeJS.ProcessEnv): LocalPostgres {
  const bin = postgresBinDir();
  const user = postgresUser();
  const data = join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  if (user) chownSync(dir, user.uid, user.gid);
  if (!existsSync(join(data, 'PG_VERSION'))) {
    const passwordFile = join(dir, 'password');
    writeFileSync(passwordFile, `${POSTGRES_PASSWORD}\n`, { mode: 0o600 });
    if (user) chownSync(passwordFile, user.uid, user.gid);
    const [command, args] = asPostgres(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      POSTGRES_USER,
      `--pwfile=${passwordFile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-instructions',
    ]);
    execFileSync(command, args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  let postgres: ManagedProcess | undefined;
  return {
    port,
    url: `postgres://${POSTGRES_USER}:${POSTGRES_PASSWORD}@127.0.0.1:${port}/postgres`,
    process: () => postgres,
    async start() {
      const [command, args] = asPostgres(join(bin, 'postgres'), [
        '-D',
        data,
        '-p',
        String(port),
        '-k',
        dir,
        '-c',
        'listen_addresses=127.0.0.1',
        // Four services with their pools, two API replicas and the tests' own connections.
        '-c',
        'max_connections=300',
      ]);
      postgres = startProcess('postgresql', command, args, { env, cwd: dir });
      await postgres.waitForLine(/database system is ready to accept connections/, START_TIMEOUT_MS);
    },
    async stop(signal = 'SIGINT') {
      await postgres?.stop(signal, 15_000);
    },
  };
}
