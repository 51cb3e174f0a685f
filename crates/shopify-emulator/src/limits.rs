//! Bounded work per request: every GraphQL document is measured before it is validated,
//! and refused early when it is larger than Shopify would take.
//!
//! Two linear passes, both cheaper than validation: a scan of the text (size, tokens,
//! bracket nesting) that allocates nothing, then — only if that passes — a parse with a
//! token cap and a walk of the tree (selections, aliases, variables, fragments, depth with
//! fragments expanded, each fragment measured once). Validation, whose field-merging
//! rule grows with the square of the selections, only ever sees bounded documents.
//!
//! Shopify's exact limits are not published; graphql-ruby's wording is used where it has
//! one (`Query has depth of N, which exceeds max depth of M`), with an UPPER_SNAKE code in
//! `extensions` like Shopify's other refusals. The numbers are configurable
//! ([`crate::EmulatorBuilder::limits`]).

use std::collections::HashMap;
use std::time::Duration;

use apollo_compiler::ast::{self, Definition, Selection};
use apollo_compiler::parser::Parser;

use crate::graphql::validate::GqlError;

/// The bounds on one request. [`Limits::default`] is generous for real operations (the
/// full introspection query uses a few percent of each) and cheap to refuse beyond.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Bytes of an HTTP request body, on every route.
    pub max_body_bytes: usize,
    /// Time to read a request and answer it, on every route.
    pub request_timeout: Duration,
    /// Bytes of the GraphQL document (`query`).
    pub max_document_bytes: usize,
    /// Lexical tokens of the document.
    pub max_tokens: usize,
    /// Nesting of selection sets, fragments expanded (graphql-ruby's `max_depth`).
    pub max_depth: usize,
    /// Fields, fragment spreads and inline fragments written in the document.
    pub max_selections: usize,
    /// Aliased fields.
    pub max_aliases: usize,
    /// Variable definitions, over all operations.
    pub max_variables: usize,
    /// Fragment definitions.
    pub max_fragments: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 2 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            max_document_bytes: 256 * 1024,
            max_tokens: 15_000,
            max_depth: 30,
            max_selections: 2_500,
            max_aliases: 500,
            max_variables: 250,
            max_fragments: 250,
        }
    }
}

impl Limits {
    /// `Ok` when `source` is within every bound; else the one error Shopify-style clients
    /// get, without `data` or a cost block (like any static error).
    pub(crate) fn check(&self, source: &str) -> Result<(), GqlError> {
        if source.len() > self.max_document_bytes {
            return Err(GqlError::new(
                format!(
                    "Query is {} bytes, which exceeds the maximum of {} bytes",
                    source.len(),
                    self.max_document_bytes
                ),
                "MAX_DOCUMENT_SIZE_EXCEEDED",
            ));
        }
        let scan = scan(source);
        if scan.tokens > self.max_tokens {
            return Err(GqlError::new(
                format!(
                    "Query has {} tokens, which exceeds the maximum of {}",
                    scan.tokens, self.max_tokens
                ),
                "MAX_TOKENS_EXCEEDED",
            ));
        }
        // Brackets of values nest too; the tree walk below recurses, so bound it first.
        if scan.depth > self.max_depth.saturating_mul(2).max(64) {
            return Err(depth_error(scan.depth, self.max_depth));
        }
        let ast = match Parser::new()
            .token_limit(self.max_tokens.saturating_add(1))
            .recursion_limit(self.max_depth.saturating_mul(2).max(64) + 8)
            .parse_ast(source, "query.graphql")
        {
            Ok(ast) => ast,
            // Syntax errors are validation's to word; the scan bounded its work.
            Err(with_errors) => with_errors.partial,
        };
        let counts = Counts::of(&ast);
        let over = [
            (
                counts.selections,
                self.max_selections,
                "selections",
                "MAX_SELECTIONS_EXCEEDED",
            ),
            (
                counts.aliases,
                self.max_aliases,
                "aliases",
                "MAX_ALIASES_EXCEEDED",
            ),
            (
                counts.variables,
                self.max_variables,
                "variable definitions",
                "MAX_VARIABLES_EXCEEDED",
            ),
            (
                counts.fragments,
                self.max_fragments,
                "fragments",
                "MAX_FRAGMENTS_EXCEEDED",
            ),
        ];
        for (count, max, what, code) in over {
            if count > max {
                return Err(GqlError::new(
                    format!("Query has {count} {what}, which exceeds the maximum of {max}"),
                    code,
                ));
            }
        }
        if counts.depth > self.max_depth {
            return Err(depth_error(counts.depth, self.max_depth));
        }
        Ok(())
    }
}

