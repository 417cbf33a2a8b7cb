//! What a hostile repository or an unlucky machine does to `check`,
//! `migrate` and `gen`: keys that are really secrets, links out of the
//! root, a planted backup folder, files of another owner, temporary files
//! left by a killed write, and two runs at once.

use tokenspec_repo::lock::RootLock;

use crate::support::{mode, set_mode, Project, SECRET};

/// A secret pasted as a line of its own: it parses as a key.
const LEAKED_KEY: &str = "LEAKZZQ15dGhpcyBpcyBhIHNlY3JldA";

fn git_project() -> Project {
    let p = Project::new();
    p.git(&["init", "-q"]);
    p
}

#[test]
fn a_secret_looking_key_is_shown_only_by_place() {
    let p = git_project();
    p.write(".tokens", &format!("DEPLOY_TOKEN=x\n{LEAKED_KEY}==\n"));
    p.write(".env", "APP_SECRET=y\nnot-a-name=1\n");
    for args in [
        &["check"][..],
        &["check", "--format=json"],
        &["migrate", "--dry-run"],
        &["migrate"],
    ] {
        let out = p.run(args);
        out.assert_no_values(&[LEAKED_KEY, "not-a-name"]);
        if args.contains(&"--format=json") {
            let places: Vec<(String, u64)> = out.json()["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|f| Some((f["file"].as_str()?.to_owned(), f["line"].as_u64()?)))
                .collect();
            assert!(places.contains(&(".tokens".to_owned(), 2)), "{places:?}");
            assert!(places.contains(&(".env".to_owned(), 2)), "{places:?}");
            continue;
        }
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(all.contains(".tokens:2"), "{args:?}: {all}");
        assert!(all.contains(".env:2"), "{args:?}: {all}");
    }
}

#[test]
fn a_secret_looking_key_never_shows_in_the_dry_run_diff() {
    let p = Project::new();
    p.write(".tokens", &format!("{LEAKED_KEY}==\nGH_TOKEN=\n"));
    p.write(".env", &format!("APP_SECRET=a\nDEPLOY_TOKEN={SECRET}\n"));
    let out = p.run(&["migrate", "--dry-run"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("<key not shown>=********"),
        "{}",
        out.stdout
    );
    out.assert_no_values(&[LEAKED_KEY, SECRET]);
    assert!(out.stderr.contains(".tokens:1"), "{}", out.stderr);
}

#[cfg(unix)]
#[test]
fn fix_never_chmods_through_a_link() {
    let p = git_project();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("shared.conf");
    std::fs::write(&target, "APP_SECRET=x\n").unwrap();
    set_mode(&target, 0o644);
    std::os::unix::fs::symlink(&target, p.path(".env")).unwrap();
    let out = p.run(&["check", "--fix"]);
    assert_eq!(
        mode(&target),
        0o644,
        "the link's target is outside the root"
    );
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(
            "error: cannot read .env: `.env` is a symbolic link that leads out of the root"
        ),
        "{}",
        out.stderr
    );
}

#[cfg(unix)]
#[test]
fn migrate_refuses_a_planted_backup_link() {
    let p = Project::new();
    let elsewhere = tempfile::tempdir().unwrap();
    set_mode(elsewhere.path(), 0o777);
    std::os::unix::fs::symlink(elsewhere.path(), p.path(".tokenspec-backup")).unwrap();
    p.write(".env", &format!("APP_SECRET=a\nDEPLOY_TOKEN={SECRET}\n"));
    let before = p.read(".env");
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.contains(".tokenspec-backup is a symbolic link"),
        "{}",
        out.stderr
    );
    assert_eq!(elsewhere.path().read_dir().unwrap().count(), 0);
    assert_eq!(p.read(".env"), before);
    assert!(!p.path(".tokens").exists());

    // A real folder that others may write to is refused too.
    std::fs::remove_file(p.path(".tokenspec-backup")).unwrap();
    std::fs::create_dir(p.path(".tokenspec-backup")).unwrap();
    set_mode(&p.path(".tokenspec-backup"), 0o777);
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("writable by group or others"));
    assert_eq!(p.read(".env"), before);
}

#[cfg(unix)]
#[test]
fn a_rewritten_file_keeps_its_owner_and_group() {
    use std::os::unix::fs::MetadataExt;
    let p = Project::new();
    p.write(".env", &format!("APP_SECRET=a\nDEPLOY_TOKEN={SECRET}\n"));
    p.write(".tokens", "GH_TOKEN=\n");
    let euid = rustix::process::geteuid().as_raw();
    // As root (containers, CI) the files belong to someone else.
    let owner = if euid == 0 {
        (4242, 4343)
    } else {
        (euid, rustix::process::getegid().as_raw())
    };
    for f in [".env", ".tokens"] {
        std::os::unix::fs::chown(p.path(f), Some(owner.0), Some(owner.1)).unwrap();
    }
    if euid != 0 {
        eprintln!("note: not root, so files of another user cannot be planted; checking the own owner only");
    }
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    for f in [".env", ".tokens"] {
        let m = std::fs::metadata(p.path(f)).unwrap();
        assert_eq!((m.uid(), m.gid()), owner, "{f}");
        assert_eq!(m.mode() & 0o777, 0o600, "{f}");
    }
    assert_eq!(
        p.read(".tokens"),
        format!("GH_TOKEN=\nDEPLOY_TOKEN={SECRET}\n")
    );
}

#[test]
fn temp_files_are_ignored_reported_and_swept() {
    let p = git_project();
    let stale = ".tokenspec-Ab12Cd.tmp";
    p.write(stale, &format!("APP_SECRET={SECRET}\n"));
    let out = p.run(&["check", "--format=json"]);
    let temp: Vec<_> = out.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "temp-file")
        .cloned()
        .collect();
    assert_eq!(temp.len(), 1, "{out:?}");
    assert_eq!(temp[0]["file"], stale);
    crate::support::assert_redacted(&out);

    // The managed block ignores them.
    p.run(&["check", "--fix"]);
    assert!(p.read(".gitignore").contains("\n.tokenspec-*.tmp\n"));
    let ignored = p.git(&["check-ignore", "--no-index", ".tokenspec-Zz99Yy.tmp"]);
    assert_eq!(ignored.trim(), ".tokenspec-Zz99Yy.tmp");

    // The next write removes one of its own.
    p.write(stale, "A=1\n");
    p.write(".env", &format!("DEPLOY_TOKEN={SECRET}\n"));
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!p.path(stale).exists());
    assert!(
        out.stderr.contains(&format!("removed {stale}")),
        "{}",
        out.stderr
    );
}

#[test]
fn a_second_run_says_another_holds_the_lock() {
    let p = Project::new();
    p.write(".env", &format!("DEPLOY_TOKEN={SECRET}\n"));
    let before = p.read(".env");
    let held = RootLock::acquire(p.root()).unwrap();
    let out = p.run(&["migrate"]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(
        out.stderr.starts_with(&format!(
            "error: another tokenspec run holds the lock on {}",
            p.root().display()
        )),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("file exists"));
    assert_eq!(p.read(".env"), before);
    for args in [&["check", "--fix"][..], &["gen"]] {
        let out = p.run(args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(
            out.stderr.contains("another tokenspec run holds the lock"),
            "{args:?}: {}",
            out.stderr
        );
    }
    assert!(!p.path(".tokens.ci").exists(), "gen wrote nothing");
    drop(held);
    assert_eq!(p.run(&["migrate"]).code, 0);
}
