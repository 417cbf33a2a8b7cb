//! Keys given more than once, found by sorting rather than hashing: the
//! spec's duplicate names and the macro's duplicate fields both use it, and
//! the macro usually runs unoptimised, where a sort is far cheaper than a
//! SipHash set.

/// Every repeat in `keys` as `(index, index of the key's first place)`,
/// in the order the repeats appear.
pub fn repeats(keys: &[&str]) -> Vec<(usize, usize)> {
    let mut sorted: Vec<(&str, usize)> = keys.iter().copied().zip(0..).collect();
    // By key, then by place: a key's first place leads its run.
    sorted.sort_unstable();
    let mut out: Vec<(usize, usize)> = sorted
        .chunk_by(|a, b| a.0 == b.0)
        .flat_map(|run| run[1..].iter().map(move |(_, at)| (*at, run[0].1)))
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn repeats_name_their_first_place_in_order() {
        assert_eq!(
            super::repeats(&["b", "a", "b", "c", "a", "b"]),
            [(2, 0), (4, 1), (5, 0)]
        );
        assert!(super::repeats(&["x", "y"]).is_empty());
        assert!(super::repeats(&[]).is_empty());
    }
}
