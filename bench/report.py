#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""Turn the raw `make bench` output into results/bench.json and bench.md.

raw/<kernel>/footprint.txt     mr_bench lines, "figure=NAME key=value ...";
                               the siw figures are NAMEs prefixed with "siw_"
raw/<kernel>/icount/           one file of each kind per round, timed in
                               instructions (ci/vm.sh --icount):
    reg-<round>.txt            mr_bench lines, registration time per layout
    bw-<round>.txt             "test size gbps" lines; bandwidth over siw is
                               test "siw-write" and so on
    floor-<round>.txt          mr_bench --floor and --pin-phyr lines (phyr
                               kernel only)
raw/wall/<kernel>/             reg- and bw-<round>.txt in wall-clock time,
                               from make bench-wall (bench/turns.sh), if run
raw/<kernel>/hwpath.txt        the hardware path (bench/guest-hwpath.sh): mr_bench
                               -d umem_probe lines, "figure=hw_LAYOUT
                               regime=REGIME ...", or "regime=REGIME
                               error=REASON" for a guest that measured nothing
raw/phyr_list.tsv              bench/phyr_list_bench output

A figure that could not be measured is null with "<key>_reason" beside it.
"""
import json
import os
import statistics
import sys

KERNELS = ("stock", "phyr")
LAYOUTS = ("frag_4k", "thp", "hugetlb_2m", "hugetlb_1g")
# The footprint boot measures one layout more: half 2 MiB folios, half
# single pages (mr_bench -l mixed)
FOOTPRINT_LAYOUTS = LAYOUTS + ("mixed",)
TARGETS = {
    "bytes_per_page.frag_4k": "<= 4.1 B/page",
    "bytes_per_page.thp": "<= 0.02 B/page",
    "bytes_per_page.hugetlb_2m": "<= 0.02 B/page",
    "bytes_per_page.hugetlb_1g": "one entry per 1 GiB page",
    "bytes_per_page.mixed": "below stock",
    "bytes_per_small_page.mixed": "<= 4.1 B/page",
    "bytes_per_mr_4k": "below stock",
    "bytes_per_mr_4k_with_heap": "below stock",
    "bytes_per_mr_64k": "below stock",
    "max_mr_bytes": "8 GiB in a 12 GiB guest",
    "reg_ms_per_gib.frag_4k": "median ratio <= 0.7",
    "reg_ms_per_gib": "median ratio <= 1.0",
    "dereg_ms_per_gib": "median ratio <= 1.0",
    "bw_gbps": "median ratio >= 0.97",
    "siw.bytes_per_page.frag_4k": "<= 4.1 B/page",
    "siw.bytes_per_page.thp": "<= 0.02 B/page",
    "siw.bytes_per_page.hugetlb_2m": "<= 0.02 B/page",
    "siw.bytes_per_page.hugetlb_1g": "<= 0.02 B/page",
    "siw.bytes_per_page.mixed": "below stock",
    "siw.bytes_per_small_page.mixed": "<= 4.1 B/page",
    "siw.bytes_per_mr_4k": "below stock",
    "siw.bytes_per_mr_64k": "below stock",
    "siw.max_mr_bytes": "as measured",
}
SIW_KEYS = ("bytes_per_mr_4k", "bytes_per_mr_64k", "max_mr_bytes")
# The hardware path: the umem alone for QEMU's edu device, by DMA regime
REGIMES = ("none", "passthrough", "translated", "swiotlb")
HW_LAYOUTS = ("frag_4k", "thp", "hugetlb_2m")
# One DMA-list entry, as the translated target counts it
HW_ENTRY_BYTES = 16


def parse_kv(line):
    return dict(f.split("=", 1) for f in line.split() if "=" in f)


def reason_of(rec):
    if rec is None:
        return "not run"
    if "error" in rec:
        return "measurement failed: " + rec["error"].replace("_", " ")
    if "reg_errno" in rec:
        return "ibv_reg_mr failed with " + rec["reg_errno"]
    return None


def put(obj, key, rec, field, conv=float):
    """obj[key] = rec[field], or null with a reason beside it."""
    why = reason_of(rec)
    if why is None and field not in rec:
        why = "no %s in the output" % field
    if why:
        obj[key] = None
        obj[key + "_reason"] = why
    else:
        obj[key] = conv(rec[field])


def footprint_recs(raw, kernel):
    figs = {}
    path = os.path.join(raw, kernel, "footprint.txt")
    if os.path.exists(path):
        for line in open(path):
            rec = parse_kv(line)
            if "figure" in rec:
                figs[rec["figure"]] = rec
    return figs


def per_page_figures(figs, prefix):
    """bytes_per_page, its information bound and the MRs measured, per
    layout, from the figures named PREFIX + "bpp_" + layout."""
    out = {"bytes_per_page": {}, "bound_bytes_per_page": {}, "bytes_per_page_mrs": {},
           "pages_registered": {}, "bytes_per_small_page": {}}
    for lay in FOOTPRINT_LAYOUTS:
        rec = figs.get(prefix + "bpp_" + lay)
        put(out["bytes_per_page"], lay, rec, "bytes_per_page")
        put(out["bound_bytes_per_page"], lay, rec, "bound_bytes_per_page")
        if rec and "size" in rec and "count" in rec:
            out["bytes_per_page_mrs"][lay] = mr_shape(int(rec["count"]), int(rec["size"]))
            out["pages_registered"][lay] = int(rec["count"]) * int(rec["size"]) // 4096
    # mixed: its kernel bytes per page outside the 2 MiB folios (the pages
    # in shorter physical runs, counted by mr_bench from pagemap)
    rec = figs.get(prefix + "bpp_mixed")
    bpp, pages = out["bytes_per_page"].get("mixed"), out["pages_registered"].get("mixed")
    if bpp is not None and pages and int(rec.get("small_pages", 0)) > 0:
        out["bytes_per_small_page"]["mixed"] = bpp * pages / int(rec["small_pages"])
    else:
        out["bytes_per_small_page"]["mixed"] = None
        out["bytes_per_small_page"]["mixed_reason"] = (
            out["bytes_per_page"].get("mixed_reason") or "no small_pages in the output")
    return out


def kernel_figures(raw, kernel):
    """The footprint boot's figures (exact page counts) of one kernel."""
    figs = footprint_recs(raw, kernel)
    out = per_page_figures(figs, "")
    put(out, "bytes_per_mr_4k", figs.get("mr_4k"), "bytes_per_mr")
    put(out, "bytes_per_mr_4k_with_heap", figs.get("mr_4k_heap"), "bytes_per_mr")
    put(out, "bytes_per_mr_64k", figs.get("mr_64k"), "bytes_per_mr")
    put(out, "max_mr_bytes", figs.get("max_mr"), "max_mr_bytes", int)
    out["large_mrs"] = {}
    for g in ("1g", "4g", "8g"):
        rec = figs.get("mr_" + g)
        ent = {"registered": bool(rec) and "bytes_per_page" in rec}
        put(ent, "bytes_per_page", rec, "bytes_per_page")
        out["large_mrs"][g] = ent
    # Soft-iWARP: the footprint figures again, on siw0
    siw = out["siw"] = per_page_figures(figs, "siw_")
    put(siw, "bytes_per_mr_4k", figs.get("siw_mr_4k"), "bytes_per_mr")
    put(siw, "bytes_per_mr_64k", figs.get("siw_mr_64k"), "bytes_per_mr")
    put(siw, "max_mr_bytes", figs.get("siw_max_mr"), "max_mr_bytes", int)
    return out


