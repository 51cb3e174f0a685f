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
use apollo_compiler::validation::WithErrors;
use shopify_schema::expanded::Fragments;

use crate::graphql::validate::GqlError;

/// A document as [`Limits::check`] parsed it: the AST, or it with its syntax errors.
pub(crate) type Parsed = Result<ast::Document, WithErrors<ast::Document>>;

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
    /// Time from a request's first byte to the end of its head (line and headers).
    pub header_timeout: Duration,
    /// Time to read a request body once its head is in; staged uploads (streamed, up to
    /// 100 MB) get it between two chunks instead.
    pub body_timeout: Duration,
    /// The estimated size of an introspection answer: each field counts once per element of
    /// the lists it sits in (`types` ~4 000, the lists of one type up to 600). The default
    /// is the full introspection query `schema pull` sends plus a quarter: that answer
    /// (~7 MB) already takes seconds to serialize on a debug build.
    pub max_introspection_size: u64,
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
            header_timeout: Duration::from_secs(1),
            body_timeout: Duration::from_secs(1),
            max_introspection_size: FULL_INTROSPECTION_SIZE + FULL_INTROSPECTION_SIZE / 4,
        }
    }
}

impl Limits {
    /// `Ok` when `source` is within every bound; else the one error Shopify-style clients
    /// get, without `data` or a cost block (like any static error).
    /// Refuses `source` beyond a bound; within them, hands on its parse (with any syntax
    /// errors) so validation does not parse it again.
    pub(crate) fn check(&self, source: &str) -> Result<Parsed, GqlError> {
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
        let parsed = Parser::new()
            .token_limit(self.max_tokens.saturating_add(1))
            .recursion_limit(self.max_depth.saturating_mul(2).max(64) + 8)
            .parse_ast(source, crate::graphql::validate::FILE);
        // Syntax errors are validation's to word; the scan bounded its work.
        let ast = match &parsed {
            Ok(ast) => ast,
            Err(with_errors) => &with_errors.partial,
        };
        let counts = Counts::of(ast);
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
        let depth = counts.depth(ast);
        if depth > self.max_depth {
            return Err(depth_error(depth, self.max_depth));
        }
        // Fragments spread twice by fragments spread twice... grow exponentially.
        let expanded = Expansion::of(ast);
        if expanded.selections > self.max_selections as u64 {
            return Err(GqlError::new(
                format!(
                    "Query has {} selections with fragments expanded, which exceeds the maximum of {}",
                    expanded.selections, self.max_selections
                ),
                "MAX_SELECTIONS_EXCEEDED",
            ));
        }
        if expanded.lists >= MAX_INTROSPECTION_LISTS {
            // graphql-js' MaxIntrospectionDepthRule, word for word.
            return Err(GqlError::new(
                "Maximum introspection depth exceeded".to_owned(),
                "MAX_INTROSPECTION_DEPTH_EXCEEDED",
            ));
        }
        if expanded.weight > self.max_introspection_size as f64 {
            return Err(GqlError::new(
                format!(
                    "Introspection answer of an estimated {:.0} values exceeds the maximum of {}",
                    expanded.weight, self.max_introspection_size
                ),
                "MAX_INTROSPECTION_SIZE_EXCEEDED",
            ));
        }
        Ok(parsed)
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
}

impl Counts {
    fn of(document: &ast::Document) -> Self {
        let mut out = Self::default();
        for definition in &document.definitions {
            match definition {
                Definition::OperationDefinition(op) => {
                    out.variables += op.variables.len();
                    out.count(&op.selection_set);
                }
                Definition::FragmentDefinition(fragment) => {
                    out.fragments += 1;
                    out.count(&fragment.selection_set);
                }
                _ => {}
            }
        }
        out
    }

