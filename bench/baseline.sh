#!/usr/bin/env bash
# The hand-written deploy script that shipyaml is measured against (issue 5): every host in
# parallel, one ssh command per step over a ControlMaster connection, rsync into a fresh
# releases/ID, shared links, a no-op migrate hook, the one-rename switch, keep N.
#
#   baseline.sh deploy   ID HOST...    rsync the build into releases/ID and switch to it
#   baseline.sh rollback ID HOST...    the article's one-liner: switch back to releases/ID
#   baseline.sh floor ID HOST...       the same ssh per host running `true`: the rollback's floor
#
# Environment:
#   SSH_CONFIG    ssh config file with the host aliases (the harness's fleet.sshConfig), required
#   DEPLOY_TO     e.g. /srv/classic, required
#   BUILD         the build directory (deploy), required for deploy
#   KEEP          releases to keep (default 5)
#   SHARED_FILES  space-separated, linked from shared/ (default ".env")
#   SHARED_DIRS   space-separated, linked from shared/ (default "storage")
#   HOOKS         how many no-op migrate hooks to run in the release (default 1)
#   STATS_DIR     where rsync --stats of each host goes (HOST.txt); default: discarded
#   SSH_CIPHER    cipher for ssh (default aes128-gcm@openssh.com, shipyaml's first choice)
#   CM_DIR        directory for the ControlMaster sockets (default: a private temp dir)
#
# Connections and keys come from SSH_CONFIG, so host keys are verified (StrictHostKeyChecking
# yes there). Compression is off, as in shipyaml. The ControlMaster sockets live in a private
# temp dir and every master is told to exit at the end, so nothing outlives the script.
set -euo pipefail

cmd=${1:?usage: baseline.sh deploy|rollback|floor ID HOST...}
id=${2:?release id}
shift 2
[ $# -gt 0 ] || { echo "baseline.sh: no hosts" >&2; exit 2; }
: "${SSH_CONFIG:?}" "${DEPLOY_TO:?}"
KEEP=${KEEP:-5}
SHARED_FILES=${SHARED_FILES-.env}
SHARED_DIRS=${SHARED_DIRS-storage}
HOOKS=${HOOKS:-1}
SSH_CIPHER=${SSH_CIPHER:-aes128-gcm@openssh.com}

# Values are spliced into remote commands below: allow only plain path characters.
for v in "$id" "$DEPLOY_TO" $SHARED_FILES $SHARED_DIRS; do
  [[ $v =~ ^[A-Za-z0-9._/-]+$ ]] || { echo "baseline.sh: unsafe value: $v" >&2; exit 2; }
done

D=$DEPLOY_TO
R=$D/releases/$id
# ControlMaster sockets: CM_DIR if given (an empty directory; the benchmark finds the masters by
# it), else a private temp dir removed at the end.
if [ -n "${CM_DIR:-}" ]; then
  cm=$CM_DIR
else
  cm=$(mktemp -d /tmp/bl-cm.XXXXXX)
  trap 'rm -rf "$cm"' EXIT
fi
SSH=(ssh -F "$SSH_CONFIG" -o BatchMode=yes -o Compression=no -c "$SSH_CIPHER")
MUX=(-o ControlMaster=auto -o "ControlPath=$cm/%C" -o ControlPersist=60)

deploy_host() (
  h=$1
  s=("${SSH[@]}" "${MUX[@]}")
  # The master goes when this host is done, whichever way (ControlPersist would keep it a minute).
  trap '"${s[@]}" -O exit "$h" 2>/dev/null || true' EXIT
  "${s[@]}" "$h" "mkdir -p $D/releases $D/shared"
  stats=/dev/null
  [ -n "${STATS_DIR:-}" ] && stats=$STATS_DIR/$h.txt
  rsync -a --delete --stats -e "${s[*]}" "$BUILD/" "$h:$R/" >"$stats"
  for p in $SHARED_FILES $SHARED_DIRS; do
    "${s[@]}" "$h" "rm -rf $R/$p && mkdir -p \$(dirname $R/$p) && ln -s $D/shared/$p $R/$p"
  done
  for ((i = 0; i < HOOKS; i++)); do
    "${s[@]}" "$h" "cd $R && true"
  done
  "${s[@]}" "$h" "cd $D && ln -sfn releases/$id current.new && mv -T current.new current"
  "${s[@]}" "$h" "cd $D && ls -1 releases | sort | head -n -$KEEP | sed 's|^|releases/|' | xargs rm -rf"
)

rollback_host() {
  "${SSH[@]}" "$1" "cd $D && ln -sfn releases/$id current.new && mv -T current.new current"
}

# The floor under rollback_host: the same ssh, connecting and running nothing (ID is not used).
floor_host() {
  "${SSH[@]}" "$1" true
}

case $cmd in
  deploy) : "${BUILD:?}"; [ -d "$BUILD" ] || { echo "baseline.sh: no build at $BUILD" >&2; exit 2; } ;;
  rollback | floor) ;;
  *) echo "baseline.sh: unknown command $cmd" >&2; exit 2 ;;
esac

hosts=("$@")
pids=()
for h in "${hosts[@]}"; do
  "${cmd}_host" "$h" &
  pids+=($!)
done
failed=0
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { echo "baseline.sh: $cmd failed on ${hosts[$i]}" >&2; failed=1; }
done
exit $failed
