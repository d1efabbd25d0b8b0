//! The demo run: every path of the wizard, played by itself on a fresh world each, with
//! a check that it ends as it should.
//!
//! The challenge answers come through the crate's test kit (`sspr::testing`, feature
//! `test-support`, which opens the `danger-reveal-secrets` door for examples and tests
//! only); the codes are read back from the demo outbox, as a person reads their phone.

use std::fmt::Debug;

use sspr::FlowId;
use sspr::UserId;
use sspr::admin::{AdminResetError, ForcedChange, ForcedChangeRefusal};
use sspr::challenge::Language;
use sspr::event::{Activity, Detail};
use sspr::grant::LinkRefusal;
use sspr::host::ContactMethod;
use sspr::host::DeliveryContent as Message;
use sspr::host::ManualClock;
use sspr::host::Notice;
use sspr::password::{Password, PasswordRefusal};
use sspr::policy::Policy;
use sspr::registration::{CodeFor, Confirmed, MethodChange, RegistrationRefusal};
use sspr::step::{
    AccountType, ChooseMethod, FromIdentify, FromNewPassword, FromSelectAccount, FromVerify,
    Identify, NewPassword, ToVerify, Verify,
};
use sspr::store::MemoryFlowStore;
use sspr::support::{InMemorySupportDesk, SupportRequest};
use sspr::testing;
use sspr::{Completed, LockReason, Refusal, Refused, Stay};
use sspr::{Step, Wizard};
use time::Duration;

use crate::speech;
use crate::world::{
    self, ADMIN, ASK_ADMIN, BoxError, ChallengeFiles, DemoSspr, EXPIRED, JAN, JAN_PASSWORD,
    PERSONAL, PIET, UNKNOWN, World,
};

const WEAK_PASSWORD: &str = "password1";
const STRONG_PASSWORD: &str = "plum kettle orbit 71";

/// Plays every path; the first that ends otherwise than expected stops the run with an
/// error naming it.
pub async fn run(files: &ChallengeFiles, print_audit: bool) -> Result<(), BoxError> {
    let new = || Demo::new(files, print_audit);
    title(1, "A completed reset (a weak password refused first)");
    completed_reset(&new()?).await.map_err(|e| failed(1, e))?;
    title(2, "A personal account");
    personal_account(&new()?).map_err(|e| failed(2, e))?;
    title(3, "Ask your admin: not enabled, and unknown, end the same");
    ask_admin(&new()?).await.map_err(|e| failed(3, e))?;
    title(4, "Locked by wrong answers to the challenge");
    locked_by_answers(&new()?).await.map_err(|e| failed(4, e))?;
    title(5, "Locked by wrong codes");
    locked_by_codes(&new()?).await.map_err(|e| failed(5, e))?;
    title(6, "Expired: the flow outlives its lifetime");
    expired(&new()?).await.map_err(|e| failed(6, e))?;
    title(7, "An admin proves two methods");
    admin_two_methods(&new()?).await.map_err(|e| failed(7, e))?;
    title(8, "The default policy: nobody learns which accounts exist");
    concealed(&Demo::with_policy(files, print_audit, Policy::default())?)
        .await
        .map_err(|e| failed(8, e))?;
    title(
        9,
        "An admin resets a password; the user changes it at next sign-in",
    );
    admin_reset(&new()?).await.map_err(|e| failed(9, e))?;
    title(
        10,
        "The global admin has left: a support request for a new one",
    );
    support_request(&new()?).await.map_err(|e| failed(10, e))?;
    title(
        11,
        "An admin sends a reset link: the admin never learns the password",
    );
    reset_link(&new()?).await.map_err(|e| failed(11, e))?;
    title(12, "Contact your administrator: Piet asks his admins");
    contact_admins(&new()?).await.map_err(|e| failed(12, e))?;
    title(
        13,
        "Registration: Jan adds a phone, proved by his email and by its own code",
    );
    registration(&new()?).await.map_err(|e| failed(13, e))?;
    println!("\nAll 13 paths ended as expected.");
    Ok(())
}

