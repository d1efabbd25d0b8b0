//! The roles an account holds, as the identity provider this crate follows has them, and
//! who may reset whose password.
//!
//! Six roles reset passwords: the Password, Helpdesk, Authentication, User, Privileged
//! Authentication and Global administrators. Which accounts each of them may reset
//! depends on every role the account holds: an account is reset by an admin only when
//! one of the admin's roles may reset **each** of the account's roles. The table below is
//! the provider's "Who can reset passwords" table (Microsoft Entra ID, "Privileged roles
//! and permissions", roles assigned at tenant scope), row for row; [`RESET_TABLE`] is the
//! same table in code, and [`may_reset`] applies it.
//!
//! | role of the account whose password is reset | Password | Helpdesk | Authentication | User | Privileged Authentication | Global |
//! | --- | --- | --- | --- | --- | --- | --- |
//! | Authentication Administrator | | | ✓ | | ✓ | ✓ |
//! | Directory Readers | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | Global Administrator | | | | | ✓ | ✓ |
//! | Groups Administrator | | | | ✓ | ✓ | ✓ |
//! | Guest Inviter | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | Helpdesk Administrator | | ✓ | | ✓ | ✓ | ✓ |
//! | Message Center Reader | | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | Password Administrator | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | Privileged Authentication Administrator | | | | | ✓ | ✓ |
//! | Privileged Role Administrator | | | | | ✓ | ✓ |
//! | Reports Reader | | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | User (no admin role) | ✓ | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | User (no admin role, but member or owner of a role-assignable group) | | | | | ✓ | ✓ |
//! | User with a role scoped to a restricted management administrative unit | | | | | ✓ | ✓ |
//! | User Administrator | | | | ✓ | ✓ | ✓ |
//! | User Experience Success Manager | | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | Usage Summary Reports Reader | | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | All other built-in and custom roles | | | | | ✓ | ✓ |
//!
//! Beyond the table, as the provider does: nobody resets an account of another
//! organisation (tenant), and nobody resets their own password this way (they use
//! self-service reset or change it when signed in).

/// A role an account holds in its organisation. An account with no roles (or only
/// [`Role::User`]) is an ordinary user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Role {
    /// An ordinary user (the same as holding no role).
    User,
    /// Global Administrator.
    GlobalAdmin,
    /// Privileged Authentication Administrator.
    PrivilegedAuthenticationAdmin,
    /// Authentication Administrator.
    AuthenticationAdmin,
    /// Helpdesk Administrator.
    HelpdeskAdmin,
    /// Password Administrator.
    PasswordAdmin,
    /// User Administrator.
    UserAdmin,
    /// Groups Administrator.
    GroupsAdmin,
    /// Privileged Role Administrator.
    PrivilegedRoleAdmin,
    /// Directory Readers.
    DirectoryReaders,
    /// Guest Inviter.
    GuestInviter,
    /// Message Center Reader.
    MessageCenterReader,
    /// Reports Reader.
    ReportsReader,
    /// User Experience Success Manager.
    UserExperienceSuccessManager,
    /// Usage Summary Reports Reader.
    UsageSummaryReportsReader,
    /// Not a role but a protection the directory marks: the account is a member or an
    /// owner of a role-assignable group.
    RoleAssignableGroupMember,
    /// Not a role of its own but a protection: the account holds a role scoped to a
    /// restricted management administrative unit.
    RestrictedManagementUnit,
    /// Any other built-in or custom role, by its name.
    Other(String),
}

/// The roles that reset passwords: the columns of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resetter {
    /// Password Administrator.
    PasswordAdmin,
    /// Helpdesk Administrator.
    HelpdeskAdmin,
    /// Authentication Administrator.
    AuthenticationAdmin,
    /// User Administrator.
    UserAdmin,
    /// Privileged Authentication Administrator.
    PrivilegedAuthenticationAdmin,
    /// Global Administrator.
    GlobalAdmin,
}

impl Resetter {
    /// Every column, in the table's order.
    pub const ALL: [Resetter; 6] = [
        Resetter::PasswordAdmin,
        Resetter::HelpdeskAdmin,
        Resetter::AuthenticationAdmin,
        Resetter::UserAdmin,
        Resetter::PrivilegedAuthenticationAdmin,
        Resetter::GlobalAdmin,
    ];

