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
# Every figure goes, as a "RESULT key=value ..." line, to $RVM_OUT.
# Environment: BENCH_SECONDS (per run), BENCH_SIZES (account counts of the
# size sweep), BENCH_PATTERNS, BENCH_MAIN (the account count of the main
# table).
S=${BENCH_SECONDS:-3}
SIZES=${BENCH_SIZES:-"1024 8192 32768 131072 262144"}
PATTERNS=${BENCH_PATTERNS:-"seq random local"}
MAIN=${BENCH_MAIN:-32768}
fails=0

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

echo "BOOT kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)" \
	"mem_kb=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)" >>"$RVM_OUT"

# The physical limit.
for t in 1 8; do
	run bench_raw write /dev/vda --threads $t --bs 512 --seconds "$S"
done

mkdir -p /mnt
mount -t ext4 /dev/vdc /mnt || { echo "bench: cannot mount ext4"; exit 1; }

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
