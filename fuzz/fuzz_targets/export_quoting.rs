//! Any value, quoted by every `export` format, reads back byte for byte
//! when the output is loaded the documented way: `eval "$(…)"` in bash
//! and dash, `| source` in fish, dotenvy for dotenv, serde_json for json,
//! the runner's heredoc rule for github. (PowerShell is not installed
//! here; its quoting is covered by the unit tests in `quote.rs`.)

#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use tokenspec_fuzz::export::{self, ExportFormat};
use tokenspec_fuzz::shell::{Dialect, Shell, NAME};
use tokenspec_fuzz::{dotenv, github};

thread_local! {
    static SHELLS: RefCell<Vec<(Shell, ExportFormat)>> = RefCell::new(vec![
        (Shell::start("bash", Dialect::PosixEval), ExportFormat::Sh),
        (Shell::start("dash", Dialect::PosixEval), ExportFormat::Sh),
        (Shell::start("fish", Dialect::FishSource), ExportFormat::Fish),
    ]);
}

fuzz_target!(|data: &[u8]| {
    // No environment variable can hold a NUL (tokenspec refuses one where
    // it reads it), so it never reaches quoting.
    let value = String::from_utf8_lossy(data).replace('\0', "");
    shells(&value);
    dotenv_format(&value);
    json_format(&value);
    github_format(&value);
});

fn shells(value: &str) {
    SHELLS.with_borrow_mut(|shells| {
        let outputs: Vec<String> = (shells.iter_mut())
            .map(|(shell, format)| {
                let mut output = String::new();
                export::shell_line(*format, NAME, value, &mut output);
                shell.send(&output);
                output
            })
            .collect();
        for ((shell, format), output) in shells.iter_mut().zip(outputs) {
            let got = shell.receive();
            assert!(
                got.as_deref() == Some(value.as_bytes()),
                "{format:?} output {output:?} loaded as {:?}",
                got.map(|g| String::from_utf8_lossy(&g).into_owned())
            );
        }
    });
}

fn dotenv_format(value: &str) {
    let mut output = String::new();
    export::shell_line(ExportFormat::Dotenv, NAME, value, &mut output);
    let theirs: Vec<(String, String)> = dotenvy::from_read_iter(output.as_bytes())
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("dotenvy rejects {output:?}: {e}"));
    assert_eq!(theirs, [(NAME.to_owned(), value.to_owned())], "{output:?}");
    let ours = dotenv::parse(&output);
    assert!(ours.errors.is_empty(), "{output:?}: {:?}", ours.errors);
    assert_eq!(ours.entries.len(), 1, "{output:?}");
    let entry = &ours.entries[0];
    assert_eq!(
        (entry.key.as_str(), entry.value.as_str(), entry.hazard),
        (NAME, value, None),
        "{output:?}"
    );
}

fn json_format(value: &str) {
    let mut output = Vec::new();
    export::json(&mut output, [(NAME, value)].into_iter()).expect("write to a Vec");
    let read: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&output).expect("export's JSON parses");
    assert_eq!(read.len(), 1);
    assert_eq!(read[NAME].as_str(), Some(value));
}

/// The `$GITHUB_ENV` file as the runner reads it: `NAME<<DELIMITER`, then
/// lines up to the first one equal to the delimiter, joined by `\n`.
fn github_format(value: &str) {
    let delimiter = github::delimiter(std::iter::once(value)).expect("random bytes");
    let mut output = Vec::new();
    github::entry(&mut output, NAME, value, &delimiter).expect("write to a Vec");
    let text = String::from_utf8(output).expect("UTF-8 in, UTF-8 out");
    let mut lines = text.split('\n');
    assert_eq!(lines.next(), Some(format!("{NAME}<<{delimiter}").as_str()));
    let mut read = Vec::new();
    for line in lines.by_ref() {
        if line == delimiter {
            break;
        }
        read.push(line);
    }
    assert_eq!(read.join("\n"), value, "{text:?}");
    assert_eq!(
        lines.collect::<Vec<_>>(),
        [""],
        "only the final newline follows"
    );

    // Masks: every log line piece of the value, escaped as command data.
    let mut masks = Vec::new();
    github::masks(&mut masks, value).expect("write to a Vec");
    let masks = String::from_utf8(masks).expect("UTF-8 in, UTF-8 out");
    let masked: Vec<String> = masks
        .lines()
        .map(|l| {
            let data = l.strip_prefix("::add-mask::").expect("one command a line");
            data.replace("%0A", "\n")
                .replace("%0D", "\r")
                .replace("%25", "%")
        })
        .collect();
    let pieces: Vec<&str> = value
        .split(['\n', '\r'])
        .filter(|p| !p.is_empty())
        .collect();
    assert_eq!(masked, pieces, "{masks:?}");
}
