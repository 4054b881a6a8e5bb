#!/usr/bin/env python3
# 'make bench' (host side): turn the "# RESULT {json}" lines that
# tools/bench/vm-bench.sh printed in the guest into OUTDIR/report.md,
# report.json and iops.svg (gnuplot if installed, else drawn here), and
# print the ratio table.
#
#   bench-report.py TAP_LOG OUTDIR
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

MODES = ["aioring-irq", "aioring-polled", "aioring-polled-fixed",
         "aioring-sqpoll-polled-fixed", "io_uring-irq", "io_uring-polled",
         "io_uring-polled-fixed", "io_uring-sqpoll-polled-fixed", "libaio",
         "psync"]
DEPTHS = [1, 32]


def load(path):
    out = []
    with open(path, errors="replace") as f:
        for line in f:
            m = re.match(r"\s*# RESULT (\{.*\})\s*$", line)
            if m:
                try:
                    out.append(json.loads(m.group(1)))
                except ValueError:
                    pass
    return out


def ok(r):
    return r.get("status") == 0 and r.get("ios", 0) > 0


def bench_figures(r):
    """aioring-bench's own figures of a --json document: fio's shape
    ({"jobs": [{..., "aioring-bench": {...}}]}) or a flat summary of
    before soname 2."""
    jobs = r.get("jobs")
    if isinstance(jobs, list) and jobs:
        return jobs[0].get("aioring-bench") or {}
    return r


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def bench_rows(results):
    rows = {}
    for e in results:
        if e["kind"] != "bench":
            continue
        r = bench_figures(e["result"])
        key = (e["mode"], r.get("depth") or e.get("depth") or 0)
        row = rows.setdefault(key, {"mode": e["mode"], "depth": key[1],
                                    "iops": [], "spi": [], "cpu": [],
                                    "error": None})
        if ok(r):
            row["iops"].append(r["iops"])
            row["spi"].append(r.get("syscalls_per_io"))
            row["cpu"].append(r.get("cpu", {}).get("us_per_io"))
        else:
            row["error"] = r.get("message") or "status %s" % r.get("status")
    for row in rows.values():
        row["reps"] = len(row["iops"])
        row["iops_runs"] = row.pop("iops")
        row["iops"] = med(row["iops_runs"])
        row["syscalls_per_io"] = med(row.pop("spi"))
        row["cpu_us_per_io"] = med(row.pop("cpu"))
    return rows


def ratio(a, b):
    return a / b if a and b else None


def counterpart(mode):
    """io_uring's mode for an aioring mode; io_uring-irq for the rest"""
    if mode.startswith("aioring-"):
        return "io_uring-" + mode[len("aioring-"):]
    if mode.startswith("io_uring-"):
        return mode
    return "io_uring-irq"


def fmt(v, f="%.2f"):
    return "-" if v is None else f % v


def fio_rows(results):
    rows = []
    for e in results:
        if e["kind"] != "fio":
            continue
        try:
            j = e["result"]["jobs"][0]
            rd = j["read"]
            ios = rd["total_ios"]
            cpu = (j["usr_cpu"] + j["sys_cpu"]) / 100 * j["job_runtime"] * 1e3
            rows.append({"mode": e["mode"], "depth": 32, "iops": rd["iops"],
                         "cpu_us_per_io": cpu / ios if ios else None,
                         "p50_us": rd["clat_ns"]["percentile"]["50.000000"] / 1e3,
                         "p99_us": rd["clat_ns"]["percentile"]["99.000000"] / 1e3})
        except (KeyError, TypeError, IndexError):
            rows.append({"mode": e["mode"], "depth": 32, "iops": None,
                         "error": e["result"].get("message", "no result")})
    return rows


