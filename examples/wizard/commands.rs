//! The commands beside the wizard, at the terminal: the change of a temporary password at
//! sign-in, the registration of contact methods, "contact your administrator", an admin's
//! reset (temporary password or reset link), the use of a reset link, and the support
//! request for a new global admin.
//!
//! An admin types their own user ID here: this demo signs nobody in. A real host runs the
//! admin commands only for an admin it has signed in, and asks for the password (or a
//! session) before a registration, as `begin_registration` does.

use sspr::UserId;
use sspr::admin::ForcedChange;
use sspr::host::ContactMethod;
use sspr::message::Message;
use sspr::password::Password;
use sspr::registration::{CodeFor, Confirmed, MethodChange};
use sspr::support::SupportRequest;

use crate::speech::{self, t, ta};
use crate::terminal::{Stop, ask};
use crate::world::{self, World};

/// A refusal or error of the crate, in the chosen language.
fn refused(reason: &dyn Message) {
    println!("  ✗ {}", speech::message(reason));
}

/// A user ID typed until it parses.
fn user_id(prompt: &str) -> Result<UserId, Stop> {
    loop {
        match UserId::parse(&ask(prompt)?) {
            Ok(id) => return Ok(id),
            Err(error) => refused(&error),
        }
    }
}

/// A number from 1 to `max`, typed until it is one.
pub fn number(prompt: &str, max: usize) -> Result<usize, Stop> {
    loop {
        match ask(prompt)?.trim().parse::<usize>() {
            Ok(n) if (1..=max).contains(&n) => return Ok(n),
            _ => println!("  {}", t("cli-type-number")),
        }
    }
}

/// A new password typed twice.
fn new_password() -> Result<(Password, Password), Stop> {
    println!("{}", t("cli-shows-typing"));
    let new = Password::new(ask(&t("cli-new-password"))?);
    let again = Password::new(ask(&t("cli-again"))?);
    Ok((new, again))
}

/// Menu 2: Sign in with a temporary password and choose a new one.
pub async fn change_temporary_password(world: &World) -> Result<(), Stop> {
    let user = ask(&t("cli-user-id"))?;
    let temporary = Password::new(ask(&t("cli-temporary-prompt"))?);
    let (new, again) = new_password()?;
    match world
        .sspr
        .change_temporary_password(&user, temporary, new, again)
        .await
    {
        Ok(ForcedChange::Completed(receipt)) => {
            println!("  ✔ {}", t("cli-changed"));
            world::print_receipt(&receipt);
        }
        Ok(ForcedChange::Locked(locked)) => println!("  ⏹  {}", world::locked_text(&locked)),
        Err(refusal) => refused(&refusal),
    }
    Ok(())
}

/// Menu 3: Register, replace, remove or confirm contact methods: the password, then a code to
/// a method the account has, then one to the new method.
pub async fn register(world: &World) -> Result<(), Stop> {
    let user = ask(&t("cli-user-id"))?;
    let password = Password::new(ask(&t("cli-password"))?);
    let change = match number(&t("cli-registration-action"), 4)? {
        1 => MethodChange::Add(new_method()?),
        2 => MethodChange::Replace {
            old: number(&t("cli-registration-which"), 8)? - 1,
            new: new_method()?,
        },
        3 => MethodChange::Remove(number(&t("cli-registration-which"), 8)? - 1),
        _ => MethodChange::Confirm,
    };
    let mut pending = match world.sspr.begin_registration(&user, password, change).await {
        Ok(pending) => pending,
        Err(refusal) => {
            refused(&refusal);
            return Ok(());
        }
    };
    loop {
        let (prompt, to) = match pending.code_for() {
            CodeFor::Registered(to) => ("cli-registration-current-code", to),
            CodeFor::New(to) => ("cli-registration-new-code", to),
        };
        let code = ask(&ta(prompt, &[("to", to.as_str().into())]))?;
        match pending.confirm(&world.sspr, &code).await {
            Ok(Confirmed::NewCodeSent(next)) => {
                println!("  ✔ {}", t("cli-registration-proved"));
                pending = next;
            }
            Ok(Confirmed::Registered(registered)) => {
                let at = world::when(registered.confirmed);
                println!(
                    "  ✔ {}",
                    ta("cli-registration-done", &[("at", at.as_str().into())])
                );
                println!("  {}", t("cli-registration-methods"));
                for (n, method) in registered.methods.iter().enumerate() {
                    println!("    {}) {}", n + 1, method.as_str());
                }
                return Ok(());
            }
            Err(refusal) => {
                refused(&refusal.reason);
                match refusal.into_pending() {
                    Some(again) => pending = again,
                    None => return Ok(()),
                }
            }
        }
    }
}

