//! The shapes the generated code is made of, as macros: the code generator lists fields
//! and values once and these write the types and their JSON conversions. Not for use by
//! hand; the generated code is their only caller.
//!
//! Generated types derive `Debug` and `Clone` (enums also `PartialEq`, `Eq` and
//! `Hash`): a derived `PartialEq` on every response struct cost about a quarter of the
//! generated crate's build time, for comparisons callers rarely make on whole structs.
//!
//! Functions are `#[inline]` so their machine code is generated in the crates that call
//! them, for the operations they use, as serde's generic derives are: the crate holding
//! all operations then builds fast, and a program pays only for what it calls.

/// A schema enum: the values, plus one that keeps values added to the schema later.
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_enum {
    (
        $(#[$meta:meta])*
        $name:ident / $unknown:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $value:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value added to the schema after this code was generated, kept as sent.
            $unknown(String),
        }

        impl $name {
            /// The GraphQL name of the value.
            #[inline]
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::$unknown(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $name {
            /// Every known value with its GraphQL name.
            pub const VALUES: &'static [(&'static str, Self)] = &[$( ($value, Self::$variant), )*];
        }

        impl $crate::codec::FromJson for $name {
            #[inline]
            fn from_json(
                v: &$crate::codec::Value,
                p: $crate::codec::Path<'_>,
            ) -> ::std::result::Result<Self, $crate::codec::DecodeError> {
                let s = <String as $crate::codec::FromJson>::from_json(v, p)?;
                Ok($crate::codec::enum_value(Self::VALUES, s, Self::$unknown))
            }
        }

        impl $crate::codec::ToJson for $name {
            #[inline]
            fn to_json(&self) -> $crate::codec::Value {
                $crate::codec::Value::String(self.as_str().to_owned())
            }
        }
    };
}

