//! The schema cut: a small copy of the schema that a build script's next run loads
//! instead of the whole one.
//!
//! Parsing the 3.7 MB Admin SDL is most of what an edit of one operation costs the build
//! script. A cut keeps in full the types the operations depended on last time ([`touch`])
//! and what one more field of those types needs ([`kept`]); of the root types, only the
//! fields the operations use. The types these refer to, and every implementer of a kept
//! interface, it keeps by name, kind, interfaces and union members only (so possible
//! types and subtyping are the same); the rest it leaves out.
//!
//! A cut only ever makes operations fail, with one exception: an input object kept by
//! name accepts `{}`. So the build script compiles against the cut and keeps the result
//! only when it succeeded *and* everything the operations depended on this time was kept
//! in full; otherwise it compiles against the whole schema, whose result (and every
//! error) is then exact.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use apollo_compiler::Schema;
use apollo_compiler::executable::{DirectiveList, ExecutableDocument, Selection, SelectionSet};
use apollo_compiler::schema::{
    EnumType, ExtendedType, InputObjectType, InterfaceType, ObjectType, UnionType,
};
use apollo_compiler::validation::Valid;
use shopify_schema::{AdminSchema, SchemaMeta};

/// Adds to `out` every schema type whose definition `document` depends on: the type of
/// every selection set, of every selected field, of every argument of a selected field
/// (whether given or not) and of every variable, input objects with all their fields'
/// types; and each root field selected, as a coordinate (`QueryRoot.products`).
pub(crate) fn touch(schema: &Schema, document: &ExecutableDocument, out: &mut BTreeSet<String>) {
    for operation in document.operations.iter() {
        for variable in &operation.variables {
            input(schema, variable.ty.inner_named_type(), out);
        }
        directives(schema, &operation.directives, out);
        selection_set(schema, &operation.selection_set, out);
    }
    for fragment in document.fragments.values() {
        directives(schema, &fragment.directives, out);
        selection_set(schema, &fragment.selection_set, out);
    }
}

fn selection_set(schema: &Schema, set: &SelectionSet, out: &mut BTreeSet<String>) {
    out.insert(set.ty.to_string());
    let root = is_root(schema, &set.ty);
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                if root && !field.name.starts_with("__") {
                    out.insert(format!("{}.{}", set.ty, field.name));
                }
                out.insert(field.definition.ty.inner_named_type().to_string());
                for argument in &field.definition.arguments {
                    input(schema, argument.ty.inner_named_type(), out);
                }
                directives(schema, &field.directives, out);
                selection_set(schema, &field.selection_set, out);
            }
            Selection::InlineFragment(inline) => {
                directives(schema, &inline.directives, out);
                selection_set(schema, &inline.selection_set, out);
            }
            // The fragment's own selections are walked from the document's fragments.
            Selection::FragmentSpread(spread) => directives(schema, &spread.directives, out),
        }
    }
}

fn directives(schema: &Schema, list: &DirectiveList, out: &mut BTreeSet<String>) {
    for directive in list.iter() {
        if let Some(definition) = schema.directive_definitions.get(&directive.name) {
            for argument in &definition.arguments {
                input(schema, argument.ty.inner_named_type(), out);
            }
        }
    }
}

/// Whether `ty` is the query, mutation or subscription type.
fn is_root(schema: &Schema, ty: &str) -> bool {
    let roots = &schema.schema_definition;
    [&roots.query, &roots.mutation, &roots.subscription]
        .into_iter()
        .flatten()
        .any(|root| root.name == ty)
}

/// `name` and, for an input object, the types of its fields, transitively.
fn input(schema: &Schema, name: &str, out: &mut BTreeSet<String>) {
    let mut pending = vec![name.to_owned()];
    while let Some(name) = pending.pop() {
        if let Some(ExtendedType::InputObject(object)) = schema.types.get(name.as_str()) {
            if !out.contains(&name) {
                for field in object.fields.values() {
                    pending.push(field.ty.inner_named_type().to_string());
                }
            }
        }
        out.insert(name);
    }
}

