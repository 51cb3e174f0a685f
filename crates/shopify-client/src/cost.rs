//! Helpers for the cost estimates generated with each operation.

/// A `first`/`last` variable's value as a count: its value, else the operation's
/// default for it, else 0.
pub fn count<T: CountArg>(value: &T, default: Option<u64>) -> u64 {
    value.count().or(default).unwrap_or(0)
}

/// A variable type that can size a connection.
pub trait CountArg {
    /// The count, if the variable is set.
    fn count(&self) -> Option<u64>;
}

impl CountArg for i32 {
    fn count(&self) -> Option<u64> {
        Some(u64::try_from(*self).unwrap_or(0))
    }
}

impl<T: CountArg> CountArg for Option<T> {
    fn count(&self) -> Option<u64> {
        self.as_ref().and_then(CountArg::count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_variables_fall_back_to_the_default_then_zero() {
        assert_eq!(count(&10, None), 10);
        assert_eq!(count(&None::<i32>, Some(25)), 25);
        assert_eq!(count(&None::<i32>, None), 0);
        assert_eq!(count(&Some(-3), None), 0);
    }
}
