#!/usr/bin/env python3
"""Cold `cargo build` of a new service: tokenspec against dotenvy + serde.

Writes two crates outside the workspace, as a service author starts one:

- `tokenspec-service`: its only dependency `tokenspec` (by path: this
  checkout), the README's spec and `tokens!` line;
- `dotenvy-service`: `dotenvy` and `serde` with `derive`, reading the same
  two variables into a derived struct.

Then, in ROUNDS rounds of alternating order, each is built from nothing
(its own empty target folder; dependencies come from the local registry
cache, `--offline`) with cargo's default dev profile, and timed. Reported:
median, mean and min per crate and the ratio, from the same interleaved run.
`--timings` pages of the last round are kept next to OUT.md for the
critical path.

Usage: bench/cold-build.py OUT.md [ROUNDS]
"""
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

out = pathlib.Path(sys.argv[1]).resolve()
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
root = pathlib.Path(__file__).resolve().parent.parent

SPEC = """[[token]]
name = "DISCORD_BOT_TOKEN"
class = "runtime"
description = "Discord bot authentication"
format = "discord_bot_token"

[[token]]
name = "SENTRY_DSN"
class = "runtime"
description = "Error reporting"
required = false
"""

TOKENSPEC_MAIN = """tokenspec::tokens!(pub struct AppTokens, spec = "token-spec.toml", class = "runtime");

fn main() -> Result<(), tokenspec::LoadError> {
    let tokens = AppTokens::load()?;
    let bot: &str = tokens.discord_bot_token.expose_secret();
    println!("{} {tokens:?}", bot.len());
    Ok(())
}
"""

DOTENVY_MAIN = """#[derive(serde::Deserialize, Debug)]
struct AppTokens {
    discord_bot_token: String,
    sentry_dsn: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    dotenvy::dotenv().ok();
    let tokens = AppTokens {
        discord_bot_token: std::env::var("DISCORD_BOT_TOKEN")?,
        sentry_dsn: std::env::var("SENTRY_DSN").ok(),
    };
    println!("{} {}", tokens.discord_bot_token.len(), tokens.sentry_dsn.is_some());
    Ok(())
}
"""


def manifest(name, deps):
    return f'[package]\nname = "{name}"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n[dependencies]\n{deps}\n[workspace]\n'


def build(crate, timings):
    target = crate / "target"
    shutil.rmtree(target, ignore_errors=True)
    args = ["cargo", "build", "--offline", "--quiet"] + (["--timings"] if timings else [])
    start = time.perf_counter()
    subprocess.run(args, cwd=crate, check=True)
    return time.perf_counter() - start


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    crates = {}
    for name, deps, main, extra in [
        ("tokenspec-service", f'tokenspec = {{ path = "{root / "tokenspec"}" }}\n', TOKENSPEC_MAIN, SPEC),
        ("dotenvy-service", 'dotenvy = "0.15"\nserde = { version = "1", features = ["derive"] }\n', DOTENVY_MAIN, None),
    ]:
        crate = tmp / name
        (crate / "src").mkdir(parents=True)
        (crate / "Cargo.toml").write_text(manifest(name, deps))
        (crate / "src" / "main.rs").write_text(main)
        if extra:
            (crate / "token-spec.toml").write_text(extra)
        # The same dependency versions as this workspace resolves.
        shutil.copy(root / "Cargo.lock", crate / "Cargo.lock")
        subprocess.run(["cargo", "build", "--offline", "--quiet"], cwd=crate, check=True)
        crates[name] = crate
    times = {name: [] for name in crates}
    for r in range(rounds):
        order = list(crates) if r % 2 == 0 else list(crates)[::-1]
        for name in order:
            times[name].append(build(crates[name], timings=r == rounds - 1))
            print(f"round {r + 1}: {name} {times[name][-1]:.1f} s", file=sys.stderr)
    for name, crate in crates.items():
        page = crate / "target" / "cargo-timings" / "cargo-timing.html"
        if page.exists():
            shutil.copy(page, out.with_name(f"{out.stem}-{name}-timings.html"))

a, b = times["tokenspec-service"], times["dotenvy-service"]
lines = [
    f"{rounds} rounds, alternating order; cold `cargo build` (dev profile), seconds",
    "",
    "| crate | median | mean | min |",
    "|---|---:|---:|---:|",
]
for name, t in times.items():
    lines.append(f"| `{name}` | {statistics.median(t):.1f} | {statistics.mean(t):.1f} | {min(t):.1f} |")
lines += [
    "",
    f"tokenspec / dotenvy + serde: median {statistics.median(a) / statistics.median(b):.2f}, "
    f"mean {statistics.mean(a) / statistics.mean(b):.2f}, min {min(a) / min(b):.2f}",
]
text = "\n".join(lines) + "\n"
out.write_text(text)
print(text)
