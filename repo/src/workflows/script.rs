//! Where a step's `run:` script writes a secret's value into
//! `$GITHUB_OUTPUT` (read by later jobs in clear text) or `$GITHUB_ENV`
//! (read by every later step of the job).
//!
//! A secret's value is a `${{ … }}` reference to a secret, or a variable
//! holding one: set in `env:` (of the step, job or workflow) or assigned
//! earlier in the script (`T="${{ secrets.X }}"`, `export T=$OTHER`).
//! It is written when it is printed by `echo`/`printf` (or PowerShell's
//! output commands) in a command whose output goes to the file:
//! `echo "t=$T" >> "$GITHUB_OUTPUT"`, `echo … | tee -a $GITHUB_OUTPUT`,
//! a `{ …; } >> $GITHUB_OUTPUT` group, a here-document
//! `cat >> $GITHUB_OUTPUT <<EOF`, or the old `::set-output` command. A
//! secret only passed to another program (`curl -H "…${{ secrets.X }}"
//! … >> $GITHUB_OUTPUT`) is not its value.

use std::collections::HashMap;

use super::expr;

/// Which file a write goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Output,
    Env,
}

impl Target {
    /// The word that names the write in the script, for its line.
    pub fn words(self) -> &'static [&'static str] {
        match self {
            Target::Output => &["GITHUB_OUTPUT", "set-output"],
            Target::Env => &["GITHUB_ENV", "set-env"],
        }
    }

    pub fn variable(self) -> &'static str {
        match self {
            Target::Output => "$GITHUB_OUTPUT",
            Target::Env => "$GITHUB_ENV",
        }
    }
}

/// One write of secrets' values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Write {
    pub target: Target,
    /// The secrets written, each once, in order.
    pub names: Vec<String>,
    /// Byte offset in the script of the word that names the target.
    pub offset: usize,
}

/// Commands that print their arguments.
const PRINTERS: &[&str] = &[
    "echo",
    "printf",
    "print",
    "write-output",
    "write-host",
    "add-content",
    "set-content",
    "out-file",
];

/// The writes of secrets in `script`; `env` names the secrets each
/// environment variable of the step holds.
pub fn writes(script: &str, env: &HashMap<String, Vec<String>>) -> Vec<Write> {
    // Most scripts write neither file: nothing to follow.
    if !["GITHUB_OUTPUT", "GITHUB_ENV", "::set-output", "::set-env"]
        .iter()
        .any(|w| script.contains(w))
    {
        return Vec::new();
    }
    let lines = logical_lines(script);
    let mut vars: HashMap<String, Vec<String>> = env.clone();
    let mut out = Vec::new();
    let mut groups: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, end) = lines[i];
        let line = &script[start..end];
        let trimmed = line.trim();
        // Assignments carry a secret into a shell variable.
        if let Some((name, rhs)) = assignment(trimmed) {
            // A command substitution passes the secret to a program; what
            // it prints is not the secret.
            let held = if rhs.contains("$(") || rhs.contains('`') {
                Vec::new()
            } else {
                secrets_in(rhs, &vars)
            };
            if held.is_empty() {
                vars.remove(name);
            } else {
                vars.insert(name.to_owned(), held);
            }
        }
        if trimmed == "{" || (trimmed.starts_with('{') && !trimmed.starts_with("${")) {
            groups.push(i);
        }
        let closes_group = trimmed.starts_with('}');
        let group_start = if closes_group { groups.pop() } else { None };
        let Some((target, offset)) = target_of(script, start, end) else {
            i += 1;
            continue;
        };
        let mut names = Vec::new();
        if let Some(delim) = heredoc(line) {
            // The here-document's lines are written as they are.
            let mut j = i + 1;
            while j < lines.len() {
                let (s, e) = lines[j];
                if script[s..e].trim() == delim {
                    break;
                }
                extend(&mut names, secrets_in(&script[s..e], &vars));
                j += 1;
            }
            i = j;
        } else if let Some(g) = group_start {
            for &(s, e) in &lines[g..=i] {
                extend(&mut names, printed(&script[s..e], &vars));
            }
        }
        extend(&mut names, printed(line, &vars));
        if !names.is_empty() {
            out.push(Write {
                target,
                names,
                offset,
            });
        }
        i += 1;
    }
    out
}

