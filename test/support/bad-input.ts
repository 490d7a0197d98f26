// The hostile and broken input corpus (issue 4, point 6), shared by the local run
// (test/cli/bad-input.test.ts) and the SSH run (test/integration/bad-input-ssh.test.ts).
// Each refused case: exit 2, the message, file:line:col where the problem has one, no stack
// trace, and the servers' trees unchanged. Vars with shell metacharacters are the opposite case:
// accepted, quoted, and arriving byte for byte.
import { expect } from 'vitest';
import type { CliResult } from './cli.js';

export const CONFIG = 'bad.yml';

export interface BadCase {
  name: string;
  /** The config file's content (a valid one when the case is about the command line). */
  file: string | Buffer;
  /** Arguments after `-c bad.yml` (default: deploy STAGE). */
  args?: string[];
  /** Leave out `-c bad.yml` (for cases about -c itself). */
  noConfigFlag?: boolean;
  message: string | RegExp;
  /** Where the problem is: the first occurrence of this text in the file (plus some columns), or [line, col]. */
  at?: string | { text: string; plus: number } | [number, number];
}

/** The position (1-based line and column) of the first occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string): [number, number] {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`case text does not contain ${JSON.stringify(needle)}`);
  const before = text.slice(0, i);
  return [before.split('\n').length, i - before.lastIndexOf('\n')];
}

/** Checks one refused case's result; throws (an assertion error) when it was not handled. */
export function expectRefused(c: BadCase, r: CliResult): void {
  const out = r.stdout + r.stderr;
  expect(r.code, `${c.name}: exit code\n${out}`).toBe(2);
  if (typeof c.message === 'string') expect(out, c.name).toContain(c.message);
  else expect(out, c.name).toMatch(c.message);
  if (c.at !== undefined) {
    const text = typeof c.file === 'string' ? c.file : c.file.toString('latin1');
    const [line, col] = Array.isArray(c.at)
      ? c.at
      : typeof c.at === 'string'
        ? positionOf(text, c.at)
        : ((p) => [p[0], p[1] + (c.at as { plus: number }).plus] as [number, number])(positionOf(text, c.at.text));
    expect(out, `${c.name}: location`).toContain(`${CONFIG}:${line}:${col}`);
  }
  expect(out, `${c.name}: a stack trace`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(out, c.name).not.toContain('E_INTERNAL');
}

/**
 * Values with shell metacharacters, quotes, newlines and template syntax: accepted as vars and
 * delivered literally. `pwned` is a path that exists only if one of them ran as shell code.
 */
export function hostileValues(pwned: string): string[] {
  return [
    `$(touch ${pwned})`,
    `\`touch ${pwned}\``,
    `'; touch ${pwned}; echo '`,
    `"; touch ${pwned}; echo "`,
    `a\nb\n$(touch ${pwned})\n`,
    `&& touch ${pwned} || ;`,
    `*`,
    `-rf --no-preserve-root`,
    `{{release_path}} {{{raw}}}`,
    `back\\slash \\\\ \\n \\'`,
    `$HOME \${PATH} $1 $@ $$`,
    `ünïcödé ✓ 漢字`,
    `tab\there | pipe > redirect < in`,
    `'`,
    `"`,
    ``,
    `x`.repeat(8000),
  ];
}

/** `vars:` entries and a before_switch task that writes each var, as received, to a file. */
export function captureVarsYaml(values: string[]): string {
  const vars = values.map((v, i) => `  v${i}: ${JSON.stringify(v)}`).join('\n');
  const lines = values.map((_, i) => `      printf '%s' {{v${i}}} > {{release_path}}/captured/v${i}`).join('\n');
  return `vars:
${vars}
tasks:
  capture:
    run: |
      mkdir -p {{release_path}}/captured
${lines}
hooks: { before_switch: [capture] }`;
}

/** The refused configs and command lines; `cfg` builds a valid config with extra text. */
export interface CorpusConfig {
  /** The stage's valid deploy_to, which hostile variants extend (relative for local: inside the sandbox). */
  base: string;
  /**
   * A valid config with no keep_releases and no other `0` line: `top` lines after source:,
   * `stage` lines inside the stage, `deployTo` and remote `hosts` (list items) as given.
   */
  cfg(o?: { top?: string; stage?: string; deployTo?: string; hosts?: string }): string;
  stage: string;
}

export function commonCases({ cfg, stage, base }: CorpusConfig): BadCase[] {
  const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]'];
  for (const n of ['b', 'c', 'd', 'e', 'f', 'g', 'h']) {
    const prev = String.fromCharCode(n.charCodeAt(0) - 1);
    bomb.push(`${n}: &${n} [${Array(9).fill(`*${prev}`).join(',')}]`);
  }
  const good = cfg();
  const cases: BadCase[] = [
    // YAML and the file itself
    { name: 'malformed YAML (unclosed flow sequence)', file: cfg({ top: 'vars: { a: [1, 2 }' }), message: 'E_YAML', at: { text: '[1, 2 }', plus: 6 } },
    { name: 'duplicate key', file: cfg({ top: 'app: again' }), message: 'Map keys must be unique', at: 'app: again' },
    { name: 'tab indentation', file: cfg({ top: 'vars:\n\ta: 1' }), message: 'Tabs are not allowed as indentation', at: '\ta: 1' },
    // The parser notices at the end of the file, and says so there.
    { name: 'unclosed quote', file: cfg({ top: 'vars: { a: "open }' }), message: /bad\.yml:\d+:\d+ Missing closing "quote/ },
    { name: 'alias bomb (billion laughs)', file: `${bomb.join('\n')}\n${cfg()}`, message: 'refused as a possible alias bomb' },
    { name: 'alias to an anchor that does not exist', file: cfg({ top: 'vars: { a: *nothere }' }), message: /\*nothere/, at: '*nothere' },
    { name: 'several YAML documents', file: `${cfg()}---\napp: other\n`, message: 'holds more than one YAML document', at: '---' },
    { name: 'a 2 MB file', file: `${cfg()}# ${'x'.repeat(2 * 1024 * 1024)}\n`, message: 'bad.yml is larger than 1024 KB: not a deploy config' },
    { name: 'a binary file', file: Buffer.concat([Buffer.from('app: demo\n'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0, 0x89, 0x50])]), message: 'contains a NUL byte', at: [2, 1] },
    { name: 'not UTF-8', file: Buffer.from('app: d\xe9mo\n', 'latin1'), message: 'is not valid UTF-8 text', at: [1, 7] },
    { name: 'an empty file', file: '', message: 'is empty', at: [1, 1] },
    { name: 'a list instead of a mapping', file: '- app: demo\n', message: 'must be a mapping of settings', at: [1, 1] },
    // wrong types and values
    { name: 'keep_releases a string', file: cfg({ top: 'keep_releases: five' }), message: 'keep_releases must be an integer (found "five")', at: 'five' },
    { name: 'keep_releases 0', file: cfg({ top: 'keep_releases: 0' }), message: 'keep_releases must be at least 1', at: { text: 'keep_releases: 0', plus: 15 } },
    { name: 'keep_releases not whole', file: cfg({ top: 'keep_releases: 2.5' }), message: 'keep_releases must be an integer (found 2.5)', at: '2.5' },
    { name: 'app a number', file: cfg().replace('app: demo', 'app: 123'), message: 'app must be a string (found 123)', at: '123' },
    { name: 'a var that is a list', file: cfg({ top: 'vars: { a: [1, 2] }' }), message: 'vars.a must be a string, number', at: '[1, 2]' },
    { name: 'a hook list that is a string', file: cfg({ top: "tasks: { t: 'true' }\nhooks: { before_switch: t }" }), message: 'hooks.before_switch must be a list (found "t")', at: 't }' },
    { name: 'a healthcheck interval that is no duration', file: cfg({ top: 'healthcheck: { run: "true", interval: soon }' }), message: 'healthcheck.interval must be a duration', at: 'soon' },
    { name: 'negative retries', file: cfg({ top: 'healthcheck: { run: "true", retries: -1 }' }), message: 'healthcheck.retries must be at least 1', at: '-1' },
    { name: 'rolling 0', file: cfg({ top: 'rolling: 0' }), message: 'rolling must be at least 1', at: { text: 'rolling: 0', plus: 9 } },
    // unknown keys
    { name: 'unknown top-level key (typo)', file: cfg({ top: 'keep_release: 3' }), message: 'keep_release is not a known key; did you mean "keep_releases"?', at: 'keep_release:' },
    { name: 'unknown key in the stage', file: cfg({ stage: '    deploy_too: /x' }), message: 'deploy_too is not a known key; did you mean "deploy_to"?', at: 'deploy_too' },
    { name: 'unknown key in the healthcheck', file: cfg({ top: 'healthcheck: { run: "true", retry: 3 }' }), message: 'healthcheck.retry is not a known key', at: 'retry:' },
    // templates and hooks
    { name: 'unknown template name', file: cfg({ top: "tasks: { t: 'echo {{nope}}' }\nhooks: { before_switch: [t] }" }), message: 'tasks.t uses unknown name "nope"', at: "'echo" },
    { name: 'unclosed template', file: cfg({ top: "tasks: { t: 'echo {{release_path' }\nhooks: { before_switch: [t] }" }), message: 'tasks.t is not a valid template', at: "'echo" },
    { name: 'a hook naming a task that does not exist', file: cfg({ top: 'hooks: { before_switch: [nothere] }' }), message: 'names a task that does not exist', at: 'nothere' },
    // path traversal and hostile paths
    { name: 'shared file ../../etc/passwd', file: cfg({ top: 'shared: { files: [../../etc/passwd] }' }), message: 'shared.files[0] must not contain ".." segments', at: '../../etc/passwd' },
    { name: 'shared dir absolute', file: cfg({ top: 'shared: { dirs: [/etc] }' }), message: 'shared.dirs[0] must be relative to the release', at: '/etc' },
    { name: 'shared dir climbing out midway', file: cfg({ top: 'shared: { dirs: [a/../../b] }' }), message: 'must not contain ".." segments', at: 'a/../../b' },
    { name: 'shared dir ~', file: cfg({ top: 'shared: { dirs: ["~/x"] }' }), message: '"~" is not expanded', at: '"~/x"' },
    { name: 'shared dir the release itself', file: cfg({ top: 'shared: { dirs: [.] }' }), message: 'not the release itself', at: '.]' },
    { name: 'shared dir with shell metacharacters', file: cfg({ top: 'shared: { dirs: ["up; rm -rf ~"] }' }), message: 'shared.dirs[0] must not contain shell metacharacters', at: '"up;' },
    { name: 'shared dir with a newline', file: cfg({ top: 'shared: { dirs: ["up\\nx"] }' }), message: 'must not contain control characters', at: '"up\\nx"' },
    { name: 'exclude pattern climbing out', file: cfg().replace('{ build: ./build }', '{ build: ./build, exclude: [../secret] }'), message: 'source.exclude[0] must not contain ".." segments', at: '../secret' },
    { name: 'exclude pattern absolute', file: cfg().replace('{ build: ./build }', '{ build: ./build, exclude: [/etc/passwd] }'), message: 'source.exclude[0] must be relative to the build directory', at: '/etc/passwd' },
    // deploy_to. Where a wrongly accepted value would reach outside the test's sandbox (/ or a
    // parent directory of this machine), the command is `plan`: it connects nowhere and writes
    // nothing, and still has to refuse the config with exit 2.
    { name: 'deploy_to /', file: cfg({ deployTo: '/' }), args: ['plan', stage], message: 'deploy_to must not be /', at: { text: 'deploy_to: /\n', plus: 11 } },
    { name: 'deploy_to //.', file: cfg({ deployTo: '//.' }), args: ['plan', stage], message: 'deploy_to must not be /', at: '//.' },
    { name: 'deploy_to empty', file: cfg({ deployTo: '""' }), message: 'deploy_to must not be empty', at: '""' },
    { name: 'deploy_to climbing out', file: cfg({ deployTo: `${base}/../..` }), args: ['plan', stage], message: 'deploy_to must not contain ".." segments', at: `${base}/../..` },
    { name: 'deploy_to with a newline', file: cfg({ deployTo: `"${base}\\n/etc"` }), args: ['plan', stage], message: 'deploy_to must not contain control characters', at: `"${base}\\n` },
    { name: 'deploy_to with ;', file: cfg({ deployTo: `"${base}; rm -rf x"` }), message: 'deploy_to must not contain shell metacharacters', at: `"${base};` },
    { name: 'deploy_to with $(…)', file: cfg({ deployTo: `"${base}/$(reboot)"` }), message: 'deploy_to must not contain shell metacharacters', at: `"${base}/$(` },
    { name: 'deploy_to with a backquote', file: cfg({ deployTo: `"${base}/\`id\`"` }), message: 'deploy_to must not contain shell metacharacters', at: `"${base}/\`` },
    // host and user names
    { name: 'host name with ;', file: cfg({ hosts: '      - "web1; touch /tmp/pwned"' }), message: 'must be a host name, IP address or ssh alias', at: '"web1;' },
    { name: 'host name that is an ssh option', file: cfg({ hosts: '      - "-oProxyCommand=touch /tmp/pwned"' }), message: 'must be a host name, IP address or ssh alias', at: '"-oProxy' },
    { name: 'host name with a newline', file: cfg({ hosts: '      - "web1\\nweb2"' }), message: 'must be a host name, IP address or ssh alias', at: '"web1\\n' },
    { name: 'user name with ;', file: cfg({ hosts: '      - { host: web1, user: "root;id" }' }), message: 'user must be a login name', at: '"root;id"' },
    { name: 'user name with $(…)', file: cfg({ hosts: '      - { host: web1, user: "$(id)" }' }), message: 'user must be a login name', at: '"$(id)"' },
    { name: 'user name that is an option', file: cfg({ hosts: '      - { host: web1, user: "-oProxyCommand=x" }' }), message: 'user must be a login name', at: '"-oProxy' },
    { name: 'port not a number', file: cfg({ hosts: '      - { host: web1, port: "22x" }' }), message: 'port must be an integer (found "22x")', at: '"22x"' },
    { name: 'port out of range', file: cfg({ hosts: '      - { host: web1, port: 70000 }' }), message: 'port must be at most 65535', at: '70000' },
    // the command line
    { name: 'unknown flag', file: good, args: ['deploy', stage, '--frobnicate'], message: "unknown option '--frobnicate'" },
    { name: 'missing stage', file: good, args: ['deploy'], message: "missing required argument 'stage'" },
    { name: 'unknown stage', file: good, args: ['deploy', 'nowhere'], message: 'stage "nowhere" does not exist' },
    { name: 'unknown command', file: good, args: ['deploi', stage], message: "unknown command 'deploi'" },
    { name: '--var without =', file: good, args: ['deploy', stage, '--var', 'foo'], message: '--var "foo" must look like name=value' },
    { name: '--var without a name', file: good, args: ['deploy', stage, '--var', '=x'], message: '--var "=x" must look like name=value' },
    { name: '--wait-lock abc', file: good, args: ['deploy', stage, '--wait-lock', 'abc'], message: '--wait-lock "abc" is not a duration' },
    { name: 'rollback --to ../../etc', file: good, args: ['rollback', stage, '--to', '../../etc'], message: '--to "../../etc" is not a release id' },
    { name: 'rollback --to an id with a path', file: good, args: ['rollback', stage, '--to', '20260101-000000/../..'], message: 'is not a release id' },
    { name: '--host not in the stage', file: good, args: ['deploy', stage, '--host', 'nothere'], message: 'nothere' },
    { name: '-c a file that does not exist', file: good, args: ['-c', 'nope.yml', 'deploy', stage], noConfigFlag: true, message: 'config file nope.yml does not exist' },
  ];
  return cases;
}
