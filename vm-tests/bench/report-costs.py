#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report-costs.py RAW OUT.md: the table of vm-tests/bench/costs.

Each figure is the best (lowest) of its rounds. RAW has "COST conf=..
pages=.. round=.. txns=.. us=.." lines (untraced
microseconds per transaction) and "FN conf=.. pages=.. fn=.. calls=..
us=.." lines (per transaction, under the tracer). The table gives, per
number of pages a transaction writes, the untraced cost of each
configuration and its excess over off, then each traced function's
calls and microseconds per transaction (inclusive: a caller's time
contains its callees')."""
import sys

CONFS = ["off", "strict", "strict+slot", "auto"]


def kv(line):
    return dict(f.split("=", 1) for f in line.split()[1:] if "=" in f)


def main():
    raw, dst = sys.argv[1], sys.argv[2]
    cost, fn, boot = {}, {}, ""
    for line in open(raw):
        if line.startswith("BOOT "):
            boot = line.split(" ", 1)[1].strip()
        elif line.startswith("COST "):
            d = kv(line)
            k = (d["conf"], d["pages"])
            cost[k] = min(cost.get(k, 1e30), float(d["us"]))
        elif line.startswith("FN "):
            d = kv(line)
            row = fn.setdefault(d["pages"], {}).setdefault(d["fn"], {})
            old = row.get(d["conf"], (0.0, 1e30))
            row[d["conf"]] = (float(d["calls"]), min(old[1], float(d["us"])))
    if not cost:
        print("report-costs: no figures in", raw, file=sys.stderr)
        return 1
    o = ["# Where strict protection's cost goes", "",
         f"VM: {boot}. protect_cost, no_flush transactions writing 448 bytes "
         "on each of 1 or 8 pages, the configurations interleaved in rounds; "
         "each figure is its best round. Untraced: microseconds per "
         "transaction. Traced (function_graph, the tracer's cost included): "
         "calls / microseconds per transaction, inclusive of callees.", ""]
    for pages in sorted({p for (_, p) in cost}, key=int):
        o.append(f"## {pages} page(s) a transaction")
        o.append("")
        o.append("| | " + " | ".join(CONFS) + " |")
        o.append("|---" * (len(CONFS) + 1) + "|")
        base = cost.get(("off", pages))
        o.append("| untraced us/txn | " + " | ".join(
            f"{cost[(c, pages)]:.1f}" if (c, pages) in cost else "-"
            for c in CONFS) + " |")
        if base:
            o.append("| excess over off | " + " | ".join(
                f"{cost[(c, pages)] - base:+.1f}" if (c, pages) in cost
                else "-" for c in CONFS) + " |")
        for f in sorted(fn.get(pages, {})):
            row = fn[pages][f]
            cells = []
            for c in CONFS:
                if c in row:
                    calls, us = row[c]
                    cells.append(f"{calls:.2f}" if f == "pgfault"
                                 else f"{calls:.2f} / {us:.1f}")
                else:
                    cells.append("-")
            o.append(f"| {f} | " + " | ".join(cells) + " |")
        o.append("")
    open(dst, "w").write("\n".join(o) + "\n")
    print("\n".join(o))
    return 0


if __name__ == "__main__":
    sys.exit(main())
