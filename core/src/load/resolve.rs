//! The precedence rules: each token's layers walked from the highest down.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::def::{is_env_name, Class, TokenDef};
use crate::dotenv;
use crate::format::{looks_like_secret, ValueKind as Kind};
use crate::secret::Secret;

use super::options::{LoadOptions, SettingsRequest};
use super::report::*;

/// A value found in one layer.
struct Candidate {
    value: String,
    source: Source,
}

/// One token file, read and indexed.
struct Layer<'a> {
    file: &'a str,
    doc: &'a dotenv::Document,
    index: dotenv::KeyIndex<'a>,
}

/// Resolves every token in `defs` by the precedence rules. Never fails:
/// problems and warnings are collected in the [`Resolution`].
pub fn resolve<'d>(defs: &'d [TokenDef], opts: &LoadOptions) -> Resolution<'d> {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let mut files = Vec::new();
    let settings_classes: &[Class] = opts.settings.as_ref().map_or(&[], |s| &s.classes);
    // Every file read, lowest precedence first, and beside it its parse
    // problems, reported only when a token or setting reads that file.
    let mut read = Vec::new();
    let mut parse_problems = Vec::new();
    for class in Class::ALL {
        if !defs.iter().any(|d| d.class == class) && !settings_classes.contains(&class) {
            continue;
        }
        let ci_file = class.env_file("ci");
        for file in opts.files(class) {
            let mut file_problems = Vec::new();
            let (status, doc) = read_layer(&opts.root, class, &file, &mut file_problems);
            // The committed CI files are checked out 0644 by git, and hold test values only.
            if let Some(mode) = status.mode.filter(|m| m & 0o077 != 0 && file != ci_file) {
                warnings.push(Warning::Permissions {
                    file: file.clone(),
                    mode,
                });
            }
            files.push(status);
            let (io, parse): (Vec<_>, Vec<_>) = file_problems
                .into_iter()
                .partition(|p| !matches!(p, Problem::Parse { .. }));
            problems.extend(io);
            parse_problems.push(parse);
            read.push((class, file, doc));
        }
    }
    // Per class, the parsed layers, lowest precedence first.
    let mut layers: HashMap<Class, Vec<Layer<'_>>> = HashMap::new();
    for (class, file, doc) in &read {
        if let Some(doc) = doc {
            layers.entry(*class).or_default().push(Layer {
                file,
                doc,
                index: dotenv::KeyIndex::new(doc),
            });
        }
    }
    let mut used: HashSet<&str> = HashSet::new();

    let env_name = opts.env.as_deref();
    let in_ci = env_name == Some("ci");
    let mut tokens = Vec::with_capacity(defs.len());
    for def in defs {
        let class_layers = layers.get(&def.class).map_or(&[][..], Vec::as_slice);
        // Not `env_file("ci")`: formatting it cost an allocation per token.
        let ci_file = def.class.ci_file();
        let kind = |c: &Candidate| {
            let from_ci_file = matches!(&c.source, Source::File { file, .. } if *file == ci_file);
            Kind::of(&c.value, &def.ci_value, in_ci, from_ci_file)
        };
        tokens.push(resolve_one(
            def,
            opts,
            class_layers,
            &kind,
            &mut used,
            &mut problems,
            &mut warnings,
        ));
    }

    let settings = match &opts.settings {
        Some(request) => {
            for class in &request.classes {
                for l in layers.get(class).into_iter().flatten() {
                    used.insert(l.file);
                }
            }
            collect_settings(request, opts, &layers, &mut problems)
        }
        None => Vec::new(),
    };
    // Parse problems of the files that were read for something, in file order.
    for ((_, file, _), parse) in read.iter().zip(parse_problems) {
        if used.contains(file.as_str()) {
            problems.extend(parse);
        }
    }

    Resolution {
        tokens,
        settings,
        files,
        problems,
        warnings,
        env: opts.env.clone(),
    }
}

