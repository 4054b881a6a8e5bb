#!/usr/bin/env python3
# 'make bench' (host side): turn the "# RESULT {json}" lines that
# tools/bench/vm-bench.sh printed in the guest into OUTDIR/report.md,
# report.json and the charts (gnuplot: iops.svg, cpu.svg, latency.svg),
# and print the tables.
#
#   bench-report.py [--baseline OLD_REPORT_JSON] TAP_LOG OUTDIR
#   bench-report.py --compare OLD_REPORT_JSON NEW_REPORT_JSON
#
# Every figure is the median of the repetitions with their min and max.
# --baseline adds the targets of an earlier report.json (the series
# before a change, measured on the same machine) next to this run's;
# --compare prints the medians of two reports side by side as ratios.
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

ENGINES = ["aioring", "io_uring", "libaio", "psync"]
MODES = ["irq", "polled", "polled-fixed", "sqpoll-polled-fixed"]
METRICS = ["iops", "cpu_us_per_io", "syscalls_per_io", "p50_us", "p99_us"]


def split_label(label):
    """'aioring-polled-fixed' -> ('aioring', 'polled-fixed'); libaio and
    psync run in interrupt mode only"""
    for e in ENGINES:
        if label == e:
            return e, "irq"
        if label.startswith(e + "-"):
            return e, label[len(e) + 1:]
    return label, "irq"


def load(path, tag="RESULT"):
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"\s*# %s (\{.*\})\s*$" % tag, line)
            if m:
                try:
                    out.append(json.loads(m.group(1)))
                except ValueError:
                    pass
    return out


def bench_figures(r):
    """aioring-bench's own figures of a --json document: fio's shape
    ({"jobs": [{..., "aioring-bench": {...}}]}) or the flat summary of
    before soname 2"""
    jobs = r.get("jobs")
    if isinstance(jobs, list) and jobs:
        return jobs[0].get("aioring-bench") or {}
    return r


def ok(r):
    return r.get("status") == 0 and (r.get("ios") or 0) > 0


def bench_sample(r):
    """the figures of one aioring-bench run, or None"""
    if not ok(r):
        return None
    lat = r.get("lat_ns") or {}
    return {"iops": r.get("iops"),
            "cpu_us_per_io": (r.get("cpu") or {}).get("us_per_io"),
            "syscalls_per_io": r.get("syscalls_per_io"),
            "p50_us": lat["p50"] / 1e3 if "p50" in lat else None,
            "p99_us": lat["p99"] / 1e3 if "p99" in lat else None}


def fio_sample(r):
    """the figures of one fio --output-format=json run, or None"""
    try:
        j = r["jobs"][0]
        rd = j["read"]
        ios = rd["total_ios"]
        if not ios or j.get("error"):
            return None
        cpu_us = (j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] * 1e3
        pct = rd["clat_ns"]["percentile"]
        return {"iops": rd["iops"], "cpu_us_per_io": cpu_us / ios,
                "syscalls_per_io": None,
                "p50_us": pct["50.000000"] / 1e3, "p99_us": pct["99.000000"] / 1e3}
    except (KeyError, TypeError, IndexError, ZeroDivisionError):
        return None


def summary(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs),
            "n": len(xs)}


def rows_of(results, kind):
    """{(engine, mode, depth): row} with a summary per metric"""
    rows = {}
    for e in results:
        if e.get("kind") != kind:
            continue
        r = e.get("result") or {}
        if kind == "fio":
            s = fio_sample(r)
            err = None if s else (r.get("message") or "no fio result")
        else:
            r = bench_figures(r)
            s = bench_sample(r)
            err = None if s else (r.get("message") or "status %s" % r.get("status"))
        engine, mode = split_label(e["mode"])
        depth = e.get("depth") or r.get("depth") or 0
        row = rows.setdefault((engine, mode, depth),
                              {"engine": engine, "mode": mode, "depth": depth,
                               "samples": [], "error": None})
        if s:
            row["samples"].append(s)
        else:
            row["error"] = err
    for row in rows.values():
        row["reps"] = len(row["samples"])
        for m in METRICS:
            row[m] = summary([s[m] for s in row["samples"]])
    return rows


def med(rows, engine, mode, depth, metric):
    s = (rows.get((engine, mode, depth)) or {}).get(metric)
    return s["median"] if s else None


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, f="%.2f"):
    return "-" if v is None else f % v


def fmt_s(s, f):
    """median (min-max)"""
    if not s:
        return "-"
    return ("%s (%s-%s)" % (f, f, f)) % (s["median"], s["min"], s["max"])


