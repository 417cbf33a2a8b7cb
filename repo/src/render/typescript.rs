//! The TypeScript module `[generate] typescript = "…"` names: `CicdTokens`
//! and `RuntimeTokens`, one camelCase property per token, loaded by running
//! the `tokenspec` binary's `export --format=json` (the rules have one
//! implementation). Node's standard modules only (`@types/node` for tsc);
//! passes `tsc --strict` with an ES2015 or later target, runs on Node 18+.

use std::fmt::Write as _;

use tokenspec_core::def::Class;

use super::python::class_name;
use super::GENERATED;
use tokenspec_spec::fields::typescript as field_name;
use tokenspec_spec::model::{Spec, Token};

/// `text` as a `/** … */` block at `indent` (`*/` cannot close it early).
fn doc(out: &mut String, indent: &str, text: &str) {
    let text = text.replace("*/", "*\\/");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    if let [line] = lines.as_slice() {
        let _ = writeln!(out, "{indent}/** {line} */");
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {line}");
        }
    }
    let _ = writeln!(out, "{indent} */");
}

const PRELUDE: &str = r#"
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { inspect } from "node:util";

const REDACTED = "Secret(***)";

/** A token's value: `toString`, `toJSON` and `util.inspect` never show it. */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself: pass it where it is used, never to a log. */
  exposeSecret(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * Every problem tokenspec found, worded as the tokenspec command words them.
 * `problems` holds one entry per `error:` line; `exitCode` is the command's
 * (1 tokens missing or invalid, 2 usage, spec or I/O error).
 */
export class TokensError extends Error {
  readonly problems: readonly string[];
  readonly exitCode: number;

  constructor(message: string, problems: readonly string[], exitCode: number) {
    super(message);
    this.name = "TokensError";
    this.problems = problems;
    this.exitCode = exitCode;
  }
}

/** Where and for which environment `load()` runs `tokenspec export`. */
export interface LoadOptions {
  /** `--root`: the folder holding token-spec.toml (default: found from the working directory). */
  readonly root?: string;
  /** `--env`: the environment (default: tokenspec's choice, from TOKENSPEC_ENV and the spec's env_from). */
  readonly env?: string;
}

function fail(message: string, exitCode: number): never {
  throw new TokensError(`error: ${message}`, [message], exitCode);
}

/** The tokenspec binary: the npm package's, else PATH, else $TOKENSPEC_BIN. */
function binary(): string {
  const exe = process.platform === "win32" ? "tokenspec.exe" : "tokenspec";
  const from = typeof __filename === "string" ? __filename : path.join(process.cwd(), "index.js");
  try {
    const main = createRequire(from).resolve("tokenspec/package.json");
    const platform = `@tokenspec/cli-${process.platform}-${process.arch}/package.json`;
    const candidate = path.join(path.dirname(createRequire(main).resolve(platform)), "bin", exe);
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    // Not installed from npm: look on PATH.
  }
  for (const folder of (process.env["PATH"] ?? "").split(path.delimiter)) {
    if (folder === "") {
      continue;
    }
    const candidate = path.join(folder, exe);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder.
    }
  }
  const fromEnv = process.env["TOKENSPEC_BIN"];
  if (fromEnv !== undefined && fromEnv !== "") {
    return fromEnv;
  }
  throw new TokensError(
    "error: the tokenspec binary was not found\nhelp: npm install --save-dev tokenspec, put tokenspec on PATH, or set TOKENSPEC_BIN",
    ["the tokenspec binary was not found"],
    2,
  );
}

