//! `tokenspec info`: where tokenspec looks, as JSON on stdout.
//!
//! The shape is stable (keys are sorted):
//!
//! ```json
//! { "env": "prod" | null, "env_origin": "--env" | "APP_ENV" | "CI" | "none",
//!   "environments": ["dev", "prod", "ci"],
//!   "files": { "cicd":    [{ "file": ".tokens.prod", "path": "/abs/.tokens.prod",
//!                            "exists": true, "mode": "0600" | null }, …],
//!              "runtime": […] },
//!   "root": "/abs", "spec": "/abs/token-spec.toml" }
//! ```
//!
//! Files are listed highest precedence first. No file is read, so no value
//! can appear.

use std::io::{self, Write};

use serde_json::{json, Value};

use tokenspec_core::load::file_mode;
use tokenspec_core::Class;

use super::{exit, report, Context};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec info
  tokenspec --env prod info | jq '.files.cicd'

Output keys: root, spec, env, env_origin (--env, APP_ENV, CI or none),
environments, files.{cicd,runtime}[] = {file, path, exists, mode},
highest precedence first.";

pub fn run(cx: &Context) -> i32 {
    let opts = cx.load_options();
    let mut files = serde_json::Map::new();
    for class in Class::ALL {
        let list: Vec<Value> = opts
            .files(class)
            .into_iter()
            .rev()
            .map(|file| {
                let path = cx.path(&file);
                let exists = path.is_file();
                let mode = exists.then(|| file_mode(&path)).flatten().map(|m| format!("{m:04o}"));
                json!({ "file": file, "path": absolute(&path), "exists": exists, "mode": mode })
            })
            .collect();
        files.insert(class.as_str().to_owned(), Value::Array(list));
    }
    let spec_path = absolute(&cx.spec_path);
    let doc = json!({
        "root": absolute(&cx.root),
        "spec": spec_path,
        "env": cx.env,
        "env_origin": cx.env_origin.as_str(),
        "environments": cx.spec.environments,
        "files": files,
    });
    let mut out = io::stdout().lock();
    let written = serde_json::to_writer_pretty(&mut out, &doc)
        .map_err(io::Error::from)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    match written {
        Ok(()) => exit::OK,
        Err(e) => report::write_failed(&e),
    }
}

fn absolute(p: &std::path::Path) -> String {
    std::path::absolute(p)
        .unwrap_or_else(|_| p.to_path_buf())
        .display()
        .to_string()
}
