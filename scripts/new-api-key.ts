// Prints a new random API key and the AUTH_API_KEYS entry that accepts it (the configuration holds only its hash).
// Usage: npm run new-api-key -- [name] [scope,scope,...] [tenant]
import { apiKeyDigest, newApiKey } from '../api/auth/api-keys';
import { SCOPES } from '../api/auth/scopes';

const [name = 'my-client', scopeList = SCOPES.join(','), tenant] = process.argv.slice(2);
const key = newApiKey();
const entry = { name, sha256: apiKeyDigest(key), scopes: scopeList.split(','), ...(tenant ? { tenant } : {}) };
process.stdout.write(
  `API key (give it to the client once; it is not stored anywhere):\n  ${key}\n\n` +
    `Configuration (add the object to the AUTH_API_KEYS array):\n  AUTH_API_KEYS='${JSON.stringify([entry])}'\n`,
);