def hw_target(regime, lay):
    """The hardware path's target for phyr: (text, check) where check(ent)
    says whether phyr's umem figure meets it, or None where there is no
    bound (swiotlb: as measured)."""
    if regime == "swiotlb":
        return "as measured (bounced: a DMA list of its own)", None
    if lay != "frag_4k":
        return "one entry per huge folio: <= 0.04 B/page", lambda e: e["umem_bytes_per_page"] <= 0.04
    if regime == "translated":
        return ("<= 4.1 B/page + one entry per MR (IOMMU page tables apart)",
                lambda e: e["umem_bytes_per_page"] <= 4.1 + HW_ENTRY_BYTES * e["mrs"] / e["pages"])
    return "<= 4.1 B/page, DMA list = CPU list", lambda e: e["umem_bytes_per_page"] <= 4.1


def hw_path_figures(raw):
    """bench.json "hw_path": {regime: {layout: {stock, phyr, ratio, target,
    met}}}.  Each kernel's entry: bytes_per_page (all the kernel kept),
    iommu_bytes_per_page (of which IOMMU page tables), umem_bytes_per_page
    (the rest: the umem's own lists), the DMA runs per MR and the device's
    limits, or nulls with a reason."""
    recs, down = {}, {}
    for k in KERNELS:
        path = os.path.join(raw, k, "hwpath.txt")
        for line in open(path) if os.path.exists(path) else ():
            rec = parse_kv(line)
            if "figure" in rec and rec["figure"].startswith("hw_"):
                recs[(k, rec.get("regime"), rec["figure"][3:])] = rec
            elif "regime" in rec and "error" in rec:
                down[(k, rec["regime"])] = rec
    out = {}
    for regime in REGIMES:
        out[regime] = {}
        for lay in HW_LAYOUTS:
            ent = {}
            for k in KERNELS:
                # A guest that failed (a timeout, a kernel warning) or whose
                # regime was not in effect: nothing it printed counts
                rec = down.get((k, regime)) or recs.get((k, regime, lay))
                e = {}
                for field in ("bytes_per_page", "iommu_bytes_per_page", "dma_runs_per_mr"):
                    put(e, field, rec, field)
                put(e, "max_seg", rec, "max_seg", int)
                put(e, "max_mapping", rec, "max_mapping", int)
                if e["bytes_per_page"] is not None and e["iommu_bytes_per_page"] is not None:
                    e["umem_bytes_per_page"] = e["bytes_per_page"] - e["iommu_bytes_per_page"]
                else:
                    e["umem_bytes_per_page"] = None
                    e["umem_bytes_per_page_reason"] = (e.get("bytes_per_page_reason") or
                                                       e.get("iommu_bytes_per_page_reason"))
                if rec and "size" in rec and "count" in rec:
                    e["mrs"] = int(rec["count"])
                    e["pages"] = int(rec["count"]) * int(rec["size"]) // 4096
                    e["shape"] = mr_shape(int(rec["count"]), int(rec["size"]))
                ent[k] = e
            ent["ratio"] = ratio(ent["phyr"]["umem_bytes_per_page"],
                                 ent["stock"]["umem_bytes_per_page"])
            ent["target"], check = hw_target(regime, lay)
            ent["met"] = (None if check is None or ent["phyr"]["umem_bytes_per_page"] is None
                          else bool(check(ent["phyr"])))
            out[regime][lay] = ent
    return out


