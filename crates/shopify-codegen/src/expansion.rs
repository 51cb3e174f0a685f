//! A document's size with its fragments expanded where they are spread. Fragments that
//! spread another twice, which spreads another twice, grow exponentially, and validation,
//! the cost model and code generation all walk the expanded tree: a document over
//! [`MAX_EXPANDED_SELECTIONS`] is refused before any of them runs.

use apollo_compiler::ast::{self, Definition, Selection};
use shopify_schema::expanded::Fragments;

/// Fields, spreads and inline fragments of one operation, fragments expanded. Real
/// operations stay in the hundreds.
pub(crate) const MAX_EXPANDED_SELECTIONS: u64 = 10_000;

/// Selections of every operation in `document`, fragments expanded (saturating); each
/// fragment is measured once, and a fragment that spreads itself counts 0 there
/// (validation reports the cycle).
pub(crate) fn selections(document: &ast::Document) -> u64 {
    let mut fragments = Fragments::of(document);
    document
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::OperationDefinition(op) => Some(of(&mut fragments, &op.selection_set)),
            _ => None,
        })
        .fold(0, u64::saturating_add)
}

fn of<'a>(fragments: &mut Fragments<'a, u64>, selections: &'a [Selection]) -> u64 {
    let mut total = 0u64;
    for selection in selections {
        let inner = match selection {
            Selection::Field(field) => of(fragments, &field.selection_set),
            Selection::InlineFragment(inline) => of(fragments, &inline.selection_set),
            Selection::FragmentSpread(spread) => fragments.measure(&spread.fragment_name, of),
        };
        total = total.saturating_add(inner).saturating_add(1);
    }
    total
}

#[cfg(test)]
mod tests {
    use apollo_compiler::parser::Parser;

    use super::*;

    fn count(source: &str) -> u64 {
        selections(&Parser::new().parse_ast(source, "q.graphql").unwrap())
    }

    #[test]
    fn fragments_count_where_they_are_spread() {
        assert_eq!(count("query A { shop { name id } }"), 3);
        // shop, 2 spreads, 2 x (name, id)
        assert_eq!(
            count("query A { shop { ...F ...F } } fragment F on Shop { name id }"),
            7
        );
        let fan_out: String = (0..70)
            .map(|i| format!("fragment F{i} on Shop {{ ...F{n} ...F{n} }} ", n = i + 1))
            .collect();
        assert_eq!(
            count(&format!(
                "query A {{ shop {{ ...F0 }} }} {fan_out} fragment F70 on Shop {{ name }}"
            )),
            u64::MAX
        );
        // A cycle ends.
        assert_eq!(
            count("query A { shop { ...F } } fragment F on Shop { name ...F }"),
            4
        );
    }
}