fn title(number: u8, name: &str) {
    println!("\n━━ {number}. {name} ━━");
}

fn failed(number: u8, error: BoxError) -> BoxError {
    format!("demo path {number} did not end as expected: {error}").into()
}

/// One step of the story.
fn say(text: impl AsRef<str>) {
    println!("  {}", text.as_ref());
}

/// The path ended as it should.
fn ok(text: impl AsRef<str>) {
    println!("  ✔ {}", text.as_ref());
}

fn unexpected(expected: &str, got: &impl Debug) -> BoxError {
    format!("expected {expected}, got {got:?}").into()
}

fn refused<S: Step>(refusal: Refused<S>) -> BoxError {
    format!("refused unexpectedly: {}", refusal.reason).into()
}

/// A fresh world on a clock that moves only when the demo moves it.
struct Demo<'a> {
    world: World,
    clock: ManualClock,
    files: &'a ChallengeFiles,
}

impl<'a> Demo<'a> {
    /// On a policy that shows the methods (`conceal(false)`), so the demo walks every
    /// page.
    fn new(files: &'a ChallengeFiles, print_audit: bool) -> Result<Self, BoxError> {
        let policy = Policy::builder().conceal(false).build()?;
        Self::with_policy(files, print_audit, policy)
    }

    fn with_policy(
        files: &'a ChallengeFiles,
        print_audit: bool,
        policy: Policy,
    ) -> Result<Self, BoxError> {
        let clock = ManualClock::default();
        let world = World::new(clock.clone(), print_audit, policy)?;
        Ok(Demo {
            world,
            clock,
            files,
        })
    }

    fn sspr(&self) -> &DemoSspr {
        &self.world.sspr
    }

    /// "Can't access your account?" → work or school account.
    fn identify(&self) -> Result<Wizard<Identify>, BoxError> {
        say("Can't access your account? → work or school account");
        let start = self.sspr().start()?;
        match start
            .choose_in(
                self.sspr(),
                AccountType::WorkOrSchool,
                speech::challenge_language(),
            )
            .map_err(refused)?
        {
            FromSelectAccount::Identify(wizard) => Ok(wizard),
            other => Err(unexpected("the user ID and challenge step", &other)),
        }
    }

    /// Writes the challenge's file and returns its answer, read through the demo door.
    fn show(&self, wizard: &Wizard<Identify>) -> Result<String, BoxError> {
        let kind = wizard.step().challenge().kind();
        let shown = self
            .files
            .write(self.sspr(), wizard)
            .map_err(|error| format!("writing the {kind} challenge: {error}"))?;
        let answer = testing::answer_of(wizard);
        say(format!("The {shown}"));
        say(format!(
            "🔓 demo output: the answer is {answer} (a real host never reveals it)"
        ));
        Ok(answer)
    }

    /// Solves the challenge for `user`.
    async fn solve(&self, user: &str) -> Result<FromIdentify, BoxError> {
        let identify = self.identify()?;
        let answer = self.show(&identify)?;
        say(format!("Types user ID {user} and the characters {answer}"));
        identify
            .submit(self.sspr(), user, &answer)
            .await
            .map_err(refused)
    }

    /// Solves the challenge for an account that may reset, and lists its methods.
    async fn methods_of(&self, user: &str) -> Result<Wizard<ChooseMethod>, BoxError> {
        match self.solve(user).await? {
            FromIdentify::ChooseMethod(wizard) => {
                print_methods(wizard.step());
                Ok(wizard)
            }
            other => Err(unexpected("the choice of contact methods", &other)),
        }
    }

    /// Sends a code to method `index`.
    async fn send_code(
        &self,
        wizard: Wizard<ChooseMethod>,
        index: usize,
    ) -> Result<Wizard<Verify>, BoxError> {
        say(format!("Asks for a code to method {}", index + 1));
        match wizard.choose(self.sspr(), index).await.map_err(refused)? {
            ToVerify::Verify(wizard) => Ok(wizard),
            other => Err(unexpected("the code step", &other)),
        }
    }