def mr_shape(count, size):
    """'8 x 1 GiB': the MRs a bytes-per-page figure registered."""
    for unit, name in ((30, "GiB"), (20, "MiB"), (10, "KiB")):
        if size >= 1 << unit and size % (1 << unit) == 0:
            return "%d x %d %s" % (count, size >> unit, name)
    return "%d x %d B" % (count, size)


def bw_order(key):
    test, size = key.split("_")
    driver = "siw" if test.startswith("siw-") else "rxe"
    return driver, ("write", "read", "send").index(test.split("-")[-1]), int(size)


def bw_name(key):
    """'ib_write_bw 65536 B', or 'siw ib_write_bw 65536 B'."""
    test, size = key.split("_")
    name = "ib_%s_bw %s B" % (test.split("-")[-1], size)
    return "siw " + name if test.startswith("siw-") else name


def round_lines(base, kernel, prefix, sub=""):
    """(round, line) for every line of base/<kernel>/<sub>/<prefix>-<round>.txt."""
    d = os.path.join(base, kernel, sub)
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if name.startswith(prefix + "-") and name.endswith(".txt"):
            rnd = int(name[len(prefix) + 1:-4])
            for line in open(os.path.join(d, name)):
                yield rnd, line


def round_times(base, kernel, sub="", prefix="reg", groups=("reg_ms_per_gib", "dereg_ms_per_gib"),
                what=None):
    """{(group, layout): {round: ms_per_gib}}, from the lines whose "what"
    is @what (mr_bench --floor and --pin-phyr lines say which they are)."""
    out = {}
    for rnd, line in round_lines(base, kernel, prefix, sub):
        rec = parse_kv(line)
        if rec.get("what") != what:
            continue
        for group in groups:
            if group in rec:
                out.setdefault((group, rec["layout"]), {})[rnd] = float(rec[group])
    return out


def round_bw(base, kernel, sub=""):
    """{test_size: {round: gbps or None}}."""
    runs = {}
    for rnd, line in round_lines(base, kernel, "bw", sub):
        test, size, gbps = line.split()
        runs.setdefault("%s_%s" % (test, size), {})[rnd] = (
            None if gbps == "null" else float(gbps))
    return runs


def spread(vals):
    vals = [x for x in vals if x is not None]
    if not vals:
        return None
    return {"min": min(vals), "median": statistics.median(vals),
            "max": max(vals), "pairs": len(vals)}


def ratio(p, s):
    if p is None or s in (None, 0):
        return None
    return p / s


def compared(s_runs, p_runs):
    """Each kernel's spread over rounds and phyr/stock round by round."""
    return {"stock": spread(list(s_runs.values())),
            "phyr": spread(list(p_runs.values())),
            "ratio": spread([ratio(p_runs.get(i), v) for i, v in s_runs.items()])}


