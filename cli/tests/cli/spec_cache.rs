//! The per-user spec cache: used when the spec is unchanged, never stale,
//! never wrong when damaged, private, and off when asked.

use std::path::{Path, PathBuf};

use crate::support::{mode, Out, Project, SECRET, SPEC};

/// A project with a cicd token and a cache folder of its own.
fn setup() -> (Project, tempfile::TempDir) {
    let p = Project::new();
    p.tokens(".tokens", &[("DEPLOY_TOKEN", SECRET)]);
    (p, tempfile::tempdir().unwrap())
}

fn export(p: &Project, cache: &Path) -> Out {
    p.run_cached(
        &["export", "--type=cicd"],
        &[("TOKENSPEC_CACHE_DIR", cache.to_str().unwrap())],
    )
}

fn snapshots(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

fn same(a: &Out, b: &Out) {
    assert_eq!(
        (a.code, &a.stdout, &a.stderr),
        (b.code, &b.stdout, &b.stderr)
    );
}

#[test]
fn a_private_snapshot_is_stored_and_later_runs_agree() {
    let (p, cache) = setup();
    let dir = cache.path().join("nested/tokenspec");
    let first = export(&p, &dir);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let files = snapshots(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_str().unwrap();
    assert!(
        name.starts_with("spec-") && name.ends_with(".bin"),
        "{name}"
    );
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&files[0]), 0o600);
    // It holds the spec, never a token value.
    let bytes = std::fs::read(&files[0]).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains(SECRET));
    for _ in 0..2 {
        same(&export(&p, &dir), &first);
    }
    assert_eq!(snapshots(&dir), files, "a hit writes nothing");
}

#[test]
fn an_edited_spec_is_never_served_from_the_cache() {
    let (p, cache) = setup();
    assert_eq!(export(&p, cache.path()).code, 0);
    // GH_TOKEN, unset, becomes required everywhere instead of in prod only.
    let edited = SPEC.replace("required = [\"prod\"]", "required = true");
    assert_ne!(edited, SPEC);
    p.write("token-spec.toml", &edited);
    let out = export(&p, cache.path());
    assert_eq!(out.code, 1, "GH_TOKEN is now required: {out:?}");
    assert_eq!(out.stdout, "");
    assert_eq!(snapshots(cache.path()).len(), 2);
    // And back: the first snapshot is still good for the first text.
    p.write("token-spec.toml", SPEC);
    assert_eq!(export(&p, cache.path()).code, 0);
}

#[test]
fn a_damaged_snapshot_is_ignored_and_replaced() {
    let (p, cache) = setup();
    let good = export(&p, cache.path());
    let file = snapshots(cache.path()).remove(0);
    let bytes = std::fs::read(&file).unwrap();
    let damaged: [Vec<u8>; 4] = [
        Vec::new(),
        bytes[..bytes.len() / 2].to_vec(),
        {
            let mut b = bytes.clone();
            let mid = b.len() / 2;
            b[mid] ^= 0x20;
            b
        },
        b"not a snapshot at all".to_vec(),
    ];
    for bad in damaged {
        std::fs::write(&file, &bad).unwrap();
        same(&export(&p, cache.path()), &good);
        assert_eq!(std::fs::read(&file).unwrap(), bytes, "rewritten whole");
    }
}

#[test]
fn an_invalid_spec_is_never_cached() {
    let p = Project::with_spec("[[token]]\nname = \"X\"\nclass = \"nope\"\n");
    let cache = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = export(&p, cache.path());
        assert_eq!(out.code, 2);
        assert!(out.stderr.contains("unknown class"), "{}", out.stderr);
    }
    assert_eq!(snapshots(cache.path()), Vec::<PathBuf>::new());
}

#[test]
fn the_folder_comes_from_xdg_cache_home_then_home() {
    let (p, cache) = setup();
    let home = cache.path().join("home");
    let xdg = cache.path().join("xdg");
    let home_var = home.to_str().unwrap();
    let xdg_var = xdg.to_str().unwrap();
    let args = ["export", "--type=cicd"];
    assert_eq!(p.run_cached(&args, &[("HOME", home_var)]).code, 0);
    assert_eq!(snapshots(&home.join(".cache/tokenspec")).len(), 1);
    assert_eq!(
        p.run_cached(&args, &[("HOME", home_var), ("XDG_CACHE_HOME", xdg_var)])
            .code,
        0
    );
    assert_eq!(snapshots(&xdg.join("tokenspec")).len(), 1);
}

#[test]
fn it_can_be_turned_off_and_relative_folders_are_ignored() {
    let (p, cache) = setup();
    let dir = cache.path().join("c");
    let args = ["export", "--type=cicd"];
    let dir_var = dir.to_str().unwrap();
    let off = p.run_cached(
        &args,
        &[
            ("TOKENSPEC_CACHE_DIR", dir_var),
            ("TOKENSPEC_NO_CACHE", "1"),
        ],
    );
    assert_eq!(off.code, 0);
    assert!(!dir.exists());
    // XDG: relative paths are invalid and ignored, for the next candidate
    // (here the temp dir, as there is no HOME).
    let before = snapshots(p.root());
    let tmp = cache.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let relative = p.run_cached(
        &args,
        &[
            ("TOKENSPEC_CACHE_DIR", "rel"),
            ("XDG_CACHE_HOME", "rel"),
            ("TMPDIR", tmp.to_str().unwrap()),
        ],
    );
    assert_eq!(relative.code, 0);
    assert_eq!(snapshots(p.root()), before);
    assert_eq!(snapshots(&temp_cache(&tmp)).len(), 1);
}