/// The SDL of `schema` with every type outside `keep` cut down to its name, kind,
/// interfaces and union members, the root types down to the fields in `keep`
/// (`QueryRoot.products`), and without the types nothing kept refers to.
pub(crate) fn cut(schema: &Schema, keep: &BTreeSet<String>) -> String {
    let mut cut = schema.clone();
    for (name, ty) in cut.types.iter_mut() {
        if ty.is_built_in() {
            continue;
        }
        if keep.contains(name.as_str()) {
            // Hundreds of root fields with long descriptions: half the schema's text.
            if let ExtendedType::Object(object) = ty {
                if is_root(schema, name) {
                    let fields = object
                        .fields
                        .iter()
                        .filter(|(field, _)| keep.contains(&format!("{name}.{field}")))
                        .map(|(field, definition)| (field.clone(), definition.clone()))
                        .collect();
                    *object = ObjectType {
                        fields,
                        ..(**object).clone()
                    }
                    .into();
                }
            }
            continue;
        }
        match ty {
            ExtendedType::Scalar(_) => {}
            ExtendedType::Object(object) => {
                *object = ObjectType {
                    description: None,
                    name: object.name.clone(),
                    implements_interfaces: object.implements_interfaces.clone(),
                    directives: Default::default(),
                    fields: Default::default(),
                }
                .into();
            }
            ExtendedType::Interface(interface) => {
                *interface = InterfaceType {
                    description: None,
                    name: interface.name.clone(),
                    implements_interfaces: interface.implements_interfaces.clone(),
                    directives: Default::default(),
                    fields: Default::default(),
                }
                .into();
            }
            ExtendedType::Union(union) => {
                *union = UnionType {
                    description: None,
                    name: union.name.clone(),
                    directives: Default::default(),
                    members: union.members.clone(),
                }
                .into();
            }
            ExtendedType::Enum(enumeration) => {
                *enumeration = EnumType {
                    description: None,
                    name: enumeration.name.clone(),
                    directives: Default::default(),
                    values: Default::default(),
                }
                .into();
            }
            ExtendedType::InputObject(object) => {
                *object = InputObjectType {
                    description: None,
                    name: object.name.clone(),
                    directives: Default::default(),
                    fields: Default::default(),
                }
                .into();
            }
        }
    }
    let needed = referenced(&cut, keep);
    cut.types
        .retain(|name, ty| ty.is_built_in() || needed.contains(name.as_str()));
    cut.to_string()
}

/// The types `cut` (already cut down) needs: those kept, every type they name, every
/// implementer of a kept interface (so its possible types stay the same), and the
/// interfaces and members those name in turn.
fn referenced(cut: &Schema, keep: &BTreeSet<String>) -> BTreeSet<String> {
    let mut pending: Vec<String> = keep.iter().filter(|k| !k.contains('.')).cloned().collect();
    let roots = &cut.schema_definition;
    for root in [&roots.query, &roots.mutation, &roots.subscription]
        .into_iter()
        .flatten()
    {
        pending.push(root.name.to_string());
    }
    for definition in cut.directive_definitions.values() {
        for argument in &definition.arguments {
            pending.push(argument.ty.inner_named_type().to_string());
        }
    }
    let implementers = cut.implementers_map();
    let mut needed = BTreeSet::new();
    while let Some(name) = pending.pop() {
        if needed.contains(&name) {
            continue;
        }
        let named = |pending: &mut Vec<String>, ty: &apollo_compiler::ast::Type| {
            pending.push(ty.inner_named_type().to_string());
        };
        match cut.types.get(name.as_str()) {
            Some(ExtendedType::Object(object)) => {
                pending.extend(object.implements_interfaces.iter().map(|i| i.to_string()));
                for field in object.fields.values() {
                    named(&mut pending, &field.ty);
                    for argument in &field.arguments {
                        named(&mut pending, &argument.ty);
                    }
                }
            }
            Some(ExtendedType::Interface(interface)) => {
                pending.extend(
                    interface
                        .implements_interfaces
                        .iter()
                        .map(|i| i.to_string()),
                );
                for field in interface.fields.values() {
                    named(&mut pending, &field.ty);
                    for argument in &field.arguments {
                        named(&mut pending, &argument.ty);
                    }
                }
                if keep.contains(&name) {
                    if let Some(found) = implementers.get(name.as_str()) {
                        let all = found.objects.iter().chain(&found.interfaces);
                        pending.extend(all.map(|i| i.to_string()));
                    }
                }
            }
            Some(ExtendedType::Union(union)) => {
                pending.extend(union.members.iter().map(|m| m.to_string()));
            }
            Some(ExtendedType::InputObject(object)) => {
                for field in object.fields.values() {
                    named(&mut pending, &field.ty);
                }
            }
            Some(ExtendedType::Scalar(_) | ExtendedType::Enum(_)) | None => {}
        }
        needed.insert(name);
    }
    needed
}

