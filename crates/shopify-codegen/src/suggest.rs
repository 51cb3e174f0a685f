//! "Did you mean" suggestions, ranked the way graphql-js ranks them.

/// The options close enough to `input` to suggest, best first (at most five).
pub(crate) fn similar<'a>(input: &str, options: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let lower = input.to_lowercase();
    let threshold = input.chars().count() * 2 / 5 + 1;
    let mut ranked: Vec<(usize, &str)> = options
        .into_iter()
        .filter(|option| *option != input)
        .filter_map(|option| {
            let other = option.to_lowercase();
            let distance = if other == lower {
                1
            } else {
                strsim::damerau_levenshtein(&lower, &other)
            };
            (distance <= threshold).then_some((distance, option))
        })
        .collect();
    ranked.sort();
    ranked.dedup();
    ranked
        .into_iter()
        .take(5)
        .map(|(_, option)| option)
        .collect()
}

/// `did you mean `a`, `b` or `c`?`, or nothing.
pub(crate) fn did_you_mean<'a>(
    input: &str,
    options: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    let found = similar(input, options);
    let quoted: Vec<String> = found.iter().map(|o| format!("`{o}`")).collect();
    match quoted.as_slice() {
        [] => None,
        [one] => Some(format!("did you mean {one}?")),
        [init @ .., last] => Some(format!("did you mean {} or {last}?", init.join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_best_first() {
        let fields = ["title", "tags", "totalInventory", "handle", "vendor"];
        assert_eq!(similar("titel", fields), ["title"]);
        assert_eq!(similar("Title", fields), ["title"]);
        assert_eq!(similar("zzzzz", fields), Vec::<&str>::new());
        assert_eq!(
            did_you_mean("tag", fields).as_deref(),
            Some("did you mean `tags`?")
        );
    }
}
