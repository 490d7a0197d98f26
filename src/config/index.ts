// The config pipeline's public face (DESIGN §5): find -> parse -> validate -> locate -> normalise
// -> rules. loadConfig reads and checks the file; resolveStage turns one stage into the
// StageConfig everything after config/ works with.
export { loadConfig, locateKey, type LoadedConfig, type LoadOptions } from './load.js';
export { resolveStage, tryResolveStage, validateAll, unknownStageError, type ResolveOptions } from './resolve-stage.js';
export { SEARCH_PLACES } from './find.js';
export { parseDuration } from './duration.js';
export { DEFAULTS } from './defaults.js';
export { formatProblem, formatKeyPath, type Problem, type KeyPath } from './problems.js';
export type { ConfigSource } from './source.js';
export type { DeployConfig } from './schema-types.js';
export type * from './stage-config.js';
export { HOOK_NAMES } from './stage-config.js';
