#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# guest.sh: the benchmark's side in the test VM (busybox sh), started by
# vm-tests/bench/run through vm-run. Disks, all virtio on image files of the
# host, the same kind:
#   /dev/vda  raw device limit (written directly)
#   /dev/vdb  the rvm volume of the bank runs (formatted afresh by each run)
#   /dev/vdc  ext4 (made on the host with mkfs.ext4) for SQLite, LMDB and
#             PMDK's libpmemobj (a pool file)
#   /dev/vdd  the recovery run (under a device-mapper device)
#   /dev/vde  the data segment of the two-disk runs (log on /dev/vdb)
# Every figure goes, as a "RESULT key=value ..." line, to $RVM_OUT.
# Environment: BENCH_SECONDS (per run), BENCH_SIZES (account counts of the
# size sweep), BENCH_PATTERNS, BENCH_MAIN (the account count of the main
# table).
S=${BENCH_SECONDS:-3}
SIZES=${BENCH_SIZES:-"1024 8192 32768 131072 262144"}
PATTERNS=${BENCH_PATTERNS:-"seq random local"}
MAIN=${BENCH_MAIN:-32768}
ROUNDS=${BENCH_ROUNDS:-3}
PS=${BENCH_PAIR_SECONDS:-2}
fails=0
cpu1=/sys/devices/system/cpu/cpu1/online

run() {
	echo "bench: $*"
	"$@" >/tmp/out 2>&1
	rc=$?
	cat /tmp/out
	grep '^RESULT ' /tmp/out >>"$RVM_OUT"
	if [ $rc -ne 0 ]; then
		echo "bench: FAILED ($rc): $*"
		echo "FAILED rc=$rc cmd=$*" >>"$RVM_OUT"
		fails=$((fails + 1))
	fi
}

# Everything runs on one vCPU but the 2-vCPU runs of the rounds below,
# which bring the second one online in the same boot.
[ -w $cpu1 ] && echo 0 >$cpu1
echo "BOOT kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)" \
	"mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)" >>"$RVM_OUT"

# The physical limit.
for t in 1 8; do
	run bench_raw write /dev/vda --threads $t --bs 512 --seconds "$S"
done

mkdir -p /mnt
mount -t ext4 /dev/vdc /mnt || { echo "bench: cannot mount ext4"; exit 1; }

# Protection and its baseline (issue 13), interleaved in rounds in this
# boot: each round runs a configuration (role=a) then its baseline
# (role=b), PS seconds each, so the host's load hits both alike; the
# report takes each round's ratio. Classic: vm-tests/progs/bank on
# <rvm/rvm.h>, restore mode, the protection mode from RVM_PROTECT.
pair_bank() { # NAME ROLE ROUND ARGS...
	name=$1 role=$2 r=$3
	shift 3
	run bench_bank /dev/vdb --accounts "$MAIN" --pattern random \
		--seconds "$PS" --label rvm-pair --tag pair="$name" \
		--tag role="$role" --tag round="$r" "$@"
}
pair_classic() { # NAME ROLE ROUND PROTECT ARGS...
	name=$1 role=$2 r=$3 p=$4
	shift 4
	echo "bench: classic bank $name $role $r $p $*"
	if RVM_PROTECT=$p bank init /dev/vdb --accounts "$MAIN" \
		--log-size $((16 << 20)) >/tmp/out 2>&1 &&
	   RVM_PROTECT=$p bank run /dev/vdb --pattern random \
		--seconds "$PS" --begin restore "$@" >>/tmp/out 2>&1; then
		t=$(sed -n 's/^bank: done: .*(\([0-9]*\)\/s).*/\1/p' /tmp/out)
		echo "RESULT system=classic pair=$name role=$role round=$r" \
			"protect=$p tps=$t tps_mean=$t" >>"$RVM_OUT"
	else
		cat /tmp/out
		echo "FAILED rc=1 cmd=classic bank $name" >>"$RVM_OUT"
		fails=$((fails + 1))
	fi
	# The classic library leaves the volume attached, as rvm_terminate()
	# is not called: the next run formats the disk afresh.
	rvmctl detach /dev/vdb >/dev/null 2>&1
}
nf="--mode noflush --flush-every 100"
r=1
while [ $r -le "$ROUNDS" ]; do
	pair_bank strict-nf a $r $nf --protect strict
	pair_bank strict-nf b $r $nf --protect off
	pair_bank strict-flush a $r --mode flush --protect strict
	pair_bank strict-flush b $r --mode flush --protect off
	pair_bank auto-nf a $r $nf --protect auto
	pair_bank auto-nf b $r $nf --protect off
	pair_bank auto-flush a $r --mode flush --protect auto
	pair_bank auto-flush b $r --mode flush --protect off
	pair_classic classic-nf a $r strict $nf
	pair_classic classic-nf b $r off $nf
	pair_classic classic-flush a $r strict --mode flush
	pair_classic classic-flush b $r off --mode flush
	# Log and data segment on two disks (vdb, vde) against one (vdb),
	# with a log small enough that truncation runs all along.
	sm="--log-size $((1 << 20))"
	pair_bank disks2-nf a $r $nf $sm --data /dev/vde
	pair_bank disks2-nf b $r $nf $sm
	pair_bank disks2-flush a $r --mode flush $sm --data /dev/vde
	pair_bank disks2-flush b $r --mode flush $sm
	if [ -w $cpu1 ]; then
		echo 1 >$cpu1
		pair_bank cpus2-nf a $r $nf --protect strict --tag cpus=2
		pair_bank cpus2-flush a $r --mode flush --protect strict \
			--tag cpus=2
		echo 0 >$cpu1
		pair_bank cpus2-nf b $r $nf --protect strict --tag cpus=1
		pair_bank cpus2-flush b $r --mode flush --protect strict \
			--tag cpus=1
	fi
	r=$((r + 1))