    /// The newest code the demo inbox holds for `method`, as the person reads it.
    fn code_for(&self, method: &ContactMethod) -> Result<String, BoxError> {
        let code = self
            .world
            .outbox
            .last_code_to(method)
            .ok_or("no code was delivered")?;
        say(format!("Reads {code} in the inbox and types it"));
        Ok(code)
    }

    /// Types the code that arrived at `method`.
    async fn verify(
        &self,
        wizard: Wizard<Verify>,
        method: &ContactMethod,
    ) -> Result<FromVerify, BoxError> {
        let code = self.code_for(method)?;
        wizard.submit(self.sspr(), &code).await.map_err(refused)
    }

    /// Sets the strong password and checks the directory holds its hash.
    async fn complete(&self, wizard: Wizard<NewPassword>) -> Result<Completed, BoxError> {
        say(format!(
            "Chooses \"{STRONG_PASSWORD}\" (hashing with Argon2id...)"
        ));
        let both = || Password::new(STRONG_PASSWORD);
        let receipt = match wizard
            .submit(self.sspr(), both(), both())
            .await
            .map_err(refused)?
        {
            FromNewPassword::Completed(receipt) => receipt,
            other => return Err(unexpected("a completed reset", &other)),
        };
        world::print_receipt(&receipt);
        let stored = self.world.directory.get(&receipt.user);
        let hashed = stored.is_some_and(|user| user.password_hash.is_some());
        if !hashed {
            return Err("the directory holds no new password hash".into());
        }
        Ok(receipt)
    }

    /// Notices ("your password was changed") that went out.
    fn notices(&self) -> usize {
        let deliveries = self.world.outbox.deliveries();
        deliveries
            .iter()
            .filter(|d| matches!(d.message, Message::Notice(_)))
            .count()
    }

    /// The flow's audit trail, without times and user IDs.
    fn trail(&self, flow: FlowId) -> Vec<(Activity, Detail)> {
        let events = self.world.audit.events();
        events
            .into_iter()
            .filter(|event| event.flow == Some(flow))
            .map(|event| (event.activity, event.detail))
            .collect()
    }
}

fn print_methods(step: &ChooseMethod) {
    say(format!(
        "Methods shown (masked; {} needed, {} verified):",
        step.required(),
        step.verified()
    ));
    for method in step.methods() {
        let done = if method.used { " (verified ✔)" } else { "" };
        say(format!("  {}) {}{done}", method.index + 1, method.contact));
    }
}

/// 1. Switch to audio, solve it, code by text message, a weak password, a strong one.
async fn completed_reset(demo: &Demo<'_>) -> Result<(), BoxError> {
    let sspr = demo.sspr();
    let identify = demo.identify()?;
    demo.show(&identify)?;
    say("Can't see the picture: switches to audio");
    let identify = match identify.switch_kind(sspr).map_err(refused)? {
        Stay::Step(wizard) => wizard,
        Stay::Expired(expired) => return Err(unexpected("an audio challenge", &expired)),
    };
    let answer = demo.show(&identify)?;
    // In Dutch, the person types the digits as they heard them: as words.
    let answer = match speech::challenge_language() {
        Language::Dutch => spelled_in_dutch(&answer),
        _ => answer,
    };
    say(format!("Types user ID {JAN} and the digits {answer}"));
    let choose = match identify.submit(sspr, JAN, &answer).await.map_err(refused)? {
        FromIdentify::ChooseMethod(wizard) => wizard,
        other => return Err(unexpected("the choice of contact methods", &other)),
    };
    print_methods(choose.step());
    let verify = demo.send_code(choose, 1).await?;
    let new_password = match demo.verify(verify, &world::jan_phone()).await? {
        FromVerify::NewPassword(wizard) => wizard,
        other => return Err(unexpected("the new password step", &other)),
    };
    say(format!("Chooses \"{WEAK_PASSWORD}\""));
    let weak = || Password::new(WEAK_PASSWORD);
    let refusal = match new_password.submit(sspr, weak(), weak()).await {
        Err(refusal) => refusal,
        Ok(next) => return Err(unexpected("the weak password refused", &next)),
    };
    if !matches!(
        refusal.reason,
        Refusal::Password(PasswordRefusal::TooWeak { .. })
    ) {
        return Err(unexpected("a too-weak refusal", &refusal.reason));
    }
    say(format!("✗ refused: {}", refusal.reason));
    let receipt = demo.complete(refusal.wizard).await?;
    if receipt.user != UserId::parse(JAN)? || !receipt.end_other_sessions {
        return Err(unexpected("a receipt for jan that ends sessions", &receipt));
    }
    let notices = demo.notices();
    if notices != 2 {
        return Err(format!("expected 2 notices (email and phone), got {notices}").into());
    }
    ok("completed; both registered methods were told the password changed");
    Ok(())
}

