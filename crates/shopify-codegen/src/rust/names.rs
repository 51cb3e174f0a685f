//! GraphQL names and scalars as Rust: identifiers, doc comments, literals, types.

use std::fmt::Write as _;

use apollo_compiler::ast::Type;
use heck::{ToSnakeCase, ToUpperCamelCase};

/// How each GraphQL scalar is represented in Rust. A scalar missing here fails the build
/// with a message naming it, rather than with a rustc error in generated code.
pub(super) const SCALARS: &[(&str, &str)] = &[
    ("String", "String"),
    ("Int", "i32"),
    ("Float", "f64"),
    ("Boolean", "bool"),
    ("ID", "::shopify_client::scalars::Gid"),
    ("ARN", "::shopify_client::scalars::Arn"),
    ("BigInt", "i64"),
    ("Color", "::shopify_client::scalars::Color"),
    ("Date", "::shopify_client::scalars::Date"),
    ("DateTime", "::shopify_client::scalars::DateTime"),
    ("Decimal", "::shopify_client::scalars::Decimal"),
    (
        "FormattedString",
        "::shopify_client::scalars::FormattedString",
    ),
    ("HTML", "::shopify_client::scalars::Html"),
    ("JSON", "::shopify_client::scalars::Json"),
    ("Money", "::shopify_client::scalars::Money"),
    ("StorefrontID", "::shopify_client::scalars::StorefrontId"),
    ("URL", "::shopify_client::scalars::Url"),
    ("UnsignedInt64", "u64"),
    ("UtcOffset", "::shopify_client::scalars::UtcOffset"),
];

pub(super) const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
];

pub(super) fn ident(name: String) -> String {
    if KEYWORDS.contains(&name.as_str()) {
        format!("{name}_")
    } else {
        name
    }
}

pub(super) fn snake(name: &str) -> String {
    ident(name.trim_start_matches('_').to_snake_case())
}

pub(super) fn pascal(name: &str) -> String {
    ident(name.trim_start_matches('_').to_upper_camel_case())
}

/// The first paragraph of a schema description, as `///` lines at `indent`.
pub(super) fn doc(out: &mut String, indent: &str, text: &str) {
    let paragraph = text.trim().split("\n\n").next().unwrap_or_default();
    for line in paragraph.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

pub(super) fn rust_string(text: &str) -> String {
    format!("{text:?}")
}

pub(super) fn strip<'t>(ty: &'t str, wrapper: &str) -> Option<&'t str> {
    ty.strip_prefix(wrapper)?
        .strip_prefix('<')?
        .strip_suffix('>')
}

pub(super) fn output_type(ty: &Type, leaf: &str) -> String {
    match ty {
        Type::Named(_) => format!("Option<{leaf}>"),
        Type::NonNullNamed(_) => leaf.to_owned(),
        Type::List(inner) => format!("Option<Vec<{}>>", output_type(inner, leaf)),
        Type::NonNullList(inner) => format!("Vec<{}>", output_type(inner, leaf)),
    }
}
