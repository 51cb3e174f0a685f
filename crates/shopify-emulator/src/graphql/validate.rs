//! Static validation: apollo-compiler's diagnostics translated into graphql-ruby's errors.
//!
//! apollo-compiler says *what* is wrong (a kind via `unstable_error_name`, a message with the
//! names, a location). Shopify's clients see graphql-ruby's wording, camelCase codes and a
//! `path` that starts with `"query OpName"`. A typed walk of the AST gives, for any source
//! offset, that path and what sits there (field, argument and its expected type); the
//! translation combines the two. Golden tests pin the result.

use apollo_compiler::ast::{self, Definition, OperationType, Selection};
use apollo_compiler::diagnostic::ToCliReport;
use apollo_compiler::executable::ExecutableDocument;
use apollo_compiler::parser::SourceSpan;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Node, Schema};
use serde_json::{Map, Value, json};

use crate::store::gid_parts;

/// One error of a response's `errors`, as graphql-ruby shapes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct GqlError {
    pub(crate) message: String,
    pub(crate) locations: Vec<(usize, usize)>,
    pub(crate) path: Option<Vec<Value>>,
    pub(crate) extensions: Map<String, Value>,
}

impl GqlError {
    pub(crate) fn new(message: impl Into<String>, code: &str) -> Self {
        let mut extensions = Map::new();
        extensions.insert("code".into(), Value::from(code));
        Self {
            message: message.into(),
            locations: Vec::new(),
            path: None,
            extensions,
        }
    }

    fn ext(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.extensions.insert(key.into(), value.into());
        self
    }

    pub(crate) fn to_json(&self) -> Value {
        let mut out = Map::new();
        out.insert("message".into(), Value::from(self.message.clone()));
        if !self.locations.is_empty() {
            let locs = self
                .locations
                .iter()
                .map(|(line, column)| json!({"line": line, "column": column}))
                .collect();
            out.insert("locations".into(), Value::Array(locs));
        }
        if let Some(path) = &self.path {
            out.insert("path".into(), Value::Array(path.clone()));
        }
        if !self.extensions.is_empty() {
            out.insert("extensions".into(), Value::Object(self.extensions.clone()));
        }
        Value::Object(out)
    }
}

/// The name a request's document is parsed under.
pub(crate) const FILE: &str = "query.graphql";

/// Validates `source`, parsed by [`Limits::check`](crate::Limits); on failure, the
/// errors Shopify would answer with.
pub(crate) fn check(
    schema: &Valid<Schema>,
    source: &str,
    parsed: crate::limits::Parsed,
) -> Result<Valid<ExecutableDocument>, Vec<GqlError>> {
    let ast = match parsed {
        Ok(doc) => doc,
        Err(with_errors) => {
            let syntax = with_errors.errors.iter().find(|d| {
                let text = d.error.to_string();
                text.starts_with("syntax error") || text.contains("limit")
            });
            match syntax {
                Some(d) => {
                    let offset = d.error.location().map_or(source.len(), |l| l.offset());
                    return Err(vec![parse_error(source, offset)]);
                }
                None => with_errors.partial,
            }
        }
    };
    let index = Index::build(schema, &ast, source);
    match ast.to_executable_validate(schema) {
        Ok(doc) => {
            let errors = index.invalid_global_ids();
            if errors.is_empty() {
                Ok(doc)
            } else {
                Err(errors)
            }
        }
        Err(with_errors) => {
            let mut out: Vec<GqlError> = Vec::new();
            for diag in with_errors.errors.iter() {
                let kind = diag.error.unstable_error_name().unwrap_or("");
                let message = diag.error.to_string();
                let span = diag.error.location();
                if let Some(error) = index.translate(schema, kind, &message, span, source) {
                    merge_or_push(&mut out, error);
                }
            }
            if out.is_empty() {
                // Only follow-on errors were left: report apollo's own words rather than
                // execute a document apollo refused.
                out = with_errors
                    .errors
                    .iter()
                    .map(|d| GqlError::new(d.error.to_string(), "validationError"))
                    .collect();
            }
            Err(out)
        }
    }
}

