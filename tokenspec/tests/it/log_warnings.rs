//! A library never prints: a generated `load()` hands its warnings to the
//! `log` facade (target `tokenspec`, level warn), and they are in the
//! `Resolution` for a service that resolves itself.

use std::sync::Mutex;

tokenspec::tokens!(struct WorkspaceTokens, spec = "../token-spec.toml", class = "runtime");

static SEEN: Mutex<Vec<(log::Level, String, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        SEEN.lock().unwrap().push((
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

#[test]
fn a_permission_warning_reaches_the_logger_and_the_resolution() {
    log::set_logger(&Capture).unwrap();
    log::set_max_level(log::LevelFilter::Warn);
    let dir = tempfile::tempdir().unwrap();
    let env = dir.path().join(".env");
    std::fs::write(&env, "").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o644)).unwrap();
        let _ = WorkspaceTokens::load_from(dir.path(), None);
        let seen = SEEN.lock().unwrap().clone();
        assert!(
            seen.iter()
                .any(|(level, target, msg)| *level == log::Level::Warn
                    && target == "tokenspec"
                    && msg.starts_with(".env is readable by group or others (mode 0644)")),
            "{seen:?}"
        );
        let opts = tokenspec::LoadOptions::new(dir.path(), None);
        let res = tokenspec::resolve(WorkspaceTokens::defs(), &opts);
        assert!(matches!(
            &res.warnings[..],
            [tokenspec::Warning::Permissions { file, .. }] if file == ".env"
        ));
    }
}
