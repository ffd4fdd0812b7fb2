#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Copyright (c) 2026 The phyr-umem authors
"""The footprint blocks libperftest-phyr.so prints, read back from a
program's output, for the tests (perftest-patches/tests/check-preload.sh on
the host, tests/qemu/guest-perftest-fp.sh in a guest).

  fp-block.py OUT [--json FILE] [--mrs N] [--kernel phyr|stock]
              [--min-length N]

Prints one line per block, "MRS BYTES KERNEL" (KERNEL a number or
not_reported), after checking each block's frame and columns.  With
--json, exactly one block must be the JSON's process's, and the JSON must
agree with it and with itself (the totals are the MRs' sums); --mrs, the
MR count of that block (or of the only block); --kernel, what a phyr or a
stock kernel reports (phyr: every MR, more than 0 bytes, the B/page within
the MRs' and below the stock estimate's; stock: "not reported by this
kernel", the estimate an upper bound over the registered ranges);
--min-length, every MR at least that long.  Exit status 1, with the reason,
when a check fails."""
import argparse
import json
import math
import os
import re
import sys

LINE = "-" * 87
TITLE = re.compile(r"^ MR footprint of (.*) \(pid (\d+)\), by phyr-perftest:$")
ROW = re.compile(r"^ (\d+) +(\d+) +(not reported|\d+) +(-|\d+\.\d{3}) +"
                 r"(-|~\d+|<=\d+) +(-|\d+\.\d{3})$")


def blocks(text):
    """Every block of text: its title, figures and the lines under them."""
    lines = text.splitlines()
    out = []
    for i, l in enumerate(lines):
        m = TITLE.match(l)
        if not m:
            continue
        assert lines[i + 1] == LINE, f"no line under the title: {lines[i + 1]!r}"
        head = lines[i + 2].split()
        assert head[:3] == ["#MRs", "#bytes", "registered"], f"header {lines[i + 2]!r}"
        r = ROW.match(lines[i + 3])
        assert r, f"row {lines[i + 3]!r}"
        notes = []
        for l2 in lines[i + 4:]:
            if l2 == LINE:
                break
            notes.append(l2)
        else:
            raise AssertionError("no line closing the block")
        kern, stock = r.group(3), r.group(5)
        out.append({
            "program": m.group(1), "pid": int(m.group(2)),
            "mrs": int(r.group(1)), "bytes": int(r.group(2)),
            "kernel": None if kern == "not reported" else int(kern),
            "kernel_bpp": r.group(4), "stock": stock, "stock_bpp": r.group(6),
            "notes": notes})
    return out


def fmt(v):
    return "-" if v is None else f"{v:.3f}"


def ratio(b, p):
    return None if not p or b is None else b / p


def agree(b, j):
    """The block b and the JSON j say the same, and j adds up."""
    assert (b["program"], b["pid"]) == (j["program"], j["pid"]), (b, j)
    assert b["mrs"] == j["mrs"] == len(j["mr"]), (b["mrs"], j["mrs"])
    assert b["bytes"] == j["bytes_registered"] == sum(m["length"] for m in j["mr"])
    assert j["pages"] == sum(m["pages"] for m in j["mr"])
    rep = [m for m in j["mr"] if m["reported"]]
    assert j["reported_mrs"] == len(rep) and j["reported"] == (len(rep) == j["mrs"])
    assert b["kernel"] == j["kernel_bytes"], (b["kernel"], j["kernel_bytes"])
    if rep:
        assert j["kernel_bytes"] == sum(m["kernel_bytes"] for m in rep)
        assert j["kernel_pages"] == sum(m["pages"] for m in rep)
    assert b["kernel_bpp"] == fmt(j["bytes_per_page"]), (b["kernel_bpp"], j["bytes_per_page"])
    est = [m for m in j["mr"] if m["stock_estimate_bytes"] is not None]
    if est:
        want = ("<=" if j["estimate_upper_bound"] else "~") + str(j["stock_estimate_bytes"])
        assert j["stock_estimate_bytes"] == sum(m["stock_estimate_bytes"] for m in est)
    else:
        want = "-"
    assert b["stock"] == want, (b["stock"], want)
    assert b["stock_bpp"] == fmt(j["stock_estimate_bytes_per_page"])
    for m in j["mr"]:
        if m["reported"]:
            assert m["kernel_bytes"] == m["cpu_bytes"] + m["dma_bytes"] + m["driver_bytes"], m
            if m["pages"]:
                assert math.isclose(m["bytes_per_page"], m["kernel_bytes"] / m["pages"],
                                    abs_tol=0.0005), m
        else:
            assert m["kernel_bytes"] is None and m["pages_from"] == "range", m


def kernel(b, j, kern):
    """What the kernel kern reports, in the block b and the JSON j."""
    notes = "\n".join(b["notes"])
    if kern == "phyr":
        assert j["reported"] and j["error"] is None, j["error"]
        # A short list lives inside the umem itself: 0 bytes beside it
        assert j["kernel_bytes"] >= 0 and j["kernel_pages"] > 0, j
        per = [m["bytes_per_page"] for m in j["mr"]]
        assert min(per) - 0.0005 <= j["bytes_per_page"] <= max(per) + 0.0005, (per, j)
        assert j["bytes_per_page"] < j["stock_estimate_bytes_per_page"], j
        for m in j["mr"]:
            assert m["pages_from"] == "kernel" and m["kernel_bytes"] >= 0, m
            if os.geteuid() == 0:
                assert m["exact"], m
    else:
        assert "not reported by this kernel" in notes, notes
        assert not j["reported"] and j["error"] == "not reported by this kernel", j
        assert j["kernel_bytes"] is None and j["bytes_per_page"] is None, j
        assert j["estimate_upper_bound"] and j["stock_estimate_bytes"] > 0, j
        for m in j["mr"]:
            assert m["pages"] >= -(-m["length"] // m["page_size"]), m
    # rxe and siw are known: the driver's page array is in the estimate
    assert not j["estimate_driver_unknown"], j


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--json")
    ap.add_argument("--mrs", type=int)
    ap.add_argument("--kernel", choices=("phyr", "stock"))
    ap.add_argument("--min-length", type=int)
    a = ap.parse_args()
    try:
        with open(a.out, errors="replace") as f:
            bs = blocks(f.read())
        for b in bs:
            print(b["mrs"], b["bytes"],
                  "not_reported" if b["kernel"] is None else b["kernel"])
        j = None
        if a.json:
            with open(a.json) as f:
                j = json.load(f)
            mine = [b for b in bs if b["pid"] == j["pid"]]
            assert len(mine) == 1, f"{len(mine)} blocks of pid {j['pid']}"
            b = mine[0]
            agree(b, j)
        elif a.mrs is not None or a.kernel:
            assert len(bs) == 1, f"{len(bs)} blocks"
            b = bs[0]
        if a.mrs is not None:
            assert b["mrs"] == a.mrs, f"{b['mrs']} MRs, want {a.mrs}"
        if a.kernel:
            assert j is not None, "--kernel needs --json"
            kernel(b, j, a.kernel)
        if a.min_length is not None:
            assert j is not None, "--min-length needs --json"
            short = [m["length"] for m in j["mr"] if m["length"] < a.min_length]
            assert not short, f"MRs shorter than {a.min_length}: {short}"
    except (AssertionError, OSError, ValueError, KeyError, TypeError, IndexError) as e:
        print(f"fp-block.py: {a.out}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