    /// The resetting role a role is, if it is one.
    pub fn of(role: &Role) -> Option<Resetter> {
        Some(match role {
            Role::PasswordAdmin => Resetter::PasswordAdmin,
            Role::HelpdeskAdmin => Resetter::HelpdeskAdmin,
            Role::AuthenticationAdmin => Resetter::AuthenticationAdmin,
            Role::UserAdmin => Resetter::UserAdmin,
            Role::PrivilegedAuthenticationAdmin => Resetter::PrivilegedAuthenticationAdmin,
            Role::GlobalAdmin => Resetter::GlobalAdmin,
            _ => return None,
        })
    }

    fn column(self) -> usize {
        self as usize
    }
}

/// A row of the table: the role of the account whose password is reset, and which of the
/// six columns (Password, Helpdesk, Authentication, User, Privileged Authentication,
/// Global administrator) may reset it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResetRow {
    /// The row's role as the provider names it.
    pub role: &'static str,
    /// May each column reset it?
    pub by: [bool; 6],
}

const Y: bool = true;
const N: bool = false;

/// The provider's "Who can reset passwords" table, row for row, in its order. The last
/// row stands for every role not named in the others ([`Role::Other`]).
pub const RESET_TABLE: [ResetRow; 18] = [
    row("Auth Admin", [N, N, Y, N, Y, Y]),
    row("Directory Readers", [Y, Y, Y, Y, Y, Y]),
    row("Global Admin", [N, N, N, N, Y, Y]),
    row("Groups Admin", [N, N, N, Y, Y, Y]),
    row("Guest Inviter", [Y, Y, Y, Y, Y, Y]),
    row("Helpdesk Admin", [N, Y, N, Y, Y, Y]),
    row("Message Center Reader", [N, Y, Y, Y, Y, Y]),
    row("Password Admin", [Y, Y, Y, Y, Y, Y]),
    row("Privileged Auth Admin", [N, N, N, N, Y, Y]),
    row("Privileged Role Admin", [N, N, N, N, Y, Y]),
    row("Reports Reader", [N, Y, Y, Y, Y, Y]),
    row("User (no admin role)", [Y, Y, Y, Y, Y, Y]),
    row(
        "User (no admin role, but member or owner of a role-assignable group)",
        [N, N, N, N, Y, Y],
    ),
    row(
        "User with a role scoped to a restricted management administrative unit",
        [N, N, N, N, Y, Y],
    ),
    row("User Admin", [N, N, N, Y, Y, Y]),
    row("User Experience Success Manager", [N, Y, Y, Y, Y, Y]),
    row("Usage Summary Reports Reader", [N, Y, Y, Y, Y, Y]),
    row("All other built-in and custom roles", [N, N, N, N, Y, Y]),
];

const fn row(role: &'static str, by: [bool; 6]) -> ResetRow {
    ResetRow { role, by }
}

impl Role {
    /// Whether this is an administrator role: every role but [`Role::User`]. An
    /// administrator always proves two methods to reset by itself.
    pub fn is_admin(&self) -> bool {
        !matches!(self, Role::User)
    }

    /// The role's row of [`RESET_TABLE`].
    pub fn reset_row(&self) -> &'static ResetRow {
        let index = match self {
            Role::AuthenticationAdmin => 0,
            Role::DirectoryReaders => 1,
            Role::GlobalAdmin => 2,
            Role::GroupsAdmin => 3,
            Role::GuestInviter => 4,
            Role::HelpdeskAdmin => 5,
            Role::MessageCenterReader => 6,
            Role::PasswordAdmin => 7,
            Role::PrivilegedAuthenticationAdmin => 8,
            Role::PrivilegedRoleAdmin => 9,
            Role::ReportsReader => 10,
            Role::User => 11,
            Role::RoleAssignableGroupMember => 12,
            Role::RestrictedManagementUnit => 13,
            Role::UserAdmin => 14,
            Role::UserExperienceSuccessManager => 15,
            Role::UsageSummaryReportsReader => 16,
            Role::Other(_) => 17,
        };
        &RESET_TABLE[index]
    }

    /// The role as the provider names it.
    pub fn name(&self) -> &str {
        match self {
            Role::Other(name) => name,
            other => other.reset_row().role,
        }
    }
}

