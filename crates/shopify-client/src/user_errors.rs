//! Business failures of mutations (`userErrors`) as a typed `Result`.

use std::fmt;

/// One entry of a mutation's `userErrors`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserError {
    /// Path to the input field at fault, e.g. `["product", "title"]`; empty when the
    /// error concerns the whole input.
    pub field: Vec<String>,
    /// What is wrong, in Shopify's words.
    pub message: String,
    /// The typed code (e.g. `TAKEN`, `INVALID_VALUE`), when the payload has one and the
    /// operation selects it. The generic `UserError` type has none.
    pub code: Option<String>,
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field.join("."))?;
        }
        f.write_str(&self.message)?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        Ok(())
    }
}

/// A mutation that Shopify refused for business reasons, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct UserErrors {
    /// The mutation field, e.g. `productCreate`.
    pub mutation: String,
    /// The errors; empty when the mutation returned no payload at all.
    pub errors: Vec<UserError>,
}

impl fmt::Display for UserErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [] => write!(f, "{} returned no payload", self.mutation),
            [one] => write!(f, "{} refused the input: {one}", self.mutation),
            many => {
                write!(
                    f,
                    "{} refused the input ({} errors):",
                    self.mutation,
                    many.len()
                )?;
                for error in many {
                    write!(f, "\n- {error}")?;
                }
                Ok(())
            }
        }
    }
}

/// A mutation payload with `userErrors`, implemented by the generated payload types
/// whose operation selects `userErrors { field message }` (and `code` if it has one).
pub trait HasUserErrors: Sized {
    /// The mutation field, e.g. `productCreate`.
    const MUTATION: &'static str;

    /// The payload's user errors.
    fn user_errors(&self) -> Vec<UserError>;

    /// The payload when Shopify reported no user errors, else all of them.
    fn into_result(self) -> Result<Self, UserErrors> {
        let errors = self.user_errors();
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(UserErrors {
                mutation: Self::MUTATION.to_owned(),
                errors,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_errors_show_field_paths_and_codes() {
        let errors = UserErrors {
            mutation: "metafieldsSet".into(),
            errors: vec![
                UserError {
                    field: vec!["metafields".into(), "0".into(), "key".into()],
                    message: "Key is too short".into(),
                    code: Some("TOO_SHORT".into()),
                },
                UserError {
                    field: vec![],
                    message: "Something else".into(),
                    code: None,
                },
            ],
        };
        assert_eq!(
            errors.to_string(),
            "metafieldsSet refused the input (2 errors):\n- metafields.0.key: Key is too short [TOO_SHORT]\n- Something else"
        );
    }
}
