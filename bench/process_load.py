#!/usr/bin/env python3
"""One process per object: `bpfsharp object load OBJECT` (the NativeAOT tool) against bench/native/load-object
(libbpf), over every object of a list, alternating which side goes first from object to object. Prints the median
wall time per process of each side and the median over rounds of the per-round ratio of the sums (bench/README.md).

Usage: process_load.py --bpfsharp PATH --loader PATH --list FILE [--rounds N] [--json FILE]
"""
import argparse
import json
import statistics
import subprocess
import sys
import time


def run(argv):
    t0 = time.perf_counter_ns()
    rc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    return time.perf_counter_ns() - t0, rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bpfsharp", required=True)
    ap.add_argument("--loader", required=True)
    ap.add_argument("--list", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    objects = [line.strip() for line in open(args.list) if line.strip()]
    sides = {"libbpf": lambda o: [args.loader, o], "bpfsharp": lambda o: [args.bpfsharp, "object", "load", o]}
    # An object either side fails to load is left out (reported), so both sums cover the same objects.
    failed = set()
    rounds = []
    for rnd in range(args.rounds):
        times = {"libbpf": {}, "bpfsharp": {}}
        for i, obj in enumerate(objects):
            if obj in failed:
                continue
            order = ["libbpf", "bpfsharp"] if (i + rnd) % 2 == 0 else ["bpfsharp", "libbpf"]
            for side in order:
                ns, rc = run(sides[side](obj))
                if rc != 0:
                    print(f"process_load: {side} failed on {obj} (exit {rc}): left out", file=sys.stderr)
                    failed.add(obj)
                    break
                times[side][obj] = ns
        rounds.append(times)
    kept = [o for o in objects if o not in failed]
    if not kept:
        raise SystemExit("process_load: no object loaded on both sides")
    per = {side: [sum(r[side][o] for o in kept) / len(kept) / 1e6 for r in rounds] for side in ("libbpf", "bpfsharp")}
    ratios = [b / c for b, c in zip(per["bpfsharp"], per["libbpf"])]
    # Per object, the median over rounds of its ratio: which objects cost BpfSharp the most.
    worst = sorted(((statistics.median(r["bpfsharp"][o] / r["libbpf"][o] for r in rounds), o) for o in kept), reverse=True)[:5]
    print("| workload | unit | libbpf | BpfSharp (NativeAOT) | ratio (median) | target | met |")
    print("|---|---|---:|---:|---:|---|---|")
    ratio = statistics.median(ratios)
    print(f"| compat_corpus_process_load ({len(kept)} objects) | ms/process | {statistics.median(per['libbpf']):.3g} | "
          f"{statistics.median(per['bpfsharp']):.3g} | {ratio:.3f} | <= 1.3 | {'yes' if ratio <= 1.3 else 'no'} |")
    print(f"\n{args.rounds} rounds; per-round ratios {', '.join(f'{r:.3f}' for r in ratios)}; {len(failed)} objects left out")
    print("highest per-object ratios: " + ", ".join(f"{o.rsplit('/', 1)[-1]} {r:.2f}" for r, o in worst))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"objects": kept, "failed": sorted(failed), "per_round_ms": per, "ratios": ratios}, f, indent=1)


if __name__ == "__main__":
    main()
