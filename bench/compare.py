#!/usr/bin/env python3
"""Runs the libbpf and BpfSharp benchmark harnesses side by side and prints one table (bench/README.md).

Both harnesses run as long-lived servers (--serve): each workload is sent to both in turn, alternating which
goes first from round to round, so that the two figures of a round are taken seconds apart under the same
machine load. Per workload the table gives the median of each side's figures and the median of the per-round
ratios. Ratios are BpfSharp time / libbpf time (lower is better) for timed workloads and BpfSharp events/s /
libbpf events/s (higher is better) for the event readers.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

# workload -> (target, kind): kind "time" means ratio <= target, "rate" means ratio >= target.
TARGETS = {
    "hash_lookup_8B": (1.05, "time"), "hash_update_8B": (1.05, "time"), "hash_delete_8B": (1.05, "time"),
    "hash_lookup_64B": (1.05, "time"), "hash_update_64B": (1.05, "time"), "hash_delete_64B": (1.05, "time"),
    "array_lookup_8B": (1.05, "time"), "percpu_array_lookup_8B": (1.05, "time"), "hash_lookup_8B_generic": (1.05, "time"),
    "iter_next_key_100k": (1.05, "time"), "iter_get_entries_100k": (1.05, "time"), "iter_batch_100k": (1.05, "time"),
    "ringbuf_16B": (1.0, "rate"), "ringbuf_128B": (1.0, "rate"), "ringbuf_1024B": (1.0, "rate"),
    "perfbuf_16B": (1.0, "rate"), "perfbuf_128B": (1.0, "rate"), "perfbuf_1024B": (1.0, "rate"),
    # The zero-copy async stream (ReadBatchesAsync): at least half the span path's rate, here against libbpf's span rows.
    "ringbuf_16B_async_batch": (0.5, "rate"), "ringbuf_128B_async_batch": (0.5, "rate"),
    "perfbuf_16B_async_batch": (0.5, "rate"), "perfbuf_128B_async_batch": (0.5, "rate"),
    "object_open_load_large": (1.2, "time"), "object_open_load_large_fresh_btf": (1.2, "time"),
    "btf_vmlinux_parse": (1.0, "time"),  # issue 26: the compact kernel BTF must not make the parse slower than libbpf
    "raw_tp_link_churn": (1.1, "time"), "tracepoint_link_churn": (1.1, "time"),
    "compat_corpus_open_load": (1.0, "time"),
    "cli_prog_list": (1.5, "time"),
    # No target: a NativeAOT executable that does nothing, beside bpftool prog list, is the floor under cli_prog_list.
    # Generated skeletons on both sides (BpfSharp.Build's, bpftool gen skeleton's): the typed paths cost what the
    # span paths do. skeleton_global_read has no target: libbpf's is a plain load from the mmap'ed .bss.
    "skeleton_hash_lookup_16B": (1.05, "time"), "skeleton_hash_update_16B": (1.05, "time"),
    "skeleton_ringbuf_16B": (1.0, "rate"),
    "cli_btf_dump_c_vmlinux": (1.2, "time"), "cli_btf_dump_c_vmlinux_peak_rss": (2.0, "time"),
    "object_load_execsnoop_rss_added": (2.0, "time"), "object_load_execsnoop_heap_retained": (2.0, "time"),
}

# Command rows: a fresh process per run on each side, started the same way (this script's fork/exec, as a shell
# starts them), output to /dev/null. Per side: the command line, with {bpftool}, {bpfsharp} (the native tool),
# {loader} (bench/native/load-object, libbpf) and {harness} (BpfSharp.Benchmarks) replaced; what is measured:
# "time" (wall time), "rss" (the process's peak RSS, ru_maxrss from wait4) or "json:KEY" (a figure the process
# prints); and how many runs per side per round (the median is the round's figure).
VMLINUX = "/sys/kernel/btf/vmlinux"
EXECSNOOP = "examples/execsnoop/execsnoop.bpf.o"
COMMANDS = {
    "cli_prog_list": {"c": ["{bpftool}", "prog", "list"], "s": ["{bpfsharp}", "prog", "list"], "metric": "time", "runs": 40},
    "cli_dotnet_floor": {"c": ["{bpftool}", "prog", "list"], "s": ["{floor}"], "metric": "time", "runs": 40},
    "cli_btf_dump_c_vmlinux": {"c": ["{bpftool}", "btf", "dump", "file", VMLINUX, "format", "c"],
                               "s": ["{bpfsharp}", "btf", "dump", "--vmlinux", "--format", "c"], "metric": "time", "runs": 7},
    "cli_btf_dump_c_vmlinux_peak_rss": {"c": ["{bpftool}", "btf", "dump", "file", VMLINUX, "format", "c"],
                                        "s": ["{bpfsharp}", "btf", "dump", "--vmlinux", "--format", "c"], "metric": "rss", "runs": 3},
    # What opening and loading execsnoop adds to a .NET process (LoadMemory.cs: start-up and JIT left out) against
    # libbpf's whole process doing the same: its peak RSS, start-up included.
    "object_load_execsnoop_rss_added": {"c": ["{loader}", EXECSNOOP], "s": ["{harness}", "--load-memory", EXECSNOOP],
                                        "metric": "rss", "s_metric": "json:rss_added_mb", "runs": 3},
    "object_load_execsnoop_heap_retained": {"c": ["{loader}", EXECSNOOP], "s": ["{harness}", "--load-memory", EXECSNOOP],
                                            "metric": "rss", "s_metric": "json:heap_retained_mb", "runs": 3},
}


class CommandSide:
    def __init__(self, side, executables):
        self.side = side  # "c" or "s"
        self.executables = executables

    def run(self, workload):
        spec = COMMANDS[workload]
        argv = [a.format(**self.executables) for a in spec[self.side]]
        metric = spec.get("s_metric", spec["metric"]) if self.side == "s" else spec["metric"]
        figures = []
        with tempfile.NamedTemporaryFile(mode="r", suffix=".peak-rss") as peak:
            if metric == "rss":
                # Linux carries the peak RSS of the image an exec replaces into ru_maxrss: a child forked from this
                # Python process would start at Python's. GNU time forks from its own small image.
                argv = ["/usr/bin/time", "-f", "%M", "-o", peak.name] + argv
            for _ in range(spec["runs"]):
                t0 = time.perf_counter_ns()
                proc = subprocess.run(argv, stdout=subprocess.PIPE if metric.startswith("json:") else subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
                elapsed = time.perf_counter_ns() - t0
                if proc.returncode != 0:
                    raise SystemExit(f"compare: {' '.join(argv)} exited with {proc.returncode}")
                if metric == "time":
                    figures.append(elapsed / 1e6)
                elif metric == "rss":
                    peak.seek(0)
                    figures.append(int(peak.read().split()[-1]) / 1024)  # KiB -> MiB
                else:
                    figures.append(float(json.loads(proc.stdout)[metric[5:]]))
        return {"value": statistics.median(figures), "unit": "ms" if metric == "time" else "MiB", "lower_is_better": True}

# libbpf workloads also run in a libbpf process with one more (idle) thread. A single-threaded process gets the
# kernel's fdget fast path (no reference taken on the map's file, no fput), which a .NET process, always multi-
# threaded, never gets: these rows show what a multi-threaded libbpf application pays for the same calls.
THREADED = {"hash_lookup_8B", "hash_update_8B", "hash_delete_8B", "hash_lookup_64B", "hash_update_64B",
            "hash_delete_64B", "array_lookup_8B", "percpu_array_lookup_8B", "iter_next_key_100k", "iter_batch_100k",
            "raw_tp_link_churn", "skeleton_hash_lookup_16B", "skeleton_hash_update_16B"}


class Server:
    def __init__(self, name, argv, env):
        self.name = name
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)

    def run(self, workload):
        self.proc.stdin.write(workload + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"compare: {self.name} exited during {workload} (exit code {self.proc.wait()})")
        result = json.loads(line)
        if "error" in result:
            raise SystemExit(f"compare: {self.name}: {workload}: {result['error']}")
        return result

    def close(self):
        self.proc.stdin.close()
        rc = self.proc.wait()
        if rc != 0:
            raise SystemExit(f"compare: {self.name} exited with {rc}")


def fmt(v):
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--native", required=True)
    ap.add_argument("--dotnet", required=True)
    ap.add_argument("--objects", required=True)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", help="also write every figure here")
    ap.add_argument("--bpfsharp", help="the native bpfsharp executable, for the command rows (cli_*)")
    ap.add_argument("--bpftool", default="bpftool")
    ap.add_argument("--floor", default="bench/StartupFloor/bin/publish/StartupFloor", help="a NativeAOT executable that does nothing")
    ap.add_argument("--loader", default="bench/native/load-object", help="libbpf's open + load + close of one object")
    ap.add_argument("workloads", nargs="*")
    args = ap.parse_args()

    env = dict(os.environ)
    native = Server("libbpf", [args.native, "--objects", args.objects, "--serve"], env)
    threaded = Server("libbpf+thread", [args.native, "--objects", args.objects, "--serve"], dict(env, BENCH_IDLE_THREAD="1"))
    dotnet = Server("bpfsharp", [args.dotnet, "--objects", args.objects, "--serve"], env)
    # "--list" prints each BpfSharp workload, followed by the libbpf workload it compares with when that differs.
    listed = [line.split() for line in subprocess.run([args.dotnet, "--list"], capture_output=True, text=True, check=True).stdout.splitlines()]
    baselines = {parts[0]: parts[1] if len(parts) > 1 else parts[0] for parts in listed if parts}
    commands = {}
    if args.bpfsharp:
        executables = {"bpftool": args.bpftool, "bpfsharp": args.bpfsharp, "loader": args.loader, "harness": args.dotnet,
                       "floor": args.floor}
        commands = {"bpftool": CommandSide("c", executables), "bpfsharp": CommandSide("s", executables)}
        for name in COMMANDS:
            baselines[name] = name
    names = args.workloads or list(baselines)
    c_names = set(subprocess.run([args.native, "--list"], capture_output=True, text=True, check=True).stdout.split())
    c_names |= set(COMMANDS) if commands else set()
    unknown = [n for n in names if n in COMMANDS and not commands]
    if unknown:
        raise SystemExit(f"compare: {', '.join(unknown)} needs --bpfsharp (bench/compare.sh passes it)")

    rows = {n: {"c": [], "t": [], "s": [], "ratio": [], "ratio_t": [], "alloc": [], "c_user": [], "s_user": [], "unit": None, "lower": True} for n in names}
    start = time.time()
    for rnd in range(args.rounds):
        c_results = {}  # a libbpf workload that is the baseline of several rows runs once per round
        t_results = {}
        for name in names:
            baseline = baselines.get(name, name)
            baseline = baseline if baseline in c_names else None

            native_side = commands["bpftool"] if name in COMMANDS else native
            dotnet_side = commands["bpfsharp"] if name in COMMANDS else dotnet

            def run_c():
                if baseline not in c_results:
                    c_results[baseline] = native_side.run(baseline)
                return c_results[baseline]

            def run_t():
                if baseline not in t_results:
                    t_results[baseline] = threaded.run(baseline)
                return t_results[baseline]

            with_thread = baseline in THREADED
            if rnd % 2 == 0:
                c = run_c() if baseline else None
                t = run_t() if with_thread else None
                s = dotnet_side.run(name)
            else:
                s = dotnet_side.run(name)
                t = run_t() if with_thread else None
                c = run_c() if baseline else None
            r = rows[name]
            r["unit"], r["lower"] = s["unit"], s["lower_is_better"]
            r["s"].append(s["value"])
            r["alloc"].append(s.get("alloc_per_op", 0.0))
            if "user_ns_per_op" in s:
                r["s_user"].append(s["user_ns_per_op"])
            if c is not None:
                r["c"].append(c["value"])
                if "user_ns_per_op" in c:
                    r["c_user"].append(c["user_ns_per_op"])
                r["ratio"].append(s["value"] / c["value"])
            if t is not None:
                r["t"].append(t["value"])
                r["ratio_t"].append(s["value"] / t["value"])
        print(f"compare: round {rnd + 1}/{args.rounds} done at {time.time() - start:.0f} s", file=sys.stderr)
    native.close()
    threaded.close()
    dotnet.close()

    header = ("| workload | unit | libbpf | BpfSharp | ratio (median) | target | met | libbpf +1 thread "
              "| ratio to it (median) | BpfSharp allocs/op (B) |")
    print(header)
    print("|---|---|---:|---:|---:|---|---|---:|---:|---:|")
    for name in names:
        r = rows[name]
        if not r["s"]:
            continue
        c = statistics.median(r["c"]) if r["c"] else float("nan")
        s = statistics.median(r["s"])
        ratio = statistics.median(r["ratio"]) if r["ratio"] else float("nan")
        target, kind = TARGETS.get(name, (None, None))
        if target is None:
            tgt, met = "", ""
        elif kind == "time":
            tgt, met = f"<= {target}", "yes" if ratio <= target else "no"
        else:
            tgt, met = f">= {target}", "yes" if ratio >= target else "no"
        label = name + (f" (vs libbpf {baselines[name]})" if baselines.get(name, name) != name else "")
        alloc = max(r["alloc"])
        t = fmt(statistics.median(r["t"])) if r["t"] else ""
        ratio_t = f"{statistics.median(r['ratio_t']):.3f}" if r["ratio_t"] else ""
        print(f"| {label} | {r['unit']} | {fmt(c)} | {fmt(s)} | {ratio:.3f} | {tgt} | {met} | {t} | {ratio_t} | {alloc:.4g} |")
    print(f"\n{args.rounds} rounds, {time.time() - start:.0f} s; ratio = BpfSharp / libbpf per round "
          f"(time: lower is better; Mev/s: higher is better); 'libbpf +1 thread': the same libbpf harness with one more, idle, thread "
          f"(the kernel's file lookups of a multi-threaded process, as in any .NET process); cli_* rows: the libbpf column is bpftool, "
          f"the BpfSharp column the native bpfsharp, wall time or peak RSS of one command started by fork/exec (median of the runs of a round); "
          f"object_load_execsnoop_*: libbpf's whole-process peak RSS (bench/native/load-object) against what one open + load adds to a warm .NET process "
          f"(RSS, and managed heap after a full GC); allocs/op: the largest over the rounds. "
          f"--json keeps every figure, with getrusage user-mode time per op for map operations and iteration "
          f"(tick-sampled: too coarse for single operations; bench/profile.sh gives the user-mode share by perf).")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rounds": args.rounds, "machine": platform.uname()._asdict(), "baselines": baselines, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
