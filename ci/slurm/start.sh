#!/usr/bin/env bash
# Start a single-node Slurm on localhost for the tests (tests/test_slurm.py), as root, without systemd or cgroups.
# Installs the Debian packages only if missing (slurm-wlm 22.05: slurmctld, slurmd, slurm-client, munge).
#   partitions: debug (default, CPU jobs) and gpu (same node; fake typed GPUs, see slurm.conf.template)
#   accounting: none -> Snakemake must use `--slurm-status-command squeue` (the test passes it)
# Writes /etc/slurm/slurm.conf (+ gres.conf): jobs run by the Snakemake executor lose SLURM_CONF, so the config
# must be at the compiled-in path. ci/slurm/stop.sh removes it again (a leftover conf without a controller makes
# every snakemake start ~10 s slower).
# Environment: SLURM_LOCAL_DIR (state/logs, default <repo>/.local-slurm), SLURM_CI_GPU_MODEL (default h100),
#              SLURM_CI_GPUS (fake GPUs on the node, default 8).
# Exit status: 0 when the node is idle; 1 on failure (log tails printed); 2 when not root (nothing done).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
D=${SLURM_LOCAL_DIR:-$REPO/.local-slurm}
GPU_MODEL=${SLURM_CI_GPU_MODEL:-h100}
GPUS=${SLURM_CI_GPUS:-8}
if [ "$(id -u)" != 0 ]; then
  echo "ci/slurm/start.sh: needs root (writes /etc/slurm, starts slurmctld/slurmd); local Slurm not started" >&2
  exit 2
fi
t0=$(date +%s%N)
export DEBIAN_FRONTEND=noninteractive
PKGS="slurmctld slurmd slurm-client munge"
need=0; for p in $PKGS; do dpkg -s "$p" >/dev/null 2>&1 || need=1; done
if [ $need = 1 ]; then
  echo "installing $PKGS"
  # Skip the man-page index rebuild that dpkg triggers (minutes on a busy 2-core machine; CI has no use for it).
  echo "man-db man-db/auto-update boolean false" | debconf-set-selections 2>/dev/null || true
  rm -f /var/lib/man-db/auto-update
  apt-get update -qq && apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
fi

# Already up (e.g. started by .ci/run before the tests)? Then nothing to do.
if [ -f /etc/slurm/slurm.conf ] && timeout 5 sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
  echo "local slurm already up: $(sinfo -h -o '%P %t %N' | tr '\n' ' ')"
  exit 0
fi

mkdir -p "$D"/{state,spool,log,dev} /run/munge /etc/slurm
chown munge:munge /run/munge
if ! pgrep -x munged >/dev/null; then
  [ -f /etc/munge/munge.key ] || { /usr/sbin/mungekey --create >/dev/null 2>&1 || create-munge-key >/dev/null; chown munge:munge /etc/munge/munge.key; }
  runuser -u munge -- /usr/sbin/munged
fi

HOST=$(hostname -s); CPUS=$(nproc); MEM=$(( $(free -m | awk '/^Mem:/{print $2}') * 8 / 10 ))
# Dummy GPU device files: character devices with /dev/null's numbers (slurmd wants char/block devices; then
# it sets CUDA_VISIBLE_DEVICES in GPU jobs as on a real cluster). Nothing can use them as a GPU.
for i in $(seq 0 $((GPUS - 1))); do
  [ -c "$D/dev/fakegpu$i" ] || { rm -f "$D/dev/fakegpu$i"; mknod -m 666 "$D/dev/fakegpu$i" c 1 3; }
done
sed -e "s|@HOST@|$HOST|g" -e "s|@DIR@|$D|g" -e "s|@CPUS@|$CPUS|g" -e "s|@MEM@|$MEM|g" \
    -e "s|@GPU_MODEL@|$GPU_MODEL|g" -e "s|@GPUS@|$GPUS|g" "$HERE/slurm.conf.template" > /etc/slurm/slurm.conf
cat > /etc/slurm/gres.conf <<CONF
# written by ci/slurm/start.sh: dummy device files stand in for GPUs (no cgroups, so nothing is enforced)
AutoDetect=off
NodeName=$HOST Name=gpu Type=$GPU_MODEL File=$D/dev/fakegpu[0-$((GPUS - 1))]
CONF

pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for i in $(seq 1 120); do sinfo -h -o %t 2>/dev/null | grep -q '^idle' && break; sleep 0.25; done
if ! sinfo -h -o %t 2>/dev/null | grep -q '^idle'; then
  echo "ci/slurm/start.sh: slurm node not idle" >&2
  sinfo 2>&1 | head >&2 || true
  tail -n 20 "$D"/log/*.log >&2 || true
  "$HERE/stop.sh" >&2 || true   # never leave a slurm.conf without a controller behind (+10 s per snakemake start)
  exit 1
fi
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "local slurm up in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s: $(sinfo -h -o '%P %t %N %G' | tr '\n' ' ')"