/// graphql-ruby names all missing arguments of one field in one error.
fn merge_or_push(out: &mut Vec<GqlError>, error: GqlError) {
    if error.extensions.get("code") == Some(&Value::from("missingRequiredArguments")) {
        if let Some(prev) = out.iter_mut().find(|e| {
            e.extensions.get("code") == error.extensions.get("code")
                && e.locations == error.locations
                && e.path == error.path
        }) {
            let add = error
                .extensions
                .get("arguments")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let names = format!(
                "{}, {add}",
                prev.extensions
                    .get("arguments")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            );
            let class = prev
                .extensions
                .get("className")
                .cloned()
                .unwrap_or_default();
            let name = prev.extensions.get("name").cloned().unwrap_or_default();
            prev.message = format!(
                "{} '{}' is missing required arguments: {names}",
                class.as_str().unwrap_or("Field"),
                name.as_str().unwrap_or_default()
            );
            prev.extensions
                .insert("arguments".into(), Value::from(names));
            return;
        }
    }
    out.push(error);
}

fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// `syntax error, unexpected <token> at [line, col]`, graphql-ruby's C parser wording.
fn parse_error(source: &str, offset: usize) -> GqlError {
    let rest = source.get(offset..).unwrap_or_default();
    let trimmed = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    let at_eof = trimmed.is_empty() || trimmed.starts_with('#') && !trimmed.contains('\n');
    let (message, position) = if at_eof {
        // The C parser reports end of file at the last token it read.
        let end = source.trim_end().len();
        let body = &source[..end];
        let start = body
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
            .last()
            .map_or(end.saturating_sub(1), |(i, _)| i);
        ("syntax error, unexpected end of file".to_owned(), start)
    } else {
        let token_start = offset + (rest.len() - trimmed.len());
        let (name, text) = token_at(trimmed);
        (
            format!("syntax error, unexpected {name} ({text:?})"),
            token_start,
        )
    };
    let (line, col) = line_col(source, position);
    let mut error = GqlError::new(format!("{message} at [{line}, {col}]"), "PARSE_ERROR");
    error.locations = vec![(line, col)];
    error
}

fn token_at(s: &str) -> (&'static str, String) {
    let first = s.chars().next().unwrap_or(' ');
    let punct = |name| (name, first.to_string());
    match first {
        '{' => punct("LCURLY"),
        '}' => punct("RCURLY"),
        '(' => punct("LPAREN"),
        ')' => punct("RPAREN"),
        '[' => punct("LBRACKET"),
        ']' => punct("RBRACKET"),
        ':' => punct("COLON"),
        '$' => punct("VAR_SIGN"),
        '@' => punct("DIR_SIGN"),
        '=' => punct("EQUALS"),
        '!' => punct("BANG"),
        '|' => punct("PIPE"),
        '&' => punct("AMP"),
        '.' => ("ELLIPSIS", "...".to_owned()),
        '"' => {
            let end = s[1..].find('"').map_or(s.len(), |i| i + 2);
            ("STRING", s[1..end.saturating_sub(1).max(1)].to_owned())
        }
        c if c.is_ascii_digit() || c == '-' => {
            let text: String = s
                .chars()
                .take_while(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | 'e' | 'E' | '+'))
                .collect();
            let name = if text.contains(['.', 'e', 'E']) {
                "FLOAT"
            } else {
                "INT"
            };
            (name, text)
        }
        c if c.is_alphabetic() || c == '_' => {
            let text: String = s
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let name = match text.as_str() {
                "query" => "QUERY",
                "mutation" => "MUTATION",
                "subscription" => "SUBSCRIPTION",
                "fragment" => "FRAGMENT",
                "on" => "ON",
                "true" => "TRUE",
                "false" => "FALSE",
                "null" => "NULL",
                _ => "IDENTIFIER",
            };
            (name, text)
        }
        other => ("UNKNOWN_CHAR", other.to_string()),
    }
}

/// What sits at a span of the source.
#[derive(Debug, Clone)]
enum SiteKind {
    Operation {
        name: Option<String>,
        kind: &'static str,
    },
    Fragment,
    Field {
        name: String,
        parent_type: String,
        has_selections: bool,
    },
    Argument {
        name: String,
        /// `Field`, `InputObject` or `Directive`.
        parent_kind: &'static str,
        parent_name: String,
        expected: Option<ast::Type>,
        value: Node<ast::Value>,
    },
    Other,
}

