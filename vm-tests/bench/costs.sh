#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# costs.sh: where strict protection's cost goes (issue 13), inside the
# test VM, started by vm-tests/bench/costs. For each configuration of
# protect_cost (off, strict, strict+slot, auto) and 1 and 8 pages a
# transaction, in each of COSTS_ROUNDS rounds (the configurations
# interleaved), two runs of no_flush transactions on /dev/vda:
#  1. untraced: microseconds per transaction;
#  2. under the function_graph tracer, filtered to the functions of the
#     transaction path (the ioctls, protection's fault, declare, check and
#     re-protect steps, the TLB flush, the fault handler): calls and
#     microseconds of each, per transaction (the tracer's own cost
#     inflates every figure alike), and page faults per transaction from
#     /proc/vmstat.
# Lines "COST conf=... pages=... us=..." and "FN conf=... pages=...
# fn=... calls=... us=..." go to $RVM_OUT; report-costs.py makes the table.
N=${COSTS_TXNS:-2000}
R=${COSTS_ROUNDS:-3}
T=/sys/kernel/tracing
out=${RVM_OUT:-/dev/null}
mount -t tracefs nodev $T 2>/dev/null
[ -w $T/current_tracer ] || { echo "costs: no tracefs"; exit 1; }
FUNCS="rvm_txn_begin rvm_txn_set_range rvm_txn_end rvm_prot_declare
rvm_vm_page_mkwrite rvm_prot_fault rvm_prot_arm rvm_prot_check
rvm_prot_seal rvm_prot_txn_end rvm_prot_wp_clean rvm_txn_build
flush_tlb_mm_range handle_mm_fault"
have=""
for f in $FUNCS; do
	grep -qE "^$f( |\$)" $T/available_filter_functions && have="$have $f"
done
echo "costs: tracing$have"
echo "BOOT kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)" >>"$out"
pgf() { awk '$1 == "pgfault" { print $2 }' /proc/vmstat; }
fails=0
# One traced run of CONF with PAGES pages a transaction, N transactions.
traced() { # CONF PAGES N
	conf=$1 pages=$2 n=$3
	echo 0 >$T/tracing_on
	echo nop >$T/current_tracer
	echo >$T/trace
	echo 16384 >$T/buffer_size_kb
	echo "$have" | tr ' ' '\n' | grep . >$T/set_ftrace_filter
	echo function_graph >$T/current_tracer
	echo 1 >$T/options/funcgraph-tail
	echo 0 >$T/options/funcgraph-irqs 2>/dev/null
	f0=$(pgf)
	echo 1 >$T/tracing_on
	protect_cost /dev/vda "$conf" "$pages" "$n" >/dev/null
	echo 0 >$T/tracing_on
	f1=$(pgf)
	# Lines end "| name();" (a leaf) or "| } /* name */" (a caller),
	# with the duration in the field before "us".
	awk -v conf="$conf" -v pages="$pages" -v faults=$((f1 - f0)) '
	/ us / && /\|/ {
		d = ""
		for (i = 1; i < NF; i++)
			if ($(i + 1) == "us") { d = $i; break }
		name = $0
		sub(/.*\| */, "", name)
		if (name ~ /^}/) {
			sub(/^} \/\* */, "", name); sub(/ *\*\/.*/, "", name)
		} else {
			sub(/\(.*/, "", name)
		}
		sub(/ \[rvm\]/, "", name)
		if (d == "" || name == "") next
		calls[name]++; us[name] += d
	}
	END {
		txns = calls["rvm_txn_end"]
		if (!txns) { print "costs: no transaction traced"; exit 1 }
		for (f in calls)
			printf "FN conf=%s pages=%s fn=%s calls=%.3f us=%.3f\n",
				conf, pages, f, calls[f] / txns, us[f] / txns
		printf "FN conf=%s pages=%s fn=pgfault calls=%.3f us=0\n",
			conf, pages, faults / txns
	}' $T/trace >/tmp/fn || fails=$((fails + 1))
	grep -v '^FN ' /tmp/fn
	grep '^FN ' /tmp/fn >>"$out"
	# A full buffer drops events: the figures would be too low.
	if cat $T/per_cpu/cpu*/stats | awk '/^overrun:/ && $2 > 0 { bad = 1 } END { exit !bad }'; then
		echo "costs: trace buffer overrun: $conf pages=$pages"
		fails=$((fails + 1))
	fi
}

# Rounds, the configurations interleaved in each, so that the host's load
# hits them alike; the report takes each figure's best round.
for pages in 1 8; do
	n=$N
	[ "$pages" = 8 ] && n=$((N / 4))
	r=1
	while [ $r -le "$R" ]; do
		for conf in off strict strict+slot auto; do
			line=$(protect_cost /dev/vda "$conf" "$pages" "$n" | grep '^protect_cost: only')
			us=${line##*us=}
			[ -n "$us" ] || { echo "costs: $conf failed"; fails=$((fails + 1)); continue; }
			echo "COST conf=$conf pages=$pages round=$r txns=$n us=$us" | tee -a "$out"
		done
		for conf in off strict strict+slot auto; do
			traced "$conf" "$pages" "$n"
		done
		r=$((r + 1))
	done
done
echo 0 >$T/tracing_on
echo nop >$T/current_tracer
[ $fails = 0 ]