fn depth_error(depth: usize, max: usize) -> GqlError {
    GqlError::new(
        format!("Query has depth of {depth}, which exceeds max depth of {max}"),
        "MAX_DEPTH_EXCEEDED",
    )
}

/// What the text scan measures.
#[derive(Debug, Default, PartialEq, Eq)]
struct Scan {
    tokens: usize,
    /// Deepest nesting of `{`, `(` and `[`.
    depth: usize,
}

/// One pass over the bytes with GraphQL's lexical rules (names, numbers, strings, block
/// strings, comments, punctuators); unknown bytes count as tokens, as errors would.
fn scan(source: &str) -> Scan {
    let bytes = source.as_bytes();
    let mut out = Scan::default();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                out.tokens += 1;
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                out.tokens += 1;
                i += 1;
                while i < bytes.len() && !matches!(bytes[i], b'"' | b'\n' | b'\r') {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'{' | b'(' | b'[' => {
                out.tokens += 1;
                depth += 1;
                out.depth = out.depth.max(depth);
                i += 1;
            }
            b'}' | b')' | b']' => {
                out.tokens += 1;
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                out.tokens += 1;
                i += 3;
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => {
                out.tokens += 1;
                i += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'.'))
                {
                    i += 1;
                }
            }
            _ => {
                out.tokens += 1;
                // A whole UTF-8 character, not each of its bytes.
                i += 1;
                while i < bytes.len() && (bytes[i] & 0xC0) == 0x80 {
                    i += 1;
                }
            }
        }
    }
    out
}

/// What the tree walk counts.
#[derive(Debug, Default)]
struct Counts {
    selections: usize,
    aliases: usize,
    variables: usize,
    fragments: usize,
    depth: usize,
}

impl Counts {
    fn of(document: &ast::Document) -> Self {
        let mut out = Self::default();
        let mut fragments = HashMap::new();
        for definition in &document.definitions {
            match definition {
                Definition::OperationDefinition(op) => {
                    out.variables += op.variables.len();
                    out.count(&op.selection_set);
                }
                Definition::FragmentDefinition(fragment) => {
                    out.fragments += 1;
                    out.count(&fragment.selection_set);
                    fragments
                        .entry(fragment.name.as_str())
                        .or_insert(&fragment.selection_set);
                }
                _ => {}
            }
        }
        let mut depths = Depths {
            fragments,
            memo: HashMap::new(),
        };
        for definition in &document.definitions {
            if let Definition::OperationDefinition(op) = definition {
                out.depth = out.depth.max(depths.of(&op.selection_set));
            }
        }
        out
    }