/// The kind and address of a method to add.
fn new_method() -> Result<ContactMethod, Stop> {
    let kind = number(&t("cli-registration-kind"), 3)?;
    let address = ask(&t("cli-registration-address"))?.trim().to_owned();
    Ok(match kind {
        1 => ContactMethod::email(address),
        2 => ContactMethod::sms(address),
        _ => ContactMethod::voice(address),
    })
}

/// Menu 4: "Contact your administrator": the same answer for every user ID.
pub async fn contact_admins(world: &World) -> Result<(), Stop> {
    let user = ask(&t("cli-user-id"))?;
    match world.sspr.contact_admins(&user).await {
        Ok(()) => println!("  ✔ {}", t("cli-asked-admins")),
        Err(refusal) => refused(&refusal),
    }
    Ok(())
}

/// Menu 5: An admin sets a temporary password, shown once.
pub async fn admin_reset(world: &World) -> Result<(), Stop> {
    let admin = user_id(&t("cli-admin-id"))?;
    let user = user_id(&t("cli-target-id"))?;
    match world.sspr.reset_by_admin(&admin, &user).await {
        Ok(temporary) => {
            let until = world::when(temporary.expires());
            println!(
                "  ✔ {}",
                ta(
                    "cli-temporary-password",
                    &[
                        ("user", user.as_str().into()),
                        ("password", temporary.expose_secret().into()),
                        ("until", until.as_str().into()),
                    ],
                )
            );
        }
        Err(refusal) => refused(&refusal),
    }
    Ok(())
}

/// Menu 6: An admin issues a reset link: the admin never learns the password.
pub async fn issue_link(world: &World) -> Result<(), Stop> {
    let admin = user_id(&t("cli-admin-id"))?;
    let user = user_id(&t("cli-target-id"))?;
    match world
        .sspr
        .issue_reset_link(&world.grants, &admin, &user)
        .await
    {
        Ok(link) => {
            let until = world::when(link.expires());
            println!(
                "  ✔ {}",
                ta(
                    "cli-link-sent",
                    &[
                        ("user", user.as_str().into()),
                        ("until", until.as_str().into()),
                        ("token", link.expose_secret().into()),
                    ],
                )
            );
        }
        Err(refusal) => refused(&refusal),
    }
    Ok(())
}

/// Menu 7: The user opens a reset link and sets a password.
pub async fn redeem_link(world: &World) -> Result<(), Stop> {
    let user = ask(&t("cli-user-id"))?;
    let token = ask(&t("cli-link-token"))?;
    let (new, again) = new_password()?;
    match world
        .sspr
        .redeem_reset_link(&world.grants, &user, &token, new, again)
        .await
    {
        Ok(receipt) => {
            println!("  ✔ {}", t("cli-changed"));
            world::print_receipt(&receipt);
        }
        Err(refusal) => refused(&refusal),
    }
    Ok(())
}

/// Menu 8: The global admin has left: a request to support for a new one.
pub async fn support_request(world: &World) -> Result<(), Stop> {
    let request = loop {
        let name = ask(&t("cli-support-name"))?;
        let email = ask(&t("cli-support-email"))?;
        let phone = ask(&t("cli-support-phone"))?;
        let company = ask(&t("cli-support-company"))?;
        let domain = ask(&t("cli-support-domain"))?;
        let explanation = ask(&t("cli-support-explanation"))?;
        match SupportRequest::new(&name, &email, &phone, &company, &domain, &explanation) {
            Ok(request) => break request,
            Err(refusal) => refused(&refusal),
        }
    };
    match world
        .sspr
        .request_new_global_admin(&world.desk, request)
        .await
    {
        Ok(ticket) => {
            let ticket = ticket.to_string();
            println!(
                "  ✔ {}",
                ta("cli-support-filed", &[("ticket", ticket.as_str().into())])
            );
        }
        Err(error) => refused(&error),
    }
    Ok(())
}