def timed_figures(base, sub):
    """Registration time and bandwidth of both kernels, round by round, from
    base/<kernel>/<sub>/: per kernel the spread over rounds, and phyr/stock
    of each round (the pair)."""
    times = {k: round_times(base, k, sub) for k in KERNELS}
    bw = {k: round_bw(base, k, sub) for k in KERNELS}
    out = {"rounds": max([len(v) for k in KERNELS for v in list(times[k].values()) +
                          list(bw[k].values())] or [0])}
    for group in ("reg_ms_per_gib", "dereg_ms_per_gib"):
        out[group] = {lay: compared(times["stock"].get((group, lay), {}),
                                    times["phyr"].get((group, lay), {})) for lay in LAYOUTS}
    out["bw_gbps"] = {key: compared(bw["stock"].get(key, {}), bw["phyr"].get(key, {}))
                      for key in sorted(set(bw["stock"]) | set(bw["phyr"]), key=bw_order)}
    return out


def floor_figures(raw, ic):
    """Pinning alone (mr_bench --floor, phyr kernel, instruction time),
    pinning into a phyr list (--pin-phyr), and each kernel's registration
    and deregistration as a multiple of the floor."""
    groups = ("pin_ms_per_gib", "unpin_ms_per_gib")
    runs = round_times(raw, "phyr", "icount", "floor", groups, "floor")
    gup = round_times(raw, "phyr", "icount", "floor", groups, "pin_user_pages_phyr")
    out = {}
    for lay in LAYOUTS:
        pin = spread(list(runs.get(("pin_ms_per_gib", lay), {}).values()))
        unpin = spread(list(runs.get(("unpin_ms_per_gib", lay), {}).values()))
        ent = {"pin_ms_per_gib": pin, "unpin_ms_per_gib": unpin,
               "pin_user_pages_phyr_ms_per_gib":
                   spread(list(gup.get(("pin_ms_per_gib", lay), {}).values())),
               "unpin_user_pages_phyr_ms_per_gib":
                   spread(list(gup.get(("unpin_ms_per_gib", lay), {}).values())),
               "reg_over_floor": {}, "dereg_over_floor": {}}
        for k in KERNELS:
            reg = ic["reg_ms_per_gib"][lay][k]
            dereg = ic["dereg_ms_per_gib"][lay][k]
            ent["reg_over_floor"][k] = ratio(reg and reg["median"], pin and pin["median"])
            ent["dereg_over_floor"][k] = ratio(dereg and dereg["median"],
                                               unpin and unpin["median"])
        out[lay] = ent
    return out


def meets(target, rr):
    """Does a spread meet a "median ratio <= X" (or >= X) target?  None if
    nothing was measured."""
    if not rr:
        return None
    op, bound = target.split()[2:4]
    return rr["median"] <= float(bound) if op == "<=" else rr["median"] >= float(bound)


def time_targets(fig):
    """The time and bandwidth targets one instrument's figures meet."""
    checks = [("ibv_%s_mr %s" % (g.split("_")[0], lay), TARGETS.get(g + "." + lay, TARGETS[g]),
               fig[g][lay]["ratio"]) for g in ("reg_ms_per_gib", "dereg_ms_per_gib")
              for lay in LAYOUTS]
    checks += [(bw_name(key), TARGETS["bw_gbps"], f["ratio"]) for key, f in fig["bw_gbps"].items()]
    missed = {name: {"median": rr["median"] if rr else None, "target": target}
              for name, target, rr in checks if not meets(target, rr)}
    return {"met": len(checks) - len(missed), "of": len(checks), "missed": missed}


# What stock 6.12.117 measured when the project began (rxe, TCG guest), as
# (low, high): make bench must reproduce each within 5 %.  Footprints only:
# they do not depend on the compiler's optimisation level or the host.
REFERENCE = (
    ("kernel B/page, frag_4k", ("bytes_per_page", "frag_4k"), (48.3, 48.3)),
    ("kernel B/page, thp", ("bytes_per_page", "thp"), (16.1, 16.1)),
    ("kernel B/page, hugetlb_2m", ("bytes_per_page", "hugetlb_2m"), (16.1, 16.1)),
    ("B per 4 KiB MR, kernel + user memory", ("bytes_per_mr_4k_with_heap",), (845, 845)),
    ("largest MR, bytes", ("max_mr_bytes",), (1 << 30, 1 << 30)),
)


def reference_check(st):
    """{figure: {reference, stock, off_pct, within_5pct}} for REFERENCE."""
    out = {}
    for name, path, (lo, hi) in REFERENCE:
        v = st
        for k in path:
            v = v.get(k) if isinstance(v, dict) else None
        off = None
        if v is not None:
            off = 0.0 if lo <= v <= hi else 100.0 * (v - (lo if v < lo else hi)) / (lo if v < lo else hi)
        out[name] = {"reference": [lo, hi], "stock": v, "off_pct": off,
                     "within_5pct": None if off is None else abs(off) <= 5.0}
    return out


