//! Typed indices into the model: a user, group, permission set, account or
//! (permission set, account) pair is named by its own type, so an account
//! index cannot be passed where a permission set is meant. Each is a `u32`
//! (the model's tables are far below 2^32 rows) and indexes its snapshot
//! table directly (`snapshot.users[u]`). No IO here.

/// Defines an index type; with an element type, `[T]` and `Vec<T>` are
/// indexable by it
macro_rules! index_type {
    ($(#[$m:meta])* $name:ident $(, $elem:ty)?) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(u32);

        impl $name {
            /// The index at a position of its table
            pub fn new(position: usize) -> $name {
                debug_assert!(u32::try_from(position).is_ok(), "index beyond u32");
                $name(position as u32)
            }

            /// The position in its table
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Every index of a table of `len` rows, in order
            pub fn all(len: usize) -> impl DoubleEndedIterator<Item = $name> + ExactSizeIterator + Clone {
                (0..len).map($name::new)
            }
        }

        $(
        impl std::ops::Index<$name> for [$elem] {
            type Output = $elem;
            fn index(&self, i: $name) -> &$elem {
                &self[i.index()]
            }
        }

        impl std::ops::Index<$name> for Vec<$elem> {
            type Output = $elem;
            fn index(&self, i: $name) -> &$elem {
                &self[i.index()]
            }
        }
        )?
    };
}

index_type!(
    /// An Identity Center user: a position in `snapshot.users`
    UserIx,
    crate::snapshot::User
);
index_type!(
    /// An Identity Center group: a position in `snapshot.groups`
    GroupIx,
    crate::snapshot::Group
);
index_type!(
    /// A permission set: a position in `snapshot.permission_sets`
    PermissionSetIx,
    crate::snapshot::PermissionSet
);
index_type!(
    /// An account of the organization: a position in `Model::accounts()`
    AccountIx,
    crate::snapshot::Account
);
index_type!(
    /// A (permission set, account) pair some user reaches: a position in
    /// `Model::pairs()`
    PairIx
);
