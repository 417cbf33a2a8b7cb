//! Process-wide settings made once at start-up.
//!
//! A secrets tool must never leave its memory on disk: with core dumps
//! allowed, an abort (`panic = "abort"`) would write every token it read
//! into a `core` file in the working directory. So the soft core limit is
//! 0 and, on Linux, the process is not dumpable. `run` gives the command
//! it starts the limit the user had ([`restore_for_child`]); the kernel
//! makes an exec'd program dumpable again by itself.

#[cfg(unix)]
use std::sync::OnceLock;

#[cfg(unix)]
static ORIGINAL_CORE_LIMIT: OnceLock<rustix::process::Rlimit> = OnceLock::new();

/// Turns core dumps off for this process.
pub fn harden() {
    #[cfg(unix)]
    {
        use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
        let original = getrlimit(Resource::Core);
        let _ = ORIGINAL_CORE_LIMIT.set(original);
        // The hard limit stays, so `run` can hand the user's limit on.
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: original.maximum,
            },
        );
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let _ =
            rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable);
    }
}

/// Puts back the core limit the user had, right before `exec`: the program
/// `run` starts is the user's, with the user's settings. tokenspec itself
/// stays undumpable until the exec replaces it.
pub fn restore_for_child() {
    #[cfg(unix)]
    if let Some(original) = ORIGINAL_CORE_LIMIT.get() {
        let _ = rustix::process::setrlimit(rustix::process::Resource::Core, *original);
    }
}

#[cfg(all(test, unix))]
mod tests {
    #[test]
    fn harden_sets_the_soft_core_limit_to_zero() {
        super::harden();
        let now = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!(now.current, Some(0));
        #[cfg(target_os = "linux")]
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
        super::restore_for_child();
    }
}
