#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""memsweep.py RAW OUTDIR: the RESULT lines of vm-tests/bench/memsweep into
OUTDIR/memsweep.csv, OUTDIR/memsweep.md and the plot's data files
(OUTDIR/memsweep-PATTERN.dat: pct, rvm, SQLite, LMDB transactions/s)."""
import csv
import sys

SYSTEMS = [("rvm", "rvm flush"), ("sqlite", "SQLite WAL FULL"),
           ("lmdb", "LMDB (sync)")]


def family(system):
    for key, _ in SYSTEMS:
        if system.startswith(key):
            return key
    return None


def main():
    raw, out = sys.argv[1], sys.argv[2]
    rows, failed = [], []
    for line in open(raw, errors="replace"):
        w = line.split()
        if w and w[0] == "RESULT":
            kv = dict(x.split("=", 1) for x in w[1:] if "=" in x)
            if family(kv.get("system", "")):
                rows.append(kv)
        elif w and w[0] == "FAILED":
            failed.append(line.strip())
    table = {}
    for r in rows:
        key = (float(r["pct"]), r["pattern"])
        table.setdefault(key, {})[family(r["system"])] = float(r["tps"])
    pcts = sorted({k[0] for k in table})
    patterns = sorted({k[1] for k in table}, reverse=True)
    with open(f"{out}/memsweep.csv", "w", newline="") as f:
        c = csv.writer(f)
        c.writerow(["pct_of_vm_memory", "pattern", "accounts"] +
                   [k for k, _ in SYSTEMS])
        for p in pcts:
            for pat in patterns:
                acc = next((r["accounts"] for r in rows
                            if float(r["pct"]) == p and r["pattern"] == pat),
                           "")
                c.writerow([p, pat, acc] +
                           [table.get((p, pat), {}).get(k, "")
                            for k, _ in SYSTEMS])
    vm = rows[0]["vm_mb"] if rows else "?"
    with open(f"{out}/memsweep.md", "w") as f:
        f.write(f"# Throughput against recoverable memory size ({vm} MiB VM, "
                "QEMU TCG, transactions/s)\n\n")
        f.write("| Rmem/Pmem | pattern | " +
                " | ".join(n for _, n in SYSTEMS) + " | rvm/SQLite | rvm/LMDB |\n")
        f.write("|---|---|" + "---|" * (len(SYSTEMS) + 2) + "\n")
        for p in pcts:
            for pat in patterns:
                t = table.get((p, pat), {})
                cells = [f"{t[k]:.0f}" if k in t else "-" for k, _ in SYSTEMS]
                ratio = [f"{t['rvm'] / t[k]:.2f}" if "rvm" in t and t.get(k)
                         else "-" for k in ("sqlite", "lmdb")]
                f.write(f"| {p:g}% | {pat} | " + " | ".join(cells + ratio) +
                        " |\n")
        if failed:
            f.write("\nFailed runs:\n\n" + "".join(f"- `{x}`\n" for x in failed))
    for pat in patterns:
        with open(f"{out}/memsweep-{pat}.dat", "w") as f:
            for p in pcts:
                t = table.get((p, pat), {})
                f.write(f"{p:g} " + " ".join(
                    f"{t[k]:.1f}" if k in t else "NaN" for k, _ in SYSTEMS) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
