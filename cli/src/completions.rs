//! `tokenspec completions SHELL`: completion scripts from the clap definitions.

use clap::{Args, ValueEnum};
use clap_complete::Shell;

use std::io::Write;

use super::{Error, Outcome};
use crate::error::Result;

pub const EXAMPLES: &str = "\
Examples:
  tokenspec completions bash > ~/.local/share/bash-completion/completions/tokenspec
  tokenspec completions zsh > \"${fpath[1]}/_tokenspec\"
  tokenspec completions fish > ~/.config/fish/completions/tokenspec.fish
  tokenspec completions pwsh >> $PROFILE";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "powershell")]
    Pwsh,
}

#[derive(Debug, Clone, Args)]
pub struct CompletionsArgs {
    /// The shell to generate completions for
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

pub fn run(cmd: &mut clap::Command, args: &CompletionsArgs) -> Result<Outcome> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Pwsh => Shell::PowerShell,
    };
    // Rendered to memory first: clap_complete panics when its writer fails,
    // and a full or closed stdout must be an ordinary error.
    let mut script = Vec::new();
    clap_complete::generate(shell, cmd, "tokenspec", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)
        .and_then(|()| out.flush())
        .map_err(|e| Error::stdout(&e))?;
    Ok(Outcome::Ok)
}
