//! `tokenspec export`: print resolved tokens in a shell or file format.
//!
//! Fail closed: with any problem nothing reaches stdout, so
//! `eval "$(tokenspec export)"` never half-loads. Only `--partial` opts out.

use std::io::{self, BufWriter, Write};

use clap::{Args, ValueEnum};

use tokenspec_core::def::is_env_name;
use tokenspec_core::dotenv_write::entry_line;
use tokenspec_core::load::resolve;
use tokenspec_core::{Problem, Resolution};

use super::handoff::{self, Rename};
use super::{github, quote, report, Context, Error, Outcome, TypeArg};
use crate::error::Result;

pub const EXAMPLES: &str = "\
Examples:
  eval \"$(tokenspec export --type=cicd)\"
  tokenspec export --type=cicd --format=fish | source
  tokenspec export --type=cicd --format=pwsh | Invoke-Expression
  tokenspec export --type=cicd --format=github >> \"$GITHUB_ENV\"
  tokenspec export --type=runtime --format=json
  tokenspec export --type=cicd --as ORCHESTRATION_KEY=DEV_ORCHESTRATION_BOT_KEY
  tokenspec export --as GH_TOKEN=CI_ISSUE_AUTOMATION_TOKEN,CI_BOT_TOKEN,GITHUB_TOKEN
  tokenspec export --type=runtime --with-settings --format=dotenv > .env.compose

--as NAME=SOURCE[,SOURCE…] also exports NAME with the value of the first
SOURCE that is set: a token of --type (resolved as usual) or a variable of
the process environment. --with-settings adds the other entries of the
class's files (.env.<env> over .env, the process environment over both).

With --format=github the ::add-mask:: commands go to stderr, which the
Actions runner reads for workflow commands; do not redirect stderr.";

/// Output syntax of `export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ExportFormat {
    /// POSIX shell: export NAME='value' (bash, dash, zsh)
    #[default]
    Sh,
    /// fish: set -gx NAME 'value'
    Fish,
    /// PowerShell: $env:NAME = 'value'
    Pwsh,
    /// dotenv: NAME='value', readable by dotenvy
    Dotenv,
    /// A JSON object of name to value
    Json,
    /// GitHub Actions $GITHUB_ENV entries; masks go to stderr
    Github,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
    /// Output syntax
    #[arg(long, value_enum, default_value_t = ExportFormat::Sh)]
    pub format: ExportFormat,
    /// Export the valid tokens even when others are missing or invalid (exit 0)
    #[arg(long)]
    pub partial: bool,
    /// Also export NAME with the value of the first set SOURCE (a token or a variable)
    #[arg(long = "as", value_name = "NAME=SOURCE[,SOURCE…]")]
    pub renames: Vec<Rename>,
    /// Also export the files' other entries (settings), after the tokens
    #[arg(long)]
    pub with_settings: bool,
}

pub fn run(cx: &Context, args: &ExportArgs) -> Result<Outcome> {
    let (defs, opts) = handoff::load(cx, args.type_, &args.renames, args.with_settings)?;
    let res = resolve(&defs, &opts);
    gate(&res, args.partial)?;
    let outputs = handoff::outputs(&res, &args.renames, |n| std::env::var(n).ok())?;
    let tokens: Vec<(&str, &str)> = outputs
        .iter()
        .map(|o| (o.name.as_str(), o.value.expose_secret()))
        .collect();
    // Tokens and `--as` values come first; only they are masked.
    let secrets = outputs.iter().take_while(|o| o.secret).count();
    if let Some((name, _)) = tokens.iter().find(|(name, _)| !is_env_name(name)) {
        return Err(
            Error::fatal(format_args!("`{name}` is not a valid shell variable name"))
                .help("token names must match [A-Za-z_][A-Za-z0-9_]*; rename it in the spec"),
        );
    }
    Emit {
        format: args.format,
    }
    .write(tokens.iter().copied(), secrets)
}

/// Writes the export in one format.
struct Emit {
    format: ExportFormat,
}