/// 2. The personal account is handed back to the host.
fn personal_account(demo: &Demo<'_>) -> Result<(), BoxError> {
    say("Can't access your account? → personal account");
    let start = demo.sspr().start()?;
    match start
        .choose(demo.sspr(), AccountType::Personal)
        .map_err(refused)?
    {
        FromSelectAccount::PersonalAccount(_) => {
            ok(PERSONAL);
            Ok(())
        }
        other => Err(unexpected("the personal account ending", &other)),
    }
}

/// 3. Not enabled and unknown: the same ending, the same audit trail.
async fn ask_admin(demo: &Demo<'_>) -> Result<(), BoxError> {
    let mut trails = Vec::new();
    for user in [PIET, UNKNOWN] {
        let identify = demo.identify()?;
        let flow = identify.flow_id();
        let answer = demo.show(&identify)?;
        say(format!("Types user ID {user} and the characters {answer}"));
        match identify
            .submit(demo.sspr(), user, &answer)
            .await
            .map_err(refused)?
        {
            FromIdentify::AskAdmin(_) => ok(format!("{user}: {ASK_ADMIN}")),
            other => return Err(unexpected("ask your admin", &other)),
        }
        trails.push(demo.trail(flow));
    }
    if trails.first() != trails.last() {
        return Err(unexpected("the same audit trail for both", &trails));
    }
    let details: Vec<String> = trails
        .first()
        .into_iter()
        .flatten()
        .map(|(_, detail)| format!("{detail:?}"))
        .collect();
    ok(format!("same audit trail for both: {}", details.join(", ")));
    Ok(())
}

/// 4. Every allowed wrong answer, each followed by a new challenge, then the lock.
async fn locked_by_answers(demo: &Demo<'_>) -> Result<(), BoxError> {
    let mut identify = demo.identify()?;
    let attempts = identify.step().attempts_left();
    for attempt in 1..=attempts {
        demo.show(&identify)?;
        let wrong = testing::wrong_answer(&identify);
        say(format!(
            "Types {wrong} instead (wrong answer {attempt} of {attempts})"
        ));
        match identify.submit(demo.sspr(), JAN, &wrong).await {
            Err(refusal) if matches!(refusal.reason, Refusal::WrongAnswer { .. }) => {
                say(format!("✗ {}", refusal.reason));
                identify = refusal.wizard;
            }
            Ok(FromIdentify::Locked(locked)) if locked.reason == LockReason::ChallengeAttempts => {
                ok(world::locked_text(&locked));
                return Ok(());
            }
            Err(refusal) => return Err(unexpected("a wrong answer", &refusal.reason)),
            Ok(other) => return Err(unexpected("locked by answers", &other)),
        }
    }
    Err(format!("still not locked after {attempts} wrong answers").into())
}