#[derive(Debug, Clone)]
struct Site {
    start: usize,
    end: usize,
    path: Vec<Value>,
    kind: SiteKind,
}

/// A typed walk of the document: every operation, fragment, field and argument with its
/// graphql-ruby path.
struct Index {
    sites: Vec<Site>,
    variables_used: Vec<String>,
    fragments_spread: Vec<String>,
    fragments_defined: Vec<String>,
    source: String,
}

fn span(node_loc: Option<SourceSpan>) -> (usize, usize) {
    node_loc.map_or((0, 0), |l| (l.offset(), l.end_offset()))
}

impl Index {
    fn build(schema: &Schema, doc: &ast::Document, source: &str) -> Self {
        let mut index = Index {
            sites: Vec::new(),
            variables_used: Vec::new(),
            fragments_spread: Vec::new(),
            fragments_defined: Vec::new(),
            source: source.to_owned(),
        };
        for def in &doc.definitions {
            match def {
                Definition::OperationDefinition(op) => {
                    let kind = match op.operation_type {
                        OperationType::Query => "query",
                        OperationType::Mutation => "mutation",
                        OperationType::Subscription => "subscription",
                    };
                    let label = match &op.name {
                        Some(name) => format!("{kind} {name}"),
                        None => kind.to_owned(),
                    };
                    let path = vec![Value::from(label)];
                    let (start, end) = span(op.location());
                    index.sites.push(Site {
                        start,
                        end,
                        path: path.clone(),
                        kind: SiteKind::Operation {
                            name: op.name.as_ref().map(|n| n.to_string()),
                            kind,
                        },
                    });
                    let root = schema
                        .root_operation(op.operation_type)
                        .map(|n| n.to_string())
                        .unwrap_or_default();
                    for var in &op.variables {
                        if let Some(default) = &var.default_value {
                            index.collect_variables(default);
                        }
                    }
                    index.directives(schema, &op.directives, &path);
                    index.selections(schema, &op.selection_set, &root, &path);
                }
                Definition::FragmentDefinition(frag) => {
                    index.fragments_defined.push(frag.name.to_string());
                    let path = vec![Value::from(format!("fragment {}", frag.name))];
                    let (start, end) = span(frag.location());
                    index.sites.push(Site {
                        start,
                        end,
                        path: path.clone(),
                        kind: SiteKind::Fragment,
                    });
                    index.directives(schema, &frag.directives, &path);
                    index.selections(
                        schema,
                        &frag.selection_set,
                        frag.type_condition.as_str(),
                        &path,
                    );
                }
                _ => {}
            }
        }
        index
    }

    fn selections(&mut self, schema: &Schema, set: &[Selection], parent: &str, path: &[Value]) {
        for sel in set {
            match sel {
                Selection::Field(field) => {
                    let key = field.alias.as_ref().unwrap_or(&field.name).to_string();
                    let mut path = path.to_vec();
                    path.push(Value::from(key));
                    let (start, end) = span(field.location());
                    self.sites.push(Site {
                        start,
                        end,
                        path: path.clone(),
                        kind: SiteKind::Field {
                            name: field.name.to_string(),
                            parent_type: parent.to_owned(),
                            has_selections: !field.selection_set.is_empty(),
                        },
                    });
                    let def = schema.type_field(parent, &field.name).ok();
                    for arg in &field.arguments {
                        let expected = def
                            .and_then(|d| d.argument_by_name(&arg.name))
                            .map(|a| (*a.ty).clone());
                        self.argument(schema, arg, "Field", &field.name, expected, &path);
                    }
                    self.directives(schema, &field.directives, &path);
                    let child = def
                        .map(|d| d.ty.inner_named_type().to_string())
                        .unwrap_or_default();
                    self.selections(schema, &field.selection_set, &child, &path);
                }
                Selection::InlineFragment(inline) => {
                    let mut path = path.to_vec();
                    let ty = inline
                        .type_condition
                        .as_ref()
                        .map_or(parent.to_owned(), |t| t.to_string());
                    path.push(Value::from(match &inline.type_condition {
                        Some(t) => format!("... on {t}"),
                        None => "...".to_owned(),
                    }));
                    let (start, end) = span(inline.location());
                    self.sites.push(Site {
                        start,
                        end,
                        path: path.clone(),
                        kind: SiteKind::Other,
                    });
                    self.directives(schema, &inline.directives, &path);
                    self.selections(schema, &inline.selection_set, &ty, &path);
                }
                Selection::FragmentSpread(spread) => {
                    let mut path = path.to_vec();
                    path.push(Value::from(format!("... {}", spread.fragment_name)));
                    self.fragments_spread.push(spread.fragment_name.to_string());
                    let (start, end) = span(spread.location());
                    self.sites.push(Site {
                        start,
                        end,
                        path: path.clone(),
                        kind: SiteKind::Other,
                    });
                    self.directives(schema, &spread.directives, &path);
                }
            }
        }
    }

