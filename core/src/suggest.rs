//! "Did you mean …?": the one suggestion rule for spec keys, token names,
//! class, format and environment names, used by the parser, `check`,
//! `validate` and the environment check (here in core so that a service's
//! `load()` gives the same suggestion; `tokenspec_spec::suggest`
//! re-exports it).

/// The candidate nearest to `word` by edit distance, ignoring ASCII case,
/// with that distance. Ties go to the earlier candidate.
pub fn nearest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<(&'a str, usize)> {
    let word = word.to_ascii_uppercase();
    let mut best: Option<(&str, usize)> = None;
    for c in candidates {
        let d = strsim::levenshtein(&word, &c.to_ascii_uppercase());
        if best.is_none_or(|(_, b)| d < b) {
            best = Some((c, d));
        }
    }
    best
}

/// The nearest candidate when it is close enough to be a typo of `word`:
/// at most two edits, or a third of the candidate's length for long names.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    nearest(word, candidates)
        .filter(|(c, d)| *d <= 2.max(c.len() / 3))
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_only_ignoring_case() {
        let known = ["AAR_TOKEN", "CI_BOT_TOKEN", "BOT_JWT"];
        assert_eq!(did_you_mean("AAR_TOKN", known), Some("AAR_TOKEN"));
        assert_eq!(did_you_mean("ci_bot_token", known), Some("CI_BOT_TOKEN"));
        assert_eq!(did_you_mean("SOMETHING_ELSE", known), None);
        assert_eq!(
            did_you_mean("descripton", ["name", "description"]),
            Some("description")
        );
        assert_eq!(nearest("BOT_JWX", known), Some(("BOT_JWT", 1)));
        assert_eq!(nearest("x", []), None);
    }
}
