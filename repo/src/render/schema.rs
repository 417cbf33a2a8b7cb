//! `token-spec.schema.json`: a JSON Schema (draft-07, which taplo and Even
//! Better TOML read) of `token-spec.toml`, for editor completion and checks.
//!
//! Property lists come from the parser's own key lists, so the schema cannot
//! accept a key the parser rejects or miss one it accepts; a unit test fails
//! when a key has no schema here. Objects are closed
//! (`additionalProperties: false`) and every property has a description.

use serde_json::{json, Map, Value};

use tokenspec_core::format::BUILTIN_FORMATS;
use tokenspec_core::Class;

use super::GENERATED;
use tokenspec_core::env::DEFAULT_ENV_FROM;
use tokenspec_spec::model::DEFAULT_STORE_MOUNT;
use tokenspec_spec::model::{ClassInfo, DEFAULT_ENVIRONMENTS};
use tokenspec_spec::parse::{
    CLASS_KEYS, DEPRECATED_KEYS, FORMAT_KEYS, GITHUB_KEYS, STORE_KEYS, TOKEN_KEYS, TOP_KEYS,
};

/// The file, relative to the root.
pub const PATH: &str = "token-spec.schema.json";

/// The schema as pretty-printed JSON with a final newline.
pub fn render() -> String {
    let mut s = serde_json::to_string_pretty(&schema()).expect("a JSON value always serializes");
    s.push('\n');
    s
}

/// The schema document.
pub fn schema() -> Value {
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$comment": GENERATED,
        "title": "token-spec.toml",
        "description": "The single source of truth for every secret token a project uses. Only `name`, `class` and `description` are required per token.",
        "type": "object",
        "properties": properties(TOP_KEYS, top_property),
        "additionalProperties": false,
    })
}

/// The schema of one key, or `None` for a key this module does not know.
type PropertySchema = fn(&str) -> Option<Value>;

/// A closed object whose properties are `keys`, each described by `schema_of`.
fn properties(keys: &[&str], schema_of: PropertySchema) -> Value {
    let map: Map<String, Value> = keys
        .iter()
        .filter_map(|k| Some(((*k).to_owned(), schema_of(k)?)))
        .collect();
    Value::Object(map)
}

fn object(description: &str, keys: &[&str], schema_of: PropertySchema) -> Value {
    json!({
        "description": description,
        "type": "object",
        "properties": properties(keys, schema_of),
        "additionalProperties": false,
    })
}

fn env_names(description: &str) -> Value {
    json!({
        "description": description,
        "type": "array",
        "items": {
            "description": "An environment name; it becomes a file suffix (`.env.<name>`).",
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]+$",
        },
        "uniqueItems": true,
    })
}

fn variable_name(description: &str) -> Value {
    json!({
        "description": description,
        "type": "string",
        "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
    })
}

fn rotation_days(description: &str) -> Value {
    json!({ "description": description, "type": "integer", "minimum": 1, "maximum": u32::MAX })
}

fn top_property(key: &str) -> Option<Value> {
    Some(match key {
        "version" => json!({
            "description": "Spec format version. Optional; only `1` exists.",
            "type": "integer",
            "const": 1,
        }),
        "environments" => {
            let mut v = env_names("Environment names. Must include `ci`, whose files are committed with safe test values.");
            v["contains"] = json!({ "const": "ci" });
            v["default"] = json!(DEFAULT_ENVIRONMENTS);
            v
        }
        "env_from" => json!({
            "description": "The variables that choose the environment after `--env` and `TOKENSPEC_ENV`, first one on wins. `CI` on (anything but empty, `0` or `false`) means `ci`; another variable gives its value (`production` → `prod`, `development` → `dev`); empty, `0` or `false` is off. The environment must be one of `environments`.",
            "type": "array",
            "items": variable_name("An environment variable name, e.g. `CI` or `APP_ENV`."),
            "uniqueItems": true,
            "default": DEFAULT_ENV_FROM,
        }),
        "templates" => json!({
            "description": "Committed templates beyond `.env.example`, `.env.sample` and `.env.template`, as paths inside the root. A template holds empty or placeholder values only; `tokenspec gen` keeps a block of every runtime token (empty values) in each one that exists.",
            "type": "array",
            "items": { "type": "string", "minLength": 1 },
            "uniqueItems": true,
        }),
        "class" => {
            let classes: Map<String, Value> = Class::ALL
                .into_iter()
                .map(|c| (c.as_str().to_owned(), class_schema(c)))
                .collect();
            json!({
                "description": "Per-class settings: `[class.cicd]` and `[class.runtime]`.",
                "type": "object",
                "properties": classes,
                "additionalProperties": false,
            })
        }
        "token" => json!({
            "description": "The tokens, one `[[token]]` table each, in the order generated files list them.",
            "type": "array",
            "items": token_schema(),
        }),
        "store" => {
            let mut v = object(
                "An OpenBao / Vault KV v2 store holding the tokens, one secret per class and environment; `tokenspec gen` writes a reader and a writer policy per class.",
                STORE_KEYS,
                store_property,
            );
            v["required"] = json!(["path"]);
            v
        }
        "github" => object(
            "Repository-wide GitHub policy: whether workflows may use the default token, the repository and its deployment environments.",
            GITHUB_KEYS,
            github_property,
        ),
        _ => return None,
    })
}

