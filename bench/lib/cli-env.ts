// The environment shipyaml runs in during the benchmark. NODE_EXTRA_CA_CERTS is left out: a
// machine that sets it (this one does, to its CA bundle) makes every Node 20 process read and
// parse that bundle at start, ~45 ms here, before any of our code runs, and shipyaml opens no
// TLS connection. The startup rows are measured with it too, and the report shows both.
const { NODE_EXTRA_CA_CERTS, ...rest } = process.env;

export const EXTRA_CA_CERTS = NODE_EXTRA_CA_CERTS;

export const CLI_ENV: NodeJS.ProcessEnv = { ...rest, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '' };

/** CLI_ENV plus this machine's NODE_EXTRA_CA_CERTS (undefined where it is not set). */
export const CLI_ENV_WITH_CA: NodeJS.ProcessEnv | undefined = NODE_EXTRA_CA_CERTS ? { ...CLI_ENV, NODE_EXTRA_CA_CERTS } : undefined;
