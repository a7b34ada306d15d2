// @ts-check
// The service's rules, applied to the harness from its own folder (the root config ignores bench/).
import service from '../eslint.config.mjs';

export default [...service, { ignores: ['dist/**', 'node_modules/**', 'results/**'] }];