def svg_chart(rows, path):
    """grouped bars: median IOPS per mode, one bar per depth"""
    modes = [m for m in MODES if any((m, d) in rows for d in DEPTHS)]
    top = max([rows[k]["iops"] or 0 for k in rows] + [1])
    W, H, L, B, bw = 60 + 70 * len(modes), 360, 60, 90, 28
    colors = {1: "#7aa6c2", 32: "#1f4e79"}
    s = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
         'font-family="sans-serif" font-size="11">' % (W, H),
         '<text x="%d" y="16" font-size="13">4 KiB random reads on null_blk, '
         'median IOPS</text>' % L]
    for i in range(5):
        y = H - B - (H - B - 30) * i / 4
        s.append('<line x1="%d" x2="%d" y1="%.0f" y2="%.0f" stroke="#ddd"/>'
                 '<text x="%d" y="%.0f" text-anchor="end">%.0fk</text>'
                 % (L, W - 10, y, y, L - 4, y + 4, top * i / 4 / 1e3))
    for i, m in enumerate(modes):
        x = L + 10 + 70 * i
        for j, d in enumerate(DEPTHS):
            v = (rows.get((m, d)) or {}).get("iops") or 0
            h = (H - B - 30) * v / top
            s.append('<rect x="%d" y="%.0f" width="%d" height="%.0f" fill="%s">'
                     '<title>%s depth %d: %.0f IOPS</title></rect>'
                     % (x + j * bw, H - B - h, bw - 2, h, colors[d], m, d, v))
        s.append('<text transform="translate(%d,%d) rotate(40)">%s</text>'
                 % (x + 4, H - B + 12, m))
    for j, d in enumerate(DEPTHS):
        s.append('<rect x="%d" y="24" width="10" height="10" fill="%s"/>'
                 '<text x="%d" y="33">depth %d</text>'
                 % (W - 150 + 70 * j, colors[d], W - 136 + 70 * j, d))
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")


