//! The workflow reader on hostile YAML: deep nesting, alias bombs ("billion
//! laughs"), huge scalars, and random mixes of YAML's structural pieces.
//! Each must answer (a workflow or a failure) quickly and within a memory
//! bound proportional to its size.
//!
//! Memory is measured in a child process (this test binary again, running
//! [`child_parses_one_input`]), as the growth of its peak resident set
//! (`VmHWM` in `/proc/self/status`) over the parse: the workspace forbids
//! the `unsafe` a counting allocator needs.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use tokenspec_repo::workflows;

/// The environment variable naming the input file of a child run.
const INPUT: &str = "TOKENSPEC_HOSTILE_INPUT";

/// The peak resident set of this process, in KiB.
fn peak_kib() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// In a child run: parses the input file and prints how much the peak
/// resident set grew. In the normal run it has nothing to do.
#[test]
fn child_parses_one_input() {
    let Some(path) = std::env::var_os(INPUT) else {
        return;
    };
    let src = std::fs::read_to_string(path).unwrap();
    let before = peak_kib();
    let ok = workflows::parse(".github/workflows/x.yml", &src).is_ok();
    println!(
        "HOSTILE ok={ok} grew_kib={}",
        peak_kib().saturating_sub(before)
    );
}

/// Parses `src` in a child process: whether it was read as a workflow, and
/// by how many KiB the peak resident set grew.
fn in_child(src: &str) -> (bool, usize) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("input.yml");
    std::fs::write(&file, src).unwrap();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_parses_one_input",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(INPUT, Path::new(&file))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("HOSTILE ").map(|(_, r)| r))
        .unwrap_or_else(|| {
            panic!(
                "no report from the child: {stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    let ok = line.contains("ok=true");
    let grew = line
        .rsplit("grew_kib=")
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap();
    (ok, grew)
}

/// Answered within a few seconds (a debug build on a loaded machine) and,
/// measured in a child, with the peak memory growing by at most 64 bytes
/// per byte of input plus 16 MiB.
#[track_caller]
fn bounded(src: &str) -> bool {
    let start = Instant::now();
    let ok = workflows::parse(".github/workflows/x.yml", src).is_ok();
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "{took:?} for {} bytes",
        src.len()
    );
    if cfg!(target_os = "linux") {
        let (child_ok, grew_kib) = in_child(src);
        assert_eq!(ok, child_ok);
        let limit_kib = (64 * src.len() + (16 << 20)) / 1024;
        assert!(
            grew_kib < limit_kib,
            "grew {grew_kib} KiB for {} bytes of input",
            src.len()
        );
    }
    ok
}

/// Answered within a few seconds, for the many generated cases.
#[track_caller]
fn quick(src: &str) -> bool {
    let start = Instant::now();
    let ok = workflows::parse(".github/workflows/x.yml", src).is_ok();
    let took = start.elapsed();
    assert!(
        took < Duration::from_secs(5),
        "{took:?} for {} bytes",
        src.len()
    );
    ok
}

#[test]
fn deep_flow_nesting_is_refused() {
    for open in ["[", "{a: ", "[{a: "] {
        let src = format!("on: push\njobs: {}", open.repeat(20_000));
        assert!(!bounded(&src));
    }
}

#[test]
fn deep_block_nesting_is_refused() {
    let src: String = (0..5_000)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect();
    assert!(!bounded(&src));
    let seqs: String = (0..5_000)
        .map(|i| format!("{}- \n", "  ".repeat(i)))
        .collect();
    assert!(!bounded(&seqs));
}

/// Nine levels of ten aliases each: 10^9 nodes once expanded.
fn billion_laughs(value: &str) -> String {
    let mut src = format!("on: push\nx0: &a0 [\"{value}\"]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let list = [prev.as_str(); 10].join(", ");
        src.push_str(&format!("x{i}: &a{i} [{list}]\n"));
    }
    src
}

#[test]
fn alias_bombs_stop_at_the_visit_budget() {
    // At the top level, in a job's env, and in a step's `run`.
    let top = billion_laughs("${{ secrets.A }}");
    assert!(!bounded(&top));
    let in_job = format!(
        "{}jobs:\n  j:\n    env: *a9\n    steps:\n      - run: *a9\n        env: *a9\n",
        billion_laughs("${{ secrets.A }}")
    );
    assert!(!bounded(&in_job));
    let failure = workflows::parse("w.yml", &in_job).unwrap_err();
    assert!(
        failure.message.contains("aliases expand to more than"),
        "{failure:?}"
    );
    // Merge keys are aliases too.
    let merges = format!(
        "{}jobs:\n  j:\n    <<: *a9\n    steps: *a9\n",
        billion_laughs("x")
    );
    bounded(&merges);
}

#[test]
fn a_self_referencing_anchor_ends() {
    bounded("on: push\njobs: &j\n  a:\n    steps:\n      - env: *j\n");
    bounded("a: &x [*x, *x]\n");
}

#[test]
fn huge_scalars_are_read_in_time() {
    let refs = "${{ secrets.A }} ".repeat(30_000);
    let src = format!("on: push\njobs:\n  j:\n    steps:\n      - run: |\n          {refs}\n          echo \"t=$X\" >> $GITHUB_OUTPUT\n");
    assert!(bounded(&src));
    let w = workflows::parse("w.yml", &src).unwrap();
    assert_eq!(w.references.len(), 30_000);
    assert!(w.references.iter().all(|r| r.line == 6));
    let quoted = format!("on: push\nenv:\n  A: \"{}\"\n", "\\u0041".repeat(300_000));
    assert!(bounded(&quoted));
    let one_line = format!("on: [{}]\n", vec!["a"; 200_000].join(", "));
    assert!(bounded(&one_line));
    let long_line_refs = format!(
        "on: push\nenv: {{{}}}\n",
        (0..20_000)
            .map(|i| format!("K{i}: \"${{{{ secrets.S{i} }}}}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert!(bounded(&long_line_refs));
}

#[test]
fn a_file_over_the_size_cap_is_not_parsed() {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(
        wf.join("big.yml"),
        "a: b\n".repeat(workflows::MAX_FILE_BYTES / 5 + 1),
    )
    .unwrap();
    std::fs::write(wf.join("ok.yml"), "on: push\nenv:\n  A: ${{ secrets.A }}\n").unwrap();
    let inv = workflows::read(dir.path());
    assert_eq!(inv.failures.len(), 1, "{:?}", inv.failures);
    assert!(
        inv.failures[0].message.contains("larger than"),
        "{:?}",
        inv.failures
    );
    assert_eq!(inv.references().count(), 1);
}

/// Pieces of YAML that nest, alias, quote and fold.
fn piece() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "a: ",
        "- ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "\n",
        "  ",
        "&x ",
        "*x",
        "&y ",
        "*y",
        "<<: ",
        "|\n",
        ">-\n",
        "\"",
        "'",
        "${{ ",
        " }}",
        "secrets.A",
        "secrets['B']",
        "github.token",
        "jobs:\n",
        "steps:\n",
        "run: ",
        "env:\n",
        "if: ",
        "secrets: inherit\n",
        "# c\n",
        "? ",
        ": ",
        "---\n",
        "...\n",
        "!!str ",
        "\\",
        "\t",
        "é",
        ">> $GITHUB_OUTPUT",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_mix_of_yaml_pieces_is_answered_in_bounds(pieces in prop::collection::vec(piece(), 0..200)) {
        let src: String = pieces.concat();
        let ok = quick(&src);
        if ok {
            // Lines name places in the file.
            let w = workflows::parse("w.yml", &src).unwrap();
            let lines = src.lines().count().max(1);
            for r in &w.references {
                prop_assert!(r.line >= 1 && r.line <= lines + 1, "{r:?} in {lines} lines");
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn nesting_and_alias_chains_of_any_depth_are_quick(depth in 1usize..3_000, fan in 1usize..12) {
        let nested = format!("{}x{}", "[".repeat(depth), "]".repeat(depth));
        quick(&nested);
        let mut src = String::from("x0: &a0 [\"${{ secrets.A }}\"]\n");
        for i in 1..(depth % 40 + 1) {
            let list = vec![format!("*a{}", i - 1); fan].join(", ");
            src.push_str(&format!("x{i}: &a{i} [{list}]\n"));
        }
        quick(&src);
    }
}
