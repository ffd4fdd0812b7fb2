#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR Linux-OpenIB
# Copyright (c) 2026 The phyr-umem authors
"""phyr-perftest-pair's report: each step's client results and both ends'
footprints side by side, a cause in one line for a step that failed, TAP
on request.
  pair-report.py OUTDIR K1 K2 RC1 RC2 [TAPFILE]
OUTDIR holds plan, g1/ and g2/ (the guests' results folders: NAME.out,
NAME.status, NAME.json per step) and g1.log, g2.log (ci/vm.sh's own)."""
import json
import os
import re
import sys

ERR_RE = re.compile(r"error|fail|couldn't|unable|invalid|no server|"
                    r"not found|killed", re.I)


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return None


def guest_cause(outdir, g, kern, rc):
    """Why guest g gave no result for a step, in one line."""
    log = read(os.path.join(outdir, f"g{g}.log")) or ""
    errs = [l for l in log.splitlines() if l.startswith("error:")]
    why = errs[-1][len("error: "):] if errs else f"ci/vm.sh exit status {rc}"
    return f"guest {g} ({kern}) gave no result: {why}"


def step_cause(out, status, wait_timeout):
    """Why a run that exited with status failed, in one line."""
    lines = [l.strip() for l in (out or "").splitlines() if l.strip()]
    if status == 124:
        return f"timed out after {wait_timeout} s"
    if status == 200 and lines:
        return lines[-1]
    errs = [l for l in lines if ERR_RE.search(l)]
    if errs:
        return errs[0]
    return lines[-1] if lines else f"exit status {status}, no output"


def fmt_int(v):
    return "-" if v is None else str(v)


def fmt_bpp(v):
    return "-" if v is None else f"{v:.3f}"


def fp_row(side, kern, fp):
    if fp is None:
        return f" {side:<7} {kern:<6} no footprint block"
    kb = fp.get("kernel_bytes")
    kern_bytes = fmt_int(kb) if fp.get("reported") else "not reported"
    est = fp.get("stock_estimate_bytes")
    est_s = fmt_int(est) + ("*" if fp.get("estimate_upper_bound") else "")
    return (f" {side:<7} {kern:<6} {fp.get('mrs', 0):>4} "
            f"{fp.get('bytes_registered', 0):>14} {kern_bytes:>14} "
            f"{fmt_bpp(fp.get('bytes_per_page')) if fp.get('reported') else '-':>8} "
            f"{est_s:>15} {fmt_bpp(fp.get('stock_estimate_bytes_per_page')):>8}")


def result_lines(out):
    """perftest's table header and result lines (the client's report)."""
    keep = []
    for l in (out or "").splitlines():
        if "MR footprint of" in l:	# phyr-perftest's block: shown apart
            break
        if re.match(r"^\s*#bytes", l) or re.match(r"^\s*\d+\s+\d+\s+[\d.]+", l):
            keep.append(l.rstrip())
    return keep


def main():
    outdir, k1, k2, rc1, rc2 = sys.argv[1:6]
    tapfile = sys.argv[6] if len(sys.argv) > 6 and sys.argv[6] else None
    kern = {1: k1, 2: k2}
    rcs = {1: int(rc1), 2: int(rc2)}
    wait_timeout = int(os.environ.get("PAIR_STEP_TIMEOUT", "240"))
    tap = []
    passed = failed = 0

    def check(name, ok, diag=None):
        tap.append(("ok" if ok else "not ok", name, diag))

    with open(os.path.join(outdir, "plan")) as f:
        plan = [l.split(None, 3) for l in f
                if l.strip() and not l.startswith("#")]
    for fields in plan:
        name, server, kind = fields[0], int(fields[1]), fields[2]
        args = fields[3].strip() if len(fields) > 3 else ""
        client = 3 - server
        g = {}
        for who, n in (("server", server), ("client", client)):
            d = os.path.join(outdir, f"g{n}")
            st = read(os.path.join(d, f"{name}.status"))
            js = read(os.path.join(d, f"{name}.json"))
            try:
                fp = json.loads(js) if js else None
            except ValueError:
                fp = None
            g[who] = {"n": n, "kern": kern[n],
                      "status": int(st) if st and st.strip().isdigit() else None,
                      "out": read(os.path.join(d, f"{name}.out")), "fp": fp}
        s, c = g["server"], g["client"]
        print(f"== {name}: {kind} {args}")
        print(f"   client {c['kern']} (10.0.7.{c['n']}) -> "
              f"server {s['kern']} (10.0.7.{s['n']})")
        causes = []
        for who in ("client", "server"):
            e = g[who]
            if e["status"] is None:
                causes.append(guest_cause(outdir, e["n"], e["kern"], rcs[e["n"]]))
            elif e["status"] != 0:
                causes.append(f"{who} ({e['kern']}): "
                              + step_cause(e["out"], e["status"], wait_timeout))
        if kind == "perftest":
            for l in result_lines(c["out"]):
                print("  " + l)
            print(f" {'side':<7} {'kernel':<6} {'MRs':>4} {'registered':>14} "
                  f"{'kernel bytes':>14} {'B/page':>8} {'stock estimate':>15} "
                  f"{'B/page':>8}")
            for who in ("server", "client"):
                print(fp_row(who, g[who]["kern"], g[who]["fp"]))
            if any(g[w]["fp"] and g[w]["fp"].get("estimate_upper_bound")
                   for w in g):
                print(" * an upper bound: one scatterlist entry per page")
        ok = not causes
        print("   passed" if ok else "   FAILED: " + causes[0])
        for extra in causes[1:]:
            print("           " + extra)
        passed += ok
        failed += not ok
        check(f"{name}: {args}: client {c['kern']} -> server {s['kern']}",
              ok, causes)
        if kind == "perftest":
            for who in ("server", "client"):
                e = g[who]
                fp = e["fp"]
                want_rep = e["kern"] != "stock"
                good = fp is not None and fp.get("mrs", 0) >= 1 and \
                    bool(fp.get("reported")) == want_rep
                if good and want_rep:
                    # 0 is a real figure: a short list lives in the umem
                    good = fp.get("kernel_bytes") is not None and \
                        fp.get("bytes_per_page") is not None and \
                        fp["bytes_per_page"] <= \
                        (fp.get("stock_estimate_bytes_per_page") or 0)
                check(f"{name}: the {who}'s footprint block on {e['kern']} "
                      f"({'reported, below the stock estimate' if want_rep else 'not reported'})",
                      good, [json.dumps(fp)] if fp else ["no JSON"])
        elif kind == "xk":
            for who in ("client", "server"):
                for l in (g[who]["out"] or "").splitlines():
                    m = re.match(r"^(ok|not ok) \d+ - (.*)$", l)
                    if m:
                        check(f"{name}: {who} on {g[who]['kern']}: {m.group(2)}",
                              m.group(1) == "ok")
    print(f"pair: {passed} steps passed, {failed} failed "
          f"({k1} at 10.0.7.1, {k2} at 10.0.7.2)")
    if tapfile:
        with open(tapfile, "w") as f:
            for i, (ok, name, diag) in enumerate(tap, 1):
                f.write(f"{ok} {i} - {name}\n")
                if ok != "ok":
                    for d in diag or []:
                        f.write(f"# {d}\n")
            f.write(f"1..{len(tap)}\n")
    return 0 if failed == 0 and all(t[0] == "ok" for t in tap) else 1


if __name__ == "__main__":
    sys.exit(main())