def notes(report):
    st = report["stock"]
    out = [
        "Footprint is counted in whole pages from outside: free plus per-cpu pages before and "
        "after ibv_reg_mr (slab caches shrunk first), median of repeats.  Background activity of "
        "a few pages shows at phyr's scale: a frag_4k figure below the 4 bytes one packed entry "
        "per page takes is that noise.",
    ]
    res = []
    for lay in FOOTPRINT_LAYOUTS:
        n = st["pages_registered"].get(lay) or report["phyr"]["pages_registered"].get(lay)
        if n:
            res.append("%s (%s MRs) %.4f" % (lay, st["bytes_per_page_mrs"].get(lay) or
                                             report["phyr"]["bytes_per_page_mrs"][lay], 4096 / n))
    if res:
        out.append("Page counting resolves one page per measurement; in B/page that is: " +
                   ", ".join(res) + ".  A figure below its resolution reads as 0, and lists "
                   "that live in the shared kmalloc caches show only when a slab grows.")
    out += [
        "Information bound: the pages each MR registered, read from pagemap while registered; "
        "the order-0 entropy of the differences between consecutive page frames within an MR, "
        "plus each MR's first frame in full.  No list that stores each page's frame as a "
        "difference from the previous one, coded by its frequency, can be smaller; a list "
        "that exploits longer patterns can.  Each kernel's column is computed from its own "
        "pages.",
        "Per-MR figures: 'kernel' pre-faults the process heap so that only kernel memory is "
        "counted; 'kernel + user memory' (mr_bench --with-heap) trims the heap before each round "
        "so that the structure libibverbs mallocs per MR and the caller's pointer to it are "
        "counted too: the way the stock reference (REFERENCE) was taken.",
        "The hardware path: bench/umem_probe, an out-of-tree module built from one source "
        "against both trees, calls ib_umem_get() for an ib_device whose only field is its DMA "
        "device, QEMU's edu PCI function, and keeps the umem: no driver's arrays.  It sets "
        "edu's DMA mask to 64 bits and its largest segment as mlx5_core sets its function's "
        "(2 GiB), capped at the longest mapping the DMA layer makes, so stock's scatterlist "
        "maps in every regime.  One 4 GiB guest per kernel and regime: none, intel-iommu in "
        "passthrough, intel-iommu translating (strict), swiotlb=force.  swiotlb's default "
        "pool (64 MiB) cannot hold a registered MR, and one bounce mapping is at most 256 "
        "KiB, so the swiotlb guests boot with a 1 GiB pool (the most their low memory holds), "
        "register 2 x 384 MiB of huge pages instead of 2 x 512 MiB, and stock's segments are "
        "cut at 256 KiB; bounced memory has DMA addresses of its own, so phyr keeps a DMA list "
        "beside the CPU list there.  IOMMU page tables (nr_iommu_pages) are counted apart.",
        "Both kernels are built at -O2 (CONFIG_CC_OPTIMIZE_FOR_PERFORMANCE), as distributions "
        "build them.",
        "Instruction time: the guest's clock counts instructions (QEMU -icount shift=0,sleep=off, "
        "one vCPU, one boot per kernel, both boots at once): one nanosecond per instruction "
        "whatever the host is doing, so the same work repeats to within about a percent and "
        "a ratio needs no pairing; each kernel column is the median over rounds, the ratio the "
        "median of the rounds' phyr/stock.  It weighs every instruction alike, a cache miss like "
        "an add, and counts all the guest runs, perftest's busy polling included: it is the cost "
        "of the same work on both kernels, not a hardware speed.",
        "The floor: the same memory pinned as ib_umem_get() pins it (pin_user_pages_fast(), a "
        "page of page pointers at a time) and each batch unpinned again as ib_umem_release() "
        "unpins (unpin_user_page_range_dirty_lock() per physically contiguous run), through "
        "the phyr kernel's test driver, timed around "
        "those calls alone, in the phyr guest's instruction time; no list, no accounting.  "
        "Pinning is the same code in both trees, so both kernels' registration is read "
        "against it.  Unpinning a huge-page layout is a few calls per GiB, as cheap as the "
        "clock reads around each batch of the floor: read those unpin ratios as 'both next to "
        "nothing', not as beating the floor.",
        "siw rows of the instruction-time table are weaker evidence.  siw moves data over TCP "
        "through a veth pair, by its kthread and softirqs, on the one vCPU where both perftest "
        "processes spin on their CQs; the guest ticks at HZ and does not preempt in the kernel, "
        "so that work gets the CPU at ticks and a run lasts a whole number of ticks.  Which tick "
        "the work lands on flips with small changes of the instructions on the path: compare a "
        "siw ratio with the min and max of the same kernel's rounds.",
    ]
    wall = report["wall_clock"]
    if wall["rounds"]:
        out.append(
            "Wall clock (make bench-wall): both kernels booted at once (4 GiB each) and measuring "
            "in turns, each pair a phyr measurement and the stock one taken seconds before or "
            "after it, the kernel going first alternating by round.  Under TCG on a shared host "
            "single measurements move by tens of percent; only ratios of pairs mean anything, "
            "and the instruction-time table is the one that repeats.")
    if os.environ.get("PHYR_RDMA_PATCHES") == "0":
        out.append(
            "The phyr kernel has no RDMA patches yet: rxe registers through the stock ib_umem on "
            "both kernels, so footprint ratios are 1 and the time and bandwidth ratios show the "
            "noise of the measurement itself.")
    return out


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    report = {"linux": os.environ.get("PHYR_LINUX_VERSION", "unknown")}
    for k in KERNELS:
        report[k] = kernel_figures(raw, k)
    st, ph = report["stock"], report["phyr"]
    r = {"bytes_per_page": {lay: ratio(ph["bytes_per_page"].get(lay),
                                       st["bytes_per_page"].get(lay))
                            for lay in FOOTPRINT_LAYOUTS}}
    for key in ("bytes_per_mr_4k", "bytes_per_mr_4k_with_heap", "bytes_per_mr_64k",
                "max_mr_bytes"):
        r[key] = ratio(ph.get(key), st.get(key))
    r["siw"] = {"bytes_per_page": {lay: ratio(ph["siw"]["bytes_per_page"].get(lay),
                                              st["siw"]["bytes_per_page"].get(lay))
                                   for lay in FOOTPRINT_LAYOUTS}}
    for key in SIW_KEYS:
        r["siw"][key] = ratio(ph["siw"].get(key), st["siw"].get(key))
    report["ratio"] = r
    report["hw_path"] = hw_path_figures(raw)
    report["icount"] = ic = timed_figures(raw, "icount")
    ic["floor"] = floor_figures(raw, ic)
    report["wall_clock"] = wall = timed_figures(os.path.join(raw, "wall"), "")
    report["targets"] = {}
    if ic["rounds"]:
        report["targets"]["icount"] = time_targets(ic)
    if wall["rounds"]:
        report["targets"]["wall_clock"] = time_targets(wall)
    report["reference"] = reference_check(st)
    list_tsv = os.path.join(raw, "phyr_list.tsv")
    if os.path.exists(list_tsv):
        rows = [l.rstrip("\n").split("\t") for l in open(list_tsv)]
        report["phyr_list"] = [dict(zip(rows[0], row)) for row in rows[1:]]
    report["notes"] = notes(report)
    with open(os.path.join(outdir, "bench.json"), "w") as f:
        json.dump(report, f, indent=2, sort_keys=False)
        f.write("\n")
    write_md(report, os.path.join(outdir, "bench.md"))
    # The plots' data: layout, stock and phyr B/page, rxe then siw
    with open(os.path.join(outdir, "footprint.dat"), "w") as f:
        for drv, fig_s, fig_p in (("rxe", st, ph), ("siw", st["siw"], ph["siw"])):
            for lay in FOOTPRINT_LAYOUTS:
                s, p = fig_s["bytes_per_page"][lay], fig_p["bytes_per_page"][lay]
                f.write("%s %s %s %s\n" % (drv, lay, s if s is not None else "NaN",
                                           p if p is not None else "NaN"))


