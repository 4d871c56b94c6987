#!/usr/bin/env bash
# Start a Ray cluster across the current Slurm allocation (docs/verl.md §12): the head on the first node, one
# worker per other node, each after checking its visible GPU count. Called by train_verl.py when nodes > 1;
# verl then joins the cluster through RAY_ADDRESS (main_ppo's ray.init connects to it).
#   usage: ray_slurm.sh GPUS_PER_NODE LOGDIR      -> last stdout line: RAY_ADDRESS=<ip>:<port>
set -euo pipefail
gpus=${1:?GPUS_PER_NODE}
logdir=${2:?LOGDIR}
port=${RAY_PORT:-6379}
py=${PYTHON:-python}
mkdir -p "$logdir"
: "${SLURM_JOB_NODELIST:?not inside a Slurm allocation}"
# one element per node (the upstream example's nodes_array=("$nodes") yields a single element)
mapfile -t nodes < <(scontrol show hostnames "$SLURM_JOB_NODELIST")
head=${nodes[0]}
head_ip=$(srun --overlap --nodes=1 --ntasks=1 -w "$head" hostname --ip-address | tr ' ' '\n' \
          | grep -E '^[0-9]+(\.[0-9]+){3}$' | head -n1)
[ -n "$head_ip" ] || { echo "ray_slurm.sh: no IPv4 address for head node $head" >&2; exit 1; }
cpus=${SLURM_CPUS_ON_NODE:-$(nproc)}
start_node() {  # node, ray start arguments...
  local node=$1; shift
  srun --overlap --nodes=1 --ntasks=1 -w "$node" bash -c \
    "$py -m rsgrpo.train.verl.gpus --expect $gpus && exec ray start --num-cpus=$cpus --num-gpus=$gpus --block $*" \
    >"$logdir/ray_$node.log" 2>&1 &
}
start_node "$head" --head --node-ip-address="$head_ip" --port="$port"
sleep 10
for node in "${nodes[@]:1}"; do
  start_node "$node" --address="$head_ip:$port"
done
# wait (up to 5 min) until every node has joined with its GPUs
"$py" - "$head_ip:$port" "${#nodes[@]}" "$gpus" <<'PY'
import sys, time
import ray
addr, want_nodes, gpus = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
deadline = time.time() + 300
ray.init(address=addr, logging_level="ERROR")
while True:
    alive = [n for n in ray.nodes() if n.get("Alive")]
    have = int(sum(n.get("Resources", {}).get("GPU", 0) for n in alive))
    if len(alive) >= want_nodes and have >= want_nodes * gpus:
        break
    if time.time() > deadline:
        sys.exit(f"ray_slurm.sh: only {len(alive)}/{want_nodes} nodes and {have}/{want_nodes * gpus} GPUs joined")
    time.sleep(5)
PY
echo "RAY_ADDRESS=$head_ip:$port"
