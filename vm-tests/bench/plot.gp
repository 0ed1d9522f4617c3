# SPDX-License-Identifier: GPL-2.0
# gnuplot -e "datadir='build/bench'" vm-tests/bench/plot.gp
# Throughput against database size, one panel per access pattern, from the
# sweep-PATTERN.dat files report.py writes. QEMU TCG figures.
if (!exists("datadir")) datadir = "build/bench"
set terminal pngcairo size 1200,400 font ",9" noenhanced
set output datadir."/throughput.png"
set multiplot layout 1,3 title "bank transactions/s against recoverable memory size (QEMU TCG, make bench)"
set logscale xy 2
set xtics ("1k" 1024, "8k" 8192, "32k" 32768, "128k" 131072, "256k" 262144)
set xlabel "accounts (x 128 bytes)"
set ylabel "transactions/s"
set key top left font ",8"
set yrange [*:131072]
set grid
do for [p in "seq random local"] {
	set title p
	f = datadir."/sweep-".p.".dat"
	plot f using 1:2 with linespoints lw 2 title "rvm flush", \
	     f using 1:3 with linespoints lw 2 title "rvm no_flush, flush/100", \
	     f using 1:4 with linespoints lw 2 title "SQLite WAL FULL", \
	     f using 1:5 with linespoints lw 2 title "LMDB (sync)", \
	     f using 1:6 with linespoints lw 2 title "PMDK libpmemobj (msync)"
}
unset multiplot
