#!/usr/bin/env python3
"""Side-by-side timing that survives a noisy, shared machine.

One long hyperfine run per command lets the machine's load drift between
them, which moves a 1.1x ratio by several percent. This runs ROUNDS short
hyperfine batches (no shell, -N) in alternating order, pools the runs per
command and reports the median, mean and 10th percentile of each, their ratios to
the last command (the baseline), and the first command's ratio to each
of the others. It also pools each command's CPU time (user + system, as
hyperfine reports it per batch): on a machine that other work keeps busy,
wall time includes waiting for a core, CPU time much less so.

Usage: interleaved.py OUT.md ROUNDS RUNS NAME=COMMAND... (run in the
fixture folder, with the environment the commands should see)
"""
import json
import statistics
import subprocess
import sys
import tempfile

out, rounds, runs = sys.argv[1], int(sys.argv[2]), sys.argv[3]
named = [arg.split("=", 1) for arg in sys.argv[4:]]
times = {name: [] for name, _ in named}
cpu = {name: [] for name, _ in named}
for r in range(rounds):
    order = named if r % 2 == 0 else named[::-1]
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        args = ["hyperfine", "-N", "--style", "none", "--warmup", "20", "--runs", runs]
        for name, command in order:
            args += ["-n", name, command]
        subprocess.run(args + ["--export-json", f.name], check=True, stdout=subprocess.DEVNULL)
        for result in json.load(open(f.name))["results"]:
            times[result["command"]] += result["times"]
            cpu[result["command"]].append(result["user"] + result["system"])


def p10(values):
    return sorted(values)[len(values) // 10]


base = times[named[-1][0]]
lines = [
    f"{rounds} rounds of {runs} runs each, alternating order; times in ms; ratio to `{named[-1][0]}`",
    "",
    "| command | median | mean | p10 | CPU | median ratio | mean ratio | p10 ratio | CPU ratio |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
]
for name, _ in named:
    t, c = times[name], statistics.mean(cpu[name])
    lines.append(
        f"| `{name}` | {statistics.median(t) * 1e3:.3f} | {statistics.mean(t) * 1e3:.3f} | {p10(t) * 1e3:.3f} "
        f"| {c * 1e3:.3f} | {statistics.median(t) / statistics.median(base):.3f} "
        f"| {statistics.mean(t) / statistics.mean(base):.3f} | {p10(t) / p10(base):.3f} "
        f"| {c / statistics.mean(cpu[named[-1][0]]):.3f} |"
    )
first, t = named[0][0], times[named[0][0]]
lines.append("")
for name, _ in named[1:]:
    o = times[name]
    lines.append(
        f"`{first}` / `{name}`: median {statistics.median(t) / statistics.median(o):.3f}, "
        f"mean {statistics.mean(t) / statistics.mean(o):.3f}, p10 {p10(t) / p10(o):.3f}  "
    )
text = "\n".join(lines) + "\n"
open(out, "w").write(text)
print(text)