    /// Depth with fragments expanded; only called once the fragments are few, since it
    /// recurses through chains of them.
    fn depth(&self, document: &ast::Document) -> usize {
        let mut fragments = Fragments::of(document);
        let mut deepest = 0;
        for definition in &document.definitions {
            if let Definition::OperationDefinition(op) = definition {
                deepest = deepest.max(depth_of(&mut fragments, &op.selection_set));
            }
        }
        deepest
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
fn depth_of<'a>(fragments: &mut Fragments<'a, usize>, selections: &'a [Selection]) -> usize {
    let mut deepest = 0;
    for selection in selections {
        let depth = match selection {
            // graphql-ruby counts fields: `{ a { b } }` has depth 2.
            Selection::Field(field) => 1 + depth_of(fragments, &field.selection_set),
            Selection::InlineFragment(inline) => depth_of(fragments, &inline.selection_set),
            Selection::FragmentSpread(spread) => fragments.measure(&spread.fragment_name, depth_of),
        };
        deepest = deepest.max(depth);
    }
    deepest
}

/// [`Expansion`]'s weight of the introspection query `shopify-admin schema pull` sends
/// (pinned by a test); the default bound is a quarter above it.
const FULL_INTROSPECTION_SIZE: u64 = 325_094;

/// Nested `fields`, `interfaces`, `possibleTypes` and `inputFields` of introspection
/// refused from (graphql-js: 3), since each level multiplies the answer by a type's fields.
const MAX_INTROSPECTION_LISTS: usize = 3;

/// What a selection set is about, for the factors of its introspection lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Ctx {
    /// Data: every field counts once.
    Data,
    /// Under `__schema`.
    Schema,
    /// Under `types`: one of all the schema's types, so lists count their average length.
    Many,
    /// One type someone named or reached: lists count their longest.
    One,
}

impl Ctx {
    /// (factor, context of the children, counts towards the list nesting) of field `name`:
    /// the lengths of the bundled schema's lists (3 546 types; per type 2.6 fields on
    /// average, 524 at most; ...), rounded up.
    fn field(self, name: &str) -> (f64, Ctx, bool) {
        let many = self == Ctx::Many;
        let pick = |average: f64, longest: f64| if many { average } else { longest };
        match (self, name) {
            (Ctx::Data, "__schema") => (1.0, Ctx::Schema, false),
            (Ctx::Data, "__type") => (1.0, Ctx::One, false),
            (Ctx::Data, _) => (1.0, Ctx::Data, false),
            (Ctx::Schema, "types") => (4_000.0, Ctx::Many, false),
            (Ctx::Schema, "directives") => (50.0, Ctx::One, false),
            (_, "fields") => (pick(2.7, 600.0), self, true),
            (_, "inputFields") => (pick(0.9, 50.0), self, true),
            (_, "enumValues") => (pick(1.6, 300.0), self, false),
            (_, "args") => (pick(0.5, 15.0), self, false),
            (_, "possibleTypes") => (pick(0.3, 250.0), Ctx::One, true),
            (_, "interfaces") => (pick(0.3, 10.0), Ctx::One, true),
            // Most type references are one or two wrappers deep.
            (_, "ofType") => (0.6, Ctx::One, false),
            _ => (1.0, Ctx::One, false),
        }
    }
}

/// What a selection set costs with its fragments expanded where they are spread.
#[derive(Debug, Default, Clone, Copy)]
struct Measure {
    /// Fields, spreads and inline fragments, each spread replaced by its fragment's.
    selections: u64,
    /// Values of the answer, introspection lists multiplied by their estimated lengths.
    weight: f64,
    /// Deepest nesting of introspection's type lists (see [`MAX_INTROSPECTION_LISTS`]).
    lists: usize,
}

/// Measures every operation with fragments expanded; each fragment is measured once per
/// context (memoized), and a fragment that spreads itself counts 0 there (validation
/// refuses it later), so the walk is linear in the document.
struct Expansion<'a> {
    fragments: HashMap<&'a str, &'a Vec<Selection>>,
    memo: HashMap<(&'a str, Ctx), Option<Measure>>,
}

impl<'a> Expansion<'a> {
    fn of(document: &'a ast::Document) -> Measure {
        let mut walk = Self {
            fragments: HashMap::new(),
            memo: HashMap::new(),
        };
        for definition in &document.definitions {
            if let Definition::FragmentDefinition(fragment) = definition {
                walk.fragments
                    .entry(fragment.name.as_str())
                    .or_insert(&fragment.selection_set);
            }
        }
        let mut out = Measure::default();
        for definition in &document.definitions {
            if let Definition::OperationDefinition(op) = definition {
                let m = walk.selections(&op.selection_set, Ctx::Data);
                out.selections = out.selections.saturating_add(m.selections);
                out.weight += m.weight;
                out.lists = out.lists.max(m.lists);
            }
        }
        out
    }