/// 5. Every allowed wrong code, then the lock.
async fn locked_by_codes(demo: &Demo<'_>) -> Result<(), BoxError> {
    let choose = demo.methods_of(JAN).await?;
    let mut verify = demo.send_code(choose, 0).await?;
    let attempts = verify.step().attempts_left();
    let code = demo
        .world
        .outbox
        .last_code_to(&world::jan_email())
        .ok_or("no code was delivered")?;
    let wrong = testing::wrong_code(&code);
    for attempt in 1..=attempts {
        say(format!(
            "Types {wrong} (wrong code {attempt} of {attempts})"
        ));
        match verify.submit(demo.sspr(), &wrong).await {
            Err(refusal) if matches!(refusal.reason, Refusal::WrongCode { .. }) => {
                say(format!("✗ {}", refusal.reason));
                verify = refusal.wizard;
            }
            // With the default policy the user ID's own limit (5 wrong codes an hour)
            // is reached with the flow's: the ID is then blocked for 24 hours.
            Ok(FromVerify::Locked(locked))
                if matches!(
                    locked.reason,
                    LockReason::CodeAttempts | LockReason::UserBlocked
                ) =>
            {
                ok(world::locked_text(&locked));
                return Ok(());
            }
            Err(refusal) => return Err(unexpected("a wrong code", &refusal.reason)),
            Ok(other) => return Err(unexpected("locked by codes", &other)),
        }
    }
    Err(format!("still not locked after {attempts} wrong codes").into())
}

/// 6. The right code, typed after the flow's lifetime: expired.
async fn expired(demo: &Demo<'_>) -> Result<(), BoxError> {
    let choose = demo.methods_of(JAN).await?;
    let verify = demo.send_code(choose, 1).await?;
    let late = demo.sspr().policy().flow_lifetime() + Duration::minutes(1);
    say(format!(
        "Walks away for {} minutes (the flow lasts {})",
        late.whole_minutes(),
        demo.sspr().policy().flow_lifetime().whole_minutes()
    ));
    demo.clock.advance(late);
    match demo.verify(verify, &world::jan_phone()).await? {
        FromVerify::Expired(_) => {
            ok(format!("even the right code is too late: {EXPIRED}"));
            Ok(())
        }
        other => Err(unexpected("an expired flow", &other)),
    }
}

/// 7. A global admin verifies email, cannot reuse it, verifies the phone, then resets.
async fn admin_two_methods(demo: &Demo<'_>) -> Result<(), BoxError> {
    let choose = demo.methods_of(ADMIN).await?;
    if choose.step().required() != 2 {
        return Err(unexpected(
            "two methods required",
            &choose.step().required(),
        ));
    }
    let verify = demo.send_code(choose, 0).await?;
    let choose = match demo.verify(verify, &world::admin_email()).await? {
        FromVerify::ChooseMethod(wizard) => wizard,
        other => return Err(unexpected("the choice of a second method", &other)),
    };
    say("One of two done: the wizard asks for a second method");
    print_methods(choose.step());
    say("Asks for a code to method 1 again");
    let choose = match choose.choose(demo.sspr(), 0).await {
        Err(refusal) if matches!(refusal.reason, Refusal::UnknownMethod) => {
            say(format!("✗ {}", refusal.reason));
            refusal.wizard
        }
        other => return Err(unexpected("the used method refused", &other)),
    };
    let verify = demo.send_code(choose, 1).await?;
    let new_password = match demo.verify(verify, &world::admin_phone()).await? {
        FromVerify::NewPassword(wizard) => wizard,
        other => return Err(unexpected("the new password step", &other)),
    };
    let receipt = demo.complete(new_password).await?;
    if receipt.methods_used.len() != 2 {
        return Err(unexpected("two methods on the receipt", &receipt));
    }
    ok("completed after two methods");
    Ok(())
}

