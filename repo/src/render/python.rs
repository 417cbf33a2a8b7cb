//! The Python module `[generate] python = "…"` names: `CicdTokens` and
//! `RuntimeTokens`, one typed attribute per token, loaded by running the
//! `tokenspec` binary's `export --format=json`, so the rules (root,
//! environment, precedence, placeholders, formats, store) have one
//! implementation. Standard library only; passes `mypy --strict`.

use std::fmt::Write as _;

use tokenspec_core::def::Class;

use super::GENERATED;
use tokenspec_spec::fields::python as field_name;
use tokenspec_spec::model::{Spec, Token};

/// The class a token class's tokens load into.
pub fn class_name(class: Class) -> &'static str {
    match class {
        Class::Cicd => "CicdTokens",
        Class::Runtime => "RuntimeTokens",
    }
}

/// `text` as `#` comment lines at `indent`.
fn comment(out: &mut String, indent: &str, text: &str) {
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            let _ = writeln!(out, "{indent}#");
        } else {
            let _ = writeln!(out, "{indent}# {line}");
        }
    }
}

const PRELUDE: &str = r#"
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from typing import Dict, List, NoReturn, Optional, Union

__all__ = ["CicdTokens", "RuntimeTokens", "Secret", "TokensError"]

_REDACTED = "Secret(***)"


class Secret:
    """A token's value. repr, str and format never show it; it cannot be pickled."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def expose_secret(self) -> str:
        """The value itself: pass it where it is used, never to a log."""
        return self._value

    def __repr__(self) -> str:
        return _REDACTED

    def __str__(self) -> str:
        return _REDACTED

    def __format__(self, format_spec: str) -> str:
        return _REDACTED

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")

    def __getstate__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled")


class TokensError(Exception):
    """Every problem tokenspec found, worded as the tokenspec command words them.

    ``problems`` holds one entry per ``error:`` line; ``exit_code`` is the
    command's (1 tokens missing or invalid, 2 usage, spec or I/O error).
    """

    def __init__(self, message: str, problems: List[str], exit_code: int) -> None:
        super().__init__(message)
        self.problems = problems
        self.exit_code = exit_code


def _binary() -> str:
    """The tokenspec binary: the wheel's (pip install tokenspec), else PATH, else $TOKENSPEC_BIN."""
    exe = "tokenspec" + (sysconfig.get_config_var("EXE") or "")
    folders = [sysconfig.get_path("scripts")]
    user_scheme = {"nt": "nt_user", "posix": "posix_user"}.get(os.name)
    if user_scheme is not None and user_scheme in sysconfig.get_scheme_names():
        folders.append(sysconfig.get_path("scripts", user_scheme))
    for folder in folders:
        candidate = os.path.join(folder, exe)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    on_path = shutil.which("tokenspec")
    if on_path is not None:
        return on_path
    from_env = os.environ.get("TOKENSPEC_BIN")
    if from_env:
        return from_env
    message = "the tokenspec binary was not found"
    raise TokensError(
        "error: " + message + "\nhelp: pip install tokenspec, put tokenspec on PATH, or set TOKENSPEC_BIN",
        [message],
        2,
    )


def _export(
    kind: str, root: Union[str, "os.PathLike[str]", None], env: Optional[str]
) -> Dict[str, str]:
    """``tokenspec export --type=KIND --format=json``: the values, or TokensError."""
    args = [_binary()]
    if root is not None:
        args += ["--root", os.fspath(root)]
    if env is not None:
        args += ["--env", env]
    args += ["export", "--type=" + kind, "--format=json"]
    try:
        done = subprocess.run(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            check=False,
        )
    except OSError as error:
        message = "cannot run " + args[0] + ": " + str(error.strerror)
        raise TokensError("error: " + message, [message], 2) from None
    messages = done.stderr.decode("utf-8", "replace")
    if done.returncode != 0:
        # export's own advice (--partial) does not apply to load().
        lines = [
            line
            for line in messages.splitlines()
            if not line.startswith("help: nothing was exported")
        ]
        problems = [line[len("error: ") :] for line in lines if line.startswith("error: ")]
        raise TokensError("\n".join(lines), problems, done.returncode)
    if messages:
        sys.stderr.write(messages)
    try:
        values = json.loads(done.stdout.decode("utf-8"))
    except ValueError:
        values = None
    if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
        message = "tokenspec export printed something that is not a JSON object of strings"
        raise TokensError("error: " + message, [message], 2)
    return values


