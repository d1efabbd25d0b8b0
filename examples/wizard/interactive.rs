//! The interactive wizard: a person chooses what to do (the wizard, or one of the
//! [commands](crate::commands) beside it) and types each step's input at the terminal
//! (see [terminal](crate::terminal)): the library refuses what cannot be a user ID, an
//! answer, a code or a password, with a reason.

use sspr::UserId;
use sspr::Wizard;
use sspr::challenge::ChallengeKind;
use sspr::password::Password;
use sspr::step::{
    AccountType, ChooseMethod, FromIdentify, FromNewPassword, FromSelectAccount, Identify,
    NewPassword, SelectAccount, ToVerify, Verify,
};
use sspr::{AnyStep, Ending, Next, Refusal, Stay};

use crate::commands;
use crate::speech::{self, n, t, ta};
use crate::terminal::{Stop, ask};
use crate::world::{self, BoxError, ChallengeFiles, DemoSspr, World};

/// Plays flows until the person quits or the input ends.
pub async fn run(world: &World, files: &ChallengeFiles) -> Result<(), BoxError> {
    println!("{}\n", t("cli-leave"));
    match session(world, files).await {
        Ok(()) | Err(Stop::Quit) => {
            println!("{}", t("cli-goodbye"));
            Ok(())
        }
        Err(Stop::Eof) => {
            println!("\n{}", t("cli-input-ended"));
            Ok(())
        }
        Err(Stop::Failed(error)) => Err(error),
    }
}

async fn session(world: &World, files: &ChallengeFiles) -> Result<(), Stop> {
    loop {
        match commands::number(&t("cli-menu"), 8)? {
            1 => play_flow(&world.sspr, files).await?,
            2 => commands::change_temporary_password(world).await?,
            3 => commands::register(world).await?,
            4 => commands::contact_admins(world).await?,
            5 => commands::admin_reset(world).await?,
            6 => commands::issue_link(world).await?,
            7 => commands::redeem_link(world).await?,
            _ => commands::support_request(world).await?,
        }
        ask(&format!("\n{}", t("cli-start-again")))?;
    }
}

/// One flow, from "Can't access your account?" to its ending: each step's page gives a
/// result that converts into `Next`, until the flow ends.
async fn play_flow(sspr: &DemoSspr, files: &ChallengeFiles) -> Result<(), Stop> {
    let mut next: Next = sspr.start()?.into();
    loop {
        next = match next {
            Next::Step(AnyStep::SelectAccount(wizard)) => select_account(sspr, wizard)?.into(),
            Next::Step(AnyStep::Identify(wizard)) => {
                identify_step(sspr, files, wizard).await?.into()
            }
            Next::Step(AnyStep::ChooseMethod(wizard)) => choose_method(sspr, wizard).await?.into(),
            Next::Step(AnyStep::Verify(wizard)) => verify(sspr, wizard).await?,
            Next::Step(AnyStep::NewPassword(wizard)) => {
                new_password_step(sspr, wizard).await?.into()
            }
            Next::End(end) => return show_ending(&end),
        };
    }
}

fn show_ending(end: &Ending) -> Result<(), Stop> {
    match end {
        Ending::Completed(_) => ending(&t("cli-completed")),
        other => ending(&speech::message(other)),
    }
}

fn ending(text: &str) -> Result<(), Stop> {
    println!("  ⏹  {text}");
    Ok(())
}

fn refused(reason: &Refusal) {
    println!("  ✗ {}", speech::message(reason));
}

fn select_account(
    sspr: &DemoSspr,
    mut wizard: Wizard<SelectAccount>,
) -> Result<FromSelectAccount, Stop> {
    loop {
        let line = ask(&t("cli-account-type"))?;
        let account = match line.trim().to_lowercase().as_str() {
            "1" | "work" | "school" | "werk" => AccountType::WorkOrSchool,
            "2" | "personal" | "persoonlijk" => AccountType::Personal,
            _ => {
                println!("  {}", t("cli-type-1-or-2"));
                continue;
            }
        };
        match wizard.choose_in(sspr, account, speech::challenge_language()) {
            Ok(next) => return Ok(next),
            Err(refusal) => {
                refused(&refusal.reason);
                wizard = refusal.wizard;
            }
        }
    }
}