    fn count(&mut self, selections: &[Selection]) {
        for selection in selections {
            self.selections += 1;
            match selection {
                Selection::Field(field) => {
                    self.aliases += usize::from(field.alias.is_some());
                    self.count(&field.selection_set);
                }
                Selection::InlineFragment(inline) => self.count(&inline.selection_set),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

/// Depth of selection sets with fragments expanded; each fragment is measured once, and
/// a fragment that spreads itself counts as depth 0 there (validation refuses it later).
struct Depths<'a> {
    fragments: HashMap<&'a str, &'a Vec<Selection>>,
    memo: HashMap<&'a str, Option<usize>>,
}

impl<'a> Depths<'a> {
    fn of(&mut self, selections: &'a [Selection]) -> usize {
        let mut deepest = 0;
        for selection in selections {
            let depth = match selection {
                // graphql-ruby counts fields: `{ a { b } }` has depth 2.
                Selection::Field(field) => 1 + self.of(&field.selection_set),
                Selection::InlineFragment(inline) => self.of(&inline.selection_set),
                Selection::FragmentSpread(spread) => self.fragment(spread.fragment_name.as_str()),
            };
            deepest = deepest.max(depth);
        }
        deepest
    }

    fn fragment(&mut self, name: &'a str) -> usize {
        match self.memo.get(name) {
            Some(Some(depth)) => return *depth,
            // Being measured: a cycle.
            Some(None) => return 0,
            None => {}
        }
        let Some(selections) = self.fragments.get(name).copied() else {
            return 0;
        };
        self.memo.insert(name, None);
        let depth = self.of(selections);
        self.memo.insert(name, Some(depth));
        depth
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(limits: &Limits, source: &str) -> Option<String> {
        limits.check(source).err().map(|e| {
            e.extensions
                .get("code")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .to_owned()
        })
    }

    #[test]
    fn the_scan_counts_tokens_the_way_graphql_lexes_them() {
        let source = "query Q($a: [Int!] = [1, -2.5e3]) { f(s: \"a \\\" {\", b: \"\"\"x \"\" {\"\"\") ... on T { g } } # { ignored";
        // query Q ( $ a : [ Int ! ] = [ 1 -2.5e3 ] ) { f ( s : "…" b : """…""" ) ... on T { g } }
        assert_eq!(
            scan(source),
            Scan {
                tokens: 33,
                depth: 2
            }
        );
    }

    #[test]
    fn real_operations_pass() {
        let limits = Limits::default();
        let source = "query P($first: Int!) { products(first: $first) { edges { node { id ...F } } } } fragment F on Product { title variants(first: 3) { nodes { id } } }";
        assert_eq!(code(&limits, source), None);
    }

    #[test]
    fn each_bound_is_refused_with_its_code() {
        let limits = Limits {
            max_document_bytes: 10_000,
            max_tokens: 1_000,
            max_depth: 5,
            max_selections: 50,
            max_aliases: 10,
            max_variables: 3,
            max_fragments: 2,
            ..Limits::default()
        };
        let check = |source: &str, expect: Option<&str>| {
            assert_eq!(code(&limits, source).as_deref(), expect, "{source}");
        };
        check(&"#".repeat(10_001), Some("MAX_DOCUMENT_SIZE_EXCEEDED"));
        check(
            &format!("{{ {} }}", "a ".repeat(1_000)),
            Some("MAX_TOKENS_EXCEEDED"),
        );
        check(
            &format!("{{ {} }}", "a ".repeat(51)),
            Some("MAX_SELECTIONS_EXCEEDED"),
        );
        let aliases: String = (0..11).map(|i| format!("a{i}: shop {{ name }} ")).collect();
        check(&format!("{{ {aliases} }}"), Some("MAX_ALIASES_EXCEEDED"));
        check(
            "query($a: Int, $b: Int, $c: Int, $d: Int) { shop { name } }",
            Some("MAX_VARIABLES_EXCEEDED"),
        );
        check(
            "{ ...A } fragment A on QueryRoot { shop { name } } fragment B on Shop { name } fragment C on Shop { name }",
            Some("MAX_FRAGMENTS_EXCEEDED"),
        );
        check("{ a { b { c { d { e } } } } }", None);
        check(
            "{ a { b { c { d { e { f } } } } } }",
            Some("MAX_DEPTH_EXCEEDED"),
        );
        // Depth counts through fragments, and a cycle does not loop.
        check(
            "{ a { ...A } } fragment A on T { b { c { ...B } } } fragment B on T { d { e { f { g } } } }",
            Some("MAX_DEPTH_EXCEEDED"),
        );
        check("{ ...A } fragment A on T { a { ...A } }", None);
        // Unbalanced brackets nest too: bounded before any recursion.
        check(&"[".repeat(500), Some("MAX_DEPTH_EXCEEDED"));
    }

    #[test]
    fn the_depth_error_has_graphql_rubys_wording() {
        let error = Limits {
            max_depth: 2,
            ..Limits::default()
        }
        .check("{ a { b { c } } }")
        .err()
        .map(|e| e.message);
        assert_eq!(
            error.as_deref(),
            Some("Query has depth of 3, which exceeds max depth of 2")
        );
    }
}