/// Walks one token's layers from the highest down and stops at the first
/// real value: what lies below it is shadowed and cannot block. A
/// placeholder does not stop the walk, even one that counts in `ci`, since
/// it never shadows a real value further down.
fn resolve_one<'d, 'l>(
    def: &'d TokenDef,
    opts: &LoadOptions,
    layers: &'l [Layer<'l>],
    kind: &dyn Fn(&Candidate) -> Kind,
    used: &mut HashSet<&'l str>,
    problems: &mut Vec<Problem>,
    warnings: &mut Vec<Warning>,
) -> Resolved<'d> {
    let env_name = opts.env.as_deref();
    let required = def.required.applies(env_name);
    let mut candidates: Vec<(Candidate, Kind)> = Vec::new();
    let won = |c: &[(Candidate, Kind)]| c.last().is_some_and(|(_, k)| *k == Kind::Real);
    let vars = std::iter::once(def.name.as_ref()).chain(def.aliases.iter().map(|a| a.as_ref()));
    for var in vars {
        match opts.var(var) {
            Ok(Some(v)) if !v.is_empty() => {
                let c = Candidate {
                    value: v,
                    source: Source::Environment {
                        var: var.to_owned(),
                    },
                };
                let k = kind(&c);
                candidates.push((c, k));
                if won(&candidates) {
                    break;
                }
            }
            Ok(_) => {}
            Err(()) => problems.push(Problem::NotUnicode {
                name: var.to_owned(),
            }),
        }
    }
    if let (false, Some(store)) = (won(&candidates), opts.store_layer(def.class)) {
        let name = def.name.as_ref();
        match store.values.get(name).map(Secret::expose_secret) {
            Some(v) if v.contains('\0') => {
                // No environment variable can hold it; never used, and not
                // shadowed by a file either.
                let source = Source::Store {
                    secret: store.label.clone(),
                };
                problems.push(Problem::Invalid {
                    name: name.to_owned(),
                    format: "a value without NUL bytes".to_owned(),
                    source: source.clone(),
                });
                return Resolved {
                    def,
                    value: None,
                    source: Some(source),
                    state: State::Unsafe,
                    required,
                };
            }
            Some(v) if !v.is_empty() => {
                let c = Candidate {
                    value: v.to_owned(),
                    source: Source::Store {
                        secret: store.label.clone(),
                    },
                };
                let k = kind(&c);
                candidates.push((c, k));
            }
            _ => {}
        }
    }
    for layer in layers.iter().rev() {
        if won(&candidates) {
            break;
        }
        used.insert(layer.file);
        let name = def.name.as_ref();
        let Some(e) = layer.index.first(name) else {
            continue;
        };
        // The first entry wins within a file, as with dotenvy.
        for line in layer.index.repeats(name).iter().map(|e| e.line) {
            problems.push(Problem::Duplicate {
                name: name.to_owned(),
                file: layer.file.to_owned(),
                first_line: e.line,
                line,
            });
        }
        if let Some(problem) = unusable(name, layer.file, e) {
            problems.push(problem);
            return Resolved {
                def,
                value: None,
                source: Some(Source::File {
                    file: layer.file.to_owned(),
                    line: e.line,
                }),
                state: State::Unsafe,
                required,
            };
        }
        if !e.value.is_empty() {
            let c = Candidate {
                value: e.value.clone(),
                source: Source::File {
                    file: layer.file.to_owned(),
                    line: e.line,
                },
            };
            let k = kind(&c);
            candidates.push((c, k));
        }
    }
    // The real value, else the highest placeholder that counts, else the
    // highest placeholder (to report it).
    let chosen = if won(&candidates) {
        candidates.pop()
    } else {
        let counted = candidates
            .iter()
            .position(|(_, k)| *k == Kind::CountedPlaceholder);
        match counted {
            Some(i) => Some(candidates.swap_remove(i)),
            None if candidates.is_empty() => None,
            None => Some(candidates.swap_remove(0)),
        }
    };
    let Some((c, k)) = chosen else {
        if required {
            problems.push(Problem::missing_in(
                def,
                env_name,
                opts.looked_in(def.class),
            ));
        }
        return Resolved {
            def,
            value: None,
            source: None,
            state: State::Missing,
            required,
        };
    };
    let name = def.name.to_string();
    let (state, value) = match k {
        Kind::CountedPlaceholder => (State::Set, Some(Secret::new(c.value))),
        Kind::Real if def.format.matches(&c.value) => (State::Set, Some(Secret::new(c.value))),
        Kind::Real => {
            problems.push(Problem::Invalid {
                name,
                format: def.format.to_string(),
                source: c.source.clone(),
            });
            (State::Invalid, None)
        }
        Kind::Placeholder | Kind::Unfilled => {
            if required {
                problems.push(if k == Kind::Unfilled {
                    Problem::Unfilled {
                        name,
                        source: c.source.clone(),
                    }
                } else {
                    Problem::Placeholder {
                        name,
                        env: opts.env.clone(),
                        source: c.source.clone(),
                    }
                });
            }
            (State::Placeholder, None)
        }
    };
    if state == State::Set {
        if let Some(d) = &def.deprecated {
            warnings.push(Warning::Deprecated {
                name: def.name.to_string(),
                replacement: d.replacement.as_ref().map(|r| r.to_string()),
            });
        }
    }
    Resolved {
        def,
        value,
        source: Some(c.source),
        state,
        required,
    }
}