/** `tokenspec export --type=KIND --format=json`: the values, or TokensError. */
function exportClass(kind: string, options: LoadOptions): Readonly<Record<string, string>> {
  const exe = binary();
  const args: string[] = [];
  if (options.root !== undefined) {
    args.push("--root", options.root);
  }
  if (options.env !== undefined) {
    args.push("--env", options.env);
  }
  args.push("export", `--type=${kind}`, "--format=json");
  const done = spawnSync(exe, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (done.error !== undefined) {
    fail(`cannot run ${exe}: ${done.error.message}`, 2);
  }
  const messages = done.stderr;
  if (done.status !== 0) {
    // export's own advice (--partial) does not apply to load().
    const lines = messages
      .split("\n")
      .filter((line) => line !== "" && !line.startsWith("help: nothing was exported"));
    const problems = lines
      .filter((line) => line.startsWith("error: "))
      .map((line) => line.slice("error: ".length));
    throw new TokensError(lines.join("\n"), problems, done.status ?? 2);
  }
  if (messages !== "") {
    process.stderr.write(messages);
  }
  let values: unknown;
  try {
    values = JSON.parse(done.stdout);
  } catch {
    values = undefined;
  }
  if (
    typeof values !== "object" ||
    values === null ||
    Array.isArray(values) ||
    !Object.values(values).every((v) => typeof v === "string")
  ) {
    return fail("tokenspec export printed something that is not a JSON object of strings", 2);
  }
  return values as Readonly<Record<string, string>>;
}

function required(values: Readonly<Record<string, string>>, name: string): Secret {
  const value = values[name];
  if (value === undefined) {
    return fail(`${name} is missing from tokenspec export's output`, 2);
  }
  return new Secret(value);
}

function optional(values: Readonly<Record<string, string>>, name: string): Secret | undefined {
  const value = values[name];
  return value === undefined ? undefined : new Secret(value);
}
"#;

/// The module's text.
pub fn render(spec: &Spec) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {GENERATED}");
    out.push_str(
        "/**\n \
         * The tokens of token-spec.toml as typed classes.\n \
         *\n \
         * `RuntimeTokens.load()` and `CicdTokens.load()` run\n \
         * `tokenspec export --type=<class> --format=json` and return the values, or\n \
         * throw one `TokensError` listing every problem as the command words them:\n \
         * the root, the environment, precedence, placeholders and formats are\n \
         * tokenspec's, found exactly as `tokenspec export` finds them. The binary is\n \
         * the tokenspec npm package's, else `tokenspec` on PATH, else `$TOKENSPEC_BIN`.\n \
         */\n",
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
    out.push('\n');
    let mut about = format!("The spec's {} tokens; `load()` reads them.", class.as_str());
    if let Some(info) = spec.classes.iter().find(|c| c.class == class) {
        if !info.description.is_empty() {
            about = format!("{about}\n\n{}", info.description);
        }
    }
    doc(out, "", &about);
    let _ = writeln!(out, "export class {name} {{");
    for token in &tokens {
        doc(
            out,
            "  ",
            &format!("`{}`: {}", token.name, token.description),
        );
        let ty = if token.required.is_always() {
            "Secret"
        } else {
            "Secret | undefined"
        };
        let _ = writeln!(out, "  readonly {}: {ty};", field_name(&token.name));
    }
    if !tokens.is_empty() {
        out.push('\n');
    }
    let values = if tokens.is_empty() {
        "_values"
    } else {
        "values"
    };
    let _ = writeln!(
        out,
        "  private constructor({values}: Readonly<Record<string, string>>) {{"
    );
    for token in &tokens {
        let read = if token.required.is_always() {
            "required"
        } else {
            "optional"
        };
        let _ = writeln!(
            out,
            "    this.{} = {read}(values, \"{}\");",
            field_name(&token.name),
            token.name
        );
    }
    let _ = write!(
        out,
        "  }}\n\n  \
         /**\n   \
         * Runs `tokenspec [--root ROOT] [--env ENV] export --type={kind} --format=json`.\n   \
         * Throws TokensError listing every problem when a token is missing or invalid.\n   \
         */\n  \
         static load(options: LoadOptions = {{}}): {name} {{\n    \
         return new {name}(exportClass(\"{kind}\", options));\n  \
         }}\n}}\n",
        kind = class.as_str()
    );
}
