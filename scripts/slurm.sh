#!/usr/bin/env bash
# Start or stop a private single-node Slurm with accounting (munge, MariaDB, slurmdbd, slurmctld, slurmd from
# Debian's packages), every file under DIR, every daemon on its own ports, so that two clusters run side by side.
#   scripts/slurm.sh start DIR [PORT] [CLUSTER]  → prints SLURM_CONF=DIR/etc/slurm.conf and SLURM_CLUSTER=CLUSTER
#       PORT is the first of four consecutive TCP ports (slurmctld, slurmd, slurmdbd, MariaDB); without it (or
#       with 0) four free ones are picked. CLUSTER defaults to mesotest.
#   scripts/slurm.sh stop DIR        cancels the cluster's jobs, stops every daemon by its pid file, newest first
#   scripts/slurm.sh stop-dbd DIR    stops slurmdbd only (to test that operations wait and retry)
#   scripts/slurm.sh start-dbd DIR   starts it again and waits until it answers
# Runs as root (Slurm's daemons here run as SlurmUser=root; munged as 'munge', MariaDB as 'mysql').
set -euo pipefail
action=${1:-} dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start DIR [PORT] [CLUSTER] | stop DIR | stop-dbd DIR | start-dbd DIR" >&2
  exit 2
fi
[ "$(id -u)" = 0 ] || { echo "slurm.sh: must run as root" >&2; exit 1; }
JOB_USER=mesojob
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export SLURM_CONF=$dir/etc/slurm.conf
WAIT=${SLURM_SH_WAIT:-60}  # seconds allowed for each daemon to become ready