def fmt_num(v):
    return "%g" % v if v < 1 << 20 else "%d MiB" % (v >> 20)


def fmt(v, unit=""):
    if v is None:
        return "null"
    if isinstance(v, float):
        return ("%.3f" % v) + unit
    return str(v) + unit


def fmt_spread(rr):
    if not rr:
        return "null"
    return "%.3f (min %.3f, max %.3f, %d pairs)" % (rr["median"], rr["min"], rr["max"], rr["pairs"])


def med(sp):
    """A spread's median, formatted, or "null"."""
    return fmt(sp["median"]) if sp else "null"


def fmt_compared(f):
    """The ratio column of a timed row: the median of the rounds' ratios,
    and the ratio of the two medians beside it where they differ."""
    out = fmt_spread(f["ratio"])
    if f["ratio"] and f["stock"] and f["phyr"]:
        rm = ratio(f["phyr"]["median"], f["stock"]["median"])
        if rm is not None and abs(rm - f["ratio"]["median"]) > 0.005 * max(rm, 1e-9):
            out += "; ratio of the medians %.3f" % rm
    return out


def write_md(rep, path):
    st, ph, r = rep["stock"], rep["phyr"], rep["ratio"]
    ic, wall = rep["icount"], rep["wall_clock"]
    lines = ["# make bench: phyr against stock, Linux %s, QEMU guests" % rep["linux"], "",
             "Time and bandwidth targets met (phyr/stock medians; details in the tables):", ""]
    for inst, label in (("icount", "instruction time (QEMU -icount)"),
                        ("wall_clock", "wall clock, in turns (make bench-wall)")):
        t = rep["targets"].get(inst)
        if not t:
            lines.append("* %s: not run on these kernels" % label)
            continue
        missed = ", ".join("%s %s (%s)" % (name, fmt(m["median"]), m["target"])
                           for name, m in t["missed"].items())
        lines.append("* %s: %d of %d%s" % (label, t["met"], t["of"],
                                           "; missed: " + missed if missed else ""))
    lines += ["", "## Footprint (exact: pages counted around ibv_reg_mr)", "",
              "| figure | stock | phyr | phyr/stock | information bound (stock's, phyr's pages) "
              "| target |", "|---|---|---|---|---|---|"]

    def row(name, s, p, rt, target, sreason=None, preason=None, bound=""):
        sv = fmt(s) + (" (%s)" % sreason if s is None and sreason else "")
        pv = fmt(p) + (" (%s)" % preason if p is None and preason else "")
        lines.append("| %s | %s | %s | %s | %s | %s |" % (name, sv, pv, fmt(rt), bound, target))

    def bound(fs, fp, lay):
        bs, bp = fs["bound_bytes_per_page"].get(lay), fp["bound_bytes_per_page"].get(lay)
        if bs is None and bp is None:
            return "null"
        return "%s, %s" % tuple("null" if b is None else "%.4f" % b for b in (bs, bp))

    for drv, fs, fp, rr, prefix, tprefix in (
            ("", st, ph, r, "", ""), ("siw: ", st["siw"], ph["siw"], r["siw"], "siw", "siw.")):
        for lay in FOOTPRINT_LAYOUTS:
            mrs = fs["bytes_per_page_mrs"].get(lay) or fp["bytes_per_page_mrs"].get(lay)
            row(drv + "kernel B/page, " + lay + (" (%s MRs)" % mrs if mrs else ""),
                fs["bytes_per_page"][lay], fp["bytes_per_page"][lay],
                rr["bytes_per_page"][lay], TARGETS[tprefix + "bytes_per_page." + lay],
                fs["bytes_per_page"].get(lay + "_reason"),
                fp["bytes_per_page"].get(lay + "_reason"), bound(fs, fp, lay))
        sp_s, sp_p = fs["bytes_per_small_page"], fp["bytes_per_small_page"]
        row(drv + "kernel B per small page, mixed (outside its 2 MiB folios)",
            sp_s["mixed"], sp_p["mixed"], ratio(sp_p["mixed"], sp_s["mixed"]),
            TARGETS[tprefix + "bytes_per_small_page.mixed"], sp_s.get("mixed_reason"),
            sp_p.get("mixed_reason"))
        keys = (("bytes_per_mr_4k", "kernel B per 4 KiB MR (10 000 MRs)"),
                ("bytes_per_mr_4k_with_heap", "B per 4 KiB MR, kernel + user memory (10 000 MRs)"),
                ("bytes_per_mr_64k", "kernel B per 64 KiB MR (5 000 MRs)"),
                ("max_mr_bytes", "largest MR, bytes"))
        for key, name in keys:
            if key not in fs and key not in fp:
                continue
            row(drv + name, fs.get(key), fp.get(key), rr[key], TARGETS[tprefix + key],
                fs.get(key + "_reason"), fp.get(key + "_reason"))
        if not drv:
            for g in ("1g", "4g", "8g"):
                lines.append("| single %s MR registers | %s | %s | | | phyr: yes |" % (
                    g.upper().replace("G", " GiB"), st["large_mrs"][g]["registered"],
                    ph["large_mrs"][g]["registered"]))

    def timed_table(fig):
        out = ["| figure | stock | phyr | phyr/stock | target |", "|---|---|---|---|---|"]

        for group, label in (("reg_ms_per_gib", "ibv_reg_mr ms/GiB"),
                             ("dereg_ms_per_gib", "ibv_dereg_mr ms/GiB")):
            for lay in LAYOUTS:
                f = fig[group][lay]
                out.append("| %s, %s | %s | %s | %s | %s |" % (
                    label, lay, med(f["stock"]), med(f["phyr"]), fmt_compared(f),
                    TARGETS.get(group + "." + lay, TARGETS[group])))
        for key, f in fig["bw_gbps"].items():
            out.append("| %s, Gb/s | %s | %s | %s | %s |" % (
                bw_name(key), med(f["stock"]), med(f["phyr"]), fmt_compared(f),
                TARGETS["bw_gbps"]))
        return out

    hw = rep.get("hw_path", {})
    lines += ["", "## The hardware path: the umem alone, for a PCI device (QEMU edu), by DMA regime",
              "", "Kernel B/page of ib_umem_get() with edu as the DMA device (bench/umem_probe): "
              "what the kernel kept less the IOMMU page tables, which the next column gives "
              "(the IOMMU's cost of the mapping, on either kernel).", "",
              "| regime | layout (MRs) | stock | phyr | phyr/stock | IOMMU page tables: stock, "
              "phyr | DMA runs per MR: stock, phyr | target | met |",
              "|---|---|---|---|---|---|---|---|---|"]

    def pair(ent, field):
        return "%s, %s" % (fmt(ent["stock"][field]), fmt(ent["phyr"][field]))

    for regime in REGIMES:
        for lay in HW_LAYOUTS:
            ent = hw.get(regime, {}).get(lay)
            if not ent:
                continue
            shape = ent["stock"].get("shape") or ent["phyr"].get("shape")
            cells = []
            for k in KERNELS:
                v = ent[k]["umem_bytes_per_page"]
                why = ent[k].get("umem_bytes_per_page_reason")
                cells.append(fmt(v) + (" (%s)" % why if v is None and why else ""))
            lines.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                regime, lay + (" (%s)" % shape if shape else ""), cells[0], cells[1],
                fmt(ent["ratio"]), pair(ent, "iommu_bytes_per_page"),
                pair(ent, "dma_runs_per_mr"), ent["target"],
                {True: "yes", False: "NO", None: "-"}[ent["met"]]))
    lines += ["", "## Instruction time (QEMU -icount: 1 ns per instruction, %d rounds in one "
              "boot per kernel)" % ic["rounds"], ""]
    lines += timed_table(ic) if ic["rounds"] else ["Not measured."]
    fl = ic.get("floor", {})
    if any(fl[lay]["pin_ms_per_gib"] for lay in LAYOUTS):
        lines += ["", "## Against the floor: pinning and unpinning alone (instruction time)", "",
                  "ms/GiB on the phyr kernel; pin_user_pages_phyr() is the floor plus the "
                  "list (what ib_umem_get() calls); the ratios are each kernel's "
                  "ibv_reg_mr / ibv_dereg_mr over the floor.", "",
                  "| layout | pin alone | pin_user_pages_phyr | ibv_reg_mr / pin: stock, phyr "
                  "| unpin alone | unpin_user_pages_phyr | ibv_dereg_mr / unpin: stock, phyr |",
                  "|---|---|---|---|---|---|---|"]
        for lay in LAYOUTS:
            f = fl[lay]
            lines.append("| %s | %s | %s | %s, %s | %s | %s | %s, %s |" % (
                lay, med(f["pin_ms_per_gib"]), med(f["pin_user_pages_phyr_ms_per_gib"]),
                fmt(f["reg_over_floor"]["stock"]), fmt(f["reg_over_floor"]["phyr"]),
                med(f["unpin_ms_per_gib"]), med(f["unpin_user_pages_phyr_ms_per_gib"]),
                fmt(f["dereg_over_floor"]["stock"]), fmt(f["dereg_over_floor"]["phyr"])))
    lines += ["", "## Wall clock (make bench-wall: both kernels at once, in turns)", ""]
    if wall["rounds"]:
        lines += ["%d rounds; each kernel's column is its median over the rounds." %
                  wall["rounds"], ""] + timed_table(wall)
    else:
        lines.append("Not run on these kernels (`make bench-wall` adds it).")
    lines += ["", "## Stock against the reference figures (stock 6.12.117 when the project began, rxe, TCG)", "",
              "| figure | reference | stock here | off by | within 5 % |",
              "|---|---|---|---|---|"]
    for name, ref in rep["reference"].items():
        lo, hi = ref["reference"]
        lines.append("| %s | %s | %s | %s | %s |" % (
            name, fmt_num(lo) if lo == hi else "%s-%s" % (fmt_num(lo), fmt_num(hi)),
            fmt(ref["stock"]), "null" if ref["off_pct"] is None else "%+.1f %%" % ref["off_pct"],
            {True: "yes", False: "NO", None: "not measured"}[ref["within_5pct"]]))
    if rep.get("phyr_list"):
        lines += ["", "## The phyr list alone (userspace, 4 GiB per layout)", "",
                  "| layout | B/page | entries | append pages/s | iterate entries/s | seeks/s | target |",
                  "|---|---|---|---|---|---|---|"]
        for row_ in rep["phyr_list"]:
            lines.append("| " + " | ".join(row_[k] for k in (
                "layout", "bytes/page", "entries", "append_pages/s", "iterate_entries/s",
                "seeks/s", "target")) + " |")
    lines += [""] + ["* " + n for n in rep["notes"]] + [""]
    with open(path, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