    // graphql-ruby does not put directives in the path, but their arguments are sites.
    fn directives(&mut self, schema: &Schema, list: &ast::DirectiveList, path: &[Value]) {
        for dir in list.iter() {
            let def = schema.directive_definitions.get(&dir.name);
            for arg in &dir.arguments {
                let expected = def
                    .and_then(|d| d.argument_by_name(&arg.name))
                    .map(|a| (*a.ty).clone());
                self.argument(schema, arg, "Directive", &dir.name, expected, path);
            }
        }
    }

    fn argument(
        &mut self,
        schema: &Schema,
        arg: &Node<ast::Argument>,
        parent_kind: &'static str,
        parent_name: &str,
        expected: Option<ast::Type>,
        path: &[Value],
    ) {
        let mut path = path.to_vec();
        path.push(Value::from(arg.name.to_string()));
        let (start, end) = span(arg.location());
        self.sites.push(Site {
            start,
            end,
            path: path.clone(),
            kind: SiteKind::Argument {
                name: arg.name.to_string(),
                parent_kind,
                parent_name: parent_name.to_owned(),
                expected: expected.clone(),
                value: arg.value.clone(),
            },
        });
        self.value(schema, &arg.value, expected.as_ref(), &path);
    }

    fn value(
        &mut self,
        schema: &Schema,
        value: &Node<ast::Value>,
        ty: Option<&ast::Type>,
        path: &[Value],
    ) {
        match &**value {
            ast::Value::Variable(name) => self.variables_used.push(name.to_string()),
            ast::Value::List(items) => {
                let inner = ty.and_then(|t| t.item_type().into());
                for item in items {
                    self.value(schema, item, inner, path);
                }
            }
            ast::Value::Object(fields) => {
                let input_name = ty.map(|t| t.inner_named_type().to_string());
                let input = input_name
                    .as_deref()
                    .and_then(|n| schema.get_input_object(n));
                for (name, field_value) in fields {
                    let expected = input
                        .and_then(|i| i.fields.get(name))
                        .map(|f| (*f.ty).clone());
                    let mut field_path = path.to_vec();
                    field_path.push(Value::from(name.to_string()));
                    let start = name.location().map_or(0, |l| l.offset());
                    let end = field_value.location().map_or(start, |l| l.end_offset());
                    self.sites.push(Site {
                        start,
                        end,
                        path: field_path.clone(),
                        kind: SiteKind::Argument {
                            name: name.to_string(),
                            parent_kind: "InputObject",
                            parent_name: input_name.clone().unwrap_or_default(),
                            expected: expected.clone(),
                            value: field_value.clone(),
                        },
                    });
                    self.value(schema, field_value, expected.as_ref(), &field_path);
                }
            }
            _ => {}
        }
    }

    fn collect_variables(&mut self, value: &Node<ast::Value>) {
        match &**value {
            ast::Value::Variable(name) => self.variables_used.push(name.to_string()),
            ast::Value::List(items) => items.iter().for_each(|i| self.collect_variables(i)),
            ast::Value::Object(fields) => {
                fields.iter().for_each(|(_, v)| self.collect_variables(v));
            }
            _ => {}
        }
    }

    /// The innermost site containing `offset`.
    fn site_at(&self, offset: usize) -> Option<&Site> {
        self.sites
            .iter()
            .filter(|s| s.start <= offset && offset < s.end.max(s.start + 1))
            .min_by_key(|s| s.end - s.start)
    }

