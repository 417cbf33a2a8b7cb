//! A shortcut past clap for the command lines pipelines run at every step:
//! `tokenspec [globals] export [--type T] [--format F] [--partial]
//! [globals]`, `tokenspec [globals] run [--type T] [globals] -- CMD
//! [ARGS…]`, `tokenspec [globals] load [--type T] [globals]` and
//! `tokenspec [globals] validate NAME… [globals]`.
//!
//! Building and running clap's parser was the largest cost left in
//! `export` (docs/benchmarks.md: 71k of 518k instructions and 19 of 94
//! page faults), and `run`, `load` and `validate` start pipeline steps just
//! as often (clap was about 13% of `validate`'s instructions). clap
//! stays the parser of record: this accepts only a strict subset of what
//! clap accepts and must build exactly the [`Cli`] clap would build (a
//! proptest compares the two on random command lines, and a test checks the
//! flag names here against clap's). Anything else — help, errors, repeated or
//! unknown flags, values that look like flags, non-UTF-8 arguments, `run`
//! without `--`, `validate` without a name, other commands — is `None`, and
//! clap parses it, messages and all.

use std::ffi::OsString;

use clap::ValueEnum;

use super::export::{ExportArgs, ExportFormat};
use super::load::LoadArgs;
use super::run::RunArgs;
use super::validate::ValidateArgs;
use super::{Cli, Command, GlobalArgs, TypeArg, WithGlobals};

/// The flags of `export` itself: `--type`, `--format`, `--partial`. The
/// parser reads the names from here, and a test compares them with clap's.
const EXPORT_FLAGS: [&str; 3] = ["--type", "--format", "--partial"];
/// The flags of `run` itself: `--type`.
const RUN_FLAGS: [&str; 1] = ["--type"];
/// The flags of `load` itself: `--type`.
const LOAD_FLAGS: [&str; 1] = ["--type"];
/// The global flags: `--root`, `--spec`, `--env`.
const GLOBAL_FLAGS: [&str; 3] = ["--root", "--spec", "--env"];

/// The [`Cli`] for `args` (program name first) when it is a plain `export`
/// or `run` command line, else `None`.
pub fn parse(args: &[OsString]) -> Option<Cli> {
    let args: Vec<&str> = args
        .get(1..)?
        .iter()
        .map(|a| a.to_str())
        .collect::<Option<_>>()?;
    let mut rest = args.into_iter();
    let mut root = GlobalArgs::default();
    let subcommand = loop {
        let arg = rest.next()?;
        if ["export", "run", "load", "validate"].contains(&arg) {
            break arg;
        }
        global(&mut root, arg, &mut rest)?;
    };
    let mut global = GlobalArgs::default();
    let command = match subcommand {
        "export" => Command::Export(WithGlobals {
            args: export(&mut global, &mut rest)?,
            global,
        }),
        "run" => Command::Run(WithGlobals {
            args: run(&mut global, &mut rest)?,
            global,
        }),
        "load" => Command::Load(WithGlobals {
            args: load(&mut global, &mut rest)?,
            global,
        }),
        _ => Command::Validate(WithGlobals {
            args: validate(&mut global, &mut rest)?,
            global,
        }),
    };
    Some(Cli {
        global: root,
        command,
    })
}

/// `export`'s own flags and the global ones, in any order, each at most once.
fn export<'a>(
    globals: &mut GlobalArgs,
    rest: &mut impl Iterator<Item = &'a str>,
) -> Option<ExportArgs> {
    let (mut type_, mut format, mut partial) = (None, None, false);
    let [type_flag, format_flag, partial_flag] = EXPORT_FLAGS;
    while let Some(arg) = rest.next() {
        let (name, inline) = split(arg);
        if name == type_flag && type_.is_none() {
            type_ = Some(TypeArg::from_str(value(inline, rest)?, false).ok()?);
        } else if name == format_flag && format.is_none() {
            format = Some(ExportFormat::from_str(value(inline, rest)?, false).ok()?);
        } else if name == partial_flag && !partial && inline.is_none() {
            partial = true;
        } else {
            global(globals, arg, rest)?;
        }
    }
    Some(ExportArgs {
        type_: type_.unwrap_or_default(),
        format: format.unwrap_or_default(),
        partial,
        renames: Vec::new(),
        with_settings: false,
    })
}

