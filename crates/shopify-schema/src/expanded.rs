//! Measures of a document with its fragments expanded where they are spread. A fragment
//! that spreads another twice, which spreads another twice, grows exponentially when
//! expanded; measured once per fragment, the walk stays linear.
//!
//! ```
//! use shopify_schema::apollo_compiler::ast::{Definition, Document, Selection};
//! use shopify_schema::expanded::Fragments;
//!
//! // Fields, fragments expanded.
//! fn fields<'a>(fragments: &mut Fragments<'a, u64>, set: &'a [Selection]) -> u64 {
//!     set.iter()
//!         .map(|selection| match selection {
//!             Selection::Field(field) => 1 + fields(fragments, &field.selection_set),
//!             Selection::InlineFragment(inline) => fields(fragments, &inline.selection_set),
//!             Selection::FragmentSpread(spread) => {
//!                 fragments.measure(&spread.fragment_name, fields)
//!             }
//!         })
//!         .sum()
//! }
//!
//! let source = "query A { shop { ...F ...F } } fragment F on Shop { name id }";
//! let document = Document::parse(source, "a.graphql").unwrap();
//! let mut fragments = Fragments::of(&document);
//! let Some(Definition::OperationDefinition(op)) = document.definitions.first() else {
//!     unreachable!()
//! };
//! assert_eq!(fields(&mut fragments, &op.selection_set), 5);
//! ```

use std::collections::HashMap;

use apollo_compiler::ast::{self, Definition, Selection};

/// The named fragments of a document, each measured at most once.
#[derive(Debug)]
pub struct Fragments<'a, T> {
    sets: HashMap<&'a str, &'a [Selection]>,
    // `None` while a fragment is being measured: met again, it spreads itself.
    memo: HashMap<&'a str, Option<T>>,
}

impl<'a, T: Copy + Default> Fragments<'a, T> {
    /// The fragments `document` defines (the first, for a name defined twice).
    pub fn of(document: &'a ast::Document) -> Self {
        let mut sets = HashMap::new();
        for definition in &document.definitions {
            if let Definition::FragmentDefinition(fragment) = definition {
                sets.entry(fragment.name.as_str())
                    .or_insert(fragment.selection_set.as_slice());
            }
        }
        Self {
            sets,
            memo: HashMap::new(),
        }
    }

    /// `measure` of the fragment `name`'s selections, computed once. The default for a
    /// fragment the document does not define, and inside a fragment that spreads itself
    /// (validation refuses the cycle).
    pub fn measure(
        &mut self,
        name: &str,
        measure: impl FnOnce(&mut Self, &'a [Selection]) -> T,
    ) -> T {
        let Some((&name, &selections)) = self.sets.get_key_value(name) else {
            return T::default();
        };
        match self.memo.get(name) {
            Some(Some(value)) => return *value,
            Some(None) => return T::default(),
            None => {}
        }
        self.memo.insert(name, None);
        let value = measure(self, selections);
        self.memo.insert(name, Some(value));
        value
    }
}
