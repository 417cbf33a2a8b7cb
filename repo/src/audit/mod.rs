//! The policy audit behind `tokenspec check`.
//!
//! [`audit`] reads the token files at the root, asks git how it treats them
//! and compares the generated files with what `tokenspec gen` would write.
//! Every rule is a small module that appends [`Finding`]s; nothing stops at
//! the first problem. The runner never prints: the command line renders the
//! findings as text or JSON.
//!
//! Architecture invariant: a finding names a token, a file and a line, never
//! a value. Rules receive values only to classify them.

mod conflict;
mod drift;
pub(crate) mod files;
pub mod fix;
mod git;
mod ignore;
mod keys;
mod permissions;
pub mod rotation;
mod values;
mod workflows;

use std::fmt;
use std::path::{Path, PathBuf};

use tokenspec_spec::Spec;

pub use files::{FileKind, TokenFile};
pub use fix::Fixed;

/// How bad a finding is: errors fail the check, warnings only with `--strict`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The rules, each with a stable id (part of the JSON output).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    Parse,
    Separation,
    IgnoreRules,
    TrackedSecret,
    CommittedSecret,
    Permissions,
    UnknownKey,
    DuplicateKey,
    DollarHazard,
    Format,
    Placeholder,
    Deprecated,
    Drift,
    Conflict,
    TempFile,
    /// A stored token older than its `rotation_days` (found by the CLI, which reads the store).
    Rotation,
    WorkflowNotAllowed,
    WorkflowUnknownSecret,
    WorkflowDeprecated,
    DefaultToken,
    SecretsInherit,
    SecretToOutput,
}

impl Rule {
    pub const ALL: [Rule; 22] = [
        Rule::Parse,
        Rule::Separation,
        Rule::IgnoreRules,
        Rule::TrackedSecret,
        Rule::CommittedSecret,
        Rule::Permissions,
        Rule::UnknownKey,
        Rule::DuplicateKey,
        Rule::DollarHazard,
        Rule::Format,
        Rule::Placeholder,
        Rule::Deprecated,
        Rule::Drift,
        Rule::Conflict,
        Rule::TempFile,
        Rule::Rotation,
        Rule::WorkflowNotAllowed,
        Rule::WorkflowUnknownSecret,
        Rule::WorkflowDeprecated,
        Rule::DefaultToken,
        Rule::SecretsInherit,
        Rule::SecretToOutput,
    ];

    /// The stable id, as printed in `error[<id>]` and the JSON `rule` field.
    pub fn id(self) -> &'static str {
        match self {
            Rule::Parse => "parse",
            Rule::Separation => "separation",
            Rule::IgnoreRules => "ignore-rules",
            Rule::TrackedSecret => "tracked-secret",
            Rule::CommittedSecret => "committed-secret",
            Rule::Permissions => "permissions",
            Rule::UnknownKey => "unknown-key",
            Rule::DuplicateKey => "duplicate-key",
            Rule::DollarHazard => "dollar-hazard",
            Rule::Format => "format",
            Rule::Placeholder => "placeholder",
            Rule::Deprecated => "deprecated",
            Rule::Drift => "drift",
            Rule::Conflict => "conflict",
            Rule::TempFile => "temp-file",
            Rule::Rotation => "rotation",
            Rule::WorkflowNotAllowed => "workflow-not-allowed",
            Rule::WorkflowUnknownSecret => "workflow-unknown-secret",
            Rule::WorkflowDeprecated => "workflow-deprecated",
            Rule::DefaultToken => "default-token",
            Rule::SecretsInherit => "secrets-inherit",
            Rule::SecretToOutput => "secret-to-output",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One violation of the policy. `message` and `help` never contain a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    pub rule: Rule,
    /// Path relative to the root (`/` separators), when the finding has a place.
    pub file: Option<String>,
    /// 1-based line in `file`.
    pub line: Option<usize>,
    pub message: String,
    /// The fix, as one line.
    pub help: String,
}

impl Finding {
    pub fn error(rule: Rule, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Error, rule, message)
    }

    pub fn warning(rule: Rule, message: impl Into<String>) -> Finding {
        Finding::new(Severity::Warning, rule, message)
    }

    fn new(severity: Severity, rule: Rule, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            rule,
            file: None,
            line: None,
            message: message.into(),
            help: String::new(),
        }
    }

    /// Places the finding in `file`, at `line` when given.
    pub fn at(mut self, file: impl Into<String>, line: impl Into<Option<usize>>) -> Finding {
        self.file = Some(file.into());
        self.line = line.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = help.into();
        self
    }

    /// `file:line`, `file`, or empty.
    pub fn location(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{f}:{l}"),
            (Some(f), None) => f.clone(),
            (None, _) => String::new(),
        }
    }
}

/// What the audit looks at.
#[derive(Debug)]
pub struct Input<'a> {
    /// The folder holding the token files (and usually the spec).
    pub root: &'a Path,
    pub spec: &'a Spec,
}

/// The result of one audit.
#[derive(Debug, Default)]
pub struct Audit {
    /// Sorted by file, line and rule.
    pub findings: Vec<Finding>,
    /// The token files found at the root.
    pub files: Vec<TokenFile>,
    /// Files that could not be read: the audit is incomplete (exit 2).
    pub io_errors: Vec<String>,
}

impl Audit {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Turns every warning into an error (`--strict`).
    pub fn make_strict(&mut self) {
        for f in &mut self.findings {
            f.severity = Severity::Error;
        }
    }

    pub fn has(&self, rule: Rule) -> bool {
        self.findings.iter().any(|f| f.rule == rule)
    }
}

/// Runs every rule against the repository at `input.root`.
pub fn audit(input: &Input<'_>) -> Audit {
    let mut out = Vec::new();
    let scan = files::scan(input.root, input.spec);
    let mut io_errors = scan.io_errors;
    let files = scan.files;

    let git = git::Repo::open(input.root);
    ignore::check(input, &git, &files, &mut out);
    for file in &files {
        permissions::check(file, &mut out);
        if let Some(doc) = &file.doc {
            keys::check(input.spec, file, doc, &mut out);
            values::check(input.spec, file, doc, &mut out);
        }
    }
    conflict::check(input.spec, &files, &mut out);
    let inventory = crate::workflows::read(input.root);
    if let Err(e) = drift::check(input, &inventory.usage(input.spec), &mut out) {
        io_errors.push(e);
    }
    workflows::check(input.spec, &inventory, &mut out);
    io_errors.extend(inventory.io_errors);
    for name in crate::atomic::stale_temp_files(input.root) {
        out.push(
            Finding::warning(
                Rule::TempFile,
                format!(
                    "{name} was left by an interrupted write and may hold a copy of a token file"
                ),
            )
            .at(name.clone(), None)
            .help("`tokenspec check --fix` removes it (as does the next migrate or gen)"),
        );
    }

    out.sort_by(|a, b| {
        (&a.file, a.line, a.rule, &a.message).cmp(&(&b.file, b.line, b.rule, &b.message))
    });
    // A reference reached through several YAML aliases is one finding.
    out.dedup();
    Audit {
        findings: out,
        files,
        io_errors,
    }
}

/// `path` relative to `root` with `/` separators, or as given when outside it.
pub(crate) fn rel(root: &Path, path: &Path) -> String {
    let shown: PathBuf = path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    shown.to_string_lossy().replace('\\', "/")
}
