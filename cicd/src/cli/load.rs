//! `tokenspec load`: validate tokens and print a status table (never values).

use std::io::{self, BufWriter, Write};

use clap::Args;

use tokenspec_core::load::{resolve, Resolved, State};

use super::{exit, report, table, Context, TypeArg};

pub const EXAMPLES: &str = "\
Examples:
  tokenspec load --type=cicd
  tokenspec --env prod load --type=runtime

Prints NAME, CLASS, SOURCE (file:line or environment) and STATE (set,
deprecated, missing, placeholder, invalid, unsafe); never a value. Exit 1
when a required token is missing or invalid. A missing base file (.tokens
or .env) is created from the spec's template with mode 0600.";

#[derive(Debug, Clone, Args)]
pub struct LoadArgs {
    /// Which tokens
    #[arg(long = "type", value_enum, default_value_t = TypeArg::All)]
    pub type_: TypeArg,
}

pub fn run(cx: &Context, args: &LoadArgs) -> i32 {
    let defs = cx.defs(args.type_);
    let res = resolve(&defs, &cx.load_options());
    let rows: Vec<[String; 4]> = res.tokens.iter().map(row).collect();
    let mut out = BufWriter::new(io::stdout().lock());
    let written = table::write(&mut out, ["NAME", "CLASS", "SOURCE", "STATE"], &rows)
        .and_then(|()| out.flush());
    if let Err(e) = written {
        return report::write_failed(&e);
    }
    report::problems(&res.problems, true);
    report::warnings(&res);
    if res.problems.is_empty() {
        exit::OK
    } else {
        report::exit_code(&res.problems)
    }
}

fn row(t: &Resolved<'_>) -> [String; 4] {
    let source = t
        .source
        .as_ref()
        .map_or_else(|| "-".to_owned(), ToString::to_string);
    let state = match t.state {
        State::Set if t.def.deprecated.is_some() => "deprecated",
        State::Missing if !t.required => "missing (optional)",
        s => s.as_str(),
    };
    [
        t.def.name.to_string(),
        t.def.class.to_string(),
        source,
        state.to_owned(),
    ]
}