/// What the person typed at the challenge.
enum ChallengeInput {
    /// `audio` or `image`: the kind they want.
    Kind(ChallengeKind),
    /// `new`: another challenge of the same kind.
    New,
    /// Anything else: an answer.
    Answer(String),
}

impl ChallengeInput {
    fn parse(line: String) -> Self {
        match line.trim().to_lowercase().as_str() {
            "audio" | "listen" | "luisteren" => ChallengeInput::Kind(ChallengeKind::Audio),
            "image" | "picture" | "afbeelding" => ChallengeInput::Kind(ChallengeKind::Image),
            "new" | "nieuw" => ChallengeInput::New,
            _ => ChallengeInput::Answer(line),
        }
    }
}

/// The user ID and the characters of a picture or audio clip.
async fn identify_step(
    sspr: &DemoSspr,
    files: &ChallengeFiles,
    mut wizard: Wizard<Identify>,
) -> Result<FromIdentify, Stop> {
    let mut user_id = ask_user_id()?;
    let mut show = true;
    loop {
        let kind = wizard.step().challenge().kind();
        if show {
            show_challenge(sspr, files, &wizard);
        }
        let prompt = ta(
            "cli-challenge-prompt",
            &[("other", kind_name(kind.other()).as_str().into())],
        );
        let renewed = match ChallengeInput::parse(ask(&prompt)?) {
            ChallengeInput::Kind(asked) if asked == kind => {
                println!(
                    "  {}",
                    ta(
                        "cli-already-kind",
                        &[("kind", kind_name(kind).as_str().into())]
                    )
                );
                show = false;
                continue;
            }
            ChallengeInput::Kind(_) => wizard.switch_kind(sspr),
            ChallengeInput::New => wizard.new_challenge(sspr),
            ChallengeInput::Answer(answer) => match wizard.submit(sspr, &user_id, &answer).await {
                Ok(next) => return Ok(next),
                Err(refusal) => {
                    refused(&refusal.reason);
                    show = shows_new_challenge(&refusal.reason);
                    if matches!(refusal.reason, Refusal::UserId(_)) {
                        user_id = ask_user_id()?;
                    }
                    wizard = refusal.wizard;
                    continue;
                }
            },
        };
        match renewed {
            Ok(Stay::Step(next)) => {
                wizard = next;
                show = true;
            }
            Ok(Stay::Expired(expired)) => return Ok(FromIdentify::Expired(expired)),
            Err(refusal) => {
                refused(&refusal.reason);
                wizard = refusal.wizard;
                show = false;
            }
        }
    }
}

/// Writes the challenge's file and says where it is; a failure is told, not fatal: the
/// person can switch kind or ask for a new one.
fn show_challenge(sspr: &DemoSspr, files: &ChallengeFiles, wizard: &Wizard<Identify>) {
    let kind = wizard.step().challenge().kind();
    match files.write(sspr, wizard) {
        Ok(shown) => {
            let path = shown.path.display().to_string();
            let kind_id = match kind {
                ChallengeKind::Image => "image",
                ChallengeKind::Audio => "audio",
            };
            println!(
                "  {}",
                ta(
                    "cli-challenge-shown",
                    &[
                        ("kind", kind_id.into()),
                        ("path", path.as_str().into()),
                        ("kb", n(shown.bytes.div_ceil(1024))),
                    ]
                )
            );
        }
        Err(error) => {
            eprintln!("  ({error})");
            println!(
                "  ✗ {}",
                ta(
                    "cli-challenge-not-written",
                    &[("other", kind_name(kind.other()).as_str().into())]
                )
            );
        }
    }
}

/// The kind's name in the chosen language (what the person types to switch).
fn kind_name(kind: ChallengeKind) -> String {
    match kind {
        ChallengeKind::Image => t("cli-image"),
        ChallengeKind::Audio => t("cli-audio"),
    }
}