/// `TMPDIR/tokenspec-<uid>`, the folder used without a home.
fn temp_cache(tmp: &Path) -> PathBuf {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata(tmp).unwrap().uid();
    tmp.join(format!("tokenspec-{uid}"))
}

#[test]
fn without_a_home_it_is_a_private_folder_in_the_temp_dir() {
    let (p, cache) = setup();
    let tmp = cache.path();
    let args = ["export", "--type=cicd"];
    let vars = [("TMPDIR", tmp.to_str().unwrap())];
    let first = p.run_cached(&args, &vars);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let dir = temp_cache(tmp);
    assert_eq!(mode(&dir), 0o700);
    let files = snapshots(&dir);
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(mode(&files[0]), 0o600);
    same(&p.run_cached(&args, &vars), &first);
    assert_eq!(snapshots(&dir), files, "a hit writes nothing");
    let info = p.run_cached(&["info"], &vars).json();
    assert_eq!(info["spec_cache"], dir.to_str().unwrap());
}

/// Anyone can create `tokenspec-<uid>` in a shared temp dir: a folder
/// others can enter, or a link, is never read or written.
#[test]
fn a_temp_folder_that_is_not_private_is_not_used() {
    let (p, cache) = setup();
    let args = ["export", "--type=cicd"];
    let plain = p.run(&args);

    let open = cache.path().join("open");
    std::fs::create_dir(&open).unwrap();
    let dir = temp_cache(&open);
    std::fs::create_dir(&dir).unwrap();
    crate::support::set_mode(&dir, 0o755);
    let out = p.run_cached(&args, &[("TMPDIR", open.to_str().unwrap())]);
    same(&out, &plain);
    assert_eq!(snapshots(&dir), Vec::<PathBuf>::new());

    let linked = cache.path().join("linked");
    let target = cache.path().join("target");
    std::fs::create_dir(&linked).unwrap();
    std::fs::create_dir(&target).unwrap();
    crate::support::set_mode(&target, 0o700);
    std::os::unix::fs::symlink(&target, temp_cache(&linked)).unwrap();
    let out = p.run_cached(&args, &[("TMPDIR", linked.to_str().unwrap())]);
    same(&out, &plain);
    assert_eq!(snapshots(&target), Vec::<PathBuf>::new());
}

#[test]
fn an_unwritable_cache_changes_nothing() {
    let (p, cache) = setup();
    // A file where the folder should be: the snapshot cannot be stored.
    let blocked = cache.path().join("blocked");
    std::fs::write(&blocked, "").unwrap();
    let out = export(&p, &blocked.join("tokenspec"));
    let plain = p.run(&["export", "--type=cicd"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    same(&out, &plain);
}

#[test]
fn a_new_snapshot_clears_out_month_old_ones_only() {
    let (p, cache) = setup();
    let dir = cache.path();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(40 * 24 * 3600);
    let recent = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for (name, when) in [
        ("spec-00000000000000aa.bin", old),
        ("spec-00000000000000bb.bin", recent),
        ("notes.txt", old),
    ] {
        let file = std::fs::File::create(dir.join(name)).unwrap();
        file.set_modified(when).unwrap();
    }
    assert_eq!(export(&p, dir).code, 0);
    let names: Vec<String> = snapshots(dir)
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(!names.contains(&"spec-00000000000000aa.bin".to_owned()));
    assert!(names.contains(&"spec-00000000000000bb.bin".to_owned()));
    assert!(names.contains(&"notes.txt".to_owned()));
}

/// A spec of many tokens takes the paths a large export takes: the process
/// environment read once, the definitions read in place from the cached
/// snapshot. Its output must be what the first, uncached run printed.
#[test]
fn a_large_spec_exports_the_same_from_the_cache_with_the_environment_above_the_files() {
    let mut spec = String::from("version = 1\n");
    let mut entries = Vec::new();
    for i in 0..300 {
        let name = format!(
            "T_{}",
            char::from(b'A' + (i % 26) as u8)
                .to_string()
                .repeat(1 + i / 26)
        );
        spec.push_str(&format!(
            "[[token]]\nname = \"{name}\"\nclass = \"cicd\"\ndescription = \"d\"\n"
        ));
        if i == 7 {
            spec.push_str("aliases = [\"OTHER_NAME\"]\n");
        }
        entries.push((name, format!("value {i} it's $x")));
    }
    let p = Project::with_spec(&spec);
    let pairs: Vec<(&str, &str)> = entries
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    p.tokens(".tokens", &pairs);
    let cache = tempfile::tempdir().unwrap();
    let vars = [
        ("TOKENSPEC_CACHE_DIR", cache.path().to_str().unwrap()),
        (entries[3].0.as_str(), "from the environment"),
        ("OTHER_NAME", "from an alias"),
    ];
    let first = p.run_cached(&["export", "--type=cicd"], &vars);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let cached = p.run_cached(&["export", "--type=cicd"], &vars);
    same(&first, &cached);
    let lines: Vec<&str> = cached.stdout.lines().collect();
    assert_eq!(lines.len(), 300);
    assert_eq!(
        lines[0],
        format!("export {}='value 0 it'\\''s $x'", entries[0].0)
    );
    assert_eq!(
        lines[3],
        format!("export {}='from the environment'", entries[3].0)
    );
    assert_eq!(lines[7], format!("export {}='from an alias'", entries[7].0));
}
