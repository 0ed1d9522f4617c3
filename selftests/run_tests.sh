#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside the test VM: every *_test next to this script, each under the
# timeout in ./settings. The full output goes to the console; one result
# line per test program goes to $RVM_OUT (the host's results file):
#   result NAME rc=RC pass=P fail=F skip=S planned=N dmesg=ok|bad
# A program that dies, hangs or leaves a BUG/WARNING/Oops in the kernel log
# is a failure whatever its own counts say.
cd "$(dirname "$0")" || exit 1
tmo=$(sed -n 's/^timeout=//p' settings)
out=${RVM_OUT:-/dev/null}
any=0
for t in ./*_test; do
	name=$(basename "$t")
	dmesg -c >/dev/null
	echo "=== selftest $name"
	timeout "${tmo:-120}" "$t" >/tmp/t.out 2>&1
	rc=$?
	cat /tmp/t.out
	planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' /tmp/t.out | head -n1)
	pass=$(grep -cE '^ok [0-9]+ ' /tmp/t.out | tr -d ' ')
	skip=$(grep -cE '^ok [0-9]+ .*# SKIP' /tmp/t.out | tr -d ' ')
	fail=$(grep -cE '^not ok [0-9]+ ' /tmp/t.out | tr -d ' ')
	pass=$((pass - skip))
	kern=ok
	if dmesg | grep -qE 'BUG:|WARNING:|Oops:|KFENCE:|general protection|UBSAN:|Call Trace:'; then
		kern=bad
		dmesg | tail -n 40
	fi
	echo "result $name rc=$rc pass=$pass fail=$fail skip=$skip planned=${planned:-0} dmesg=$kern" >"$out"
	[ $rc -ne 0 ] && any=1
done
exit $any