fn extend(names: &mut Vec<String>, more: Vec<String>) {
    for n in more {
        if !names.contains(&n) {
            names.push(n);
        }
    }
}

/// The script's lines, a line ending in `\` joined with the next, as byte ranges.
fn logical_lines(script: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in script.split_inclusive('\n') {
        pos += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if body.ends_with('\\') {
            continue;
        }
        out.push((start, start + (pos - start) - (line.len() - body.len())));
        start = pos;
    }
    if start < script.len() {
        out.push((start, script.len()));
    }
    out
}

/// `NAME=value`, `export NAME=value`, `local NAME=value`.
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = ["export ", "local ", "readonly ", "declare "]
        .iter()
        .find_map(|p| line.strip_prefix(p))
        .unwrap_or(line)
        .trim_start();
    let line = line.strip_prefix("$env:").unwrap_or(line);
    let eq = line.find('=')?;
    let name = line[..eq].trim_end();
    let ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit();
    ok.then(|| (name, &line[eq + 1..]))
}

/// The file a line writes to and the offset of the word naming it: a
/// redirection or `tee` to `$GITHUB_OUTPUT` / `$GITHUB_ENV`, or the old
/// workflow commands.
fn target_of(script: &str, start: usize, end: usize) -> Option<(Target, usize)> {
    let line = &script[start..end];
    for target in [Target::Output, Target::Env] {
        let var = target.words()[0];
        for (at, _) in line.match_indices(var) {
            if !line[..at].ends_with('$')
                && !line[..at].ends_with("${")
                && !line[..at].ends_with("$env:")
                && !line[..at].ends_with("$Env:")
            {
                continue;
            }
            let before = &line[..at];
            if before.contains('>') || before.contains("tee") || before.contains("-Path") {
                return Some((target, start + at));
            }
        }
        let command = format!("::{}", target.words()[1]);
        if let Some(at) = line.find(&command) {
            return Some((target, start + at + 2));
        }
    }
    None
}

