#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Copyright (c) 2026 The phyr-umem authors
"""make bench-pair's table: per perftest step of the plan, the client's
average bandwidth in each round of the stock pair and the phyr pair, each
pair's median and spread, and the ratio of the medians.
  pair-report.py RAW ROUNDS PLAN LINUX_VERSION > results/pair.md"""
import os
import re
import statistics
import sys


def client_mbps(path, size):
    """The client's BW average [MB/sec] for SIZE, or None."""
    try:
        with open(path, errors="replace") as f:
            for line in f:
                v = line.split()
                if len(v) >= 5 and v[0] == size and re.match(r"^[\d.]+$", v[3]):
                    return float(v[3])
    except OSError:
        pass
    return None


def main():
    raw, rounds, plan, version = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    steps = []
    with open(plan) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, server, kind, args = line.split(None, 3)
            if kind != "perftest":
                continue
            a = args.split()
            size = a[a.index("-s") + 1] if "-s" in a else "65536"
            steps.append((name, 3 - int(server), a[0], size))
    print(f"# make bench-pair: perftest between two guests, phyr pair against stock pair")
    print()
    print(f"Linux {version}; two guests (1 vCPU, 2 GiB each) joined by a QEMU dgram")
    print("netdev on 127.0.0.1, Soft-RoCE on virtio-net, connected by rdma_cm; "
          f"{rounds} alternating rounds per pair (stock pair first).")
    print("Wall-clock bandwidth (two guests keep two instruction clocks): the")
    print("client's BW average in MB/s; median of the rounds, spread lowest to highest.")
    print("No target is judged on these figures: this host times wall clock to")
    print("tens of percent.")
    print()
    print("| test | size B | stock pair median | spread | phyr pair median | spread | phyr/stock | rounds measured (stock, phyr) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, client, prog, size in steps:
        vals = {}
        for k in ("stock", "phyr"):
            vals[k] = [v for v in (client_mbps(os.path.join(raw, f"{k}-{r}", f"g{client}",
                                                            f"{name}.out"), size)
                                   for r in range(1, rounds + 1)) if v is not None]
        cells = []
        med = {}
        for k in ("stock", "phyr"):
            if vals[k]:
                med[k] = statistics.median(vals[k])
                cells += [f"{med[k]:.2f}", f"{min(vals[k]):.2f} - {max(vals[k]):.2f}"]
            else:
                cells += ["no result", ""]
        ratio = f"{med['phyr'] / med['stock']:.3f}" if len(med) == 2 and med["stock"] else ""
        print(f"| {prog} | {size} | {' | '.join(cells)} | {ratio} | "
              f"{len(vals['stock'])}, {len(vals['phyr'])} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
