//! `shopify-admin schema pull`: fetch the Admin schema by introspection and write it in
//! the checked-in form.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use shopify_queries::Client;
use shopify_schema::AdminSchema;
use shopify_schema::diff::SchemaDiff;
use url::Url;

use crate::Io;
use crate::connect::connect;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Fetch the Admin schema of an API version by introspection and write it as
    /// `admin.graphql` + `admin.meta.json`, printing what changed.
    Pull(PullArgs),
}

#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// The API version, e.g. 2026-10.
    #[arg(long)]
    version: String,
    /// Where to ask: a GraphQL endpoint URL (sent as is, unauthenticated, e.g. a public
    /// schema endpoint), or an origin such as `http://127.0.0.1:8080` (an emulator),
    /// asked with the usual credentials. Default: the configured shop.
    #[arg(long)]
    from: Option<Url>,
    /// The directory to write to.
    #[arg(long, default_value = "schema")]
    out: PathBuf,
}

pub async fn run(command: Command, io: &mut Io) -> anyhow::Result<ExitCode> {
    match command {
        Command::Pull(args) => pull(args, io).await,
    }
}

/// The standard introspection query, with `isOneOf` when `one_of`.
fn introspection_query(one_of: bool) -> String {
    let one_of = if one_of { " isOneOf" } else { "" };
    format!(
        "query IntrospectionQuery {{ __schema {{ description queryType {{ name }} mutationType {{ name }} subscriptionType {{ name }} types {{ ...FullType }} directives {{ name description isRepeatable locations args(includeDeprecated: true) {{ ...InputValue }} }} }} }}
fragment FullType on __Type {{ kind name description specifiedByURL{one_of} fields(includeDeprecated: true) {{ name description args(includeDeprecated: true) {{ ...InputValue }} type {{ ...TypeRef }} isDeprecated deprecationReason }} inputFields(includeDeprecated: true) {{ ...InputValue }} interfaces {{ name }} enumValues(includeDeprecated: true) {{ name description isDeprecated deprecationReason }} possibleTypes {{ name }} }}
fragment InputValue on __InputValue {{ name description type {{ ...TypeRef }} defaultValue isDeprecated deprecationReason }}
fragment TypeRef on __Type {{ kind name ofType {{ kind name ofType {{ kind name ofType {{ kind name ofType {{ kind name ofType {{ kind name ofType {{ kind name ofType {{ kind name }} }} }} }} }} }} }} }}"
    )
}

async fn pull(args: PullArgs, io: &mut Io) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let previous_dir = args.out.join("admin.graphql").is_file();
    let previous = if previous_dir {
        AdminSchema::load(&args.out)
            .with_context(|| format!("loading the current schema in {}", args.out.display()))?
    } else {
        AdminSchema::parse(
            shopify_schema::bundled_sdl(),
            shopify_schema::bundled_meta_json(),
            "built-in schema",
        )?
    };
    let asker = Asker::new(&args, io).await?;
    writeln!(
        io.stderr,
        "[{:>5.1}s] requesting the {} schema from {} ...",
        started.elapsed().as_secs_f64(),
        args.version,
        asker.describe()
    )?;
    let (data, has_one_of) = match asker.ask(&args.version, &introspection_query(true)).await {
        Ok(data) => (data, true),
        Err(error) if format!("{error:#}").contains("isOneOf") => {
            writeln!(
                io.stderr,
                "[{:>5.1}s] the server does not answer `isOneOf`; asking without it (@oneOf is carried over from the previous schema)",
                started.elapsed().as_secs_f64()
            )?;
            (
                asker
                    .ask(&args.version, &introspection_query(false))
                    .await?,
                false,
            )
        }
        Err(error) => return Err(error),
    };
    let mut introspection = json!({ "data": data });
    if !has_one_of {
        mark_one_of(&mut introspection, &previous);
    }
    writeln!(
        io.stderr,
        "[{:>5.1}s] converting ...",
        started.elapsed().as_secs_f64()
    )?;
    let converted =
        shopify_schema::introspection::convert(&introspection.to_string(), &args.version)
            .context("converting the introspection result")?;
    let fetched = AdminSchema::from_parts(&converted.sdl, converted.meta, "pulled schema")?;
    // Shopify's introspection carries no `requiredAccess`/`isProtected`: keep what the
    // previous schema knew for everything that still exists.
    let (meta, carried) = carry_extensions(&previous, &fetched);
    let diff = SchemaDiff::between(&previous.schema, &fetched.schema);

    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    std::fs::write(args.out.join("admin.graphql"), &converted.sdl)?;
    let mut meta_json = serde_json::to_string_pretty(&meta)?;
    meta_json.push('\n');
    std::fs::write(args.out.join("admin.meta.json"), meta_json)?;
    writeln!(
        io.stderr,
        "[{:>5.1}s] done",
        started.elapsed().as_secs_f64()
    )?;

    let out = &mut io.stdout;
    writeln!(
        out,
        "wrote {}/admin.graphql ({} bytes) and admin.meta.json for {}",
        args.out.display(),
        converted.sdl.len(),
        args.version
    )?;
    writeln!(
        out,
        "extensions (requiredAccess, protected data) carried over from {}: {carried} entries",
        previous.api_version()
    )?;
    writeln!(
        out,
        "changes since {} ({}):",
        previous.api_version(),
        if previous_dir {
            args.out.display().to_string()
        } else {
            "built-in".to_owned()
        }
    )?;
    write!(out, "{diff}")?;
    for (label, list) in [
        ("removed type", &diff.removed_types),
        ("removed field", &diff.removed_fields),
        ("removed argument", &diff.removed_arguments),
        ("removed enum value", &diff.removed_values),
    ] {
        for item in list.iter().take(20) {
            writeln!(out, "  {label}: {item}")?;
        }
    }
    for (coordinate, old, new) in diff.retyped.iter().take(20) {
        writeln!(out, "  retyped: {coordinate}: {old} → {new}")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Sets `isOneOf` on the input types that were `@oneOf` in `previous`.
fn mark_one_of(introspection: &mut Value, previous: &AdminSchema) {
    let one_of: BTreeSet<&str> = previous
        .schema
        .types
        .values()
        .filter_map(|t| match t {
            shopify_schema::apollo_compiler::schema::ExtendedType::InputObject(i)
                if i.directives.get("oneOf").is_some() =>
            {
                Some(i.name.as_str())
            }
            _ => None,
        })
        .collect();
    if let Some(types) = introspection
        .pointer_mut("/data/__schema/types")
        .and_then(Value::as_array_mut)
    {
        for ty in types {
            let named = ty
                .get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| one_of.contains(n));
            if named {
                ty["isOneOf"] = Value::Bool(true);
            }
        }
    }
}

