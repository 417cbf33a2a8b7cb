#!/usr/bin/env python3
"""Time, peak RSS and page faults of commands, side by side in one run.

Runs each command RUNS times in rounds of alternating order (so load drifting
on a shared machine hits all of them alike), with stdout to /dev/null, and
reads each run's peak resident set size and minor page faults from
`/usr/bin/time` (the kernel's rusage of the command). Wall time covers
starting /usr/bin/time and the command and their exit, the same for every
command. Reports medians and the ratio of each command to the
last one (the baseline), as Markdown to OUT.md and JSON to OUT.json.

Usage: rss.py OUT RUNS NAME=COMMAND...   (run in the fixture folder; the
commands are split on spaces, no shell)
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

out, runs = sys.argv[1], int(sys.argv[2])
named = [arg.split("=", 1) for arg in sys.argv[3:]]
results = {name: {"seconds": [], "max_rss_kb": [], "minor_faults": []} for name, _ in named}


def measure(command):
    # Through /usr/bin/time, a small C program: a child forked from Python
    # would start with Python's resident set as its high-water mark.
    with tempfile.NamedTemporaryFile("r") as report, open(os.devnull, "wb") as null:
        start = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%x %M %R"] + command.split(" "),
            stdout=null,
            check=False,
        )
        elapsed = time.perf_counter() - start
        status, rss, faults = (int(x) for x in report.read().split()[-3:])
    if status != 0:
        sys.exit(f"error: `{command}` exited with {status}")
    return elapsed, rss, faults


for name, command in named:
    measure(command)  # warm-up: page cache, and tokenspec's spec cache
for r in range(runs):
    for name, command in named if r % 2 == 0 else named[::-1]:
        seconds, rss, faults = measure(command)
        results[name]["seconds"].append(seconds)
        results[name]["max_rss_kb"].append(rss)
        results[name]["minor_faults"].append(faults)

base = named[-1][0]
med = {name: {k: statistics.median(v) for k, v in r.items()} for name, r in results.items()}
lines = [
    f"{runs} runs each, alternating order; medians; ratios to `{base}`",
    "",
    "| command | time [ms] | peak RSS [MB] | minor faults | time ratio | RSS ratio |",
    "|---|---:|---:|---:|---:|---:|",
]
for name, _ in named:
    m = med[name]
    lines.append(
        f"| `{name}` | {m['seconds'] * 1e3:.1f} | {m['max_rss_kb'] / 1024:.1f} | {m['minor_faults']:.0f} "
        f"| {m['seconds'] / med[base]['seconds']:.2f} | {m['max_rss_kb'] / med[base]['max_rss_kb']:.2f} |"
    )
text = "\n".join(lines) + "\n"
open(out + ".md", "w").write(text)
json.dump({"runs": runs, "medians": med, "results": results}, open(out + ".json", "w"), indent=1)
print(text)
