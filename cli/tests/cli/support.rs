//! A throwaway project folder (optionally a git repository) and a way to
//! run `tokenspec` in it with nothing from the caller's environment.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A small spec covering both classes, every `required` shape, a format and a deprecation.
pub const SPEC: &str = r#"
environments = ["dev", "prod", "ci"]

[[token]]
name = "DEPLOY_TOKEN"
class = "cicd"
description = "Deploys"

[[token]]
name = "GH_TOKEN"
class = "cicd"
description = "GitHub"
format = "github_pat"
required = ["prod"]

[[token]]
name = "APP_SECRET"
class = "runtime"
description = "Signs sessions"

[[token]]
name = "OPTIONAL_KEY"
class = "runtime"
description = "Optional"
required = false
"#;

/// A value that must never appear outside `export`.
pub const SECRET: &str = "s3cr3t-Planted-VALUE-7731";

pub struct Project {
    dir: tempfile::TempDir,
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Project {
    /// A project holding [`SPEC`].
    pub fn new() -> Project {
        Project::with_spec(SPEC)
    }

    pub fn with_spec(spec: &str) -> Project {
        let p = Project::without_spec();
        p.write("token-spec.toml", spec);
        p
    }

    /// An empty folder: a repository before `tokenspec init`.
    pub fn without_spec() -> Project {
        Project {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file with mode 0600 (the mode token files should have).
    pub fn write(&self, name: &str, contents: &str) -> &Project {
        self.write_mode(name, contents, 0o600)
    }

    /// Writes a file, creating its folders, and gives it `mode`.
    pub fn write_mode(&self, name: &str, contents: &str, mode: u32) -> &Project {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        set_mode(&path, mode);
        self
    }

    /// Writes a token file of `NAME=value` lines, quoted so dotenvy reads each value back exactly.
    pub fn tokens(&self, name: &str, entries: &[(&str, &str)]) -> &Project {
        let text: String = entries
            .iter()
            .map(|(k, v)| tokenspec_core::dotenv_write::entry_line(k, v) + "\n")
            .collect();
        self.write(name, &text)
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap()
    }

    /// `tokenspec ARGS` in the project root; see [`tokenspec`].
    pub fn cmd<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        tokenspec(self.root(), args)
    }

    /// Runs `tokenspec ARGS` with extra environment variables.
    pub fn run_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Out {
        let mut cmd = self.cmd(args);
        cmd.envs(vars.iter().copied());
        output(&mut cmd)
    }

    /// Runs `tokenspec ARGS` with extra environment variables, expecting a JSON object on stdout.
    pub fn json_env(&self, args: &[&str], vars: &[(&str, &str)]) -> serde_json::Value {
        let out = self.run_env(args, vars);
        assert_eq!(out.code, 0, "{out:?}");
        out.json()
    }

    /// Runs `tokenspec ARGS` with a clean environment.
    pub fn run(&self, args: &[&str]) -> Out {
        self.run_env(args, &[])
    }

    /// Runs `git ARGS` in the project root with a local identity and no
    /// global or system configuration, and returns its stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(["-c", "user.name=Tokenspec Test"])
            .args(["-c", "user.email=test@example.com"])
            .args(["-c", "commit.gpgsign=false"])
            .args(["-c", "init.defaultBranch=main"])
            .args(args)
            .current_dir(self.root())
            .envs(GIT_ISOLATION)
            .stdin(Stdio::null())
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 git output")
    }
}

impl Out {
    /// The JSON document on stdout.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("invalid JSON ({e}): {self:?}"))
    }

    /// Asserts no listed value (nor a telling piece of one) is on stdout or stderr.
    #[track_caller]
    pub fn assert_no_values(&self, values: &[&str]) {
        for v in values {
            assert!(
                !self.stdout.contains(v),
                "{v:?} on stdout:\n{}",
                self.stdout
            );
            assert!(
                !self.stderr.contains(v),
                "{v:?} on stderr:\n{}",
                self.stderr
            );
        }
    }
}

/// Keeps the user's git configuration (identity, hooks, excludes files) out
/// of both the fixture's git and the one `tokenspec` runs.
pub const GIT_ISOLATION: [(&str, &str); 2] = [
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
];

/// `tokenspec ARGS` in `dir` with an environment holding only `PATH`,
/// [`GIT_ISOLATION`]: no `CI`, no `APP_ENV`, no token from the caller.
pub fn tokenspec<I, S>(dir: &Path, args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tokenspec"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .envs(GIT_ISOLATION)
        .stdin(Stdio::null());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd
}

pub fn output(cmd: &mut Command) -> Out {
    let o = cmd.output().expect("tokenspec runs");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8(o.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(o.stderr).expect("utf-8 stderr"),
    }
}

pub fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

pub fn mode(path: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        0o600
    }
}

/// Asserts the planted secret is nowhere in a command's output.
#[track_caller]
pub fn assert_redacted(out: &Out) {
    out.assert_no_values(&[SECRET]);
}

/// [`output`], but a run that has not ended after `limit` is killed and
/// fails the test: a hang (a FIFO read, say) becomes a failure, never a
/// stuck suite. Not a timing assertion: the limit is far above any real run.
#[track_caller]
pub fn output_within(cmd: &mut Command, limit: std::time::Duration) -> Out {
    use std::io::Read;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tokenspec runs");
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}: it hangs");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    Out {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}
