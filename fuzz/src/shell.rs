//! A long-lived shell that evaluates `export` output the documented way.
//!
//! Starting a shell per input would cap the fuzzer at a few hundred runs a
//! second, so each shell starts once and reads one command line per input
//! from its stdin (see [`Shell::send`]). The output under test goes through a file, never
//! through that command stream, so a quoting bug can only affect the
//! evaluation it is meant to test.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The variable every input is exported as.
pub const NAME: &str = "DEPLOY_TOKEN";

const DONE: &str = "__tokenspec_fuzz_done__";

/// How a shell loads `tokenspec export` output.
#[derive(Clone, Copy, Debug)]
pub enum Dialect {
    /// `eval "$(tokenspec export)"` (bash, dash).
    PosixEval,
    /// `tokenspec export --format=fish | source`.
    FishSource,
}

pub struct Shell {
    program: &'static str,
    dialect: Dialect,
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    script: PathBuf,
    result: PathBuf,
    _dir: tempfile::TempDir,
}

impl Shell {
    /// Starts `program` with only `PATH` in its environment, as the CLI
    /// round-trip tests do. Panics when the shell is not installed: a fuzz
    /// run without it would test nothing.
    pub fn start(program: &'static str, dialect: Dialect) -> Shell {
        let dir = tempfile::Builder::new()
            .prefix("tokenspec-fuzz-")
            .tempdir()
            .expect("create a temp dir");
        let script = dir.path().join("export-output");
        let result = dir.path().join("value");
        let mut command = Command::new(program);
        match dialect {
            // Reads one command line per input from stdin (see `load`).
            Dialect::PosixEval => command.arg("-s"),
            // fish parses all of a script before running it, so it loops
            // over stdin lines itself.
            Dialect::FishSource => command.args([
                "--no-config",
                "-c",
                &format!(
                    "while read -l _go; set -e {NAME}; printf '' > {r}; \
                     cat {s} | source; and test (count ${NAME}) -eq 1; \
                     and printf 'ok:%s' \"${NAME}\" > {r}; echo {DONE}; end",
                    r = quoted(&result),
                    s = quoted(&script),
                ),
            ]),
        };
        let mut child = command
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {program} (install it): {e}"));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        Shell {
            program,
            dialect,
            child,
            stdin,
            stdout,
            script,
            result,
            _dir: dir,
        }
    }

    /// Starts loading `output`; [`Shell::receive`] waits for the result, so
    /// several shells can work at once.
    pub fn send(&mut self, output: &str) {
        std::fs::write(&self.script, output).expect("write the export output");
        // Unset first, so an output that sets nothing cannot pass with the
        // previous input's value; write the value only if loading worked.
        let line = match self.dialect {
            Dialect::PosixEval => format!(
                "unset {NAME}; : > {r}; eval \"$(cat {s})\" && printf 'ok:%s' \"${NAME}\" > {r}; echo {DONE}\n",
                r = quoted(&self.result),
                s = quoted(&self.script),
            ),
            Dialect::FishSource => "go\n".to_owned(),
        };
        let program = self.program;
        self.stdin
            .write_all(line.as_bytes())
            .and_then(|()| self.stdin.flush())
            .unwrap_or_else(|e| panic!("{program} stopped reading commands: {e}"));
    }

    /// The value of [`NAME`] after the last [`Shell::send`], or `None`
    /// when loading failed or did not set exactly one value.
    pub fn receive(&mut self) -> Option<Vec<u8>> {
        let program = self.program;
        let mut reply = String::new();
        let n = self
            .stdout
            .read_line(&mut reply)
            .unwrap_or_else(|e| panic!("cannot read from {program}: {e}"));
        if n == 0 {
            let status = self.child.wait();
            panic!("{program} exited while loading the export output: {status:?}");
        }
        // Anything else on stdout means the output ran a command.
        assert_eq!(
            reply.trim_end(),
            DONE,
            "{program} printed something while loading the export output"
        );
        let written = std::fs::read(&self.result).expect("the shell creates the result file");
        written.strip_prefix(b"ok:").map(<[u8]>::to_vec)
    }
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `path` in single quotes for sh and fish (temp paths hold no quote or backslash).
fn quoted(path: &Path) -> String {
    let s = path.to_str().expect("UTF-8 temp path");
    assert!(!s.contains(['\'', '\\']), "unexpected temp path {s}");
    format!("'{s}'")
}
