#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
"""bench/report.py on made-up raw output: figures land where bench.json says,
ratios pair each phyr round with its stock round, what was not measured is
null with a reason, the floor and the information bound are reported, and
stock is held against its reference figures (REFERENCE).
Prints TAP (make check tallies it)."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REPORT = os.path.join(TOP, "bench", "report.py")


def mr(name, lay, **kv):
    return "figure=%s layout=%s %s\n" % (name, lay, " ".join("%s=%s" % i for i in kv.items()))


def footprint(bpp_frag, mr4k_heap, max_mr, reg_frag, big=True):
    lines = [mr("bpp_frag_4k", "frag_4k", size=256 << 20, count=4, bytes_per_page=bpp_frag,
                reg_ms_per_gib=reg_frag, dereg_ms_per_gib=50, bound_bytes_per_page=0.0123)]
    for lay, bpp in (("thp", 16.062), ("hugetlb_2m", 16.062)):
        lines.append(mr("bpp_" + lay, lay, size=1 << 30, count=8, bytes_per_page=bpp,
                        reg_ms_per_gib=25, dereg_ms_per_gib=1.5))
    lines.append("figure=bpp_hugetlb_1g error=no_1_GiB_pages\n")
    lines.append(mr("bpp_mixed", "mixed", size=256 << 20, count=4, bytes_per_page=bpp_frag / 2,
                    small_pages=1 << 17, bound_bytes_per_page=0.01))
    lines.append(mr("mr_4k", "frag_4k", bytes_per_page=775, bytes_per_mr=775.0))
    lines.append(mr("mr_4k_heap", "frag_4k", bytes_per_page=mr4k_heap,
                    bytes_per_mr=mr4k_heap))
    lines.append(mr("mr_64k", "frag_4k", bytes_per_page=77, bytes_per_mr=1228.8))
    lines.append(mr("mr_1g", "contig", bytes_per_page=48.0))
    if big:
        lines.append(mr("mr_4g", "contig", bytes_per_page=8.0))
    else:
        lines.append(mr("mr_4g", "contig", reg_errno="ENOMEM"))
    lines.append("figure=max_mr layout=contig max_mr_bytes=%d limit=1\n" % max_mr)
    return "".join(lines)


class Report(unittest.TestCase):
    def tmpdir(self):
        d = tempfile.TemporaryDirectory(prefix="phyr-report-test.")
        self.addCleanup(d.cleanup)
        return d.name

    def run_report(self, stock_fp, phyr_fp, bw, icount=None, wall=True, hw=None):
        raw = self.tmpdir()
        out = self.tmpdir()
        for k, fp in (("stock", stock_fp), ("phyr", phyr_fp)):
            os.makedirs(os.path.join(raw, k))
            for name, text in (icount or {}).get(k, {}).items():
                os.makedirs(os.path.join(raw, k, "icount"), exist_ok=True)
                with open(os.path.join(raw, k, "icount", name), "w") as f:
                    f.write(text)
            if fp is not None:
                with open(os.path.join(raw, k, "footprint.txt"), "w") as f:
                    f.write(fp)
            if hw and k in hw:
                with open(os.path.join(raw, k, "hwpath.txt"), "w") as f:
                    f.write(hw[k])
            # make bench-wall's rounds
            wall_dir = os.path.join(raw, "wall", k)
            os.makedirs(wall_dir)
            for pair, lines in bw[k].items() if wall else ():
                with open(os.path.join(wall_dir, "bw-%d.txt" % pair), "w") as f:
                    f.write(lines)
                with open(os.path.join(wall_dir, "reg-%d.txt" % pair), "w") as f:
                    f.write("layout=frag_4k reg_ms_per_gib=%d dereg_ms_per_gib=10\n" %
                            (100 if k == "stock" else 60 + 5 * pair))
        subprocess.run([sys.executable, REPORT, raw, out], check=True)
        with open(os.path.join(out, "bench.json")) as f:
            rep = json.load(f)
        with open(os.path.join(out, "bench.md")) as f:
            md = f.read()
        return rep, md

    BW = {"stock": {1: "send 1048576 0.2400\n", 2: "send 1048576 0.2000\n",
                    3: "send 1048576 0.2000\n"},
          "phyr": {1: "send 1048576 0.2400\n", 2: "send 1048576 0.1900\n",
                   3: "send 1048576 null\n"}}

    @staticmethod
    def hw_line(lay, regime, bpp, iommu, runs, size="268435456", count=2):
        return ("figure=hw_%s regime=%s layout=%s size=%s count=%d bytes_per_page=%.3f "
                "bytes_per_mr=1 reg_ms_per_gib=1 dereg_ms_per_gib=1 bound_bytes_per_page=0.25 "
                "small_pages=0 device=umem_probe iommu_bytes_per_page=%.3f dma_runs_per_mr=%.1f "
                "max_seg=2147483648 max_mapping=18446744073709551615\n"
                % (lay, regime, lay, size, count, bpp, iommu, runs))

    def test_hw_path(self):
        hw = {"stock": self.hw_line("frag_4k", "none", 32.125, 0, 65536) +
                       self.hw_line("frag_4k", "translated", 40.25, 8.125, 1) +
                       self.hw_line("thp", "none", 0.5, 0, 256, "536870912"),
              "phyr": self.hw_line("frag_4k", "none", 4.0, 0, 65536) +
                      self.hw_line("frag_4k", "translated", 16.5, 8.125, 1) +
                      self.hw_line("thp", "none", 0.05, 0, 256, "536870912") +
                      "regime=swiotlb error=not_in_effect\n"}
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820, 8 << 30, 80), self.BW, hw=hw)
        h = rep["hw_path"]
        none, tr = h["none"]["frag_4k"], h["translated"]["frag_4k"]
        self.assertAlmostEqual(none["phyr"]["umem_bytes_per_page"], 4.0)
        self.assertAlmostEqual(none["ratio"], 4.0 / 32.125)
        self.assertTrue(none["met"])
        # IOMMU page tables come off before the target is checked
        self.assertAlmostEqual(tr["phyr"]["umem_bytes_per_page"], 16.5 - 8.125)
        self.assertAlmostEqual(tr["stock"]["iommu_bytes_per_page"], 8.125)
        self.assertFalse(tr["met"])     # 8.375 > 4.1 + 16 * 2 / 131072
        self.assertEqual(tr["phyr"]["dma_runs_per_mr"], 1.0)
        self.assertFalse(h["none"]["thp"]["met"])   # 0.05 > 0.04
        self.assertEqual(h["none"]["thp"]["phyr"]["shape"], "2 x 512 MiB")
        # Not run at all, and a guest whose regime was not in effect
        self.assertIsNone(h["passthrough"]["frag_4k"]["stock"]["umem_bytes_per_page"])
        self.assertEqual(h["passthrough"]["frag_4k"]["stock"]["bytes_per_page_reason"], "not run")
        sw = h["swiotlb"]["frag_4k"]
        self.assertIsNone(sw["met"])
        self.assertEqual(sw["phyr"]["bytes_per_page_reason"], "measurement failed: not in effect")
        self.assertIn("| none | frag_4k (2 x 256 MiB) | 32.125 | 4.000 | 0.125 | 0.000, 0.000 "
                      "| 65536.000, 65536.000 | <= 4.1 B/page, DMA list = CPU list | yes |", md)
        self.assertIn("| translated | frag_4k (2 x 256 MiB) | 32.125 | 8.375 |", md)
        self.assertIn("(measurement failed: not in effect)", md)

    def test_figures_and_ratios(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW)
        st, ph, r, w = rep["stock"], rep["phyr"], rep["ratio"], rep["wall_clock"]
        self.assertEqual(st["bytes_per_page"]["frag_4k"], 48.25)
        self.assertAlmostEqual(r["bytes_per_page"]["frag_4k"], 8.125 / 48.25)
        self.assertAlmostEqual(r["bytes_per_mr_4k_with_heap"], 820.0 / 837.6)
        self.assertEqual(r["max_mr_bytes"], 11)
        # Pairs 1 and 2 give 1.0 and 0.95; pair 3's phyr run failed
        bw = w["bw_gbps"]["send_1048576"]["ratio"]
        self.assertEqual(bw["pairs"], 2)
        self.assertAlmostEqual(bw["min"], 0.95)
        self.assertAlmostEqual(bw["median"], 0.975)
        self.assertAlmostEqual(w["reg_ms_per_gib"]["frag_4k"]["ratio"]["median"], 0.7)
        self.assertEqual(w["reg_ms_per_gib"]["frag_4k"]["stock"]["median"], 100)
        self.assertEqual(w["rounds"], 3)
        # Stock's median is 0.2, phyr's (two runs) 0.215: the row says so
        self.assertIn("| ib_send_bw 1048576 B, Gb/s | 0.200 | 0.215 | 0.975 (min 0.950, "
                      "max 1.000, 2 pairs); ratio of the medians 1.075 |", md)
        # The footprint boot's wall-clock times are not reported beside
        # ratios they were not paired with
        self.assertNotIn("reg_ms_per_gib", st)
        # Targets: frag_4k times and send meet theirs; the other layouts
        # were not measured, which is not meeting them
        t = rep["targets"]["wall_clock"]
        self.assertEqual((t["met"], t["of"]), (3, 9))
        self.assertNotIn("ib_send_bw 1048576 B", t["missed"])
        self.assertIsNone(t["missed"]["ibv_reg_mr thp"]["median"])
        self.assertNotIn("icount", rep["targets"])
        self.assertIn("* wall clock, in turns (make bench-wall): 3 of 9; missed: "
                      "ibv_reg_mr thp null (median ratio <= 1.0),", md)
        self.assertIn("* instruction time (QEMU -icount): not run on these kernels", md)

    # Two rounds per kernel in instruction time
    ICOUNT = {"stock": {"reg-1.txt": "layout=frag_4k reg_ms_per_gib=130 dereg_ms_per_gib=36\n",
                        "reg-2.txt": "layout=frag_4k reg_ms_per_gib=130 dereg_ms_per_gib=36\n",
                        "bw-1.txt": "write 65536 0.2600\n", "bw-2.txt": "write 65536 0.2650\n"},
              "phyr": {"reg-1.txt": "layout=frag_4k reg_ms_per_gib=91 dereg_ms_per_gib=36\n",
                       "reg-2.txt": "layout=frag_4k reg_ms_per_gib=91 dereg_ms_per_gib=35.64\n",
                       "bw-1.txt": "write 65536 0.2574\n", "bw-2.txt": "write 65536 null\n"}}

    def test_instruction_time(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW, self.ICOUNT)
        ic = rep["icount"]
        self.assertEqual(ic["rounds"], 2)
        reg = ic["reg_ms_per_gib"]["frag_4k"]
        self.assertAlmostEqual(reg["ratio"]["median"], 0.7)
        self.assertEqual(reg["stock"]["median"], 130)
        dereg = ic["dereg_ms_per_gib"]["frag_4k"]["ratio"]
        self.assertAlmostEqual(dereg["min"], 0.99)
        self.assertAlmostEqual(dereg["max"], 1.0)
        # Round 2's phyr run failed: one pair, the round 1 ratio
        bw = ic["bw_gbps"]["write_65536"]
        self.assertEqual(bw["ratio"]["pairs"], 1)
        self.assertAlmostEqual(bw["ratio"]["median"], 0.99)
        self.assertIsNone(ic["reg_ms_per_gib"]["thp"]["ratio"])
        self.assertIn("## Instruction time", md)
        self.assertIn("| ibv_reg_mr ms/GiB, frag_4k | 130.000 | 91.000 | 0.700 (min 0.700, "
                      "max 0.700, 2 pairs) | median ratio <= 0.7 |", md)
        self.assertIn("| ib_write_bw 65536 B, Gb/s | 0.263 | 0.257 | 0.990", md)
        # reg 0.7 meets <= 0.7, dereg 0.995 <= 1.0, write 0.99 >= 0.97
        t = rep["targets"]["icount"]
        self.assertEqual((t["met"], t["of"]), (3, 9))
        self.assertEqual(t["missed"]["ibv_dereg_mr thp"],
                         {"median": None, "target": "median ratio <= 1.0"})
        self.assertIn("* instruction time (QEMU -icount): 3 of 9; missed:", md)

    def test_siw(self):
        """The siw figures: their own rows and ratios; siw bandwidth in
        instruction time named as such and counted in the targets."""
        def with_siw(fp, bpp):
            return fp + mr("siw_bpp_frag_4k", "frag_4k", bytes_per_page=bpp) + \
                mr("siw_mr_4k", "frag_4k", bytes_per_page=700, bytes_per_mr=700.0)
        icount = {k: dict(v) for k, v in self.ICOUNT.items()}
        icount["stock"]["bw-1.txt"] += "siw-write 65536 1.0000\n"
        icount["phyr"]["bw-1.txt"] += "siw-write 65536 0.9900\n"
        rep, md = self.run_report(with_siw(footprint(48.25, 837.6, 1 << 30, 150), 40.1),
                                  with_siw(footprint(8.125, 820.0, 11 << 30, 95), 8.1),
                                  self.BW, icount)
        self.assertEqual(rep["phyr"]["siw"]["bytes_per_page"]["frag_4k"], 8.1)
        self.assertAlmostEqual(rep["ratio"]["siw"]["bytes_per_page"]["frag_4k"], 8.1 / 40.1)
        self.assertIsNone(rep["phyr"]["siw"]["bytes_per_page"]["thp"])
        self.assertEqual(rep["phyr"]["siw"]["bytes_per_page"]["thp_reason"], "not run")
        self.assertIn("| siw: kernel B/page, frag_4k | 40.100 | 8.100 | 0.202 | null | <= 4.1 B/page |", md)
        self.assertIn("| siw ib_write_bw 65536 B, Gb/s | 1.000 | 0.990 | 0.990", md)
        t = rep["targets"]["icount"]
        self.assertEqual((t["met"], t["of"]), (4, 10))

    def test_no_instruction_time_says_so(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW)
        self.assertEqual(rep["icount"]["rounds"], 0)
        self.assertNotIn("icount", rep["targets"])
        self.assertIn("rounds in one boot per kernel)\n\nNot measured.", md)

    def test_no_wall_clock_says_so(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW, self.ICOUNT,
                                  wall=False)
        self.assertEqual(rep["wall_clock"]["rounds"], 0)
        self.assertEqual(set(rep["targets"]), {"icount"})
        self.assertIn("Not run on these kernels (`make bench-wall` adds it).", md)
        self.assertIn("* wall clock, in turns (make bench-wall): not run on these kernels", md)

    def test_floor(self):
        """Pinning alone on phyr: its times, and each kernel's registration as
        a multiple of them."""
        icount = {k: dict(v) for k, v in self.ICOUNT.items()}
        for i in (1, 2):
            icount["phyr"]["floor-%d.txt" % i] = (
                "layout=frag_4k size=268435456 count=1 what=floor "
                "pin_ms_per_gib=65 unpin_ms_per_gib=18\n"
                "layout=frag_4k size=268435456 count=1 what=pin_user_pages_phyr "
                "pin_ms_per_gib=80 unpin_ms_per_gib=%d\n" % (20 + i))
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW, icount)
        f = rep["icount"]["floor"]["frag_4k"]
        self.assertEqual(f["pin_ms_per_gib"]["median"], 65)
        self.assertAlmostEqual(f["reg_over_floor"]["stock"], 2.0)
        self.assertAlmostEqual(f["reg_over_floor"]["phyr"], 1.4)
        self.assertAlmostEqual(f["dereg_over_floor"]["stock"], 2.0)
        self.assertEqual(f["pin_user_pages_phyr_ms_per_gib"]["median"], 80)
        self.assertEqual(f["unpin_user_pages_phyr_ms_per_gib"]["median"], 21.5)
        self.assertIsNone(rep["icount"]["floor"]["thp"]["pin_ms_per_gib"])
        self.assertIn("| frag_4k | 65.000 | 80.000 | 2.000, 1.400 | 18.000 | 21.500 | "
                      "2.000, 1.990 |", md)

    def test_no_floor_no_table(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW, self.ICOUNT)
        self.assertNotIn("Against the floor", md)

    def test_information_bound(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW)
        self.assertEqual(rep["phyr"]["bound_bytes_per_page"]["frag_4k"], 0.0123)
        self.assertIsNone(rep["phyr"]["bound_bytes_per_page"]["thp"])
        self.assertEqual(rep["phyr"]["bound_bytes_per_page"]["thp_reason"],
                         "no bound_bytes_per_page in the output")
        self.assertIn("| kernel B/page, frag_4k (4 x 256 MiB MRs) | 48.250 | 8.125 | 0.168 | "
                      "0.0123, 0.0123 |", md)

    def test_mixed(self):
        """mixed: bytes per page overall, and per page outside its folios
        (half of 4 x 256 MiB here)."""
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW)
        self.assertAlmostEqual(rep["phyr"]["bytes_per_page"]["mixed"], 8.125 / 2)
        self.assertAlmostEqual(rep["phyr"]["bytes_per_small_page"]["mixed"], 8.125)
        self.assertAlmostEqual(rep["ratio"]["bytes_per_page"]["mixed"], 8.125 / 48.25)
        self.assertIn("| kernel B per small page, mixed (outside its 2 MiB folios) | 48.250 | "
                      "8.125 | 0.168 |  | <= 4.1 B/page |", md)
        self.assertIsNone(rep["phyr"]["siw"]["bytes_per_small_page"]["mixed"])
        self.assertEqual(rep["phyr"]["siw"]["bytes_per_small_page"]["mixed_reason"], "not run")

    def test_resolution_note_from_the_pages_measured(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW)
        # 4 x 256 MiB is 2^18 pages: one page is 4096 / 2^18 B/page
        self.assertIn("frag_4k (4 x 256 MiB MRs) 0.0156, thp (8 x 1 GiB MRs) 0.0020", md)

    def test_ratio_of_medians_shown_where_it_differs(self):
        """A median of round ratios that is not the ratio of the medians
        says so in its row."""
        icount = {"stock": {"bw-%d.txt" % i: "write 65536 %s\n" % v
                            for i, v in ((1, "1.00"), (2, "1.00"), (3, "0.80"))},
                  "phyr": {"bw-%d.txt" % i: "write 65536 %s\n" % v
                           for i, v in ((1, "0.80"), (2, "1.00"), (3, "1.00"))}}
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW, icount)
        self.assertAlmostEqual(rep["icount"]["bw_gbps"]["write_65536"]["ratio"]["median"], 1.0)
        self.assertIn("| ib_write_bw 65536 B, Gb/s | 1.000 | 1.000 | 1.000 (min 0.800, "
                      "max 1.250, 3 pairs) | median ratio >= 0.97 |", md)
        # phyr 1.0, 0.8, 0.8: round ratios 1.0, 0.8, 1.0, medians 1.0 and 0.8
        icount["phyr"]["bw-1.txt"] = "write 65536 1.00\n"
        icount["phyr"]["bw-2.txt"] = "write 65536 0.80\n"
        icount["phyr"]["bw-3.txt"] = "write 65536 0.80\n"
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW, icount)
        self.assertIn("| ib_write_bw 65536 B, Gb/s | 1.000 | 0.800 | 1.000 (min 0.800, "
                      "max 1.000, 3 pairs); ratio of the medians 0.800 |", md)

    def test_not_measured_is_null_with_reason(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150, big=False), None,
                                  self.BW)
        st, ph = rep["stock"], rep["phyr"]
        self.assertIsNone(st["bytes_per_page"]["hugetlb_1g"])
        self.assertEqual(st["bytes_per_page"]["hugetlb_1g_reason"],
                         "measurement failed: no 1 GiB pages")
        self.assertFalse(st["large_mrs"]["4g"]["registered"])
        self.assertEqual(st["large_mrs"]["4g"]["bytes_per_page_reason"],
                         "ibv_reg_mr failed with ENOMEM")
        self.assertIsNone(ph["bytes_per_mr_4k"])
        self.assertEqual(ph["bytes_per_mr_4k_reason"], "not run")
        self.assertIsNone(rep["ratio"]["bytes_per_mr_4k"])
        self.assertIn("null (not run)", md)

    def test_bytes_per_page_names_the_mrs(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW)
        self.assertEqual(rep["phyr"]["bytes_per_page_mrs"]["thp"], "8 x 1 GiB")
        self.assertEqual(rep["phyr"]["bytes_per_page_mrs"]["frag_4k"], "4 x 256 MiB")
        self.assertNotIn("hugetlb_1g", rep["phyr"]["bytes_per_page_mrs"])
        self.assertIn("| kernel B/page, thp (8 x 1 GiB MRs) | 16.062 |", md)
        self.assertIn("| kernel B/page, hugetlb_1g | null (measurement failed", md)

    def test_reference_reproduced(self):
        rep, md = self.run_report(footprint(48.25, 837.6, 1 << 30, 150),
                                  footprint(8.125, 820.0, 11 << 30, 95), self.BW)
        ref = rep["reference"]
        self.assertEqual(len(ref), 5)
        for name, fig in ref.items():
            self.assertTrue(fig["within_5pct"], name)
        self.assertAlmostEqual(ref["B per 4 KiB MR, kernel + user memory"]["off_pct"],
                               100.0 * (837.6 - 845) / 845)
        self.assertIn("| kernel B/page, frag_4k | 48.3 | 48.250 | -0.1 % | yes |", md)

    def test_reference_missed_says_no(self):
        # 774 B counted as kernel + user memory would be 8.4 % off 845
        rep, md = self.run_report(footprint(48.25, 774.0, 1 << 29, 190), None, self.BW)
        ref = rep["reference"]
        self.assertFalse(ref["B per 4 KiB MR, kernel + user memory"]["within_5pct"])
        self.assertFalse(ref["largest MR, bytes"]["within_5pct"])
        self.assertIn("| -8.4 % | NO |", md)

    def test_reference_not_measured(self):
        rep, md = self.run_report(None, None, self.BW)
        for fig in rep["reference"].values():
            self.assertIsNone(fig["within_5pct"])
        self.assertIn("not measured", md)


def main():
    tests = list(unittest.defaultTestLoader.loadTestsFromTestCase(Report))
    print("1..%d" % len(tests))
    failed = 0
    for i, t in enumerate(tests, 1):
        res = unittest.TestResult()
        with open(os.devnull, "w") as null:
            old = sys.stdout
            sys.stdout = null
            try:
                t.run(res)
            finally:
                sys.stdout = old
        name = "report.py: " + t.id().split(".")[-1].replace("test_", "").replace("_", " ")
        if res.wasSuccessful():
            print("ok %d - %s" % (i, name))
        else:
            failed += 1
            print("not ok %d - %s" % (i, name))
            for _, tb in res.failures + res.errors:
                print("# " + tb.replace("\n", "\n# "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