    fn operation_at(&self, offset: usize) -> Option<&Site> {
        self.sites
            .iter()
            .filter(|s| matches!(s.kind, SiteKind::Operation { .. } | SiteKind::Fragment))
            .find(|s| s.start <= offset && offset < s.end)
    }

    /// Shopify's ID scalar refuses a literal that is not a global id.
    fn invalid_global_ids(&self) -> Vec<GqlError> {
        let mut out = Vec::new();
        for site in &self.sites {
            let SiteKind::Argument {
                parent_kind: "Field",
                expected: Some(expected),
                value,
                ..
            } = &site.kind
            else {
                continue;
            };
            if expected.inner_named_type().as_str() != "ID" {
                continue;
            }
            let literals: Vec<&str> = match &**value {
                ast::Value::String(s) => vec![s.as_str()],
                ast::Value::List(items) => items.iter().filter_map(|i| i.as_str()).collect(),
                _ => Vec::new(),
            };
            if let Some(bad) = literals.into_iter().find(|s| gid_parts(s).is_none()) {
                let mut error = GqlError::new(
                    format!("Invalid global id '{bad}'"),
                    "argumentLiteralsIncompatible",
                )
                .ext("typeName", "CoercionError");
                error.locations = vec![self.line_col_of(site.start)];
                error.path = Some(site.path.clone());
                out.push(error);
            }
        }
        out
    }

    fn line_col_of(&self, offset: usize) -> (usize, usize) {
        line_col(&self.source, offset)
    }

