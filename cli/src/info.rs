//! `tokenspec info`: where tokenspec looks, as JSON on stdout.
//!
//! The shape is stable (keys in this order):
//!
//! ```json
//! { "root": "/abs", "spec": "/abs/token-spec.toml",
//!   "env": "prod" | null,
//!   "env_origin": "--env" | "TOKENSPEC_ENV" | "CI" | "APP_ENV" | <variable> | "none",
//!   "env_from": ["CI", "APP_ENV"],
//!   "environments": ["dev", "prod", "ci"],
//!   "files": { "cicd":    [{ "file": ".tokens.prod", "path": "/abs/.tokens.prod",
//!                            "exists": true, "mode": "0600" | null }, …],
//!              "runtime": […] } }
//! ```
//!
//! Files are listed highest precedence first. No file is read, so no value
//! can appear.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use tokenspec_core::load::file_mode;
use tokenspec_core::Class;

use super::{Context, Error, Outcome};
use crate::error::Result;

pub const EXAMPLES: &str = "\
Examples:
  tokenspec info
  tokenspec --env prod info | jq '.files.cicd'

Output keys: root, spec, env, env_origin (what chose it: --env, TOKENSPEC_ENV,
the env_from variable such as CI or APP_ENV, or none), env_from,
environments, files.{cicd,runtime}[] = {file, path, exists, mode},
highest precedence first.";

/// The document, in output order (structs serialize in field order).
#[derive(Serialize)]
struct Info<'a> {
    root: String,
    spec: String,
    env: Option<&'a str>,
    env_origin: &'a str,
    env_from: &'a [String],
    environments: &'a [String],
    files: Files,
}

#[derive(Serialize)]
struct Files {
    cicd: Vec<FileInfo>,
    runtime: Vec<FileInfo>,
}

#[derive(Serialize)]
struct FileInfo {
    file: String,
    path: String,
    exists: bool,
    /// Octal permission bits such as `0600`; `null` when missing or not on Unix.
    mode: Option<String>,
}

pub fn run(cx: &Context) -> Result<Outcome> {
    let info = Info {
        root: absolute(&cx.root),
        spec: absolute(&cx.spec_path),
        env: cx.env.as_deref(),
        env_origin: cx.env_origin.as_str(),
        env_from: &cx.spec().env_from,
        environments: &cx.spec().environments,
        files: Files {
            cicd: files(cx, Class::Cicd),
            runtime: files(cx, Class::Runtime),
        },
    };
    let mut out = io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, &info)
        .map_err(io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    written.map_err(|e| Error::stdout(&e))?;
    Ok(Outcome::Ok)
}

/// The files of `class`, highest precedence first. Only metadata is read.
fn files(cx: &Context, class: Class) -> Vec<FileInfo> {
    let mut files = cx.load_options().files(class);
    files.reverse();
    files
        .into_iter()
        .map(|file| {
            let path = cx.path(&file);
            let exists = path.is_file();
            let mode = if exists {
                file_mode(&path).map(|m| format!("{m:04o}"))
            } else {
                None
            };
            FileInfo {
                path: absolute(&path),
                file,
                exists,
                mode,
            }
        })
        .collect()
}

fn absolute(p: &Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}