/// A selection set: a struct and its decoder. The plain fields are read in groups of up
/// to [`FIELDS_AT_ONCE`](crate::codec::FIELDS_AT_ONCE) keys (`keys`); the others say how
/// they are read: `typename()` (its `__typename`), `same()` (a fragment or the `on`
/// enum, from the same object), `maybe()` (a conditional fragment) or `when(["A", "B"])`
/// (a narrower type's fields, when `__typename` is one of these).
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_object {
    (
        $(#[$meta:meta])*
        $name:ident : $graphql:literal {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
        keys { $( ($($k:ident),+) = [$($key:literal),+]; )* }
        other { $( $other:ident = $how:ident ( $($arg:tt)* ) ),* $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::codec::FromJson for $name {
            #[inline]
            #[allow(unused_variables)]
            fn from_json(
                v: &$crate::codec::Value,
                p: $crate::codec::Path<'_>,
            ) -> ::std::result::Result<Self, $crate::codec::DecodeError> {
                let o = $crate::codec::object(v, p, $graphql)?;
                $( let ($($k,)+) = $crate::codec::fields(o, p, [$($key),+])?; )*
                Ok(Self {
                    $( $($k,)+ )*
                    $( $other: $crate::__graphql_field!(o, v, p, $how $($arg)*), )*
                })
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_field {
    ($o:ident, $v:ident, $p:ident, typename) => {
        $crate::codec::typename($o, $p)?.to_owned()
    };
    ($o:ident, $v:ident, $p:ident, same) => {
        $crate::codec::FromJson::from_json($v, $p)?
    };
    ($o:ident, $v:ident, $p:ident, maybe) => {
        $crate::codec::FromJson::from_json($v, $p).ok()
    };
    ($o:ident, $v:ident, $p:ident, when [$($t:literal),* $(,)?]) => {
        if matches!($crate::codec::typename($o, $p)?, $($t)|*) {
            Some($crate::codec::FromJson::from_json($v, $p)?)
        } else {
            None
        }
    };
}

/// Which of the possible types a value of an interface or union is.
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_on {
    (
        $(#[$meta:meta])*
        $name:ident : $graphql:literal {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $typename:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )*
            /// Another type, for which the operation selects nothing more.
            Other,
        }

        impl $crate::codec::FromJson for $name {
            #[inline]
            fn from_json(
                v: &$crate::codec::Value,
                p: $crate::codec::Path<'_>,
            ) -> ::std::result::Result<Self, $crate::codec::DecodeError> {
                let o = $crate::codec::object(v, p, $graphql)?;
                Ok(match $crate::codec::typename(o, p)? {
                    $( $typename => Self::$variant($crate::codec::FromJson::from_json(v, p)?), )*
                    _ => Self::Other,
                })
            }
        }
    };
}

/// Variables or an input object: a struct written as JSON, unset optional fields left
/// out (`put`) except those Shopify needs even when null (`put_always`).
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_input {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty = $put:ident $key:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $crate::codec::ToJson for $name {
            #[inline]
            fn to_json(&self) -> $crate::codec::Value {
                #[allow(unused_mut)]
                let mut m = $crate::codec::JsonMap::new();
                $( $crate::codec::$put(&mut m, $key, &self.$field); )*
                $crate::codec::Value::Object(m)
            }
        }
    };
}

/// A `@oneOf` input object: exactly one field set, as a Rust enum.
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_one_of {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($ty:ty) = $key:literal ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub enum $name {
            $( $(#[$vmeta])* $variant($ty), )*
        }

        impl $crate::codec::ToJson for $name {
            #[inline]
            fn to_json(&self) -> $crate::codec::Value {
                let mut m = $crate::codec::JsonMap::new();
                match self {
                    $( Self::$variant(value) => $crate::codec::put(&mut m, $key, value), )*
                }
                $crate::codec::Value::Object(m)
            }
        }
    };
}

/// What every generated operation module holds besides its types: the request text, its
/// required scopes, its cost function and the `Operation` marker type.
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_operation {
    (
        name: $name:literal,
        kind: $kind:ident,
        query: $query:literal,
        scopes: [$( [$($scope:literal),* $(,)?] ),* $(,)?],
        idempotency: $idempotency:expr,
        cost($variables:ident): $cost:expr,
        graphql_client: $compat:ident $([$($ckey:literal),* $(,)?])? $(,)?
    ) => {
        /// The operation name.
        pub const OPERATION_NAME: &str = $name;
        /// The exact text sent: the operation and the fragments it uses.
        pub const QUERY: &str = $query;
        /// Access scopes the app needs: every inner list must be met by any one of its
        /// scopes.
        pub const REQUIRED_SCOPES: &[&[&str]] = &[$( &[$($scope),*] ),*];

        /// The query cost Shopify will compute for these variables before running the
        /// operation (its rate-limit bucket must hold this many points).
        #[inline]
        pub fn requested_cost($variables: &Variables) -> u64 {
            let _ = $variables;
            $cost
        }

        /// The operation as a type, for `Client::execute` and `Client::send`.
        #[derive(Debug, Clone, Copy, Default)]
        pub struct Operation;

        impl $crate::Operation for Operation {
            const NAME: &'static str = OPERATION_NAME;
            const QUERY: &'static str = QUERY;
            const KIND: $crate::OperationKind = $crate::OperationKind::$kind;
            const API_VERSION: &'static str = super::API_VERSION;
            type Variables = Variables;
            type Response = ResponseData;
            const IDEMPOTENCY: $crate::Idempotency = $idempotency;
            const REQUIRED_SCOPES: &'static [&'static [&'static str]] = REQUIRED_SCOPES;

            fn requested_cost(variables: &Variables) -> u64 {
                requested_cost(variables)
            }
        }

        $crate::__graphql_client_compat!($compat $([$($ckey),*])?);
    };
}

/// `graphql_client::GraphQLQuery` for an operation, under the using crate's
/// `graphql-client` feature. An operation whose idempotency key our client fills takes
/// `KeyedVariables` there (`variables.into()` draws a fresh key), so graphql_client sends
/// the key too.
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_client_compat {
    (no) => {};
    (keyed [$($key:literal),+ $(,)?]) => {
        /// The variables and the idempotency key graphql_client must send with them (our
        /// own client adds a fresh key per call by itself). `From<Variables>` draws a
        /// fresh key; keep the value to resend the same write safely.
        #[cfg(feature = "graphql-client")]
        #[derive(Debug, Clone)]
        pub struct KeyedVariables {
            /// The operation's variables.
            pub variables: Variables,
            /// The key, sent as every `@idempotent` key variable.
            pub idempotency_key: String,
        }

        #[cfg(feature = "graphql-client")]
        impl From<Variables> for KeyedVariables {
            fn from(variables: Variables) -> Self {
                Self {
                    variables,
                    idempotency_key: $crate::__new_idempotency_key(),
                }
            }
        }

        #[cfg(feature = "graphql-client")]
        impl ::serde::Serialize for KeyedVariables {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut value = $crate::codec::ToJson::to_json(&self.variables);
                if let $crate::codec::Value::Object(map) = &mut value {
                    $( map.insert($key.to_owned(), $crate::codec::Value::from(self.idempotency_key.as_str())); )+
                }
                ::serde::Serialize::serialize(&value, serializer)
            }
        }

        #[cfg(feature = "graphql-client")]
        impl ::graphql_client::GraphQLQuery for Operation {
            type Variables = KeyedVariables;
            type ResponseData = ResponseData;

            fn build_query(variables: KeyedVariables) -> ::graphql_client::QueryBody<KeyedVariables> {
                ::graphql_client::QueryBody {
                    variables,
                    query: QUERY,
                    operation_name: OPERATION_NAME,
                }
            }
        }

        $crate::__graphql_client_compat!(@response);
    };
    (yes) => {
        #[cfg(feature = "graphql-client")]
        impl ::graphql_client::GraphQLQuery for Operation {
            type Variables = Variables;
            type ResponseData = ResponseData;

            fn build_query(variables: Variables) -> ::graphql_client::QueryBody<Variables> {
                ::graphql_client::QueryBody {
                    variables,
                    query: QUERY,
                    operation_name: OPERATION_NAME,
                }
            }
        }

        #[cfg(feature = "graphql-client")]
        impl ::serde::Serialize for Variables {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&$crate::codec::ToJson::to_json(self), serializer)
            }
        }

        $crate::__graphql_client_compat!(@response);
    };
    (@response) => {
        #[cfg(feature = "graphql-client")]
        impl<'de> ::serde::Deserialize<'de> for ResponseData {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let value =
                    <$crate::codec::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                $crate::codec::FromJson::from_json(&value, $crate::codec::Path::Root)
                    .map_err(::serde::de::Error::custom)
            }
        }
    };
}

/// The typed async function of an operation: `$name(&client, $name::Variables)`.
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_fn {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        ///
        /// The request is built when this is called; the future borrows only the client.
        #[inline]
        pub fn $name(
            client: &$crate::Client,
            variables: $name::Variables,
        ) -> impl ::std::future::Future<Output = ::std::result::Result<$name::ResponseData, $crate::Error>>
               + Send
               + '_ {
            client.execute::<$name::Operation>(&variables)
        }
    };
}

/// The `…_stream` function of a paginated operation.
#[doc(hidden)]
#[macro_export]
macro_rules! __graphql_stream {
    ($(#[$meta:meta])* $name:ident = $module:ident :: $item:ident, $after:literal, [$($key:literal),* $(,)?]) => {
        $(#[$meta])*
        #[inline]
        pub fn $name(client: &$crate::Client, variables: $module::Variables) -> $crate::PageStream<$module::$item> {
            $crate::paginate::<$module::Operation, _>(client, &variables, $after, &[$($key),*])
        }
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::codec::{FromJson, Path, ToJson};

    crate::__graphql_enum! {
        /// Test enum.
        Status / Unknown {
            Active = "ACTIVE",
            Draft = "DRAFT",
        }
    }

    crate::__graphql_object! {
        Inner: "Inner" {
            id: String,
        }
        keys { (id) = ["id"]; }
        other {}
    }

    crate::__graphql_on! {
        ThingOn: "Thing" {
            Inner(Inner) = "Inner",
        }
    }

    crate::__graphql_object! {
        /// Test object.
        Thing: "Thing" {
            typename: String,
            status: Status,
            label: Option<String>,
            inner: Inner,
            inner_if: Option<Inner>,
            on: ThingOn,
        }
        keys { (status, label) = ["status", "label"]; }
        other {
            typename = typename(),
            inner = same(),
            inner_if = when(["Inner"]),
            on = same(),
        }
    }

    crate::__graphql_input! {
        #[derive(Default)]
        Input {
            name: Option<String> = put "name",
            count: Option<i32> = put_always "count",
        }
    }

    crate::__graphql_one_of! {
        Identifier {
            Id(String) = "id",
            Handle(String) = "handle",
        }
    }

    #[test]
    fn the_macros_write_working_types() {
        let value = json!({"__typename": "Inner", "status": "FUTURE", "id": "x"});
        let thing = Thing::from_json(&value, Path::Root).unwrap();
        assert_eq!(thing.typename, "Inner");
        assert_eq!(thing.status, Status::Unknown("FUTURE".into()));
        assert_eq!(thing.label, None);
        assert_eq!(thing.inner.id, "x");
        assert_eq!(thing.inner_if.map(|i| i.id), Some("x".to_owned()));
        assert!(matches!(thing.on, ThingOn::Inner(Inner { ref id }) if id == "x"));
        assert_eq!(Status::Draft.to_json(), json!("DRAFT"));
        assert_eq!(Input::default().to_json(), json!({"count": null}));
        assert_eq!(
            Identifier::Handle("h".into()).to_json(),
            json!({"handle": "h"})
        );
        assert_eq!(Identifier::Id("1".into()).to_json(), json!({"id": "1"}));
    }
}