def targets_of(rows, buffered):
    """issue 15's targets, each a ratio of medians (or a count)"""
    def r(metric, mode, depth, other="io_uring", other_mode=None):
        return ratio(med(rows, "aioring", mode, depth, metric),
                     med(rows, other, other_mode or mode, depth, metric))

    t = []

    def add(name, want, value, met):
        t.append({"target": name, "want": want, "value": value,
                  "met": value is not None and met(value)})

    for mode in ("polled-fixed", "irq", "sqpoll-polled-fixed"):
        add("aioring / io_uring CPU us per IO, %s, depth 32" % mode, "<= 1.00",
            r("cpu_us_per_io", mode, 32), lambda v: v <= 1.0)
    for mode in MODES:
        for depth in (1, 32):
            add("aioring / io_uring IOPS, %s, depth %d" % (mode, depth), ">= 1.00",
                r("iops", mode, depth), lambda v: v >= 1.0)
    add("aioring interrupt rings / libaio CPU us per IO, depth 32", "<= 0.80",
        r("cpu_us_per_io", "irq", 32, "libaio", "irq"), lambda v: v <= 0.8)
    spi = [(row.get("syscalls_per_io") or {}).get("max") for k, row in rows.items()
           if k[0] == "aioring" and k[1].startswith("sqpoll")]
    spi = [x for x in spi if x is not None]
    add("SQPOLL io_ring_enter calls per IO (worst run)", "0",
        max(spi) if spi else None, lambda v: v < 0.00005)
    p2 = buffered.get("buffered-pass2") or {}
    add("buffered second pass, cache hits %", "100",
        100.0 * p2["cache_hits"] / p2["reads"] if ok(p2) and p2.get("reads") else None,
        lambda v: v >= 100.0)
    return t


def table(rows, depths, with_ratio=True):
    hdr = ["| engine | mode | depth | reps | IOPS median (min-max) | CPU us/IO | "
           "syscalls/IO | p50 us | p99 us |" + (" vs io_uring IOPS | vs io_uring CPU |"
                                                 if with_ratio else ""),
           "|---|---|---:|---:|---:|---:|---:|---:|---:|" + ("---:|---:|" if with_ratio else "")]
    out = list(hdr)
    for mode in MODES:
        for d in depths:
            for e in ENGINES:
                row = rows.get((e, mode, d))
                if not row:
                    continue
                if not row["reps"]:
                    out.append("| %s | %s | %d | 0 | n/a: %s | | | | |%s" % (
                        e, mode, d, row["error"], " | |" if with_ratio else ""))
                    continue
                line = "| %s | %s | %d | %d | %s | %s | %s | %s | %s |" % (
                    e, mode, d, row["reps"], fmt_s(row["iops"], "%.0f"),
                    fmt_s(row["cpu_us_per_io"], "%.2f"),
                    fmt_s(row["syscalls_per_io"], "%.4f"),
                    fmt(med(rows, e, mode, d, "p50_us"), "%.1f"),
                    fmt(med(rows, e, mode, d, "p99_us"), "%.1f"))
                if with_ratio:
                    other = "io_uring" if e != "io_uring" else None
                    om = mode if e == "aioring" else "irq"
                    line += " %s | %s |" % (
                        fmt(ratio(med(rows, e, mode, d, "iops"),
                                  med(rows, other, om, d, "iops"))) if other else "-",
                        fmt(ratio(med(rows, e, mode, d, "cpu_us_per_io"),
                                  med(rows, other, om, d, "cpu_us_per_io"))) if other else "-")
                out.append(line)
    return out