/// Path 8, the default policy: Jan and an unknown user ID both get the page "if this
/// account can reset, a code was sent"; only Jan's mailbox receives one, and only his
/// code goes on.
async fn concealed(demo: &Demo<'_>) -> Result<(), BoxError> {
    let unknown = match demo.solve(UNKNOWN).await? {
        FromIdentify::Verify(wizard) => wizard,
        other => return Err(unexpected("the code page", &other)),
    };
    say("Sees: if this account can reset, a code was sent");
    if !demo.world.outbox.deliveries().is_empty() {
        return Err("a code went out for an unknown user ID".into());
    }
    let jan = match demo.solve(JAN).await? {
        FromIdentify::Verify(wizard) => wizard,
        other => return Err(unexpected("the code page", &other)),
    };
    say("Sees the same page: if this account can reset, a code was sent");
    let first = world::jan_email();
    match demo.verify(jan, &first).await? {
        FromVerify::NewPassword(_) => {}
        other => return Err(unexpected("the new password step", &other)),
    }
    say("Types a made-up code on the unknown user ID's page");
    match unknown.submit(demo.sspr(), "123456").await {
        Err(refusal) if matches!(refusal.reason, Refusal::WrongCode { .. }) => {
            say(format!("✗ refused: {}", refusal.reason));
        }
        other => return Err(unexpected("a wrong code", &other)),
    }
    ok("both user IDs saw the same pages; only the account got a code");
    Ok(())
}

/// Digits as Dutch number words, with hyphens: "zes-zes-vijf".
fn spelled_in_dutch(digits: &str) -> String {
    const WORDS: [&str; 9] = [
        "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
    ];
    digits
        .bytes()
        .filter_map(|d| WORDS.get(usize::from(d.wrapping_sub(b'1'))).copied())
        .collect::<Vec<_>>()
        .join("-")
}

/// Path 9: the global admin resets Piet's password (Piet may not reset by himself): a
/// temporary password, shown once to the admin; Piet could not reset the admin's; Piet
/// signs in with it and must choose a new one, under the same rules.
async fn admin_reset(demo: &Demo<'_>) -> Result<(), BoxError> {
    let admin = UserId::parse(ADMIN)?;
    let piet = UserId::parse(PIET)?;
    say(format!(
        "{ADMIN} (global admin) resets the password of {PIET}"
    ));
    let temporary = demo.sspr().reset_by_admin(&admin, &piet).await?;
    say(format!(
        "the admin reads the temporary password once (it works until {}) and gives it to \
         Piet by a channel of their own",
        world::when(temporary.expires())
    ));
    say(format!("{PIET} cannot reset {ADMIN} the other way round"));
    match demo.sspr().reset_by_admin(&piet, &admin).await {
        Err(AdminResetError::NotAllowed) => ok("refused: an ordinary user resets nobody"),
        other => return Err(unexpected("a refusal", &other)),
    }
    say("Piet signs in with it and must choose a new password; a weak one first");
    let weak = demo
        .sspr()
        .change_temporary_password(
            PIET,
            Password::new(temporary.expose_secret()),
            Password::new(WEAK_PASSWORD),
            Password::new(WEAK_PASSWORD),
        )
        .await;
    match weak {
        Err(ForcedChangeRefusal::Password(PasswordRefusal::TooWeak { .. })) => {
            say(format!(
                "✗ {}",
                weak.err().map(|e| e.to_string()).unwrap_or_default()
            ));
        }
        other => return Err(unexpected("a weak password refused", &other)),
    }
    let done = demo
        .sspr()
        .change_temporary_password(
            PIET,
            Password::new(temporary.expose_secret()),
            Password::new(STRONG_PASSWORD),
            Password::new(STRONG_PASSWORD),
        )
        .await
        .map_err(|e| format!("the forced change was refused: {e}"))?;
    match done {
        ForcedChange::Completed(receipt) => {
            world::print_receipt(&receipt);
            ok("changed at next sign-in")
        }
        other => return Err(unexpected("the change", &other)),
    }
    let names: Vec<&str> = demo
        .world
        .audit
        .events()
        .iter()
        .map(|e| e.activity.name())
        .collect();
    for wanted in [
        "Reset password (by admin)",
        "Change password (self-service)",
    ] {
        if !names.contains(&wanted) {
            return Err(unexpected(wanted, &names));
        }
    }
    ok(
        "audit: \"Reset password (by admin)\" (and its refusal), \"Change password (self-service)\"",
    );
    Ok(())
}

