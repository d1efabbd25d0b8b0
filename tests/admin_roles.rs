//! Who may reset whose password, as the identity provider's table has it: the rule holds
//! for every pair of role sets (property tests), and `reset_by_admin` refuses exactly the
//! pairs the table refuses, across tenants (answered like a missing account) and for
//! oneself always.

use proptest::prelude::*;
use sspr::UserId;
use sspr::admin::AdminResetError;
use sspr::host::{ContactMethod, Role, UserRecord};
use sspr::policy::Policy;
use sspr::roles::{RESET_TABLE, Resetter, may_reset};
use sspr::testing::Harness;

/// Every role the table has a row for (one stand-in for "all other roles").
fn every_role() -> Vec<Role> {
    vec![
        Role::User,
        Role::GlobalAdmin,
        Role::PrivilegedAuthenticationAdmin,
        Role::AuthenticationAdmin,
        Role::HelpdeskAdmin,
        Role::PasswordAdmin,
        Role::UserAdmin,
        Role::GroupsAdmin,
        Role::PrivilegedRoleAdmin,
        Role::DirectoryReaders,
        Role::GuestInviter,
        Role::MessageCenterReader,
        Role::ReportsReader,
        Role::UserExperienceSuccessManager,
        Role::UsageSummaryReportsReader,
        Role::RoleAssignableGroupMember,
        Role::RestrictedManagementUnit,
        Role::Other("Billing Administrator".into()),
    ]
}

fn role() -> impl Strategy<Value = Role> {
    proptest::sample::select(every_role())
}

fn roles() -> impl Strategy<Value = Vec<Role>> {
    proptest::collection::vec(role(), 0..4)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// The rule, read off the table: one of the admin's resetting roles has a tick in the
    /// row of every one of the target's roles.
    #[test]
    fn the_rule_is_the_table(admin in roles(), target in roles()) {
        let rows: Vec<_> = if target.is_empty() {
            vec![Role::User.reset_row()]
        } else {
            target.iter().map(Role::reset_row).collect()
        };
        let by_table = Resetter::ALL.iter().enumerate().any(|(column, resetter)| {
            admin.iter().any(|r| Resetter::of(r) == Some(*resetter))
                && rows.iter().all(|row| row.by[column])
        });
        prop_assert_eq!(may_reset(&admin, &target), by_table);
    }

    /// More roles for the admin never take a reset away; more roles for the target never
    /// allow one that was refused.
    #[test]
    fn more_roles_move_the_answer_one_way(admin in roles(), target in roles(), extra in role()) {
        let allowed = may_reset(&admin, &target);
        let mut stronger = admin.clone();
        stronger.push(extra.clone());
        prop_assert!(!allowed || may_reset(&stronger, &target));
        let mut protected = target.clone();
        protected.push(extra);
        prop_assert!(allowed || !may_reset(&admin, &protected));
    }

    /// A Global or Privileged Authentication Administrator resets any role set; an admin
    /// without a resetting role resets none; an ordinary user is reset by all six.
    #[test]
    fn the_ends_of_the_table(target in roles(), others in roles()) {
        prop_assert!(may_reset(&[Role::GlobalAdmin], &target));
        prop_assert!(may_reset(&[Role::PrivilegedAuthenticationAdmin], &target));
        let powerless: Vec<Role> =
            others.into_iter().filter(|r| Resetter::of(r).is_none()).collect();
        prop_assert!(!may_reset(&powerless, &target));
        for resetter in [
            Role::PasswordAdmin,
            Role::HelpdeskAdmin,
            Role::AuthenticationAdmin,
            Role::UserAdmin,
        ] {
            prop_assert!(may_reset(std::slice::from_ref(&resetter), &[]));
            prop_assert!(may_reset(std::slice::from_ref(&resetter), &[Role::User]));
        }
    }
}

#[test]
fn the_table_has_the_providers_rows_and_columns() {
    assert_eq!(RESET_TABLE.len(), 18);
    let names: Vec<&str> = RESET_TABLE.iter().map(|row| row.role).collect();
    assert_eq!(names.first(), Some(&"Auth Admin"));
    assert_eq!(names.last(), Some(&"All other built-in and custom roles"));
    // Every row: the Privileged Authentication and the Global Administrator reset it.
    assert!(RESET_TABLE.iter().all(|row| row.by[4] && row.by[5]));
    // The ticks of the provider's table, counted row by row: 69.
    let ticks: usize = RESET_TABLE
        .iter()
        .map(|row| row.by.iter().filter(|b| **b).count())
        .sum();
    assert_eq!(ticks, 69);
}

fn id(text: &str) -> UserId {
    UserId::parse(text).expect("a user ID")
}

fn account(n: usize, tenant: &str, role: Role) -> UserRecord {
    UserRecord {
        id: id(&format!("user{n}@{tenant}.example")),
        tenant: tenant.into(),
        roles: vec![role],
        self_service_reset: true,
        methods: vec![ContactMethod::email(format!("home{n}@example.net"))],
        password_hash: None,
        methods_confirmed: None,
    }
}

/// Every pair of single roles in one organisation: `reset_by_admin` refuses exactly where
/// the table does (a refusal costs no hash, so all refused pairs are tried; of the
/// allowed pairs one per admin role, since each hashes a temporary password). Across
/// organisations and for oneself, always refused.
#[tokio::test]
async fn reset_by_admin_follows_the_table_for_every_pair() {
    let h = Harness::empty(Policy::default());
    let roles = every_role();
    for (n, role) in roles.iter().enumerate() {
        h.add(account(n, "contoso", role.clone()));
        h.add(account(n, "fabrikam", role.clone()));
    }
    let mut hashed = std::collections::HashSet::new();
    for (a, admin_role) in roles.iter().enumerate() {
        let admin = id(&format!("user{a}@contoso.example"));
        for (t, target_role) in roles.iter().enumerate() {
            let allowed = may_reset(
                std::slice::from_ref(admin_role),
                std::slice::from_ref(target_role),
            );
            let other_tenant = id(&format!("user{t}@fabrikam.example"));
            // Another organisation's account: refused, and answered like a missing one
            // (or, for an admin without a resetting role, like any refusal).
            let across = h.sspr.reset_by_admin(&admin, &other_tenant).await;
            if Resetter::of(admin_role).is_some() {
                assert!(
                    matches!(across, Err(AdminResetError::NoSuchUser)),
                    "{across:?}"
                );
            } else {
                assert!(
                    matches!(across, Err(AdminResetError::NotAllowed)),
                    "{across:?}"
                );
            }
            if a == t {
                assert!(
                    matches!(
                        h.sspr.reset_by_admin(&admin, &admin).await,
                        Err(AdminResetError::NotAllowed)
                    ),
                    "{admin_role:?} reset itself"
                );
                continue;
            }
            if allowed && !hashed.insert(a) {
                continue;
            }
            let target = id(&format!("user{t}@contoso.example"));
            let result = h.sspr.reset_by_admin(&admin, &target).await;
            assert_eq!(
                result.is_ok(),
                allowed,
                "{admin_role:?} resetting {target_role:?}: {result:?}"
            );
            if !allowed {
                assert!(matches!(result, Err(AdminResetError::NotAllowed)));
            }
        }
    }
    assert_eq!(
        hashed.len(),
        6,
        "each of the six resetting roles reset somebody"
    );
}