def gnuplot_charts(rows, depths, outdir):
    """one SVG per figure, one panel per depth, engines side by side within
    each mode, min-max error bars"""
    charts = [("iops", "IOPS", "iops.svg"),
              ("cpu_us_per_io", "CPU us per IO", "cpu.svg"),
              ("p50_us", "p50 latency (us)", "latency-p50.svg"),
              ("p99_us", "p99 latency (us)", "latency-p99.svg")]
    engines = [e for e in ENGINES if any(k[0] == e for k in rows)]
    made = []
    for metric, title, name in charts:
        plots = []
        for d in depths:
            dat = os.path.join(outdir, "%s-d%d.dat" % (metric, d))
            with open(dat, "w") as f:
                f.write("# mode " + " ".join("%s %s_min %s_max" % (e, e, e)
                                             for e in engines) + "\n")
                for mode in MODES:
                    vals = []
                    for e in engines:
                        s = (rows.get((e, mode, d)) or {}).get(metric)
                        vals += (["%g" % s["median"], "%g" % s["min"], "%g" % s["max"]]
                                 if s else ["0", "0", "0"])
                    f.write("%s %s\n" % (mode, " ".join(vals)))
            cols = ", ".join("'%s' using %d:%d:%d%s title '%s'" % (
                dat if i == 0 else "", 2 + 3 * i, 3 + 3 * i, 4 + 3 * i,
                ":xtic(1)" if i == 0 else "", e) for i, e in enumerate(engines))
            plots.append("set title 'depth %d'\nplot %s\n" % (d, cols))
        path = os.path.join(outdir, name)
        script = ("set terminal svg size %d,420 noenhanced font 'sans,10'\n"
                  "set output '%s'\nset style data histograms\n"
                  "set style histogram errorbars gap 1 lw 1\n"
                  "set style fill solid border -1\nset xtics rotate by 30 right nomirror\n"
                  "set yrange [0:*]\nset grid ytics\nset key top right\n"
                  "set multiplot layout 1,%d title '%s, 4 KiB random reads on null_blk: "
                  "median, min-max'\n%sunset multiplot\n"
                  % (380 * len(depths), path, len(depths), title, "".join(plots)))
        subprocess.run(["gnuplot"], input=script, text=True, check=True,
                       capture_output=True)
        made.append(name)
    return made


def profile_tables(profiles, top=15):
    """the top kernel symbols of aioring and io_uring side by side, per mode"""
    by = {p["mode"]: [x for x in p.get("symbols", []) if x[1]] for p in profiles}
    out = []
    for mode in MODES:
        a, u = by.get("aioring-" + mode), by.get("io_uring-" + mode)
        if a is None and u is None:
            continue
        out += ["", "### %s, depth 32: kernel symbols, %% of all samples" % mode, "",
                "| # | aioring | % | io_uring | % |", "|---:|---|---:|---|---:|"]
        for i in range(max(len(a or []), len(u or []), 0)):
            if i >= top:
                break
            ca = (a or [])[i] if i < len(a or []) else None
            cu = (u or [])[i] if i < len(u or []) else None
            out.append("| %d | %s | %s | %s | %s |" % (
                i + 1, ca[2] if ca else "", fmt(ca[0] if ca else None, "%.1f"),
                cu[2] if cu else "", fmt(cu[0] if cu else None, "%.1f")))
        ka = sum(x[0] for x in a or [])
        ku = sum(x[0] for x in u or [])
        out.append("| | kernel, listed symbols | %.1f | | %.1f |" % (ka, ku))
    return out


