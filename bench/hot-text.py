#!/usr/bin/env python3
"""Write cli/hot-text.ld: the functions `tokenspec` runs at start-up, placed
side by side in the binary.

Why: the kernel maps a binary's pages around each page fault (64 KB of
fault-around), so code touched at start-up costs resident memory in
proportion to how far it is spread, not to its size. In a fat-LTO build the
functions `tokenspec export` runs (about 190 KB) lay scattered over the
2.9 MB of `.text`, and 1.1 MB of the binary was resident by exit. Grouped in
one output section (`.text.hot`, placed before `.text`), they are resident
once. See docs/benchmarks.md, "Start-up memory: hot code together".

How: it builds the release binary, writes a fixture (this repository's spec
and a `.tokens` holding fake values for its cicd tokens), and runs, under
`valgrind --tool=callgrind`, the start-up paths that pipelines run on every
step: `export` and `run` with the spec cache warm, then `export` with the
cache off, then `validate` and `load`. Every function of the binary that ran becomes one input-section
pattern, the warm paths first (so they stay together) and what the cache-off
path adds after them, each group sorted for stable diffs. Symbol hashes are
replaced by `*`, so the list matches builds of other checkouts, profiles and
dependency versions; a function renamed since simply matches nothing and
stays where the linker puts it. Order only: nothing is added or removed, and
cli/build.rs decides when the script is used.

Usage: python3 bench/hot-text.py     (from anywhere; needs valgrind)
"""
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

root = pathlib.Path(__file__).resolve().parent.parent
script = root / "cli" / "hot-text.ld"

if shutil.which("valgrind") is None:
    sys.exit("error: valgrind not found\nhelp: install it (`apt-get install valgrind`) and run again")

subprocess.run(
    ["cargo", "build", "--release", "--quiet", "-p", "tokenspec-cli", "--bin", "tokenspec"],
    cwd=root,
    check=True,
)
target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR") or root / "target")
binary = (target / "release" / "tokenspec").resolve()

if shutil.which("nm") is None:
    sys.exit("error: nm not found\nhelp: install binutils (`apt-get install binutils`) and run again")
nm = subprocess.run(["nm", "--defined-only", str(binary)], capture_output=True, text=True, check=True).stdout
code_symbols = {f[2] for f in map(str.split, nm.splitlines()) if len(f) == 3 and f[1] in "tTwW"}

spec_text = (root / "token-spec.toml").read_text()
cicd = [t["name"] for t in tomllib.loads(spec_text)["token"] if t["class"] == "cicd"]
rng = random.Random(15)  # the same fixture every run
alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def fake_pat():
    return "ghp_" + "".join(rng.choice(alnum) for _ in range(36))


def functions(fixture, env, args):
    """The binary's functions that ran, in the order callgrind lists them."""
    # `run` execs its command, which ends callgrind's profile without a dump:
    # dump before every exec instead, then read all the dumps.
    subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={fixture}/callgrind.%p",
         "--dump-before=exec*", "--demangle=no", "--compress-strings=no", "--compress-pos=no",
         str(binary)] + args,
        cwd=fixture, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
    )
    # The binary's own functions by its symbol table, not by callgrind's
    # `ob=` lines: those name the object `???` for a freshly linked binary.
    names = []
    for dump in sorted(fixture.glob("callgrind.*")):
        for line in dump.read_text().splitlines():
            if line.startswith("fn=") and line[3:] in code_symbols:
                names.append(line[3:])
        dump.unlink()
    if not names:
        sys.exit(f"error: callgrind saw none of {binary}'s functions in `tokenspec {' '.join(args)}`")
    return names


def pattern(symbol):
    """The section name of `symbol`, with what differs between builds as `*`."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$.]*", symbol):
        return None  # valgrind's own labels: `(below main)`, bare addresses
    symbol = re.sub(r"17h[0-9a-f]{16}E$", "17h*", symbol)  # legacy mangling's hash
    symbol = re.sub(r"Cs[0-9A-Za-z]+_", "Cs*_", symbol)  # v0 crate disambiguators
    return symbol


with tempfile.TemporaryDirectory() as tmp:
    fixture = pathlib.Path(tmp)
    (fixture / "token-spec.toml").write_text(spec_text)
    tokens = fixture / ".tokens"
    tokens.write_text("".join(f"{name}={fake_pat()}\n" for name in cicd))
    tokens.chmod(0o600)
    env = {k: v for k, v in os.environ.items() if k not in ("APP_ENV", "CI", "TOKENSPEC_NO_CACHE") and k not in cicd}
    env["TOKENSPEC_CACHE_DIR"] = str(fixture / "cache")
    export = ["export", "--type=cicd"]
    subprocess.run([str(binary)] + export, cwd=fixture, env=env, stdout=subprocess.DEVNULL, check=True)
    groups = [
        ("spec cache warm: `export --type=cicd`, `run --type=cicd -- true`",
         functions(fixture, env, export) + functions(fixture, env, ["run", "--type=cicd", "--", "true"])),
        ("spec cache off: what `export --type=cicd` adds", functions(fixture, {**env, "TOKENSPEC_NO_CACHE": "1"}, export)),
        ("spec cache warm: what `validate` and `load --type=cicd` add",
         functions(fixture, env, ["validate"] + cicd[:2]) + functions(fixture, env, ["load", "--type=cicd"])),
    ]

seen = set()
lines = [
    "/* generated by `python3 bench/hot-text.py`, do not edit",
    " *",
    " * The functions tokenspec runs at start-up, side by side, so that the pages",
    " * mapped around its page faults hold them rather than unrelated code (see",
    " * bench/hot-text.py). Used by cli/build.rs; order only. */",
    "SECTIONS {",
    "  .text.hot : {",
    "    /* the C start-up code: `_start`, and what runs before and after main */",
    "    *crt1.o(.text .text.*)",
    "    *crti.o(.text .text.*)",
    "    *crtbegin*.o(.text .text.*)",
]
for title, names in groups:
    patterns = sorted({p for p in map(pattern, names) if p and p not in seen})
    seen.update(patterns)
    lines.append(f"    /* {title} */")
    lines += [f"    *(.text.{p} .text.unlikely.{p})" for p in patterns]
lines += ["  }", "}", "INSERT BEFORE .text;", ""]
script.write_text("\n".join(lines))
print(f"wrote {script.relative_to(root)}: {len(seen)} functions")