/// A workflow file name or glob under `.github/workflows/`.
fn workflow_globs(description: &str) -> Value {
    json!({
        "description": description,
        "type": "array",
        "items": {
            "description": "A file name directly under `.github/workflows/`, or a glob with `*` and `?`, e.g. `release-*.yml`.",
            "type": "string",
            "pattern": "^[^/\\\\\\[\\]{}!]+$",
        },
        "uniqueItems": true,
    })
}

fn github_property(key: &str) -> Option<Value> {
    Some(match key {
        "default_token" => json!({
            "description": "Whether workflows may use the repository's default token (`GITHUB_TOKEN`, `github.token`); `tokenspec check` reports each use under `forbid` (rule `default-token`).",
            "enum": ["allow", "forbid"],
            "default": "allow",
        }),
        "default_token_workflows" => workflow_globs(
            "Under `default_token = \"forbid\"`, the workflows that may still use the default token.",
        ),
        "repository" => json!({
            "description": "The repository on GitHub, `owner/name`.",
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$",
        }),
        "environments" => json!({
            "description": "Spec environment → GitHub deployment environment name, e.g. `{ prod = \"production\" }`. Each key must be one of `environments`.",
            "type": "object",
            "propertyNames": { "pattern": "^[A-Za-z0-9_-]+$" },
            "additionalProperties": {
                "description": "The GitHub deployment environment's name.",
                "type": "string",
                "minLength": 1,
                "maxLength": 255,
            },
        }),
        _ => return None,
    })
}

fn store_property(key: &str) -> Option<Value> {
    Some(match key {
        "kind" => json!({
            "description": "`openbao` or `vault`: the same HTTP API; decides whether BAO_* or VAULT_* variables are read first.",
            "enum": ["openbao", "vault"],
            "default": "openbao",
        }),
        "address" => json!({
            "description": "The server's URL, e.g. `https://bao.internal:8200`. BAO_ADDR / VAULT_ADDR override it.",
            "type": "string",
            "pattern": "^https?://",
        }),
        "mount" => json!({
            "description": "The KV v2 mount path.",
            "type": "string",
            "default": DEFAULT_STORE_MOUNT,
        }),
        "path" => json!({
            "description": "The secret path below the mount, holding `{class}` and `{env}` so that each class and environment has its own secret, e.g. `myproject/{class}/{env}`. Its keys are token names.",
            "type": "string",
            "allOf": [{ "pattern": "\\{class\\}" }, { "pattern": "\\{env\\}" }],
        }),
        "environments" => {
            env_names("The environments the store serves. Default: every environment but `ci`.")
        }
        "files" => json!({
            "description": "Whether token files stay a lower layer below the store, for local overrides. `false`: in the environments the store serves, only the process environment and the store count.",
            "type": "boolean",
            "default": true,
        }),
        _ => return None,
    })
}

fn class_schema(class: Class) -> Value {
    let what = match class {
        Class::Cicd => "CI/CD automation tokens, kept in `.tokens` and `.tokens.<env>`.",
        Class::Runtime => "Application runtime tokens, kept in `.env` and `.env.<env>`.",
    };
    let mut v = object(what, CLASS_KEYS, class_property);
    let defaults = ClassInfo::default_for(class);
    v["properties"]["owner"]["default"] = json!(defaults.owner);
    v["properties"]["description"]["default"] = json!(defaults.description);
    v
}

fn class_property(key: &str) -> Option<Value> {
    Some(match key {
        "owner" => {
            json!({ "description": "Who owns the class's tokens; the default owner of each token.", "type": "string" })
        }
        "rotation_days" => rotation_days("Default rotation period of the class's tokens, in days."),
        "description" => {
            json!({ "description": "What the class's tokens are for, shown in docs/TOKENS.md.", "type": "string" })
        }
        _ => return None,
    })
}

fn token_schema() -> Value {
    let mut v = object("One secret token.", TOKEN_KEYS, token_property);
    v["required"] = json!(["name", "class", "description"]);
    v
}