/// `run`'s `--type` and the global flags, each at most once, then `--` and
/// the command: everything after `--` is the command's, whatever it looks like.
fn run<'a>(globals: &mut GlobalArgs, rest: &mut impl Iterator<Item = &'a str>) -> Option<RunArgs> {
    let mut type_ = None;
    let [type_flag] = RUN_FLAGS;
    loop {
        let arg = rest.next()?;
        if arg == "--" {
            break;
        }
        let (name, inline) = split(arg);
        if name == type_flag && type_.is_none() {
            type_ = Some(TypeArg::from_str(value(inline, rest)?, false).ok()?);
        } else {
            global(globals, arg, rest)?;
        }
    }
    let command: Vec<OsString> = rest.map(OsString::from).collect();
    // No command: clap reports it.
    (!command.is_empty()).then(|| RunArgs {
        type_: type_.unwrap_or_default(),
        renames: Vec::new(),
        with_settings: false,
        keep_env: Vec::new(),
        command,
    })
}

/// `load`'s `--type` and the global flags, in any order, each at most once.
fn load<'a>(
    globals: &mut GlobalArgs,
    rest: &mut impl Iterator<Item = &'a str>,
) -> Option<LoadArgs> {
    let mut type_ = None;
    let [type_flag] = LOAD_FLAGS;
    while let Some(arg) = rest.next() {
        let (name, inline) = split(arg);
        if name == type_flag && type_.is_none() {
            type_ = Some(TypeArg::from_str(value(inline, rest)?, false).ok()?);
        } else {
            global(globals, arg, rest)?;
        }
    }
    Some(LoadArgs {
        type_: type_.unwrap_or_default(),
    })
}

/// `validate`'s names and the global flags, in any order. A name that is
/// empty or starts with `-` is left to clap, and so is a line without one.
fn validate<'a>(
    globals: &mut GlobalArgs,
    rest: &mut impl Iterator<Item = &'a str>,
) -> Option<ValidateArgs> {
    let mut names = Vec::new();
    while let Some(arg) = rest.next() {
        if arg.starts_with('-') {
            global(globals, arg, rest)?;
        } else if arg.is_empty() {
            return None;
        } else {
            names.push(arg.to_owned());
        }
    }
    (!names.is_empty()).then_some(ValidateArgs { names })
}

/// Reads a global flag not given before on this side of the subcommand;
/// `None` for anything else.
fn global<'a>(
    into: &mut GlobalArgs,
    arg: &'a str,
    rest: &mut impl Iterator<Item = &'a str>,
) -> Option<()> {
    let [root_flag, spec_flag, env_flag] = GLOBAL_FLAGS;
    let (name, inline) = split(arg);
    if name == root_flag && into.root.is_none() {
        into.root = Some(value(inline, rest)?.into());
    } else if name == spec_flag && into.spec.is_none() {
        into.spec = Some(value(inline, rest)?.into());
    } else if name == env_flag && into.env.is_none() {
        into.env = Some(value(inline, rest)?.into());
    } else {
        return None;
    }
    Some(())
}

/// `--name=value` into its name and value; other arguments whole.
fn split(arg: &str) -> (&str, Option<&str>) {
    match arg.split_once('=') {
        Some((name, value)) if name.starts_with("--") => (name, Some(value)),
        _ => (arg, None),
    }
}