/// Whether the step came back with a new challenge to show.
fn shows_new_challenge(reason: &Refusal) -> bool {
    !matches!(
        reason,
        Refusal::UserId(_)
            | Refusal::AnswerInput(_)
            | Refusal::NoMoreChallenges
            | Refusal::Unavailable(_)
    )
}

/// Asks until the text is a user ID (the wizard checks it again when it is submitted).
fn ask_user_id() -> Result<String, Stop> {
    loop {
        let line = ask(&t("cli-user-id"))?;
        match UserId::parse(&line) {
            Ok(_) => return Ok(line),
            Err(error) => println!("  ✗ {}", speech::message(&error)),
        }
    }
}

async fn choose_method(
    sspr: &DemoSspr,
    mut wizard: Wizard<ChooseMethod>,
) -> Result<ToVerify, Stop> {
    loop {
        print_methods(wizard.step());
        let line = ask(&t("cli-where-code"))?;
        let Some(index) = line
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
        else {
            println!("  {}", t("cli-type-number"));
            continue;
        };
        match wizard.choose(sspr, index).await {
            Ok(next) => return Ok(next),
            Err(refusal) => {
                refused(&refusal.reason);
                wizard = refusal.wizard;
            }
        }
    }
}

fn print_methods(step: &ChooseMethod) {
    println!(
        "{}",
        ta(
            "cli-prove",
            &[
                ("step", n(step.verified() + 1)),
                ("required", n(step.required()))
            ]
        )
    );
    let verified = t("cli-verified");
    for method in step.methods() {
        let done = if method.used {
            format!("  {verified}")
        } else {
            String::new()
        };
        println!("  {}) {}{done}", method.index + 1, method.contact);
    }
}

async fn verify(sspr: &DemoSspr, mut wizard: Wizard<Verify>) -> Result<Next, Stop> {
    print_sent(wizard.step());
    loop {
        let line = ask(&t("cli-code-prompt"))?;
        match line.trim().to_lowercase().as_str() {
            "resend" | "opnieuw" => match wizard.resend(sspr).await {
                Ok(ToVerify::Verify(next)) => {
                    wizard = next;
                    print_sent(wizard.step());
                }
                Ok(other) => return Ok(other.into()),
                Err(refusal) => {
                    refused(&refusal.reason);
                    wizard = refusal.wizard;
                }
            },
            "back" | "terug" => match wizard.choose_another_method() {
                Ok(choose) => return Ok(choose.into()),
                Err(refusal) => {
                    refused(&refusal.reason);
                    wizard = refusal.wizard;
                }
            },
            _ => match wizard.submit(sspr, &line).await {
                Ok(next) => return Ok(next.into()),
                Err(refusal) => {
                    refused(&refusal.reason);
                    wizard = refusal.wizard;
                }
            },
        }
    }
}

fn print_sent(step: &Verify) {
    match step.sent_to() {
        Some(to) => println!(
            "  {}",
            ta(
                "cli-code-sent-to",
                &[("to", to.to_string().as_str().into())]
            )
        ),
        None => println!("  {}", t("cli-code-sent-concealed")),
    }
    let until = world::when(step.code_deadline());
    println!(
        "  {}",
        ta(
            "cli-code-works",
            &[
                ("until", until.as_str().into()),
                ("attempts_left", n(step.attempts_left()))
            ]
        )
    );
}

async fn new_password_step(
    sspr: &DemoSspr,
    mut wizard: Wizard<NewPassword>,
) -> Result<FromNewPassword, Stop> {
    let rules = sspr.policy().password_rules();
    println!(
        "{}",
        ta(
            "cli-choose-password",
            &[
                ("user", wizard.step().user().as_str().into()),
                ("min", n(rules.min_chars())),
                ("max", n(rules.max_chars())),
            ]
        )
    );
    println!("  {}", t("cli-shows-typing"));
    loop {
        let new = Password::new(ask(&t("cli-new-password"))?);
        let confirm = Password::new(ask(&t("cli-again"))?);
        println!("  {}", t("cli-checking"));
        match wizard.submit(sspr, new, confirm).await {
            Ok(next) => return Ok(next),
            Err(refusal) => {
                refused(&refusal.reason);
                wizard = refusal.wizard;
            }
        }
    }
}