    #[allow(clippy::too_many_lines)] // one arm per graphql-ruby rule reads best as a table
    fn translate(
        &self,
        schema: &Schema,
        kind: &str,
        message: &str,
        span: Option<SourceSpan>,
        source: &str,
    ) -> Option<GqlError> {
        let offset = span.map_or(0, |s| s.offset());
        let site = self.site_at(offset);
        let path = site.map(|s| s.path.clone());
        let names = backticked(message);
        let name = |i: usize| names.get(i).cloned().unwrap_or_default();
        let op_label = || match self.operation_at(offset).map(|s| &s.kind) {
            Some(SiteKind::Operation {
                name: Some(name), ..
            }) => name.clone(),
            Some(SiteKind::Operation { kind, .. }) => format!("anonymous {kind}"),
            _ => "anonymous query".to_owned(),
        };
        let field_site = || match site.map(|s| &s.kind) {
            Some(SiteKind::Field {
                name,
                parent_type,
                has_selections,
            }) => Some((name.clone(), parent_type.clone(), *has_selections)),
            _ => None,
        };
        let mut error = match kind {
            "UndefinedField" => {
                let (type_name, field_name) = (name(0), name(1));
                GqlError::new(
                    format!("Field '{field_name}' doesn't exist on type '{type_name}'"),
                    "undefinedField",
                )
                .ext("typeName", type_name)
                .ext("fieldName", field_name)
            }
            "MissingSubselection" => {
                let (field, parent, has_selections) = field_site()?;
                if has_selections {
                    // Only invalid children, already reported: apollo dropped them.
                    return None;
                }
                let returns = schema
                    .type_field(&parent, &field)
                    .map(|d| d.ty.inner_named_type().to_string())
                    .unwrap_or_default();
                GqlError::new(
                    format!(
                        "Field must have selections (field '{field}' returns {returns} but has no selections. Did you mean '{field} {{ ... }}'?)"
                    ),
                    "selectionMismatch",
                )
                .ext("nodeName", format!("field '{field}'"))
            }
            "SubselectionOnScalarType" | "SubselectionOnEnumType" => {
                let (field, _, _) = field_site().unwrap_or_default();
                let type_name = name(0);
                let what = if kind == "SubselectionOnEnumType" {
                    "enums"
                } else {
                    "scalars"
                };
                GqlError::new(
                    format!(
                        "Selections can't be made on {what} (field '{field}' returns {type_name} but has selections [...])"
                    ),
                    "selectionMismatch",
                )
                .ext("nodeName", format!("field '{field}'"))
            }
            "RequiredArgument" => {
                let coordinate = name(0);
                let (owner, arg) = split_coordinate(&coordinate);
                let (class, owner) = match owner.strip_prefix('@') {
                    Some(directive) => ("Directive", directive.to_owned()),
                    None => (
                        "Field",
                        owner.rsplit('.').next().unwrap_or_default().to_owned(),
                    ),
                };
                GqlError::new(
                    format!("{class} '{owner}' is missing required arguments: {arg}"),
                    "missingRequiredArguments",
                )
                .ext("className", class)
                .ext("name", owner)
                .ext("arguments", arg)
            }
            "UndefinedArgument" => {
                let (arg, coordinate) = (name(0), name(1));
                let (class, owner) = match coordinate.strip_prefix('@') {
                    Some(directive) => ("Directive", directive.to_owned()),
                    None => (
                        "Field",
                        coordinate.rsplit('.').next().unwrap_or_default().to_owned(),
                    ),
                };
                GqlError::new(
                    format!("{class} '{owner}' doesn't accept argument '{arg}'"),
                    "argumentNotAccepted",
                )
                .ext("name", owner)
                .ext("typeName", class)
                .ext("argumentName", arg)
            }
            "UndefinedInputValue" => {
                let (field, input) = (name(0), name(1));
                GqlError::new(
                    format!("InputObject '{input}' doesn't accept argument '{field}'"),
                    "argumentNotAccepted",
                )
                .ext("name", input)
                .ext("typeName", "InputObject")
                .ext("argumentName", field)
            }
            "RequiredField" => {
                let coordinate = name(0);
                let (input, field) = split_coordinate(&coordinate);
                let ty = schema
                    .get_input_object(input)
                    .and_then(|i| i.fields.get(field))
                    .map(|f| f.ty.to_string())
                    .unwrap_or_default();
                GqlError::new(
                    format!("Argument '{field}' on InputObject '{input}' is required. Expected type {ty}"),
                    "missingRequiredInputObjectAttribute",
                )
                .ext("argumentName", field)
                .ext("argumentType", ty)
                .ext("inputObjectType", input)
            }
            "UndefinedEnumValue"
            | "UnsupportedValueType"
            | "IntCoercionError"
            | "FloatCoercionError" => {
                let Some(SiteKind::Argument {
                    name: arg,
                    parent_kind,
                    parent_name,
                    expected,
                    value,
                }) = site.map(|s| &s.kind)
                else {
                    return Some(GqlError::new(message, "argumentLiteralsIncompatible"));
                };
                let expected = expected.as_ref().map(|t| t.to_string()).unwrap_or_default();
                let printed = print_value(value);
                GqlError::new(
                    format!(
                        "Argument '{arg}' on {parent_kind} '{parent_name}' has an invalid value ({printed}). Expected type '{expected}'."
                    ),
                    "argumentLiteralsIncompatible",
                )
                .ext("typeName", *parent_kind)
                .ext("argumentName", arg.clone())
            }
            "UnusedVariable" => {
                let var = name(0).trim_start_matches('$').to_owned();
                if self.variables_used.contains(&var) {
                    // Used only inside a field apollo dropped as invalid.
                    return None;
                }
                let mut error = GqlError::new(
                    format!("Variable ${var} is declared by {} but not used", op_label()),
                    "variableNotUsed",
                )
                .ext("variableName", var);
                // graphql-ruby points at the operation that declares it.
                let op = self.operation_at(offset)?;
                error.locations = vec![line_col(source, op.start)];
                error.path = Some(op.path.clone());
                return Some(error);
            }
            "UndefinedVariable" => {
                let var = name(0).trim_start_matches('$').to_owned();
                GqlError::new(
                    format!("Variable ${var} is used by {} but not declared", op_label()),
                    "variableNotDefined",
                )
                .ext("variableName", var)
            }
            "UndefinedDirective" => {
                let directive = name(0).trim_start_matches('@').to_owned();
                GqlError::new(
                    format!("Directive @{directive} is not defined"),
                    "undefinedDirective",
                )
                .ext("directiveName", directive)
            }
            "UnsupportedLocation" => {
                let directive = message.split_whitespace().next().unwrap_or_default();
                let directive = directive.trim_start_matches('@').to_owned();
                GqlError::new(
                    format!("'@{directive}' can't be applied here"),
                    "directiveCannotBeApplied",
                )
                .ext("name", directive)
            }
            "UniqueDirective" => {
                let directive = message
                    .split_whitespace()
                    .nth(2)
                    .unwrap_or_default()
                    .trim_start_matches('@')
                    .to_owned();
                GqlError::new(
                    format!(
                        "The directive \"{directive}\" can only be used once at this location."
                    ),
                    "directiveNotUniqueForLocation",
                )
                .ext("directiveName", directive)
            }
            "UniqueArgument" => GqlError::new(
                format!("There can be only one argument named \"{}\"", name(0)),
                "argumentNotUnique",
            )
            .ext("name", name(0)),
            "UniqueVariable" => {
                let var = name(0).trim_start_matches('$').to_owned();
                GqlError::new(
                    format!("There can only be one variable named \"{var}\""),
                    "variableNotUnique",
                )
                .ext("variableName", var)
            }
            "UndefinedDefinition" => {
                let type_name = name(0);
                match self.variable_definition_at(offset, source) {
                    Some(var) => GqlError::new(
                        format!("{type_name} isn't a defined input type (on ${var})"),
                        "variableRequiresValidType",
                    )
                    .ext("typeName", type_name)
                    .ext("variableName", var),
                    None => GqlError::new(
                        format!("No such type {type_name}, so it can't be a fragment condition"),
                        "undefinedType",
                    )
                    .ext("typeName", type_name),
                }
            }
            "UndefinedTypeInNamedFragmentTypeCondition"
            | "UndefinedTypeInInlineFragmentTypeCondition" => {
                let type_name = name(0);
                let mut error = GqlError::new(
                    format!("No such type {type_name}, so it can't be a fragment condition"),
                    "undefinedType",
                )
                .ext("typeName", type_name);
                // graphql-ruby points at the fragment, not at its type condition.
                let fragment = site?;
                error.locations = vec![line_col(source, fragment.start)];
                error.path = Some(fragment.path.clone());
                return Some(error);
            }
            "VariableInputType" => {
                let var = name(0).trim_start_matches('$').to_owned();
                let type_name = self
                    .variable_type_at(offset, source)
                    .unwrap_or_else(|| "?".to_owned());
                GqlError::new(
                    format!("{type_name} isn't a valid input type (on ${var})"),
                    "variableRequiresValidType",
                )
                .ext("typeName", type_name)
                .ext("variableName", var)
            }
            "DisallowedVariableUsage" => {
                let (var, var_type, arg, arg_type) = (name(0), name(1), name(2), name(3));
                let var = var.trim_start_matches('$').to_owned();
                let same_inner = var_type.trim_matches(|c| "[]!".contains(c))
                    == arg_type.trim_matches(|c| "[]!".contains(c));
                let what = if same_inner { "Nullability" } else { "Type" };
                GqlError::new(
                    format!(
                        "{what} mismatch on variable ${var} and argument {arg} ({var_type} / {arg_type})"
                    ),
                    "variableMismatch",
                )
                .ext("variableName", var)
                .ext("typeName", var_type)
                .ext("argumentName", arg)
            }
            "UnusedFragment" => {
                let fragment = name(0);
                if self.fragments_spread.contains(&fragment) {
                    return None;
                }
                GqlError::new(
                    format!("Fragment {fragment} was defined, but not used"),
                    "useAndDefineFragment",
                )
                .ext("fragmentName", fragment)
            }
            "UndefinedFragment" => {
                let fragment = name(0);
                if self.fragments_defined.contains(&fragment) {
                    // Defined but dropped by apollo for another error (e.g. its type).
                    return None;
                }
                GqlError::new(
                    format!("Fragment {fragment} was used, but not defined"),
                    "useAndDefineFragment",
                )
                .ext("fragmentName", fragment)
            }
            "RecursiveFragmentDefinition" => {
                let fragment = name(0);
                GqlError::new(
                    format!("Fragment {fragment} contains an infinite loop"),
                    "infiniteLoop",
                )
                .ext("fragmentName", fragment)
            }
            "InvalidFragmentTarget" => {
                let type_name = self.type_condition_at(offset, source).unwrap_or_default();
                GqlError::new(
                    format!(
                        "Invalid fragment on type {type_name} (must be Union, Interface or Object)"
                    ),
                    "fragmentOnNonCompositeType",
                )
                .ext("typeName", type_name)
            }
            "InvalidFragmentSpread" => {
                let (condition, parent) = (
                    names[names.len().saturating_sub(2)].clone(),
                    names.last().cloned().unwrap_or_default(),
                );
                let fragment = if message.starts_with("fragment `") {
                    format!("Fragment {} ", name(0))
                } else {
                    "Fragment ".to_owned()
                };
                GqlError::new(
                    format!("{fragment}on {condition} can't be spread inside {parent}"),
                    "cannotSpreadFragment",
                )
                .ext("spreadType", condition)
                .ext("parentType", parent)
            }
            "OperationNameCollision" => GqlError::new(
                format!("Operation name \"{}\" must be unique", name(0)),
                "uniquelyNamedOperations",
            )
            .ext("operationName", name(0)),
            "FragmentNameCollision" => GqlError::new(
                format!("Fragment name \"{}\" must be unique", name(0)),
                "fragmentNotUnique",
            )
            .ext("fragmentName", name(0)),
            "AmbiguousAnonymousOperation" => GqlError::new(
                "Operation name is required when multiple operations are present",
                "uniquelyNamedOperations",
            ),
            "UndefinedRootOperation" => {
                let op = message.split('`').nth(1).unwrap_or("subscription");
                let root = if op == "mutation" {
                    "mutations"
                } else {
                    "subscriptions"
                };
                let mut error = GqlError::new(
                    format!("Schema is not configured for {root}"),
                    &format!("missing{}Configuration", capitalize(op)),
                );
                error.path = Some(vec![Value::from(op.to_owned())]);
                error.locations = span
                    .map(|s| line_col(source, s.offset()))
                    .into_iter()
                    .collect();
                return Some(error);
            }
            "ConflictingFieldType" | "ConflictingFieldArgument" | "ConflictingFieldName" => {
                let alias = name(0);
                GqlError::new(
                    format!("Field '{alias}' has a field conflict: selections under the same name must be mergeable"),
                    "fieldConflict",
                )
                .ext("field", alias)
            }
            _ => GqlError::new(message, "validationError"),
        };
        error.locations = span
            .map(|s| line_col(source, s.offset()))
            .into_iter()
            .collect();
        error.path = path.or_else(|| Some(Vec::new()));
        Some(error)
    }