def gnuplot_chart(rows, outdir, path):
    dat = os.path.join(outdir, "iops.dat")
    with open(dat, "w") as f:
        f.write("# mode depth1 depth32\n")
        for m in MODES:
            if any((m, d) in rows for d in DEPTHS):
                f.write("%s %s\n" % (m, " ".join(
                    "%.0f" % ((rows.get((m, d)) or {}).get("iops") or 0)
                    for d in DEPTHS)))
    script = """set terminal svg size 900,440 noenhanced font 'sans,10'
set output '%s'
set title '4 KiB random reads on null_blk, median IOPS'
set style data histograms
set style histogram clustered gap 1
set style fill solid border -1
set xtics rotate by 30 right nomirror
set bmargin 10
set yrange [0:*]
set ylabel 'IOPS'
set key top right
set grid ytics
plot '%s' using 2:xtic(1) title 'depth 1', '' using 3 title 'depth 32'
""" % (path, dat)
    subprocess.run(["gnuplot"], input=script, text=True, check=True)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: bench-report.py TAP_LOG OUTDIR")
    results = load(sys.argv[1])
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    if not results:
        sys.exit("bench-report: no '# RESULT' lines in %s" % sys.argv[1])
    rows = bench_rows(results)
    for (m, d), row in rows.items():
        row["vs_io_uring"] = ratio(row["iops"],
                                   (rows.get((counterpart(m), d)) or {}).get("iops"))
        row["vs_libaio"] = ratio(row["iops"], (rows.get(("libaio", d)) or {}).get("iops"))
    fio = fio_rows(results)
    buf = {e["mode"]: bench_figures(e["result"]) for e in results if e["kind"] == "buffered"}

    def iops(m, d=32):
        return (rows.get((m, d)) or {}).get("iops")

    t1 = ratio(iops("aioring-polled-fixed"), iops("io_uring-polled-fixed"))
    t2 = ratio(iops("aioring-irq"), iops("libaio"))
    spi = [(rows.get(("aioring-sqpoll-polled-fixed", d)) or {}).get("syscalls_per_io")
           for d in DEPTHS]
    spi = [x for x in spi if x is not None]
    t3 = max(spi) if spi else None
    p2 = buf.get("buffered-pass2") or {}
    t4 = (100.0 * p2["cache_hits"] / p2["reads"]
          if ok(p2) and p2.get("reads") else None)
    targets = [
        {"target": "aioring polled+fixedbufs / io_uring polled+fixedbufs IOPS, depth 32",
         "want": ">= 0.95 (aim >= 1.0)", "value": t1,
         "met": t1 is not None and t1 >= 0.95},
        {"target": "aioring interrupt rings / libaio IOPS, depth 32",
         "want": ">= 1.3", "value": t2, "met": t2 is not None and t2 >= 1.3},
        {"target": "SQPOLL steady state io_ring_enter calls per IO (worst depth)",
         "want": "< 0.001", "value": t3, "met": t3 is not None and t3 < 0.001},
        {"target": "buffered second pass cache hits (%), ext4, --sqwq",
         "want": "100", "value": t4, "met": t4 is not None and t4 >= 100.0},
    ]

    hdr = "| mode | depth | reps | median IOPS | syscalls/IO | CPU us/IO | vs io_uring | vs libaio |"
    table = [hdr, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for m in MODES:
        for d in DEPTHS:
            row = rows.get((m, d))
            if not row:
                continue
            if not row["reps"]:
                table.append("| %s | %d | 0 | n/a: %s | | | | |" % (m, d, row["error"]))
                continue
            table.append("| %s | %d | %d | %s | %s | %s | %s | %s |" % (
                m, d, row["reps"], fmt(row["iops"], "%.0f"),
                fmt(row["syscalls_per_io"], "%.4f"), fmt(row["cpu_us_per_io"], "%.1f"),
                fmt(row["vs_io_uring"]), fmt(row["vs_libaio"])))
    ttable = ["| target | wanted | measured | |", "|---|---|---:|---|"]
    for t in targets:
        ttable.append("| %s | %s | %s | %s |" % (
            t["target"], t["want"], fmt(t["value"], "%.4f"),
            "met" if t["met"] else "NOT met"))

    ftable = ["| fio 3.33 engine/mode | depth | IOPS | CPU us/IO | p50 us | p99 us |",
              "|---|---:|---:|---:|---:|---:|"]
    for r in fio:
        ftable.append("| %s | %d | %s | %s | %s | %s |" % (
            r["mode"], r["depth"], fmt(r["iops"], "%.0f"),
            fmt(r.get("cpu_us_per_io"), "%.1f"), fmt(r.get("p50_us"), "%.1f"),
            fmt(r.get("p99_us"), "%.1f")))
    btable = ["| buffered (ext4, aioring --buffered --sqwq) | reads | cache hits | IOPS |",
              "|---|---:|---:|---:|"]
    for name in ("buffered-pass1", "buffered-pass2"):
        r = buf.get(name) or {}
        btable.append("| %s | %s | %s | %s |" % (
            name, r.get("reads", "-"),
            "%.1f %%" % (100.0 * r["cache_hits"] / r["reads"]) if r.get("reads") else "-",
            fmt(r.get("iops"), "%.0f")))

    chart = os.path.join(outdir, "iops.svg")
    try:
        if not shutil.which("gnuplot"):
            raise OSError("no gnuplot")
        gnuplot_chart(rows, outdir, chart)
    except (OSError, subprocess.CalledProcessError):
        svg_chart(rows, chart)

    kernel = next((l.split("# kernel ", 1)[1].strip() for l in open(sys.argv[1], errors="replace")
                   if "# kernel " in l), "?")
    md = ["# aioring-bench on null_blk (make bench)", "",
          "Guest: %s. 4 KiB random reads, one submitting thread; median of the "
          "repetitions; \"vs io_uring\" compares with io_uring in the same mode "
          "(io_uring-irq for libaio and psync); psync runs at depth 1 only." % kernel,
          "", "## Targets", ""] + ttable + ["", "## aioring-bench", ""] + table + \
         ["", "![IOPS](iops.svg)", "", "## fio cross-check", ""] + ftable + \
         ["", "## Buffered second pass", ""] + btable + [""]
    with open(os.path.join(outdir, "report.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(outdir, "report.json"), "w") as f:
        json.dump({"kernel": kernel, "targets": targets,
                   "bench": [rows[k] for k in sorted(rows)], "fio": fio,
                   "buffered": buf}, f, indent=2)
        f.write("\n")
    print("\n".join(table + [""] + ttable))
    print("\nreport: %s/report.md, report.json, iops.svg" % outdir)


if __name__ == "__main__":
    main()