done
# BENCH_ONLY=rounds: the rounds alone (a quicker look, no table).
if [ "${BENCH_ONLY:-}" = rounds ]; then
	echo "bench: $fails failed"
	[ $fails -eq 0 ]
	exit
fi

# Throughput against database size, per access pattern.
for n in $SIZES; do
	for p in $PATTERNS; do
		run bench_bank /dev/vdb --accounts "$n" --pattern "$p" \
			--mode flush --seconds "$S"
		run bench_bank /dev/vdb --accounts "$n" --pattern "$p" \
			--mode noflush --flush-every 100 --seconds "$S"
		run bench_sqlite /mnt/bank.db --accounts "$n" --pattern "$p" \
			--sync full --seconds "$S"
		run bench_lmdb /mnt/lmdb --accounts "$n" --pattern "$p" \
			--seconds "$S"
		run bench_pmemobj /mnt/bank.pmem --accounts "$n" \
			--pattern "$p" --seconds "$S"
	done
done

# The rest of the main table (random accounts, MAIN accounts).
m="--accounts $MAIN --pattern random --seconds $S"
run bench_bank /dev/vdb $m --mode flush --threads 8
run bench_bank /dev/vdb $m --mode flush --async 8 --label rvm-async
run bench_bank /dev/vdb $m --mode noflush --flush-every 1000
for prot in auto off; do
	run bench_bank /dev/vdb $m --mode flush --protect $prot
	run bench_bank /dev/vdb $m --mode noflush --flush-every 100 --protect $prot
done
# set_range through the ioctl instead of the declaration slot (issue 4).
for prot in strict off; do
	run env RVM_DECL=0 bench_bank /dev/vdb $m --mode noflush \
		--flush-every 100 --protect $prot --label rvm-ioctl
done
run bench_sqlite /mnt/bank.db $m --sync normal
run bench_lmdb /mnt/lmdb $m --nosync 1
# libpmemobj taking the file for persistent memory: cache flushes instead
# of msync, never synced (bench_pmemobj.c). Never set for the runs above.
run env PMEM_IS_PMEM_FORCE=1 bench_pmemobj /mnt/bank.pmem $m
rm -rf /mnt/bank.db* /mnt/lmdb /mnt/bank.pmem
umount /mnt

# Recovery after a crash with a full log.
run bench_recover /dev/vdd --log-size $((32 << 20)) --fill 90

echo "bench: $fails failed"
[ $fails -eq 0 ]
