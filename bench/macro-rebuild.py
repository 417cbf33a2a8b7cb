#!/usr/bin/env python3
"""How long a spec edit takes to rebuild a crate whose tokens! struct grows.

Goal (docs/benchmarks.md): a spec edit rebuilds a crate with a 1,011-token
spec in at most 1.5x the time of one with the project's 11-token spec. This writes two
crates outside the workspace, each one `tokenspec::tokens!` line over its own
spec (class runtime, as runtime/ does): the project's token-spec.toml, and
the same with 1,000 generated runtime tokens appended. They share one target
folder, so tokenspec and its dependencies are built once. Then, in ROUNDS
rounds of alternating order, it edits each spec (a description changes, as
an edit would) and times `cargo build` of that crate (dev profile with
cargo's defaults, what an edit-compile loop uses). Reported: median, mean and min per crate and their
ratio, from the same interleaved run, and the CPU time (user + system) of
each build's processes, steadier than wall time on a busy machine.

Usage: bench/macro-rebuild.py OUT.md [ROUNDS]
TOKENSPEC_SOURCE=DIR measures the tokenspec crate of another checkout (for
a before/after comparison, e.g. an unpacked `git archive`).
"""
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

out = pathlib.Path(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 10
root = pathlib.Path(os.environ.get("TOKENSPEC_SOURCE") or pathlib.Path(__file__).resolve().parent.parent)
real_spec = (root / "token-spec.toml").read_text()


def generated(n):
    """n runtime tokens shaped like real ones: a sentence, some optional."""
    rows = []
    for i in range(n):
        rows.append(
            f'\n[[token]]\nname = "BENCH_TOKEN_{i:04}"\nclass = "runtime"\n'
            f'description = "Benchmark token {i}, used to reach one more API"\n'
            + ('required = false\n' if i % 3 == 0 else "")
            + ('format = "uuid"\n' if i % 5 == 0 else "")
        )
    return "".join(rows)


# Cargo's default profile, as a new service builds (the goal), unless
# BENCH_OPT_MACROS=1 builds proc-macros optimised, as the README suggests
# for specs of hundreds of tokens.
PROFILE = "\n[profile.dev.build-override]\nopt-level = 3\n" if os.environ.get("BENCH_OPT_MACROS") else ""

work = pathlib.Path(tempfile.mkdtemp(prefix="tokenspec-macro-bench-"))
target = work / "target"
crates = {}
for name, extra in (("tokens-11", 0), ("tokens-1011", 1000)):
    crate = work / name
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\ntokenspec = {{ path = "{root / "tokenspec"}" }}\n\n[workspace]\n'
        + PROFILE
    )
    (crate / "src" / "lib.rs").write_text(
        'tokenspec::tokens!(pub struct RuntimeTokens, spec = "token-spec.toml", class = "runtime");\n\n'
        "pub fn load() -> Result<RuntimeTokens, tokenspec::LoadError> {\n    RuntimeTokens::load()\n}\n"
    )
    # The workspace's lock file: the same dependency versions as the
    # workspace build, which are in cargo's cache (the builds are offline).
    (crate / "Cargo.lock").write_bytes((root / "Cargo.lock").read_bytes())
    spec = real_spec + generated(extra)
    (crate / "token-spec.toml").write_text(spec)
    count = spec.count("[[token]]")
    crates[f"{count} tokens"] = crate

env = dict(os.environ, CARGO_TARGET_DIR=str(target))


def build(crate, offline=True):
    # Timed builds run offline, so no registry lookup is measured.
    subprocess.run(
        ["cargo", "build", "--quiet", "--manifest-path", str(crate / "Cargo.toml")]
        + (["--offline"] if offline else []),
        check=True,
        env=env,
    )


for crate in crates.values():
    build(crate, offline=False)  # dependencies, once (downloaded if missing)

times = {name: [] for name in crates}
cpu = {name: [] for name in crates}


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


for r in range(rounds):
    order = list(crates.items())
    if r % 2:
        order.reverse()
    for name, crate in order:
        spec = crate / "token-spec.toml"
        text = spec.read_text()
        # The edit: the first description gains or loses a word.
        marker = 'description = "'
        edited = text.replace(marker + "edited ", marker, 1) if r % 2 else text.replace(marker, marker + "edited ", 1)
        spec.write_text(edited)
        start, start_cpu = time.perf_counter(), children_cpu()
        build(crate)
        times[name].append(time.perf_counter() - start)
        cpu[name].append(children_cpu() - start_cpu)

names = list(crates)
small, large = times[names[0]], times[names[1]]
lines = [
    f"{rounds} rounds, alternating order; seconds per `cargo build` after a spec edit (dev profile)",
    "",
    "| crate | median | mean | min | CPU median |",
    "|---|---:|---:|---:|---:|",
]
for name in names:
    t = times[name]
    lines.append(
        f"| {name} | {statistics.median(t):.3f} | {statistics.mean(t):.3f} | {min(t):.3f} "
        f"| {statistics.median(cpu[name]):.3f} |"
    )
lines += [
    "",
    f"{names[1]} / {names[0]}: median {statistics.median(large) / statistics.median(small):.2f}x, "
    f"mean {statistics.mean(large) / statistics.mean(small):.2f}x, min {min(large) / min(small):.2f}x, "
    f"CPU median {statistics.median(cpu[names[1]]) / statistics.median(cpu[names[0]]):.2f}x (goal: at most 1.5x)",
]
text = "\n".join(lines) + "\n"
out.write_text(text)
print(text)
subprocess.run(["rm", "-rf", str(work)], check=True)
