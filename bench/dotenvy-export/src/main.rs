//! Benchmark baseline for `tokenspec export --type=cicd`: a minimal process
//! that reads a dotenv file with dotenvy and prints every entry as a POSIX
//! `export NAME='value'` line, quoted exactly as `tokenspec` quotes it.
//!
//! It validates nothing and knows no spec, so the gap between the two is
//! what the spec, layering and checks cost. Usage: `dotenvy-export [FILE]`
//! (default `.tokens`).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let path = std::env::args_os()
        .nth(1)
        .unwrap_or_else(|| ".tokens".into());
    match export(path.as_ref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // dotenvy's own `Display` of a parse error quotes the line, value and all.
            let message = match e {
                dotenvy::Error::LineParse(_, at) => format!("cannot parse a line (byte {at})"),
                other => other.to_string(),
            };
            eprintln!("error: {}: {message}", path.to_string_lossy());
            ExitCode::from(2)
        }
    }
}

fn export(path: &std::path::Path) -> Result<(), dotenvy::Error> {
    let mut out = BufWriter::new(io::stdout().lock());
    let mut line = String::new();
    for item in dotenvy::from_path_iter(path)? {
        let (name, value) = item?;
        line.clear();
        line.push_str("export ");
        line.push_str(&name);
        line.push('=');
        sh_quote(&value, &mut line);
        line.push('\n');
        out.write_all(line.as_bytes()).map_err(dotenvy::Error::Io)?;
    }
    out.flush().map_err(dotenvy::Error::Io)?;
    Ok(())
}

/// Single quotes, `'` written as `'\''`: the same as `tokenspec`'s `sh` format.
fn sh_quote(value: &str, out: &mut String) {
    out.reserve(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}