impl Emit {
    /// Writes `tokens`, the first `secrets` of them masked in GitHub's log.
    fn write<'a>(
        self,
        tokens: impl Iterator<Item = (&'a str, &'a str)> + Clone,
        secrets: usize,
    ) -> Result<Outcome> {
        let delimiter = match self.format {
            ExportFormat::Github => Some(
                github::delimiter(tokens.clone().map(|(_, v)| v)).map_err(|e| {
                    Error::fatal(format_args!(
                        "cannot get random bytes for the delimiter: {e}"
                    ))
                })?,
            ),
            _ => None,
        };
        write(self.format, tokens, secrets, delimiter.as_deref()).map_err(|e| Error::stdout(&e))?;
        Ok(Outcome::Ok)
    }
}

/// Reports warnings; an error when export must stop.
fn gate(res: &Resolution<'_>, partial: bool) -> Result<()> {
    let io_error = res.problems.iter().any(Problem::is_io);
    report::warnings(res);
    if res.problems.is_empty() {
        return Ok(());
    }
    if partial && !io_error {
        report::problems_as_warnings(&res.problems);
        return Ok(());
    }
    Err(Error::problems(&res.problems).help(
        "nothing was exported; fix the tokens above, or pass --partial to export only the valid ones",
    ))
}

/// Writes the export; `delimiter` is the `$GITHUB_ENV` heredoc delimiter,
/// and the first `secrets` entries are masked there.
fn write<'a>(
    format: ExportFormat,
    tokens: impl Iterator<Item = (&'a str, &'a str)> + Clone,
    secrets: usize,
    delimiter: Option<&str>,
) -> io::Result<()> {
    if let (ExportFormat::Github, Some(delimiter)) = (format, delimiter) {
        // Masks first, so no value can reach the log unmasked.
        let mut err = BufWriter::new(io::stderr().lock());
        for (_, value) in tokens.clone().take(secrets) {
            github::masks(&mut err, value)?;
        }
        err.flush()?;
        let mut out = BufWriter::new(io::stdout().lock());
        for (name, value) in tokens {
            github::entry(&mut out, name, value, delimiter)?;
        }
        return out.flush();
    }
    let mut out = BufWriter::new(io::stdout().lock());
    if format == ExportFormat::Json {
        json(&mut out, tokens)?;
        return out.flush();
    }
    let mut line = String::new();
    for (name, value) in tokens {
        line.clear();
        shell_line(format, name, value, &mut line);
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// Appends the line (with its `\n`) that sets `name` to `value` in a
/// line-based format: sh, fish, pwsh or dotenv. Public so the fuzz
/// harness (`fuzz/`) evaluates exactly what `export` prints.
pub fn shell_line(format: ExportFormat, name: &str, value: &str, line: &mut String) {
    match format {
        ExportFormat::Sh => {
            line.push_str("export ");
            line.push_str(name);
            line.push('=');
            quote::sh(value, line);
        }
        ExportFormat::Fish => {
            line.push_str("set -gx ");
            line.push_str(name);
            line.push(' ');
            quote::fish(value, line);
        }
        ExportFormat::Pwsh => {
            line.push_str("$env:");
            line.push_str(name);
            line.push_str(" = ");
            quote::pwsh(value, line);
        }
        ExportFormat::Dotenv => line.push_str(&entry_line(name, value)),
        ExportFormat::Json | ExportFormat::Github => {
            unreachable!("{format:?} is not a line-based format")
        }
    }
    line.push('\n');
}

/// The `--format=json` output: one pretty-printed object, then `\n`.
pub fn json<'a>(
    out: &mut impl Write,
    tokens: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &JsonObject(tokens))?;
    out.write_all(b"\n")
}

/// Name → value pairs as a JSON object, in spec order whatever serde_json's features.
struct JsonObject<I>(I);

impl<'a, I: Iterator<Item = (&'a str, &'a str)> + Clone> serde::Serialize for JsonObject<I> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.clone())
    }
}