/// Whether an admin holding `admin` may reset the password of an account holding
/// `target` (an empty `target` is an ordinary user), by the table: one of the admin's
/// resetting roles may reset every one of the target's roles. Tenants and "not
/// yourself" are the caller's to check ([`Sspr::reset_by_admin`](crate::Sspr) does).
pub fn may_reset(admin: &[Role], target: &[Role]) -> bool {
    let user = [Role::User];
    let target = if target.is_empty() { &user[..] } else { target };
    admin.iter().filter_map(Resetter::of).any(|resetter| {
        target
            .iter()
            .all(|role| role.reset_row().by[resetter.column()])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_reads_as_the_provider_states_it() {
        use Role::*;
        // A Password Administrator resets Directory Readers, Guest Inviter, Password
        // Administrators and ordinary users, and nobody else.
        for (target, allowed) in [
            (vec![], true),
            (vec![User], true),
            (vec![DirectoryReaders], true),
            (vec![GuestInviter], true),
            (vec![PasswordAdmin], true),
            (vec![HelpdeskAdmin], false),
            (vec![ReportsReader], false),
            (vec![GlobalAdmin], false),
            (vec![Other("Billing Administrator".into())], false),
            (vec![PasswordAdmin, GroupsAdmin], false),
        ] {
            assert_eq!(may_reset(&[PasswordAdmin], &target), allowed, "{target:?}");
        }
        // Only the Privileged Authentication and Global Administrators reset a Global
        // Administrator, a custom role, or a protected user.
        for target in [
            GlobalAdmin,
            PrivilegedRoleAdmin,
            Other("x".into()),
            RoleAssignableGroupMember,
            RestrictedManagementUnit,
        ] {
            for admin in [PasswordAdmin, HelpdeskAdmin, AuthenticationAdmin, UserAdmin] {
                assert!(
                    !may_reset(std::slice::from_ref(&admin), std::slice::from_ref(&target)),
                    "{admin:?} {target:?}"
                );
            }
            assert!(may_reset(
                &[PrivilegedAuthenticationAdmin],
                std::slice::from_ref(&target)
            ));
            assert!(may_reset(&[GlobalAdmin], &[target]));
        }
        // A role that resets nobody does not reset anybody, whatever its name.
        assert!(!may_reset(&[Other("Password Administrator".into())], &[]));
        assert!(!may_reset(&[User, ReportsReader], &[]));
        // Two roles of the admin: either may do it.
        assert!(may_reset(&[PasswordAdmin, UserAdmin], &[GroupsAdmin]));
    }

    #[test]
    fn every_role_has_its_own_row() {
        use Role::*;
        let roles = [
            User,
            GlobalAdmin,
            PrivilegedAuthenticationAdmin,
            AuthenticationAdmin,
            HelpdeskAdmin,
            PasswordAdmin,
            UserAdmin,
            GroupsAdmin,
            PrivilegedRoleAdmin,
            DirectoryReaders,
            GuestInviter,
            MessageCenterReader,
            ReportsReader,
            UserExperienceSuccessManager,
            UsageSummaryReportsReader,
            RoleAssignableGroupMember,
            RestrictedManagementUnit,
            Other("x".into()),
        ];
        let rows: std::collections::BTreeSet<&str> =
            roles.iter().map(|r| r.reset_row().role).collect();
        assert_eq!(rows.len(), RESET_TABLE.len());
        // Each resetter resets its own role except the Authentication/User/Helpdesk
        // ones as the table has it: spot checks of the diagonal.
        assert!(may_reset(&[HelpdeskAdmin], &[HelpdeskAdmin]));
        assert!(may_reset(&[AuthenticationAdmin], &[AuthenticationAdmin]));
        assert!(!may_reset(&[UserAdmin], &[AuthenticationAdmin]));
    }
}