/// Path 10: nobody in the organisation can reset passwords any more: a request to support
/// for a new global admin, with the requester's identity and company details. The audit
/// event keeps the ticket, not the personal data.
async fn support_request(demo: &Demo<'_>) -> Result<(), BoxError> {
    let desk = InMemorySupportDesk::new();
    let request = SupportRequest::new(
        "Marieke de Vries",
        "marieke@home.example",
        "+31 6 11112222",
        "Contoso BV",
        "contoso.nl",
        "Our global admin left in March; please make Marieke global admin.",
    )?;
    say("Marieke fills in her name, email, phone, company and organisation");
    let ticket = demo.sspr().request_new_global_admin(&desk, request).await?;
    ok(format!(
        "the support desk filed ticket {ticket}; support will call to check"
    ));
    let filed = demo
        .world
        .audit
        .events()
        .into_iter()
        .find(|e| matches!(e.detail, Detail::SupportRequestFiled { .. }))
        .ok_or("no audit event for the request")?;
    if format!("{filed:?}").contains("Marieke") {
        return Err("the audit event holds the requester's name".into());
    }
    ok(format!(
        "audit: \"{}\" with the ticket, no personal data",
        filed.activity.name()
    ));
    Ok(())
}

/// Path 11: the global admin issues a reset link for Piet; Piet opens it and sets a
/// password the admin never sees; the link works once.
async fn reset_link(demo: &Demo<'_>) -> Result<(), BoxError> {
    let grants = MemoryFlowStore::new();
    let (admin, piet) = (UserId::parse(ADMIN)?, UserId::parse(PIET)?);
    say(format!("{ADMIN} issues a reset link for {PIET}"));
    let link = demo.sspr().issue_reset_link(&grants, &admin, &piet).await?;
    say(format!(
        "the host mails Piet the link (it works once, until {}); the store keeps only a \
         keyed digest of it",
        world::when(link.expires())
    ));
    say("Piet opens it, types his user ID and a new password twice");
    let receipt = demo
        .sspr()
        .redeem_reset_link(
            &grants,
            PIET,
            link.expose_secret(),
            Password::new(STRONG_PASSWORD),
            Password::new(STRONG_PASSWORD),
        )
        .await
        .map_err(|e| format!("the link was refused: {e}"))?;
    world::print_receipt(&receipt);
    say("The same link again");
    match demo
        .sspr()
        .redeem_reset_link(
            &grants,
            PIET,
            link.expose_secret(),
            Password::new(STRONG_PASSWORD),
            Password::new(STRONG_PASSWORD),
        )
        .await
    {
        Err(refusal @ LinkRefusal::NotValid) => say(format!("✗ {}", speech::message(&refusal))),
        other => return Err(unexpected("a used link refused", &other)),
    }
    ok("set with the link, once; the admin never saw the password");
    Ok(())
}

/// Path 12: Piet may not reset by himself; from the "ask your admin" page he asks his
/// admins, and the global admin's inbox gets the request. An unknown user ID gets the
/// same answer and tells nobody.
async fn contact_admins(demo: &Demo<'_>) -> Result<(), BoxError> {
    say(format!("{PIET} asks the admins who may reset his password"));
    demo.sspr().contact_admins(PIET).await?;
    say(format!("{UNKNOWN} (no such account) asks the same"));
    demo.sspr().contact_admins(UNKNOWN).await?;
    let asked: Vec<_> = demo
        .world
        .outbox
        .deliveries()
        .into_iter()
        .filter(|d| d.message == Message::Notice(Notice::ResetRequested))
        .collect();
    match asked.as_slice() {
        [one] if one.user.as_str() == PIET => {
            ok("the global admin was asked for Piet; nobody for the unknown user ID")
        }
        other => return Err(unexpected("one request, for Piet", &other.len())),
    }
    Ok(())
}