/// The delimiter of a here-document opened on `line`, outside quotes.
fn heredoc(line: &str) -> Option<String> {
    let b = line.as_bytes();
    let mut quote = None;
    let mut i = 0;
    while i + 1 < b.len() {
        match (quote, b[i]) {
            (None, b'"' | b'\'') => quote = Some(b[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'<') if b[i + 1] == b'<' && b.get(i + 2) != Some(&b'<') => {
                let rest = line[i + 2..].trim_start_matches('-').trim_start();
                let rest = rest.trim_start_matches(['\'', '"']);
                let delim: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                return (!delim.is_empty()).then_some(delim);
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The secrets a line prints: in each command (split at `;`, `&&`, `||`)
/// that writes the file, the pipeline stages that print their arguments.
fn printed(line: &str, vars: &HashMap<String, Vec<String>>) -> Vec<String> {
    let mut names = Vec::new();
    for stage in split_outside_quotes(line, &["&&", "||", ";", "|"]) {
        let stage = stage.trim_start();
        let word = stage
            .split_whitespace()
            .next()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let prints = PRINTERS.contains(&word.as_str())
            || stage.starts_with('"')
            || stage.starts_with('\'')
            || word.starts_with("::set-");
        if prints {
            extend(&mut names, secrets_in(stage, vars));
        }
    }
    names
}

/// Pieces of `line` between separators that are outside quotes and
/// outside `${{ … }}`.
fn split_outside_quotes<'a>(line: &'a str, seps: &[&str]) -> Vec<&'a str> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    let mut quote: Option<u8> = None;
    let mut in_expr = false;
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if in_expr {
            if line[i..].starts_with("}}") {
                in_expr = false;
                i += 2;
            } else {
                i += 1;
            }
            continue;
        }
        if line[i..].starts_with("${{") {
            in_expr = true;
            i += 3;
            continue;
        }
        match quote {
            Some(q) => {
                if b[i] == b'\\' && q == b'"' {
                    i += 2;
                    continue;
                }
                if b[i] == q {
                    quote = None;
                }
                i += 1;
            }
            None => {
                if b[i] == b'"' || b[i] == b'\'' {
                    quote = Some(b[i]);
                    i += 1;
                    continue;
                }
                if let Some(sep) = seps.iter().find(|s| line[i..].starts_with(**s)) {
                    out.push(&line[start..i]);
                    i += sep.len();
                    start = i;
                    continue;
                }
                i += 1;
            }
        }
    }
    out.push(&line[start..]);
    out
}

/// The secrets `text` holds: references in its expressions and variables
/// holding one (`$T`, `${T}`, `$env:T`).
fn secrets_in(text: &str, vars: &HashMap<String, Vec<String>>) -> Vec<String> {
    let mut names = Vec::new();
    for f in expr::references(text, false) {
        if let Some(n) = f.name {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'$' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let braced = b.get(j) == Some(&b'{');
        if braced {
            if b.get(j + 1) == Some(&b'{') {
                i = j + 2;
                continue;
            }
            j += 1;
        } else if text[j..].len() >= 4 && text[j..j + 4].eq_ignore_ascii_case("env:") {
            j += 4;
        }
        let start = j;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'_') {
            j += 1;
        }
        if let Some(held) = vars.get(&text[start..j]) {
            for n in held {
                if !names.contains(n) {
                    names.push(n.clone());
                }
            }
        }
        i = j.max(i + 1);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(script: &str) -> Vec<(Target, Vec<String>)> {
        let env = HashMap::from([("ENV_TOKEN".to_owned(), vec!["E".to_owned()])]);
        writes(script, &env)
            .into_iter()
            .map(|w| (w.target, w.names))
            .collect()
    }

    fn one(t: Target, names: &[&str]) -> Vec<(Target, Vec<String>)> {
        vec![(t, names.iter().map(|s| (*s).to_owned()).collect())]
    }

    #[test]
    fn direct_writes() {
        assert_eq!(
            found("echo \"token=${{ secrets.X }}\" >> $GITHUB_OUTPUT\n"),
            one(Target::Output, &["X"])
        );
        assert_eq!(
            found("echo \"token=${{ secrets.X }}\" >> \"${GITHUB_ENV}\""),
            one(Target::Env, &["X"])
        );
        assert_eq!(
            found("echo \"t=$ENV_TOKEN\" | tee -a $GITHUB_OUTPUT"),
            one(Target::Output, &["E"])
        );
        assert_eq!(
            found("echo \"::set-output name=t::${{ secrets.X }}\""),
            one(Target::Output, &["X"])
        );
        assert_eq!(
            found("\"t=$env:ENV_TOKEN\" >> $env:GITHUB_OUTPUT"),
            one(Target::Output, &["E"])
        );
    }

    #[test]
    fn through_variables_groups_and_heredocs() {
        assert_eq!(
            found("T=\"${{ secrets.X }}\"\nU=$T\necho \"t=${U}\" >> $GITHUB_OUTPUT\n"),
            one(Target::Output, &["X"])
        );
        assert_eq!(
            found("{\n  echo \"t<<EOF\"\n  echo \"$ENV_TOKEN\"\n  echo EOF\n} >> \"$GITHUB_OUTPUT\"\n"),
            one(Target::Output, &["E"])
        );
        assert_eq!(
            found("cat >> $GITHUB_OUTPUT <<EOF\nt=${{ secrets.Y }}\nEOF\necho done\n"),
            one(Target::Output, &["Y"])
        );
        assert_eq!(
            found("echo a \\\n  ${{ secrets.Z }} >> $GITHUB_OUTPUT"),
            one(Target::Output, &["Z"])
        );
    }

    #[test]
    fn no_false_positives() {
        for script in [
            "echo \"x=1\" >> $GITHUB_OUTPUT",
            "echo \"${{ secrets.X }}\" | docker login --password-stdin\necho ok=1 >> $GITHUB_OUTPUT",
            "id=$(curl -H \"Authorization: ${{ secrets.X }}\" https://api) && echo \"id=$id\" >> $GITHUB_OUTPUT",
            "curl -H \"token ${{ secrets.X }}\" https://api >> $GITHUB_OUTPUT",
            "echo $GITHUB_OUTPUT ${{ secrets.X }}",
            "T=${{ secrets.X }}\nT=plain\necho \"t=$T\" >> $GITHUB_OUTPUT",
            "echo \"${{ secrets.X }}\" > token.txt",
        ] {
            assert_eq!(found(script), vec![], "{script}");
        }
    }
}
