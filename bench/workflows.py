#!/usr/bin/env python3
"""What reading the workflows adds to `tokenspec check` (issue 23).

Writes a repository with 60 generated workflows of the size of the real
ones (about 1 MB in all: jobs with `env:`, `with:`, multi-line `run:`
scripts, `if:` conditions, a matrix, reusable-workflow calls, anchors) and
the same repository without `.github/workflows/`, both committed with their
generated files, then times `tokenspec check` on each with hyperfine. The
difference of the means is what the workflow rules cost.

Usage: bench/workflows.py [--bin target/release/tokenspec] [--runs 30]
Builds the release binary first unless --bin is given. Not part of the test
suite: the figure goes in docs/benchmarks.md.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

TOKENS = ["DEPLOY_TOKEN", "CI_BOT_TOKEN", "AAR_TOKEN", "RELEASE_PAT", "NPM_TOKEN",
          "DISCORD_WEBHOOK", "CF_API_TOKEN", "SENTRY_TOKEN"]
UNKNOWN = ["LEGACY_KEY", "SLACK_WEBHOOK"]

SPEC_HEAD = """environments = ["dev", "prod", "ci"]

[github]
default_token = "forbid"
default_token_workflows = ["release-*.yml"]
"""


def spec() -> str:
    out = [SPEC_HEAD]
    for i, t in enumerate(TOKENS):
        out.append(f'\n[[token]]\nname = "{t}"\nclass = "cicd"\ndescription = "Token {i}"\n')
        if i % 3 == 0:
            out.append('workflows = ["deploy-*.yml", "release-*.yml", "ci-1?.yml"]\n')
    return "".join(out)


def secret(rng: random.Random) -> str:
    if rng.random() < 0.08:
        return rng.choice(["github.token", "secrets.GITHUB_TOKEN"])
    name = rng.choice(TOKENS + UNKNOWN)
    return f"secrets.{name}" if rng.random() < 0.9 else f"secrets['{name}']"


def step(rng: random.Random, i: int) -> str:
    kind = rng.random()
    if kind < 0.3:
        token = f"${{{{ {secret(rng)} }}}}" if rng.random() < 0.3 else "${{ github.sha }}"
        return (f"      - name: Checkout {i}\n        uses: actions/checkout@v4\n"
                f"        with:\n          ref: {token}\n          fetch-depth: 0\n")
    lines = [f"      - name: Step {i}\n"]
    if rng.random() < 0.1:
        lines.append(f"        if: ${{{{ github.event_name == 'push' && {secret(rng)} != '' }}}}\n")
    value = f"${{{{ {secret(rng)} }}}}" if rng.random() < 0.2 else "${{ github.ref_name }}"
    lines.append(f"        env:\n          TOKEN: {value}\n          LEVEL: info\n")
    lines.append("        run: |\n")
    for j in range(rng.randint(8, 16)):
        r = rng.random()
        if r < 0.02:
            lines.append(f"          curl -fsS -H \"Authorization: Bearer ${{{{ {secret(rng)} }}}}\" https://api.example.com/v1/items/{j}\n")
        elif r < 0.2:
            lines.append(f"          echo \"result_{j}=done\" >> \"$GITHUB_OUTPUT\"\n")
        elif r < 0.4:
            lines.append(f"          if [ -f build/{j}.log ]; then tail -n 50 build/{j}.log; fi\n")
        else:
            lines.append(f"          ./scripts/task-{j}.sh --verbose --target \"${{{{ matrix.target }}}}\" --sha \"${{{{ github.sha }}}}\"\n")
    return "".join(lines)


def workflow(rng: random.Random, n: int) -> str:
    out = [f"name: Workflow {n}\non:\n  push:\n    branches: [main]\n  pull_request:\n\n"
           f"env:\n  GLOBAL: ${{{{ {secret(rng)} }}}}\n\njobs:\n"]
    for j in range(rng.randint(4, 7)):
        out.append(f"  job-{j}:\n    runs-on: ubuntu-latest\n")
        if j == 0:
            out.append("    strategy:\n      matrix:\n        target: [staging, prod]\n")
        if j == 1 and rng.random() < 0.5:
            out[-1] = (f"  job-{j}:\n    uses: ./.github/workflows/deploy-1.yml\n"
                       f"    secrets:\n      token: ${{{{ {secret(rng)} }}}}\n")
            continue
        key = f"${{{{ {secret(rng)} }}}}" if rng.random() < 0.2 else "plain"
        out.append(f"    env: &env{j}\n      JOB: {j}\n      KEY: {key}\n")
        out.append("    steps:\n")
        for s in range(rng.randint(3, 6)):
            out.append(step(rng, s))
    return "".join(out)


def names() -> list:
    kinds = ["ci", "deploy", "release", "nightly", "lint", "docs"]
    return [f"{kinds[i % len(kinds)]}-{i}.yml" for i in range(60)]


def git(root, *args):
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=root, check=True,
                   stdout=subprocess.DEVNULL)


def repository(root: str, binary: str, with_workflows: bool) -> None:
    os.makedirs(root)
    with open(os.path.join(root, "token-spec.toml"), "w") as f:
        f.write(spec())
    with open(os.path.join(root, ".gitignore"), "w") as f:
        f.write(".env\n.env.*\n.tokens\n.tokens.*\n!.env.ci\n!.tokens.ci\n")
    if with_workflows:
        rng = random.Random(23)
        wf = os.path.join(root, ".github", "workflows")
        os.makedirs(wf)
        for i, name in enumerate(names()):
            with open(os.path.join(wf, name), "w") as f:
                f.write(workflow(rng, i))
    git(root, "init", "-q")
    subprocess.run([binary, "gen"], cwd=root, check=True, stderr=subprocess.DEVNULL)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin")
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(here)
    binary = args.bin
    if binary is None:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "tokenspec-cli"], cwd=top, check=True)
        binary = os.path.join(top, "target", "release", "tokenspec")
    binary = os.path.abspath(binary)
    tmp = tempfile.mkdtemp(prefix="tokenspec-wf-bench-")
    try:
        with_wf = os.path.join(tmp, "with")
        without = os.path.join(tmp, "without")
        repository(with_wf, binary, True)
        repository(without, binary, False)
        wf = os.path.join(with_wf, ".github", "workflows")
        size = sum(os.path.getsize(os.path.join(wf, n)) for n in os.listdir(wf))
        usage = subprocess.run([binary, "usage", "--format=json"], cwd=with_wf, check=True,
                               capture_output=True, text=True)
        refs = len(json.loads(usage.stdout)["references"])
        print(f"{len(os.listdir(wf))} workflows, {size} bytes, {refs} references", file=sys.stderr)
        out = os.path.join(tmp, "hyperfine.json")
        env = dict(os.environ, TOKENSPEC_NO_CACHE="1")
        subprocess.run(["hyperfine", "-N", "-i", "--warmup", "5", "--runs", str(args.runs),
                        "--export-json", out,
                        "-n", "check, no workflows", f"{binary} --root {without} check",
                        "-n", "check, 60 workflows", f"{binary} --root {with_wf} check"],
                       check=True, env=env)
        with open(out) as f:
            results = json.load(f)["results"]
        base, wf_run = (r["mean"] * 1000 for r in results)
        base_sd, wf_sd = (r["stddev"] * 1000 for r in results)
        print(f"\nadded by the workflows: {wf_run - base:.1f} ms "
              f"(check {base:.1f} ± {base_sd:.1f} ms without, {wf_run:.1f} ± {wf_sd:.1f} ms with; "
              f"{size / 1e6:.2f} MB, {refs} references)")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