    /// `$name` of the variable definition around `offset`.
    fn variable_definition_at(&self, offset: usize, source: &str) -> Option<String> {
        let before = source.get(..offset)?;
        let dollar = before.rfind('$')?;
        let between = &before[dollar..];
        if between.contains(['{', ')']) {
            return None;
        }
        let name: String = between[1..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        Some(name)
    }

    fn variable_type_at(&self, offset: usize, source: &str) -> Option<String> {
        let rest = source.get(offset..)?;
        let after_colon = rest.split_once(':')?.1;
        let ty: String = after_colon
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || "_[]!".contains(*c))
            .collect();
        Some(ty)
    }

    fn type_condition_at(&self, offset: usize, source: &str) -> Option<String> {
        let rest = source.get(offset..)?;
        let after_on = rest.split_once(" on ")?.1;
        Some(
            after_on
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect(),
        )
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// `Type.field(arg:)` → (`Type.field`, `arg`); `Input.field` → (`Input`, `field`).
fn split_coordinate(coordinate: &str) -> (&str, &str) {
    if let Some((owner, arg)) = coordinate.split_once('(') {
        (owner, arg.trim_end_matches(":)").trim_end_matches(')'))
    } else {
        coordinate.rsplit_once('.').unwrap_or((coordinate, ""))
    }
}

/// The names apollo quotes in its message: `` `Product` `` → `Product`.
fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// A literal as graphql-ruby prints it in messages: `"x"`, `PUBLISHED`, `{title: ""}`.
fn print_value(value: &ast::Value) -> String {
    match value {
        ast::Value::Null => "null".to_owned(),
        ast::Value::Enum(name) => name.to_string(),
        ast::Value::Variable(name) => format!("${name}"),
        ast::Value::String(s) => format!("{s:?}"),
        ast::Value::Float(f) => f.as_str().to_owned(),
        ast::Value::Int(i) => i.as_str().to_owned(),
        ast::Value::Boolean(b) => b.to_string(),
        ast::Value::List(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|i| print_value(i))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ast::Value::Object(fields) => format!(
            "{{{}}}",
            fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", print_value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