/// Everything a cut keeps in full: `touched`, the types of every directive's arguments
/// (directive definitions are kept whole), and for every field of a touched output type
/// (root types aside) its type and its arguments' types, so that one more field there
/// finds what it needs.
pub(crate) fn kept(schema: &Schema, touched: &BTreeSet<String>) -> BTreeSet<String> {
    let mut keep = touched.clone();
    for definition in schema.directive_definitions.values() {
        for argument in &definition.arguments {
            input(schema, argument.ty.inner_named_type(), &mut keep);
        }
    }
    // What one more field of a kept type needs: its type and its arguments' types.
    let parents: Vec<String> = touched
        .iter()
        .filter(|name| !name.contains('.') && !is_root(schema, name))
        .cloned()
        .collect();
    for name in parents {
        let fields = match schema.types.get(name.as_str()) {
            Some(ExtendedType::Object(object)) => &object.fields,
            Some(ExtendedType::Interface(interface)) => &interface.fields,
            _ => continue,
        };
        for field in fields.values() {
            input(schema, field.ty.inner_named_type(), &mut keep);
            for argument in &field.arguments {
                input(schema, argument.ty.inner_named_type(), &mut keep);
            }
        }
    }
    keep
}

/// A cut stored in a build script's `OUT_DIR`, valid for one exact schema text and
/// version of this crate.
pub(crate) struct Store {
    dir: PathBuf,
}

/// A cut loaded from a [`Store`].
pub(crate) struct Loaded {
    /// The cut, with the schema's extensions.
    pub schema: AdminSchema,
    /// The types it keeps in full.
    pub kept: BTreeSet<String>,
}

// Part of the key: a cut written by another version of this crate may follow other rules.
const FORMAT: &str = concat!(
    "shopify-codegen ",
    env!("CARGO_PKG_VERSION"),
    " schema cut 1\n"
);

impl Store {
    pub(crate) fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// The stored cut, if it was made from exactly `sdl`.
    pub(crate) fn load(&self, sdl: &str, meta: &str, name: &str) -> Option<Loaded> {
        let key = std::fs::read(self.file("key")).ok()?;
        if key.strip_prefix(FORMAT.as_bytes())? != sdl.as_bytes() {
            return None;
        }
        let text = std::fs::read_to_string(self.file("cut.graphql")).ok()?;
        let kept = std::fs::read_to_string(self.file("kept.txt")).ok()?;
        let schema = Schema::parse(&text, name).ok()?;
        let meta: SchemaMeta = serde_json::from_str(meta).ok()?;
        Some(Loaded {
            // A cut of a valid schema: validating it would cost what the cut saves.
            schema: AdminSchema {
                schema: Valid::assume_valid(schema),
                meta,
            },
            kept: kept.lines().map(str::to_owned).collect(),
        })
    }

    /// Stores the cut of `schema` (parsed from `sdl`) keeping `touched` in full. The key
    /// goes last and is removed first, so a cut is never read half-written.
    pub(crate) fn save(
        &self,
        sdl: &str,
        schema: &Schema,
        touched: &BTreeSet<String>,
    ) -> std::io::Result<()> {
        let key = self.file("key");
        if key.exists() {
            std::fs::remove_file(&key)?;
        }
        std::fs::create_dir_all(&self.dir)?;
        let kept = kept(schema, touched);
        std::fs::write(self.file("cut.graphql"), cut(schema, &kept))?;
        let mut list = String::new();
        for name in &kept {
            list.push_str(name);
            list.push('\n');
        }
        std::fs::write(self.file("kept.txt"), list)?;
        let mut contents = Vec::with_capacity(FORMAT.len() + sdl.len());
        contents.extend_from_slice(FORMAT.as_bytes());
        contents.extend_from_slice(sdl.as_bytes());
        write_atomically(&key, &contents)
    }
}

fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let partial = path.with_extension("partial");
    std::fs::write(&partial, contents)?;
    std::fs::rename(partial, path)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::build::SchemaUse;
    use crate::{Sources, compile, manifest, rust};

    fn discover(dir: &str) -> Sources {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        Sources::discover(&dir, dir.parent().unwrap()).unwrap()
    }

    fn load(text: &str) -> AdminSchema {
        AdminSchema {
            schema: Valid::assume_valid(Schema::parse(text, "cut.graphql").unwrap()),
            meta: AdminSchema::bundled().meta.clone(),
        }
    }

    /// Compiles `sources` against the whole schema, then against its cut: same code, same
    /// manifest, same warnings, and nothing touched beyond what was kept.
    fn compiles_the_same_against_its_cut(sources: &Sources) -> String {
        let whole = AdminSchema::bundled();
        let compiled = compile(whole, sources).unwrap();
        let kept = kept(&whole.schema, &compiled.touched);
        let text = cut(&whole.schema, &kept);
        let cut = load(&text);
        let again = compile(&cut, sources).unwrap();
        assert!(again.touched.is_subset(&kept));
        assert_eq!(
            rust::generate(&cut, &again).unwrap(),
            rust::generate(whole, &compiled).unwrap()
        );
        assert_eq!(
            manifest::generate(&cut, &again),
            manifest::generate(whole, &compiled)
        );
        assert_eq!(again.warnings, compiled.warnings);
        text
    }

    #[test]
    fn every_operation_of_the_workspace_compiles_the_same_against_its_cut() {
        let text = compiles_the_same_against_its_cut(&discover("../../graphql"));
        let whole = shopify_schema::bundled_sdl().len();
        assert!(text.len() < whole / 3, "{} of {whole} bytes", text.len());
        compiles_the_same_against_its_cut(&discover("../../tests/external-crate/graphql"));
        // The build-speed bench's 40 other operations.
        compiles_the_same_against_its_cut(&discover(
            "../shopify-queries/benches/build_speed/graphql",
        ));
    }

    #[test]
    fn abstract_types_inputs_enums_directives_and_warnings_compile_the_same() {
        compiles_the_same_against_its_cut(&Sources::from_texts(&[
            (
                "graphql/node_bits.graphql",
                "query NodeBits($id: ID!, $withTitle: Boolean!) {\n  node(id: $id) {\n    id\n    ... on Product { title @include(if: $withTitle) featuredMedia { ... on MediaImage { image { url } } } }\n    ... on HasMetafields { metafield(key: \"k\") { value } }\n  }\n}\n",
            ),
            (
                "graphql/set_product.graphql",
                "mutation SetProduct($input: ProductSetInput!, $sync: Boolean) {\n  productSet(input: $input, synchronous: $sync) {\n    product { id status }\n    userErrors { field message code }\n  }\n}\n",
            ),
            (
                "graphql/old_fields.graphql",
                "query OldFields {\n  app { developerUrl }\n  shop { ...Unused }\n}\n",
            ),
            (
                "graphql/fragments/unused.graphql",
                "fragment Unused on Shop {\n  name\n}\n",
            ),
        ]));
    }

    #[test]
    fn what_the_cut_does_not_hold_fails_against_it_or_is_caught_as_touched() {
        const DEVICE: &str = "pointOfSaleDevice(id: \"gid://shopify/PointOfSaleDevice/1\")";
        const BASE: &str = "id activePaymentSession { netSales { amount } }";
        let op = |more: &str| {
            Sources::from_texts(&[(
                "graphql/one.graphql",
                &format!("query One {{\n  {DEVICE} {{ {BASE} {more} }}\n}}\n"),
            )])
        };
        let whole = AdminSchema::bundled();
        let compiled = compile(whole, &op("")).unwrap();
        let kept = kept(&whole.schema, &compiled.touched);
        let cut = load(&cut(&whole.schema, &kept));
        let against_cut = |more: &str| compile(&cut, &op(more));

        // One more field of a touched type, and one more level: the cut serves.
        let more = against_cut("cashDrawer { name }").unwrap();
        assert!(more.touched.is_subset(&kept));
        // Two levels past what was touched, the cut holds the type only by name.
        let past = "activePaymentSession { location { address { city } } }";
        assert!(compile(whole, &op(past)).is_ok());
        assert!(against_cut(past).is_err());
        // A root field the cut does not hold.
        let root =
            Sources::from_texts(&[("graphql/one.graphql", "query One {\n  shop { name }\n}\n")]);
        assert!(compile(&cut, &root).is_err());
        // An input object the cut holds only by name accepts `{}`, which the whole schema
        // refuses (`from` and `to` are required): the touched check catches it.
        let literal = "cashDrawer { netSales(dateRange: {}) { amount } }";
        assert!(compile(whole, &op(literal)).is_err());
        let touched = against_cut(literal).unwrap().touched;
        assert!(touched.contains("CashDrawerDateRangeInput"));
        assert!(!touched.is_subset(&kept));
    }

    fn crate_dir(name: &str, operation: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("shopify-cut-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("graphql")).unwrap();
        std::fs::write(dir.join("graphql/one.graphql"), operation).unwrap();
        dir
    }

    #[test]
    fn a_build_uses_the_stored_cut_and_the_whole_schema_decides_what_it_cannot() {
        let dir = crate_dir("build", "query One {\n  shop { name }\n}\n");
        let store = Store::new(dir.join("out/schema-cut"));
        let builder = crate::configure();
        let build = || builder.generate_with(&dir.join("graphql"), &dir, Some(&store));

        let first = build().unwrap();
        assert_eq!(first.schema_use, SchemaUse::Whole);
        let again = build().unwrap();
        assert_eq!(again.schema_use, SchemaUse::Cut);
        assert_eq!(again.code(), first.code());

        // One more field of a kept type: still the cut.
        std::fs::write(
            dir.join("graphql/one.graphql"),
            "query One {\n  shop { name email }\n}\n",
        )
        .unwrap();
        let edited = build().unwrap();
        assert_eq!(edited.schema_use, SchemaUse::Cut);
        assert!(edited.code().contains("email"));

        // A mistake: the error is the whole schema's, suggestion included.
        std::fs::write(
            dir.join("graphql/one.graphql"),
            "query One {\n  shop { name emial }\n}\n",
        )
        .unwrap();
        let error = build().unwrap_err();
        let plain = builder.generate(&dir.join("graphql"), &dir).unwrap_err();
        assert_eq!(error.errors, plain.errors);
        assert!(error.errors[0].contains("email"), "{:?}", error.errors);

        // A type the cut does not hold: the whole schema, and a new cut that holds it.
        std::fs::write(
            dir.join("graphql/one.graphql"),
            "query One {\n  shop { name primaryDomain { localization { country } } }\n}\n",
        )
        .unwrap();
        let reached = build().unwrap();
        assert_eq!(reached.schema_use, SchemaUse::WholeAfterCut);
        assert_eq!(
            reached.code(),
            builder.generate(&dir.join("graphql"), &dir).unwrap().code()
        );
        assert_eq!(build().unwrap().schema_use, SchemaUse::Cut);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_cut_serves_only_the_exact_schema_text_it_was_made_from() {
        let dir = std::env::temp_dir().join(format!("shopify-cut-key-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::new(&dir);
        let whole = AdminSchema::bundled();
        let sdl = shopify_schema::bundled_sdl();
        let meta = shopify_schema::bundled_meta_json();
        store.save(sdl, &whole.schema, &BTreeSet::new()).unwrap();
        assert!(store.load(sdl, meta, "x").is_some());
        let edited = sdl.replacen("type Shop ", "type Shop  ", 1);
        assert!(store.load(&edited, meta, "x").is_none());
        assert!(store.load(&sdl[..sdl.len() - 1], meta, "x").is_none());
        // A cut written by another version of the codegen is not read.
        std::fs::write(dir.join("key"), format!("other\n{sdl}")).unwrap();
        assert!(store.load(sdl, meta, "x").is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