/// Why a file entry's value cannot be used as it is: a `$` dotenv would
/// change, or a NUL byte no environment variable can hold.
fn unusable(name: &str, file: &str, e: &dotenv::Entry) -> Option<Problem> {
    let (name, file, line) = (name.to_owned(), file.to_owned(), e.line);
    if e.value.contains('\0') {
        Some(Problem::Nul { name, file, line })
    } else if e.hazard.is_some() {
        Some(Problem::Unsafe { name, file, line })
    } else {
        None
    }
}

/// The non-token entries of the requested classes' files (see [`Resolution::settings`]).
fn collect_settings(
    request: &SettingsRequest,
    opts: &LoadOptions,
    layers: &HashMap<Class, Vec<Layer<'_>>>,
    problems: &mut Vec<Problem>,
) -> Vec<Setting> {
    let mut settings = Vec::new();
    let mut done: HashSet<&str> = HashSet::new();
    for class in &request.classes {
        let Some(class_layers) = layers.get(class) else {
            continue;
        };
        // Keys in order of first appearance, highest precedence file first.
        let mut order: Vec<&str> = Vec::new();
        for layer in class_layers.iter().rev() {
            for e in &layer.doc.entries {
                let key = e.key.as_str();
                if request.tokens.contains(key) || done.contains(key) {
                    continue;
                }
                done.insert(key);
                order.push(key);
            }
        }
        for key in order {
            // The highest layer with a non-empty value, else the highest one holding the key.
            let mut holding = class_layers
                .iter()
                .rev()
                .filter_map(|l| Some((l, l.index.first(key)?)));
            let first = holding.clone().next().expect("the key is in some layer");
            let (layer, e) = holding.find(|(_, e)| !e.value.is_empty()).unwrap_or(first);
            if !is_env_name(key) || looks_like_secret(key).is_some() {
                problems.push(Problem::UnusableKey {
                    file: layer.file.to_owned(),
                    line: e.line,
                });
                continue;
            }
            match opts.var(key) {
                Ok(Some(v)) if !v.is_empty() => {
                    settings.push(Setting {
                        name: key.to_owned(),
                        value: Secret::new(v),
                        source: Source::Environment {
                            var: key.to_owned(),
                        },
                    });
                    continue;
                }
                Ok(_) => {}
                Err(()) => {
                    problems.push(Problem::NotUnicode {
                        name: key.to_owned(),
                    });
                    continue;
                }
            }
            for line in layer.index.repeats(key).iter().map(|e| e.line) {
                problems.push(Problem::Duplicate {
                    name: key.to_owned(),
                    file: layer.file.to_owned(),
                    first_line: e.line,
                    line,
                });
            }
            if let Some(p) = unusable(key, layer.file, e) {
                problems.push(p);
                continue;
            }
            settings.push(Setting {
                name: key.to_owned(),
                value: Secret::new(e.value.clone()),
                source: Source::File {
                    file: layer.file.to_owned(),
                    line: e.line,
                },
            });
        }
    }
    settings
}

