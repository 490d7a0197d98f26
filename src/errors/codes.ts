// The catalogue of user-facing error codes. Each has the exit code it ends with and a fix that
// README's troubleshooting table repeats; keep the two in step (a test compares them).
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  locked: 3,
  connection: 4,
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const ERROR_CODES = {
  E_CONFIG: { exit: EXIT.usage, fix: 'Correct deploy.yml at the line and column shown; `shipyaml validate` lists every problem.' },
  E_CONFIG_NOT_FOUND: { exit: EXIT.usage, fix: 'Run `shipyaml init`, or point at the file with `-c FILE`.' },
  E_YAML: { exit: EXIT.usage, fix: 'Fix the YAML syntax at the position shown (indentation, quotes, duplicate keys).' },
  E_TEMPLATE: { exit: EXIT.usage, fix: 'Use a name that exists (a var, or a built-in such as release_path), or define it under vars.' },
  E_USAGE: { exit: EXIT.usage, fix: 'See `shipyaml --help` and `shipyaml COMMAND --help`.' },
  E_STAGE: { exit: EXIT.usage, fix: 'Use one of the stages defined under `stages:`.' },
  E_LOCKED: { exit: EXIT.locked, fix: 'Wait for the other deploy, or if it was killed run `shipyaml unlock STAGE`.' },
  E_CONNECT: { exit: EXIT.connection, fix: 'Check the host name, port and network; `shipyaml doctor STAGE` checks each host.' },
  E_AUTH: { exit: EXIT.connection, fix: 'Load the key into ssh-agent or set IdentityFile; check the user.' },
  E_HOST_KEY_UNKNOWN: { exit: EXIT.connection, fix: 'Verify the fingerprint, then run again with --accept-new-host-keys.' },
  E_HOST_KEY_CHANGED: { exit: EXIT.connection, fix: 'The server key differs from known_hosts: find out why before removing the old entry (ssh-keygen -R HOST).' },
  E_HOOK_FAILED: { exit: EXIT.failed, fix: 'Read the stderr shown; run the command by hand in the release with `shipyaml exec`.' },
  E_STEP_FAILED: { exit: EXIT.failed, fix: 'Read the stderr shown; `shipyaml doctor STAGE` checks permissions, disk and tools.' },
  E_TRANSFER: { exit: EXIT.failed, fix: 'Check free disk space and that `tar` exists on the server (`shipyaml doctor STAGE`).' },
  E_SWITCH: { exit: EXIT.failed, fix: 'Check that `current` is a symlink, not a directory (`shipyaml doctor STAGE`).' },
  E_HEALTHCHECK: { exit: EXIT.failed, fix: 'The new release failed its healthcheck and was rolled back; check the app logs.' },
  E_NO_RELEASE: { exit: EXIT.failed, fix: 'Run `shipyaml releases STAGE` to see the releases each host has.' },
  E_BUILD: { exit: EXIT.usage, fix: 'Build the app first, or set source.build to the directory that holds the build.' },
  E_INTERRUPTED: { exit: EXIT.interrupted, fix: 'Run the command again; nothing was switched.' },
  E_INTERNAL: { exit: EXIT.failed, fix: 'This is a bug in shipyaml; run again with --verbose and report the stack trace.' },
} as const satisfies Record<string, { exit: ExitCode; fix: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