/// Path 13: Jan signs in with his password and adds a second phone. A code goes to his
/// email (a method he has): a wrong code first, then the right one; only then a code goes
/// to the new phone, and with it the phone is registered.
/// He hears of it on every method, and the next reset offers the new phone.
async fn registration(demo: &Demo<'_>) -> Result<(), BoxError> {
    let jan = UserId::parse(JAN)?;
    let status = demo
        .sspr()
        .registration_status(&jan)
        .await?
        .ok_or("Jan is not in the directory")?;
    say(format!(
        "at sign-in: {} methods, due: {:?} (the policy asks every 180 days)",
        status.methods.len(),
        status.due
    ));
    let new_phone = ContactMethod::sms("+31 6 99887766");
    say("Jan types his password and the new phone number");
    match demo
        .sspr()
        .begin_registration(
            JAN,
            Password::new("not his password"),
            MethodChange::Confirm,
        )
        .await
    {
        Err(refusal @ RegistrationRefusal::WrongPassword) => {
            say(format!("✗ {}", speech::message(&refusal)))
        }
        other => return Err(unexpected("a wrong password refused", &other)),
    }
    let pending = demo
        .sspr()
        .begin_registration(
            JAN,
            Password::new(JAN_PASSWORD),
            MethodChange::Add(new_phone.clone()),
        )
        .await
        .map_err(|e| format!("the registration did not begin: {e}"))?;
    let CodeFor::Registered(to_current) = pending.code_for() else {
        return Err("expected a code to a method Jan has first".into());
    };
    say(format!(
        "a code went to {to_current}, a method he has: the new phone gets none yet"
    ));
    if demo.world.outbox.last_code_to(&new_phone).is_some() {
        return Err("the new phone got a code before Jan was proved".into());
    }
    let current_code = demo.code_for(&world::jan_email())?;
    say("Jan mistypes it first");
    let refusal = pending
        .confirm(demo.sspr(), &testing::wrong_code(&current_code))
        .await
        .err()
        .ok_or("a wrong code was taken")?;
    say(format!("✗ {}", speech::message(&refusal.reason)));
    let pending = refusal
        .into_pending()
        .ok_or("one wrong code ended the registration")?;
    let pending = match pending.confirm(demo.sspr(), &current_code).await {
        Ok(Confirmed::NewCodeSent(next)) => next,
        other => return Err(unexpected("a code to the new phone", &other)),
    };
    let CodeFor::New(to_new) = pending.code_for() else {
        return Err("expected the new phone's code next".into());
    };
    say(format!(
        "proved; now a code went to {to_new}, the new phone"
    ));
    if demo.world.directory.get(&jan).map(|r| r.methods.len()) != Some(2) {
        return Err("a method was stored before its code".into());
    }
    let new_code = demo.code_for(&new_phone)?;
    let registered = match pending.confirm(demo.sspr(), &new_code).await {
        Ok(Confirmed::Registered(registered)) => registered,
        other => return Err(unexpected("the phone registered", &other)),
    };
    let shown: Vec<&str> = registered.methods.iter().map(|m| m.as_str()).collect();
    ok(format!(
        "registered; Jan's methods now: {}",
        shown.join(", ")
    ));
    let told = demo
        .world
        .outbox
        .deliveries()
        .into_iter()
        .filter(|d| d.message == Message::Notice(Notice::MethodsChanged))
        .count();
    if told != 3 {
        return Err(unexpected("a notice on each of Jan's three methods", &told));
    }
    ok("Jan was told on all three methods");
    let choose = demo.methods_of(JAN).await?;
    if choose.step().methods().len() != 3 {
        return Err(unexpected(
            "three methods to choose from",
            &choose.step().methods(),
        ));
    }
    ok("the next reset offers the new phone too");
    let names: Vec<&str> = demo
        .world
        .audit
        .events()
        .iter()
        .map(|e| e.activity.name())
        .collect();
    if !names.contains(&"User registered security info") {
        return Err(unexpected("\"User registered security info\"", &names));
    }
    ok("audit: \"User registered security info\"");
    Ok(())
}