fail() {
  echo "slurm.sh: $*" >&2
  for log in "$dir"/log/*.log; do
    [ -f "$log" ] || continue
    echo "---- last lines of $log" >&2
    tail -n 20 "$log" >&2
  done
  exit 1
}

# wait_for SECONDS WHAT COMMAND...: retry COMMAND every 0.2 s until it succeeds or SECONDS pass; give up at once
# if the process WATCH_PID (when set) has died.
wait_for() {
  local limit=$1 what=$2 deadline
  shift 2
  deadline=$(( $(date +%s) + limit ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || fail "$what not ready after ${limit}s"
    if [ -n "${WATCH_PID:-}" ] && ! kill -0 "$WATCH_PID" 2>/dev/null; then fail "$what exited while starting"; fi
    sleep 0.2
  done
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_ports() {
  local base p ok
  for _ in $(seq 1 50); do
    base=$(( 20000 + RANDOM % 30000 ))
    ok=1
    for p in $base $((base + 1)) $((base + 2)) $((base + 3)); do port_free "$p" || { ok=0; break; }; done
    [ $ok = 1 ] && { echo "$base"; return; }
  done
  fail "no four consecutive free ports found"
}

install_packages() {
  local need=()
  for cmd in munged mariadbd slurmdbd slurmctld slurmd sacctmgr; do
    command -v "$cmd" >/dev/null || { need=(munge mariadb-server slurm-wlm slurmctld slurmd slurmdbd slurm-client); break; }
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

# Read a variable (CLUSTER, PORT, …) saved by 'start' in DIR/cluster.env.
load_env() {
  [ -f "$dir/cluster.env" ] || fail "$dir/cluster.env missing: was the cluster started with '$0 start $dir'?"
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
}

# munged and mariadbd run as their own users and keep their pid files in their own directories.
pid_file() {
  case $1 in
    munged) echo "$dir/munge/munged.pid" ;;
    mariadbd) echo "$dir/mysql/mariadbd.pid" ;;
    *) echo "$dir/run/$1.pid" ;;
  esac
}
pid_of() { local f; f=$(pid_file "$1"); [ -s "$f" ] && cat "$f" || true; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# stop_pid NAME: signal the daemon whose pid DIR/run/NAME.pid holds, wait for it, SIGKILL after 15 s.
stop_pid() {
  local name=$1 pid
  pid=$(pid_of "$name")   # read before signalling: slurmdbd removes its pid file as it exits
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 75); do alive "$pid" || return 0; sleep 0.2; done
  echo "slurm.sh: $name ($pid) ignored SIGTERM, killing it" >&2
  kill -KILL "$pid" 2>/dev/null || true
}

write_configs() {
  local cluster=$1 port=$2 ctld=$2 slurmd=$(($2 + 1)) dbd=$(($2 + 2)) mysql=$(($2 + 3))
  local sock=$dir/munge/munge.socket
  mkdir -p "$dir"/{etc,log,run,state,spool,dev,munge,mysql}
  chmod 0755 "$dir" "$dir/etc" "$dir/run"
  printf 'CLUSTER=%s\nPORT=%s\n' "$cluster" "$port" >"$dir/cluster.env"

  # munge: its own key and socket; the socket directory must be world-executable for every client.
  chown munge: "$dir/munge" "$dir/log"
  chmod 0711 "$dir/munge"
  chmod 0755 "$dir/log"
  if [ ! -f "$dir/munge/munge.key" ]; then
    mungekey --create --keyfile="$dir/munge/munge.key"
    chown munge: "$dir/munge/munge.key"
    chmod 0400 "$dir/munge/munge.key"
  fi

  # MariaDB on 127.0.0.1:$mysql and its own socket; durability traded for speed (a throw-away test database).
  chown mysql: "$dir/mysql"
  cat >"$dir/etc/my.cnf" <<EOF
[mysqld]
user=mysql
datadir=$dir/mysql/data
socket=$dir/mysql/mysqld.sock
pid-file=$dir/mysql/mariadbd.pid
log-error=$dir/log/mariadbd.log
port=$mysql
bind-address=127.0.0.1
skip-name-resolve
skip-log-bin
innodb_buffer_pool_size=128M
innodb_log_file_size=64M
innodb_lock_wait_timeout=900
innodb_flush_log_at_trx_commit=0
innodb_doublewrite=0
sync_binlog=0
[client]
socket=$dir/mysql/mysqld.sock
EOF
  touch "$dir/log/mariadbd.log" && chown mysql: "$dir/log/mariadbd.log"

  cat >"$dir/etc/slurmdbd.conf" <<EOF
AuthType=auth/munge
AuthInfo=socket=$sock
DbdHost=localhost
DbdAddr=127.0.0.1
DbdPort=$dbd
SlurmUser=root
PidFile=$dir/run/slurmdbd.pid
LogFile=$dir/log/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$mysql
StorageUser=slurm
StoragePass=slurm
StorageLoc=slurm_acct_db
EOF
  chmod 0600 "$dir/etc/slurmdbd.conf"

  # Two placeholder files stand for the GPUs: a GPU gres without File= makes the node invalid.
  touch "$dir/dev/fakegpu0" "$dir/dev/fakegpu1"
  cat >"$dir/etc/gres.conf" <<EOF
AutoDetect=off
NodeName=localhost Name=gpu Type=fake File=$dir/dev/fakegpu[0-1]
EOF

  cat >"$dir/etc/slurm.conf" <<EOF
ClusterName=$cluster
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld
SlurmdPort=$slurmd
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$sock
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
SlurmdParameters=config_overrides
ReturnToService=2
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
AccountingStoragePort=$dbd
AccountingStoragePass=$sock
AccountingStorageEnforce=associations,limits,qos,safe
AccountingStorageTRES=gres/gpu
GresTypes=gpu
PriorityType=priority/multifactor
PriorityDecayHalfLife=0
PriorityUsageResetPeriod=NONE
PriorityCalcPeriod=1
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
MinJobAge=300
DefMemPerCPU=100
NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=4000 Gres=gpu:fake:2 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE DefaultTime=00:10:00 State=UP
EOF
}

start_munge() {
  alive "$(pid_of munged)" && return 0
  runuser -u munge -- munged --socket="$dir/munge/munge.socket" --key-file="$dir/munge/munge.key" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
    </dev/null >>"$dir/log/munged-start.log" 2>&1 || fail "munged did not start"
  wait_for "$WAIT" munged sh -c "munge -n --socket='$dir/munge/munge.socket' | unmunge --socket='$dir/munge/munge.socket'"
}

start_mariadb() {
  alive "$(pid_of mariadbd)" && return 0
  local fresh=0
  if [ ! -d "$dir/mysql/data/mysql" ]; then
    mariadb-install-db --defaults-file="$dir/etc/my.cnf" --auth-root-authentication-method=socket \
      --skip-test-db >"$dir/log/mariadb-install.log" 2>&1 || fail "mariadb-install-db failed (see $dir/log/mariadb-install.log)"
    fresh=1
  fi
  setsid mariadbd --defaults-file="$dir/etc/my.cnf" </dev/null >>"$dir/log/mariadbd.log" 2>&1 &
  WATCH_PID=$! wait_for "$WAIT" MariaDB mariadb-admin --defaults-file="$dir/etc/my.cnf" ping
  if [ $fresh = 1 ]; then
    mariadb --defaults-file="$dir/etc/my.cnf" -uroot -e "
      CREATE USER 'slurm'@'127.0.0.1' IDENTIFIED BY 'slurm';
      GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';" || fail "could not create MariaDB's slurm user"
  fi
}

start_slurmdbd() {
  alive "$(pid_of slurmdbd)" && return 0
  slurmdbd </dev/null >>"$dir/log/slurmdbd-start.log" 2>&1 || fail "slurmdbd did not start"
  # sacctmgr answers only once slurmdbd has created its tables and listens.
  wait_for "$WAIT" slurmdbd sacctmgr -n -P list cluster format=cluster
}

case "$action" in
  start)
    port=${3:-0} cluster=${4:-mesotest}
    [[ $cluster =~ ^[a-z][a-z0-9_]{0,39}$ ]] || fail "invalid cluster name '$cluster' (lowercase letters, digits, _)"
    [[ $port =~ ^[0-9]+$ ]] || fail "invalid port '$port'"
    [ "$port" = 0 ] && port=$(pick_ports)
    install_packages
    write_configs "$cluster" "$port"
    start_munge
    start_mariadb
    start_slurmdbd
    if ! sacctmgr -n -P list cluster format=cluster | grep -qx "$cluster"; then
      sacctmgr -i add cluster "$cluster" >/dev/null || fail "sacctmgr add cluster $cluster failed"
    fi
    alive "$(pid_of slurmctld)" || slurmctld </dev/null >>"$dir/log/slurmctld-start.log" 2>&1 || fail "slurmctld did not start"
    wait_for "$WAIT" slurmctld scontrol ping
    alive "$(pid_of slurmd)" || slurmd -N localhost </dev/null >>"$dir/log/slurmd-start.log" 2>&1 || fail "slurmd did not start"
    wait_for "$WAIT" "the node (idle in sinfo)" sh -c 'sinfo -h -N -n localhost -o %T | grep -qx idle'
    # Jobs of the tests run as an ordinary Unix user: the platform never lets a project's member be root.
    id -u "$JOB_USER" >/dev/null 2>&1 || useradd --no-create-home --shell /usr/sbin/nologin "$JOB_USER" ||
      fail "useradd $JOB_USER failed"
    echo "SLURM_CONF=$SLURM_CONF"
    echo "SLURM_CLUSTER=$cluster"
    echo "SLURM_JOB_USER=$JOB_USER"
    ;;
  stop)
    [ -f "$SLURM_CONF" ] || exit 0
    if alive "$(pid_of slurmctld)"; then
      jobs=$(squeue -h -o %A 2>/dev/null || true)
      # shellcheck disable=SC2086
      [ -n "$jobs" ] && scancel $jobs 2>/dev/null || true
      for _ in $(seq 1 25); do [ -z "$(squeue -h -t R,CG -o %A 2>/dev/null)" ] && break; sleep 0.2; done
    fi
    for name in slurmd slurmctld slurmdbd mariadbd munged; do stop_pid "$name"; done
    ;;
  stop-dbd)
    stop_pid slurmdbd
    ;;
  start-dbd)
    load_env
    start_slurmdbd
    ;;
  *)
    echo "usage: $0 start DIR [PORT] [CLUSTER] | stop DIR | stop-dbd DIR | start-dbd DIR" >&2
    exit 2
    ;;
esac