    fn selections(&mut self, selections: &'a [Selection], ctx: Ctx) -> Measure {
        let mut out = Measure::default();
        for selection in selections {
            let (selections, weight, lists) = match selection {
                Selection::Field(field) => {
                    let (factor, inner, list) = ctx.field(field.name.as_str());
                    let m = self.selections(&field.selection_set, inner);
                    (
                        m.selections.saturating_add(1),
                        factor * (m.weight + 1.0),
                        m.lists + usize::from(list),
                    )
                }
                Selection::InlineFragment(inline) => {
                    let m = self.selections(&inline.selection_set, ctx);
                    (m.selections.saturating_add(1), m.weight, m.lists)
                }
                Selection::FragmentSpread(spread) => {
                    let m = self.fragment(spread.fragment_name.as_str(), ctx);
                    (m.selections.saturating_add(1), m.weight, m.lists)
                }
            };
            out.selections = out.selections.saturating_add(selections);
            out.weight += weight;
            out.lists = out.lists.max(lists);
        }
        out
    }

    fn fragment(&mut self, name: &'a str, ctx: Ctx) -> Measure {
        match self.memo.get(&(name, ctx)) {
            Some(Some(measure)) => return *measure,
            // Being measured: a cycle.
            Some(None) => return Measure::default(),
            None => {}
        }
        let Some(selections) = self.fragments.get(name).copied() else {
            return Measure::default();
        };
        self.memo.insert((name, ctx), None);
        let measure = self.selections(selections, ctx);
        self.memo.insert((name, ctx), Some(measure));
        measure
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

    /// What `shopify-admin schema pull` sends (`schema_cmd::introspection_query`).
    const FULL_INTROSPECTION: &str = "query IntrospectionQuery { __schema { description queryType { name } mutationType { name } subscriptionType { name } types { ...FullType } directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } } } }
fragment FullType on __Type { kind name description specifiedByURL isOneOf fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields(includeDeprecated: true) { ...InputValue } interfaces { name } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { name } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";

    fn measure(source: &str) -> Measure {
        let ast = Parser::new().parse_ast(source, "q.graphql").unwrap();
        Expansion::of(&ast)
    }

    #[test]
    fn the_full_introspection_query_passes_and_sets_the_size_bound() {
        assert_eq!(
            measure(FULL_INTROSPECTION).weight.round() as u64,
            FULL_INTROSPECTION_SIZE
        );
        assert_eq!(code(&Limits::default(), FULL_INTROSPECTION), None);
    }

    #[test]
    fn introspection_that_multiplies_its_answer_is_refused() {
        let limits = Limits::default();
        let check = |source: &str, expect: Option<&str>| {
            assert_eq!(code(&limits, source).as_deref(), expect, "{source}");
        };
        // Every type's fields' types' fields' types' fields (graphql-js refuses it too).
        check(
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
            Some("MAX_INTROSPECTION_DEPTH_EXCEEDED"),
        );
        check(
            "{ __type(name: \"Product\") { ...F } } fragment F on __Type { fields { type { ofType { ...G } } } } fragment G on __Type { interfaces { possibleTypes { name } } }",
            Some("MAX_INTROSPECTION_DEPTH_EXCEEDED"),
        );
        // Two lists deep is how real introspection looks.
        check(
            "{ __type(name: \"Product\") { interfaces { fields { name } } } }",
            None,
        );
        // The whole schema three times over, under aliases.
        let aliases: String = (0..3)
            .map(|i| format!("a{i}: __schema {{ types {{ ...FullType }} }} "))
            .collect();
        let (_, fragments) = FULL_INTROSPECTION.split_once('\n').unwrap();
        check(
            &format!("{{ {aliases} }}\n{fragments}"),
            Some("MAX_INTROSPECTION_SIZE_EXCEEDED"),
        );
        let types: String = (0..400)
            .map(|i| format!("t{i}: types {{ name }} "))
            .collect();
        check(
            &format!("{{ __schema {{ {types} }} }}"),
            Some("MAX_INTROSPECTION_SIZE_EXCEEDED"),
        );
    }

    #[test]
    fn fragments_spread_twice_at_every_level_are_refused_before_they_grow() {
        let fan_out: String = (0..40)
            .map(|i| format!("fragment F{i} on Shop {{ ...F{n} ...F{n} }} ", n = i + 1))
            .collect();
        let source = format!("{{ shop {{ ...F0 }} }} {fan_out} fragment F40 on Shop {{ name }}");
        let error = Limits::default().check(&source).unwrap_err();
        assert_eq!(
            error.message,
            format!(
                "Query has {} selections with fragments expanded, which exceeds the maximum of 2500",
                3u64 << 40
            )
        );
        // The same fragments spread once each are fine.
        let chain: String = (0..40)
            .map(|i| format!("fragment F{i} on Shop {{ ...F{n} }} ", n = i + 1))
            .collect();
        let source = format!("{{ shop {{ ...F0 }} }} {chain} fragment F40 on Shop {{ name }}");
        assert_eq!(code(&Limits::default(), &source), None);
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
