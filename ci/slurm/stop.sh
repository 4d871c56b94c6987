#!/usr/bin/env bash
# Stop the local Slurm started by ci/slurm/start.sh (slurmd, slurmctld, munged, by pid file) and remove
# /etc/slurm/slurm.conf and gres.conf: a leftover conf without a controller adds ~10 s to every snakemake start
# (the Slurm executor plugin runs `scontrol show config` at import). Safe to run when nothing is running.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
D=${SLURM_LOCAL_DIR:-$REPO/.local-slurm}
[ "$(id -u)" = 0 ] || { echo "ci/slurm/stop.sh: needs root" >&2; exit 2; }
# Cancel what is left so that slurmd does not leave orphaned job steps behind.
[ -f /etc/slurm/slurm.conf ] && timeout 10 scancel --full --user=root >/dev/null 2>&1 || true
stop_pid() {  # stop_pid PIDFILE NAME: TERM, wait up to 10 s, then KILL
  local f=$1 name=$2 pid
  [ -f "$f" ] || return 0
  pid=$(cat "$f" 2>/dev/null) || return 0
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && { echo "$name ($pid) did not stop; killing" >&2; kill -9 "$pid" 2>/dev/null; }
  fi
  rm -f "$f"
}
stop_pid "$D/slurmd.pid" slurmd
stop_pid "$D/slurmctld.pid" slurmctld
stop_pid /run/munge/munged.pid munged
rm -f /etc/slurm/slurm.conf /etc/slurm/gres.conf
echo "local slurm stopped"