/// A flag's value: after `=`, else the next argument. `None` when it is
/// empty or the next argument starts with `-` (clap decides those).
fn value<'a>(inline: Option<&'a str>, rest: &mut impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let v = match inline {
        Some(v) => v,
        None => rest.next().filter(|next| !next.starts_with('-'))?,
    };
    (!v.is_empty()).then_some(v)
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};
    use proptest::prelude::*;

    use super::*;

    fn argv(args: &[&str]) -> Vec<OsString> {
        std::iter::once("tokenspec")
            .chain(args.iter().copied())
            .map(OsString::from)
            .collect()
    }

    /// What clap makes of `args`, as text (`Cli` is `Debug`, not `PartialEq`).
    fn clap(args: &[OsString]) -> Result<String, String> {
        Cli::try_parse_from(args)
            .map(|cli| format!("{cli:?}"))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn the_command_lines_pipelines_use_take_the_shortcut_and_match_clap() {
        for args in [
            &["export"][..],
            &["export", "--type=cicd"],
            &["export", "--type", "runtime", "--format", "json"],
            &["export", "--type=cicd", "--format=github", "--partial"],
            &["--env", "prod", "export", "--type=cicd"],
            &["--root=/srv/app", "export", "--env=ci", "--type=all"],
            &["--env", "dev", "export", "--env", "prod"],
            &["export", "--spec", "other.toml", "--format=dotenv"],
            &["run", "--", "./deploy.sh", "--prod"],
            &["run", "--type=cicd", "--", "./deploy.sh"],
            &[
                "--env",
                "prod",
                "run",
                "--type",
                "runtime",
                "--root=/srv",
                "--",
                "cargo",
                "run",
            ],
            &[
                "run",
                "--env=ci",
                "--",
                "sh",
                "-c",
                "echo $X",
                "--type=all",
                "--",
            ],
            &["run", "--", "--help"],
            &["run", "--", ""],
            &["load"],
            &["load", "--type=cicd"],
            &["--env", "dev", "load", "--type", "runtime", "--root=/srv"],
            &["validate", "AAR_TOKEN"],
            &["validate", "AAR_TOKEN", "CI_BOT_TOKEN", "--env=prod"],
            &["--root", "/srv", "validate", "--spec", "s.toml", "BOT_JWT"],
            &["validate", "export", "x=y"],
        ] {
            let args = argv(args);
            let fast = parse(&args).unwrap_or_else(|| panic!("{args:?} takes the shortcut"));
            assert_eq!(Ok(format!("{fast:?}")), clap(&args), "{args:?}");
        }
    }

    #[test]
    fn everything_else_is_left_to_clap() {
        for args in [
            &[][..],
            &["export", "--help"],
            &["export", "-h"],
            &["--version", "export"],
            &["export", "--type"],
            &["export", "--type="],
            &["export", "--type=CICD"],
            &["export", "--type=cicd", "--type=all"],
            &["export", "--partial=true"],
            &["export", "--format", "--partial"],
            &["export", "--root", "-x"],
            &["export", "--env=a", "--env=b"],
            &["export", "extra"],
            &["export", "--", "x"],
            &["load", "--type=cicd", "--type=all"],
            &["load", "--format=json"],
            &["load", "--partial"],
            &["load", "X"],
            &["load", "--help"],
            &["validate"],
            &["validate", "--env=prod"],
            &["validate", "--", "X"],
            &["validate", "-X"],
            &["validate", ""],
            &["validate", "X", "--type=cicd"],
            &["validate", "X", "--help"],
            &["help", "export"],
            &["exp"],
            &["run"],
            &["run", "--"],
            &["run", "./deploy.sh"],
            &["run", "--type=cicd", "deploy"],
            &["run", "--type=cicd", "--type=all", "--", "x"],
            &["run", "--format=json", "--", "x"],
            &["run", "--partial", "--", "x"],
            &["run", "-h", "--", "x"],
            &["export", "--as", "K=A"],
            &["export", "--with-settings"],
            &["run", "--as", "K=A", "--", "x"],
            &["run", "--with-settings", "--", "x"],
            &["run", "--keep-env", "BAO_TOKEN", "--", "x"],
        ] {
            assert!(parse(&argv(args)).is_none(), "{args:?}");
        }
    }

    /// The flag names here are the ones clap defines, so renaming a flag in
    /// the derive cannot leave the shortcut reading an old name.
    #[test]
    fn flag_names_are_clap_s() {
        let mut cmd = Cli::command();
        cmd.build();
        let longs = |c: &clap::Command| -> Vec<String> {
            c.get_arguments()
                .filter_map(|a| a.get_long())
                .filter(|l| !matches!(*l, "help" | "version"))
                .map(|l| format!("--{l}"))
                .collect()
        };
        // Flags the shortcut leaves to clap.
        let clap_only = ["--as", "--with-settings"];
        let run_clap_only = ["--as", "--with-settings", "--keep-env"];
        for (name, own, shared) in [
            ("export", &EXPORT_FLAGS[..], &clap_only[..]),
            ("run", &RUN_FLAGS, &run_clap_only[..]),
            ("load", &LOAD_FLAGS, &[]),
            ("validate", &[], &[]),
        ] {
            let sub = cmd.find_subcommand(name).expect("the subcommand exists");
            let mut want: Vec<String> = own
                .iter()
                .chain(&GLOBAL_FLAGS)
                .chain(shared)
                .map(|s| s.to_string())
                .collect();
            let mut got = longs(sub);
            want.sort();
            got.sort();
            assert_eq!(got, want, "{name}");
        }
        let mut root = longs(&cmd);
        root.sort();
        let mut globals: Vec<String> = GLOBAL_FLAGS.iter().map(|s| s.to_string()).collect();
        globals.sort();
        assert_eq!(root, globals);
    }

    /// Mostly a flag with its value as the shortcut reads them, sometimes a
    /// word it must leave to clap, so both sides of it are exercised.
    fn flag() -> impl Strategy<Value = Vec<&'static str>> {
        let usual = prop::sample::select(vec![
            &["--type=cicd"][..],
            &["--type=runtime"],
            &["--type", "all"],
            &["--type", "cicd"],
            &["--format=json"],
            &["--format=github"],
            &["--format", "fish"],
            &["--format", "sh"],
            &["--partial"],
            &["--root=/r"],
            &["--root", "/r"],
            &["--spec=s.toml"],
            &["--spec", "s.toml"],
            &["--env=prod"],
            &["--env", "dev"],
            &["--env", "export"],
            &["AAR_TOKEN"],
        ]);
        let odd = prop::sample::select(vec![
            &["load"][..],
            &["export"],
            &["Cicd"],
            &["--type"],
            &["--type="],
            &["--partial="],
            &["--env="],
            &["-"],
            &["--"],
            &["-h"],
            &["--help"],
            &["-V"],
            &["x=y"],
            &["--x=1"],
            &["="],
            &[""],
            &["-e", "x"],
            &["--typ=cicd"],
            &["--env=a=b"],
            &["--root", "-r"],
        ]);
        prop_oneof![6 => usual, 1 => odd].prop_map(<[&str]>::to_vec)
    }

    /// What may follow `run`'s `--`: words of a command, flags of ours
    /// included (they belong to the command there).
    fn command_words() -> impl Strategy<Value = Vec<&'static str>> {
        prop::collection::vec(
            prop::sample::select(vec![
                "./deploy.sh",
                "sh",
                "-c",
                "--prod",
                "--type=cicd",
                "--",
                "export",
                "",
                "-",
            ]),
            0..4,
        )
    }

    /// What `validate` reads after its name: mostly token names and global
    /// flags, sometimes a word it must leave to clap.
    fn validate_word() -> impl Strategy<Value = Vec<&'static str>> {
        let usual = prop::sample::select(vec![
            &["AAR_TOKEN"][..],
            &["BOT_JWT"],
            &["x=y"],
            &["export"],
            &["--env=prod"],
            &["--root", "/r"],
            &["--spec=s.toml"],
        ])
        .prop_map(<[&str]>::to_vec);
        prop_oneof![8 => usual, 1 => flag()]
    }

    /// Global flags, a subcommand (mostly one the shortcut reads), then
    /// flags and words, and usually for `run` a `--` and a command.
    fn command_line() -> impl Strategy<Value = Vec<&'static str>> {
        let sub = prop::sample::select(vec!["export", "run", "load", "validate", "info"]);
        (prop::collection::vec(flag(), 0..3), sub)
            .prop_flat_map(|(before, sub)| {
                let after = if sub == "validate" {
                    prop::collection::vec(validate_word(), 0..5).boxed()
                } else {
                    prop::collection::vec(flag(), 0..5).boxed()
                };
                let dashes = if sub == "run" { 0.8 } else { 0.1 };
                (
                    Just(before),
                    Just(sub),
                    after,
                    prop::option::weighted(dashes, command_words()),
                )
            })
            .prop_map(|(before, sub, after, command)| {
                let mut words: Vec<&str> = before.concat();
                words.push(sub);
                words.extend(after.concat());
                if let Some(command) = command {
                    words.push("--");
                    words.extend(command);
                }
                words
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever the shortcut accepts, clap accepts too, with the same result.
        #[test]
        fn the_shortcut_agrees_with_clap(words in command_line()) {
            let args = argv(&words);
            if let Some(fast) = parse(&args) {
                prop_assert_eq!(Ok(format!("{fast:?}")), clap(&args), "{:?}", words);
            }
        }
    }
}