fn token_property(key: &str) -> Option<Value> {
    Some(match key {
        "name" => json!({
            "description": "The environment variable name, e.g. `AAR_TOKEN`.",
            "type": "string",
            "pattern": "^[A-Za-z_][A-Za-z0-9_]*$",
        }),
        "class" => json!({
            "description": "`cicd` (pipelines, `.tokens*`, owned by DevOps) or `runtime` (services, `.env*`, owned by Development).",
            "enum": Class::ALL.map(Class::as_str),
        }),
        "description" => json!({
            "description": "What the token is for, shown in comments and docs/TOKENS.md.",
            "type": "string",
            "pattern": "\\S",
        }),
        "required" => json!({
            "description": "Where the token must be set: `true` (everywhere, the default), `false` (nowhere) or a list of environments.",
            "default": true,
            "anyOf": [
                { "type": "boolean" },
                env_names("The environments in which the token must be set."),
            ],
        }),
        "format" => {
            let mut choices: Vec<Value> = BUILTIN_FORMATS
                .iter()
                .map(|b| json!({ "const": b.name, "description": b.description }))
                .collect();
            choices.push(object(
                "A custom format: the whole value must match the regular expression.",
                FORMAT_KEYS,
                format_property,
            ));
            choices.last_mut().expect("just pushed")["required"] = json!(FORMAT_KEYS);
            json!({
                "description": "The value's format: a built-in format name, or `{ regex = \"…\" }`.",
                "default": "any",
                "anyOf": choices,
            })
        }
        "ci_value" => json!({
            "description": "The safe test value committed in `.tokens.ci` / `.env.ci`. Default: `ci_test_<name in lowercase>`. Must not look like a real secret.",
            "type": "string",
            "minLength": 1,
        }),
        "owner" => {
            json!({ "description": "Who owns this token. Default: the class's owner.", "type": "string" })
        }
        "rotation_days" => rotation_days("Rotation period in days. Default: the class's."),
        "scopes" => json!({
            "description": "Permissions the token is issued with, for the docs.",
            "type": "array",
            "items": { "description": "One scope, e.g. `repo`.", "type": "string" },
        }),
        "aliases" => json!({
            "description": "Other variable names the token may arrive under, read from the process environment after its own name, in order; the first set one fills it. Reports name the variable used.",
            "type": "array",
            "items": variable_name("An environment variable name, e.g. `ORCHESTRATION_KEY`."),
            "uniqueItems": true,
            "default": [],
        }),
        "workflows" => workflow_globs(
            "The workflows (under `.github/workflows/`) that may reference the token; `[]` is none. Default: every workflow for a cicd token, none for a runtime token.",
        ),
        "identity" => json!({
            "description": "The GitHub login (a user, or a GitHub App's `name[bot]`) the token must belong to.",
            "type": "string",
            "pattern": "^[A-Za-z0-9][A-Za-z0-9-]{0,38}(\\[bot\\])?$",
        }),
        "deprecated" => json!({
            "description": "Marks the token as replaced: `true`, or `{ replacement = \"NEW_TOKEN\", note = \"…\" }`.",
            "anyOf": [
                { "type": "boolean" },
                object("The deprecation details.", DEPRECATED_KEYS, deprecated_property),
            ],
        }),
        _ => return None,
    })
}

fn format_property(key: &str) -> Option<Value> {
    Some(match key {
        "regex" => json!({
            "description": "A regular expression (`regex-lite` syntax: ASCII-only classes, no `\\p{…}`), anchored to the whole value.",
            "type": "string",
        }),
        _ => return None,
    })
}

fn deprecated_property(key: &str) -> Option<Value> {
    Some(match key {
        "replacement" => {
            json!({ "description": "The token to use instead; must be a token of this spec.", "type": "string" })
        }
        "note" => {
            json!({ "description": "Why, or until when, shown in docs/TOKENS.md.", "type": "string" })
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parser_key_has_a_schema() {
        let lists: [(&[&str], PropertySchema); 7] = [
            (STORE_KEYS, store_property),
            (GITHUB_KEYS, github_property),
            (TOP_KEYS, top_property),
            (CLASS_KEYS, class_property),
            (TOKEN_KEYS, token_property),
            (DEPRECATED_KEYS, deprecated_property),
            (FORMAT_KEYS, format_property),
        ];
        for (keys, schema_of) in lists {
            for key in keys {
                let s = schema_of(key).unwrap_or_else(|| panic!("no schema for spec key `{key}`"));
                assert!(s["description"].is_string(), "`{key}` has no description");
            }
        }
    }

    /// Every object in the schema is closed and every property described.
    #[test]
    fn objects_are_closed_and_described() {
        fn walk(v: &Value, path: &str) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::Object(props)) = m.get("properties") {
                        assert_eq!(
                            m.get("additionalProperties"),
                            Some(&json!(false)),
                            "{path} is open"
                        );
                        for (k, p) in props {
                            assert!(
                                p["description"].is_string(),
                                "{path}.{k} has no description"
                            );
                        }
                    }
                    for (k, child) in m {
                        walk(child, &format!("{path}/{k}"));
                    }
                }
                Value::Array(a) => a
                    .iter()
                    .enumerate()
                    .for_each(|(i, c)| walk(c, &format!("{path}/{i}"))),
                _ => {}
            }
        }
        walk(&schema(), "#");
    }
}