fn read_layer(
    root: &Path,
    class: Class,
    file: &str,
    problems: &mut Vec<Problem>,
) -> (FileStatus, Option<dotenv::Document>) {
    let path = root.join(file);
    let mut status = FileStatus {
        class,
        file: file.to_owned(),
        exists: false,
        mode: None,
    };
    let bytes = match crate::file::read_regular(&path) {
        Ok(Some(b)) => b,
        Ok(None) => return (status, None),
        Err(e) => {
            problems.push(Problem::Io {
                file: file.to_owned(),
                message: e.to_string(),
            });
            return (status, None);
        }
    };
    status.exists = true;
    status.mode = file_mode(&path);
    let Ok(text) = crate::file::text(bytes) else {
        problems.push(Problem::Io {
            file: file.to_owned(),
            message: "not valid UTF-8".to_owned(),
        });
        return (status, None);
    };
    let doc = dotenv::parse(&text);
    for e in &doc.errors {
        problems.push(Problem::Parse {
            file: file.to_owned(),
            line: e.line,
            message: e.message.clone(),
        });
    }
    (status, Some(doc))
}

/// The permission bits of a file (Unix), used for the group/other-readable warning.
pub fn file_mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;
    use crate::def::Required;
    use crate::format::Format;
    use crate::load::StoreLayer;

    fn def(name: &'static str) -> TokenDef {
        TokenDef {
            name: Cow::Borrowed(name),
            class: Class::Cicd,
            description: Cow::Borrowed(""),
            required: Required::Always,
            format: Format::Any,
            ci_value: Cow::Borrowed("ci_test_value"),
            deprecated: None,
            aliases: Cow::Borrowed(&[]),
        }
    }

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    fn opts(dir: &tempfile::TempDir, env: Option<&str>, vars: &[(&str, &str)]) -> LoadOptions {
        LoadOptions::new(dir.path(), env).with_vars(vars.iter().copied())
    }

    #[test]
    fn a_hazard_nul_or_duplicate_in_a_shadowed_layer_does_not_block() {
        let dir = project(&[(".tokens", "A=pa$word\nB=x\nB=y\nC=a\0b\n")]);
        let defs = [def("A"), def("B"), def("C")];
        let env = [("A", "from-env"), ("B", "from-env"), ("C", "from-env")];
        let res = resolve(&defs, &opts(&dir, None, &env));
        assert_eq!(res.problems, []);
        assert_eq!(res.value("A").unwrap().expose_secret(), "from-env");
        // Where the file's value would be used, each one blocks.
        let res = resolve(&defs, &opts(&dir, None, &[]));
        let kinds: Vec<_> = res
            .problems
            .iter()
            .map(|p| p.to_string().lines().next().unwrap().to_owned())
            .collect();
        assert_eq!(
            kinds,
            [
                ".tokens:1: the value of A contains `$`, which dotenv substitution would change",
                ".tokens:3: B is set twice in one file (first at line 2)",
                ".tokens:4: the value of C contains a NUL byte, which no environment variable can hold",
            ]
        );
    }

    #[test]
    fn a_parse_error_blocks_only_when_the_file_is_read() {
        let dir = project(&[(".tokens", "A=x\nB='unterminated\n")]);
        let defs = [def("A")];
        assert_eq!(
            resolve(&defs, &opts(&dir, None, &[("A", "env")])).problems,
            []
        );
        assert_eq!(resolve(&defs, &opts(&dir, None, &[])).problems.len(), 1);
    }

    #[test]
    fn change_me_never_counts_and_ci_counts_only_committed_placeholders() {
        let dir = project(&[
            (
                ".tokens",
                "A=CHANGE_ME_A\nB=ci_test_other\nC=ci_test_value\n",
            ),
            (".tokens.ci", "D=ci_test_d\nE=CHANGE_ME_E\n"),
        ]);
        let defs = [def("A"), def("B"), def("C"), def("D"), def("E")];
        let res = resolve(&defs, &opts(&dir, Some("ci"), &[]));
        let states: Vec<_> = res.tokens.iter().map(|t| t.state).collect();
        use State::*;
        // C is its own ci_value; D a placeholder of the committed CI file.
        assert_eq!(states, [Placeholder, Placeholder, Set, Set, Placeholder]);
        assert!(matches!(&res.problems[0], Problem::Unfilled { name, .. } if name == "A"));
        assert!(res.problems[1].to_string().starts_with(
            "B from .tokens:2 is a placeholder; in the ci environment only the committed CI files"
        ));
        assert_eq!(res.problems.len(), 3);
        // The process environment cannot slip a CHANGE_ME_ past either.
        let a = [def("A")];
        let res = resolve(&a, &opts(&dir, Some("ci"), &[("A", "change_me_x")]));
        assert_eq!(res.tokens[0].state, Placeholder);
    }

    #[test]
    fn aliases_are_read_after_the_own_name_and_named_as_the_source() {
        let dir = project(&[]);
        let mut d = def("DEPLOY_KEY");
        d.aliases = Cow::Owned(vec![Cow::Borrowed("OLD_KEY"), Cow::Borrowed("OTHER_KEY")]);
        let defs = [d];
        let res = resolve(
            &defs,
            &opts(&dir, None, &[("OTHER_KEY", "o"), ("OLD_KEY", "")]),
        );
        assert_eq!(res.value("DEPLOY_KEY").unwrap().expose_secret(), "o");
        assert_eq!(
            res.tokens[0].source.as_ref().unwrap().to_string(),
            "$OTHER_KEY"
        );
        let res = resolve(
            &defs,
            &opts(&dir, None, &[("OLD_KEY", "1"), ("DEPLOY_KEY", "2")]),
        );
        assert_eq!(res.value("DEPLOY_KEY").unwrap().expose_secret(), "2");
        let res = resolve(&defs, &opts(&dir, Some("dev"), &[]));
        assert_eq!(
            res.problems[0].to_string(),
            "DEPLOY_KEY is missing (environment: dev); looked in the process environment (DEPLOY_KEY, OLD_KEY, OTHER_KEY), .tokens.dev, .tokens"
        );
    }

    #[test]
    fn missing_lists_every_place_without_a_dangling_separator() {
        let dir = project(&[]);
        let defs = [def("A")];
        let res = resolve(&defs, &opts(&dir, None, &[]));
        assert_eq!(
            res.missing(&["A"]).problems()[0].to_string(),
            "A is missing (environment: none); looked in the process environment, .tokens"
        );
        let bare = Problem::Missing {
            name: "X".into(),
            env: None,
            looked_in: vec![],
        };
        assert_eq!(bare.to_string(), "X is missing (environment: none)");
    }

    #[test]
    fn settings_layer_like_tokens_and_skip_every_token_name() {
        let dir = project(&[
            (
                ".env",
                "APP_ENV=development\nDATABASE_URL=base\nJWT_ALGORITHM=HS256\nEMPTY=\n",
            ),
            (
                ".env.ci",
                "DATABASE_URL=ci-db\nCI_BOT_TOKEN=ci_test_x\nAPP_SECRET=y\nEMPTY=\nLATE=1\n",
            ),
        ]);
        let mut d = def("APP_SECRET");
        d.class = Class::Runtime;
        let defs = [d];
        let o = opts(&dir, Some("ci"), &[("JWT_ALGORITHM", "RS256")])
            .with_settings(&[Class::Runtime], ["APP_SECRET", "CI_BOT_TOKEN"]);
        let res = resolve(&defs, &o);
        assert_eq!(res.problems, []);
        let got: Vec<(String, String, String)> = res
            .settings
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.value.expose_secret().to_owned(),
                    s.source.to_string(),
                )
            })
            .collect();
        let want = [
            ("DATABASE_URL", "ci-db", ".env.ci:1"),
            ("EMPTY", "", ".env.ci:4"),
            ("LATE", "1", ".env.ci:5"),
            ("APP_ENV", "development", ".env:1"),
            ("JWT_ALGORITHM", "RS256", "$JWT_ALGORITHM"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn settings_refuse_hazards_and_secret_looking_names_by_line_only() {
        let dir = project(&[(".env", "P=pa$word\nLEAKZZQ15dGhpcyBpcyBhIHNlY3JldA==\n")]);
        let o = opts(&dir, None, &[]).with_settings(&[Class::Runtime], Vec::<String>::new());
        let res = resolve(&[], &o);
        let text: Vec<String> = res.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            text[0].starts_with(".env:1: the value of P contains `$`"),
            "{text:?}"
        );
        assert!(text[1].starts_with(".env:2: this entry's name"), "{text:?}");
        assert!(!text.join("").contains("LEAKZZ"));
        assert!(res.settings.is_empty());
    }

    #[test]
    fn committed_ci_files_get_no_permission_warning() {
        let dir = project(&[(".tokens.ci", "A=ci_test_value\n"), (".tokens", "")]);
        #[cfg(unix)]
        for f in [".tokens.ci", ".tokens"] {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir.path().join(f), std::fs::Permissions::from_mode(0o644))
                .unwrap();
        }
        let a = [def("A")];
        let res = resolve(&a, &opts(&dir, Some("ci"), &[]));
        #[cfg(unix)]
        assert_eq!(
            res.warnings,
            [Warning::Permissions {
                file: ".tokens".into(),
                mode: 0o644
            }]
        );
        assert_eq!(res.problems, []);
    }

    #[test]
    fn first_entry_wins_and_every_later_one_is_a_duplicate_in_spec_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(".tokens"),
            "B=b1\nA=a1\nB=b2\nOTHER=x\nA=a2\nB=b3\n",
        )
        .unwrap();
        let defs = [def("A"), def("B")];
        let opts = LoadOptions::new(dir.path(), None).with_vars([("UNUSED", "")]);
        let res = resolve(&defs, &opts);
        assert_eq!(res.value("A").unwrap().expose_secret(), "a1");
        assert_eq!(res.value("B").unwrap().expose_secret(), "b1");
        let dup = |name: &str, first_line, line| Problem::Duplicate {
            name: name.into(),
            file: ".tokens".into(),
            first_line,
            line,
        };
        assert_eq!(
            res.problems,
            [dup("A", 2, 5), dup("B", 1, 3), dup("B", 1, 6)]
        );
    }

    fn store(files: bool, pairs: &[(&str, &str)]) -> StoreLayer {
        StoreLayer {
            class: Class::Cicd,
            label: "openbao secret/p/cicd/prod".into(),
            values: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Secret::new(*v)))
                .collect(),
            files,
        }
    }

    #[test]
    fn the_store_ranks_between_the_process_environment_and_the_files() {
        let dir = project(&[(".tokens.prod", "A=file\nB=file\nC=file\n")]);
        let defs = [def("A"), def("B"), def("C"), def("D")];
        let o = opts(&dir, Some("prod"), &[("A", "env")])
            .with_store_layer(store(true, &[("A", "bao"), ("B", "bao"), ("C", "")]));
        let res = resolve(&defs, &o);
        let got: Vec<_> = res
            .tokens
            .iter()
            .map(|t| {
                (
                    t.value.as_ref().map(|v| v.expose_secret().to_owned()),
                    t.source.as_ref().map(ToString::to_string),
                )
            })
            .collect();
        let some = |v: &str, s: &str| (Some(v.to_owned()), Some(s.to_owned()));
        assert_eq!(
            got[..3],
            [
                some("env", "$A"),
                some("bao", "openbao secret/p/cicd/prod"),
                some("file", ".tokens.prod:3"),
            ]
        );
        assert_eq!(
            res.problems[0].to_string(),
            "D is missing (environment: prod); looked in the process environment, openbao secret/p/cicd/prod, .tokens.prod, .tokens"
        );
        assert!(
            !format!("{o:?}").contains("bao\""),
            "Debug shows names only"
        );
    }

    #[test]
    fn a_store_with_files_off_reads_no_file() {
        let dir = project(&[(".tokens.prod", "B=file\nbroken='\n"), (".tokens", "B=x\n")]);
        let defs = [def("A"), def("B")];
        let o = opts(&dir, Some("prod"), &[]).with_store_layer(store(false, &[("A", "bao")]));
        let res = resolve(&defs, &o);
        assert_eq!(res.value("A").unwrap().expose_secret(), "bao");
        assert!(res.files.is_empty(), "{:?}", res.files);
        assert_eq!(
            res.problems.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["B is missing (environment: prod); looked in the process environment, openbao secret/p/cicd/prod"]
        );
    }

    #[test]
    fn a_store_value_fails_its_format_and_a_nul_is_never_used() {
        let dir = project(&[(".tokens.prod", "B=file\n")]);
        let mut strict = def("A");
        strict.format = Format::Uuid;
        let defs = [strict, def("B")];
        let o = opts(&dir, Some("prod"), &[])
            .with_store_layer(store(true, &[("A", "bad"), ("B", "a\0b")]));
        let res = resolve(&defs, &o);
        let msgs: Vec<_> = res.problems.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("A from openbao secret/p/cicd/prod does not match"));
        assert!(msgs[1].starts_with("B from openbao secret/p/cicd/prod"));
        assert!(res.value("B").is_none());
    }
}
