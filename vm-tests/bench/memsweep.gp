# SPDX-License-Identifier: GPL-2.0
# gnuplot -e "datadir='build/bench'" vm-tests/bench/memsweep.gp
# Throughput against recoverable memory size as a share of the VM's memory,
# one panel per access pattern, from memsweep-PATTERN.dat (memsweep.py).
if (!exists("datadir")) datadir = "build/bench"
set terminal pngcairo size 1000,400 font ",9" noenhanced
set output datadir."/memsweep.png"
set multiplot layout 1,2 title "bank transactions/s against recoverable memory / VM memory (QEMU TCG, vm-tests/bench/memsweep)"
set xlabel "recoverable memory, % of the VM's memory"
set ylabel "transactions/s"
set logscale y 2
set key bottom left font ",8"
set grid
set xrange [0:*]
set arrow from 100, graph 0 to 100, graph 1 nohead dt 2
do for [p in "random local"] {
	set title p
	f = datadir."/memsweep-".p.".dat"
	plot f using 1:2 with linespoints lw 2 title "rvm flush", \
	     f using 1:3 with linespoints lw 2 title "SQLite WAL FULL", \
	     f using 1:4 with linespoints lw 2 title "LMDB (sync)"
}
unset multiplot