fn carry_extensions(
    previous: &AdminSchema,
    fetched: &AdminSchema,
) -> (shopify_schema::SchemaMeta, usize) {
    let mut meta = fetched.meta.clone();
    let schema = &fetched.schema;
    let mut carried = 0;
    for (name, value) in &previous.meta.types {
        if schema.types.contains_key(name.as_str()) && !meta.types.contains_key(name) {
            meta.types.insert(name.clone(), value.clone());
            carried += 1;
        }
    }
    for (coordinate, value) in &previous.meta.fields {
        let exists = coordinate
            .split_once('.')
            .is_some_and(|(ty, field)| schema.type_field(ty, field).is_ok());
        if exists && !meta.fields.contains_key(coordinate) {
            meta.fields.insert(coordinate.clone(), value.clone());
            carried += 1;
        }
    }
    for (coordinate, value) in &previous.meta.gid_types {
        let ty = coordinate.split('.').next().unwrap_or_default();
        if schema.types.contains_key(ty) && !meta.gid_types.contains_key(coordinate) {
            meta.gid_types.insert(coordinate.clone(), value.clone());
            carried += 1;
        }
    }
    (meta, carried)
}

/// Who answers the introspection query.
enum Asker {
    /// A GraphQL endpoint, asked without credentials.
    Endpoint(reqwest::Client, Url),
    /// The configured shop (or an origin standing in for it), with credentials; the
    /// built-in emulator is kept alive here when it is the one asked.
    Shop(
        Client,
        #[allow(dead_code)] Option<shopify_emulator::RunningEmulator>,
    ),
}

impl Asker {
    async fn new(args: &PullArgs, io: &mut Io) -> anyhow::Result<Self> {
        match &args.from {
            Some(url) if url.path() != "/" => Ok(Asker::Endpoint(
                shopify_auth::http_client_builder().build()?,
                url.clone(),
            )),
            Some(origin) => {
                let Some(credentials) = io.env.credentials()? else {
                    bail!(
                        "asking {origin} needs SHOPIFY_SHOP, SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (for an emulator: the lines `shopify-admin emulator` prints)"
                    );
                };
                let client = Client::builder()
                    .credentials(credentials)
                    .base_url(origin.clone())
                    .build()?;
                Ok(Asker::Shop(client, None))
            }
            None => {
                let connection = connect(io).await?;
                Ok(Asker::Shop(connection.client, connection._emulator))
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Asker::Endpoint(_, url) => url.to_string(),
            Asker::Shop(client, _) => client.endpoint("…").origin().ascii_serialization(),
        }
    }

    async fn ask(&self, version: &str, query: &str) -> anyhow::Result<Value> {
        let body = json!({"query": query, "operationName": "IntrospectionQuery"});
        match self {
            Asker::Shop(client, _) => Ok(client.execute_raw(version, &body).await?.data),
            Asker::Endpoint(http, url) => {
                let response = http
                    .post(url.clone())
                    .json(&body)
                    .send()
                    .await
                    .with_context(|| format!("asking {url}"))?;
                let status = response.status();
                let answer: Value = response
                    .json()
                    .await
                    .with_context(|| format!("reading the answer of {url}"))?;
                if let Some(errors) = answer.get("errors") {
                    bail!("{url} answered HTTP {status} with errors: {errors}");
                }
                answer
                    .get("data")
                    .cloned()
                    .with_context(|| format!("{url} answered HTTP {status} without data"))
            }
        }
    }
}