def report(args):
    results = load(args.tap_log)
    if not results:
        sys.exit("bench-report: no '# RESULT' lines in %s" % args.tap_log)
    os.makedirs(args.outdir, exist_ok=True)
    rows = rows_of(results, "bench")
    fio = rows_of(results, "fio")
    profiles = load(args.tap_log, "PROFILE")
    buffered = {e["mode"]: bench_figures(e["result"]) for e in results
                if e.get("kind") == "buffered"}
    depths = sorted({k[2] for k in rows})
    targets = targets_of(rows, buffered)
    base = None
    if args.baseline:
        with open(args.baseline) as f:
            base = {t["target"]: t["value"] for t in json.load(f).get("targets", [])}

    ttable = ["| target | wanted |%s this run | |" % (" baseline |" if base else ""),
              "|---|---|%s---:|---|" % ("---:|" if base else "")]
    for t in targets:
        ttable.append("| %s | %s |%s %s | %s |" % (
            t["target"], t["want"],
            (" %s |" % fmt(base.get(t["target"]), "%.4f")) if base else "",
            fmt(t["value"], "%.4f"), "met" if t["met"] else "NOT met"))
    btable = ["| buffered (ext4, aioring -O0 --sqwq) | reads | cache hits | IOPS |",
              "|---|---:|---:|---:|"]
    for name in ("buffered-pass1", "buffered-pass2"):
        r = buffered.get(name) or {}
        btable.append("| %s | %s | %s | %s |" % (
            name, r.get("reads", "-"),
            "%.1f %%" % (100.0 * r["cache_hits"] / r["reads"]) if r.get("reads") else "-",
            fmt(r.get("iops"), "%.0f")))

    charts = []
    if shutil.which("gnuplot"):
        try:
            charts = gnuplot_charts(rows, depths, args.outdir)
        except (OSError, subprocess.CalledProcessError) as e:
            print("bench-report: gnuplot failed: %s" % e, file=sys.stderr)
    else:
        print("bench-report: no gnuplot (make deps installs gnuplot-nox): no charts",
              file=sys.stderr)

    with open(args.tap_log, errors="replace") as f:
        head = [l.split("# kernel ", 1)[1].strip() for l in f if "# kernel " in l]
    kernel = head[0] if head else "?"
    md = ["# aioring-bench on null_blk (make bench)", "",
          "Guest: %s. 4 KiB random reads, one submitting thread pinned to a CPU, "
          "the SQ thread pinned to another; each figure is the median of the "
          "interleaved repetitions with min-max; \"vs io_uring\" compares with "
          "io_uring in the same mode (io_uring interrupt mode for libaio and psync)."
          % kernel, "", "## Targets (ratios of medians)", ""] + ttable + \
         ["", "## aioring-bench", ""] + table(rows, depths) + [""] + \
         ["![%s](%s)" % (c, c) for c in charts] + \
         ["", "## fio cross-check (the same job through fio's engines)", ""] + \
         table(fio, sorted({k[2] for k in fio}), with_ratio=True) + \
         ["", "## Buffered second pass", ""] + btable + \
         ["", "## Profiles (perf record -e cpu-clock -a, the same job)"] + \
         (profile_tables(profiles) or ["", "No profiles in this run."]) + [""]
    with open(os.path.join(args.outdir, "report.md"), "w") as f:
        f.write("\n".join(md))

    def strip(rs):
        return [{k: v for k, v in row.items() if k != "samples"}
                for _, row in sorted(rs.items(), key=lambda kv: str(kv[0]))]
    with open(os.path.join(args.outdir, "report.json"), "w") as f:
        json.dump({"kernel": kernel, "targets": targets, "bench": strip(rows),
                   "fio": strip(fio), "buffered": buffered, "profiles": profiles},
                  f, indent=2)
        f.write("\n")
    print("\n".join(ttable + [""] + table(rows, depths)))
    print("\nreport: %s/report.md, report.json%s" % (
        args.outdir, "".join(", " + c for c in charts)))
    return 0


def compare(old_path, new_path):
    """medians of two report.json side by side: new/old ratios"""
    with open(old_path) as f:
        old = json.load(f)
    with open(new_path) as f:
        new = json.load(f)

    def index(rep):
        return {(r["engine"], r["mode"], r["depth"]): r for r in rep.get("bench", [])}
    o, n = index(old), index(new)
    print("old: %s (%s)\nnew: %s (%s)\n" % (old_path, old.get("kernel"),
                                            new_path, new.get("kernel")))
    print("| engine | mode | depth | IOPS old | IOPS new | new/old | "
          "CPU us/IO old | new | new/old |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for k in sorted(set(o) | set(n), key=str):
        def m(rep, metric):
            s = (rep.get(k) or {}).get(metric)
            return s["median"] if s else None
        print("| %s | %s | %d | %s | %s | %s | %s | %s | %s |" % (
            k[0], k[1], k[2], fmt(m(o, "iops"), "%.0f"), fmt(m(n, "iops"), "%.0f"),
            fmt(ratio(m(n, "iops"), m(o, "iops"))), fmt(m(o, "cpu_us_per_io")),
            fmt(m(n, "cpu_us_per_io")),
            fmt(ratio(m(n, "cpu_us_per_io"), m(o, "cpu_us_per_io")))))
    ot = {t["target"]: t["value"] for t in old.get("targets", [])}
    print("\n| target | wanted | old | new | |\n|---|---|---:|---:|---|")
    for t in new.get("targets", []):
        print("| %s | %s | %s | %s | %s |" % (
            t["target"], t["want"], fmt(ot.get(t["target"]), "%.4f"),
            fmt(t["value"], "%.4f"), "met" if t["met"] else "NOT met"))
    return 0


def main():
    p = argparse.ArgumentParser(description="make bench's report")
    p.add_argument("--compare", nargs=2, metavar=("OLD_JSON", "NEW_JSON"),
                   help="compare two report.json files")
    p.add_argument("--baseline", metavar="OLD_JSON",
                   help="an earlier report.json: its targets beside this run's")
    p.add_argument("tap_log", nargs="?")
    p.add_argument("outdir", nargs="?")
    args = p.parse_args()
    if args.compare:
        return compare(*args.compare)
    if not args.tap_log or not args.outdir:
        p.error("TAP_LOG and OUTDIR are needed (or --compare OLD NEW)")
    return report(args)


if __name__ == "__main__":
    sys.exit(main())