def _required(values: Dict[str, str], name: str) -> Secret:
    value = values.get(name)
    if value is None:
        message = name + " is missing from tokenspec export's output"
        raise TokensError("error: " + message, [message], 2)
    return Secret(value)


def _optional(values: Dict[str, str], name: str) -> Optional[Secret]:
    value = values.get(name)
    return None if value is None else Secret(value)
"#;

/// The module's text.
pub fn render(spec: &Spec) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {GENERATED}");
    out.push_str(
        "\"\"\"The tokens of token-spec.toml as typed classes.\n\
         \n\
         ``RuntimeTokens.load()`` and ``CicdTokens.load()`` run\n\
         ``tokenspec export --type=<class> --format=json`` and return the values, or\n\
         raise one ``TokensError`` listing every problem as the command words them:\n\
         the root, the environment, precedence, placeholders and formats are\n\
         tokenspec's, found exactly as ``tokenspec export`` finds them. The binary is\n\
         the tokenspec wheel's, else ``tokenspec`` on PATH, else ``$TOKENSPEC_BIN``.\n\
         \"\"\"\n",
    );
    out.push_str(PRELUDE);
    for class in [Class::Cicd, Class::Runtime] {
        render_class(&mut out, spec, class);
    }
    out
}

fn render_class(out: &mut String, spec: &Spec, class: Class) {
    let name = class_name(class);
    let tokens: Vec<&Token> = spec.tokens.iter().filter(|t| t.class == class).collect();
    let _ = writeln!(out, "\n\n@dataclass(frozen=True)\nclass {name}:");
    let _ = writeln!(
        out,
        "    \"\"\"The spec's {} tokens; ``load()`` reads them.\"\"\"",
        class.as_str()
    );
    if let Some(info) = spec.classes.iter().find(|c| c.class == class) {
        if !info.description.is_empty() {
            out.push('\n');
            comment(out, "    ", &info.description);
        }
    }
    for token in &tokens {
        out.push('\n');
        comment(
            out,
            "    ",
            &format!("{}: {}", token.name, token.description),
        );
        let ty = if token.required.is_always() {
            "Secret"
        } else {
            "Optional[Secret]"
        };
        let _ = writeln!(out, "    {}: {ty}", field_name(&token.name));
    }
    let _ = write!(
        out,
        "\n    @classmethod\n    def load(\n        cls,\n        *,\n        \
         root: Union[str, \"os.PathLike[str]\", None] = None,\n        \
         env: Optional[str] = None,\n    ) -> \"{name}\":\n        \
         \"\"\"Runs ``tokenspec [--root ROOT] [--env ENV] export --type={kind} --format=json``.\n\n        \
         Raises TokensError listing every problem when a token is missing or invalid.\n        \
         \"\"\"\n        values = _export(\"{kind}\", root, env)\n",
        kind = class.as_str()
    );
    if tokens.is_empty() {
        out.push_str("        del values\n        return cls()\n");
        return;
    }
    out.push_str("        return cls(\n");
    for token in &tokens {
        let read = if token.required.is_always() {
            "_required"
        } else {
            "_optional"
        };
        let _ = writeln!(
            out,
            "            {}={read}(values, \"{}\"),",
            field_name(&token.name),
            token.name
        );
    }
    out.push_str("        )\n");
}
