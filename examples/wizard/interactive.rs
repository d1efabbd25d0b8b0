//! The interactive wizard: a person types each step's input at the terminal.
//!
//! Input is read one line at a time, at most [`MAX_LINE_BYTES`] bytes of it (the rest of a
//! longer line is dropped), decoded leniently, and never echoed back: the library refuses
//! what cannot be a user ID, an answer, a code or a password, with a reason.

use std::io::{self, BufRead, Write};

use sspr::UserId;
use sspr::Wizard;
use sspr::challenge::ChallengeKind;
use sspr::password::Password;
use sspr::step::{
    AccountType, ChooseMethod, FromIdentify, FromNewPassword, FromSelectAccount, Identify,
    NewPassword, SelectAccount, ToVerify, Verify,
};
use sspr::{AnyStep, Ending, Next, Refusal, Stay};

use crate::speech::{self, n, t, ta};
use crate::world::{self, BoxError, ChallengeFiles, DemoSspr, World};

/// The most bytes of one input line that are kept.
const MAX_LINE_BYTES: usize = 4096;

/// Why the session ends before the person is done.
enum Stop {
    /// The person typed `quit`.
    Quit,
    /// The input ended (Ctrl-D, or the end of a piped script).
    Eof,
    /// Something failed (the terminal, the temporary folder, the service).
    Failed(BoxError),
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Self {
        Stop::Failed(error.into())
    }
}

impl From<sspr::Error> for Stop {
    fn from(error: sspr::Error) -> Self {
        Stop::Failed(error.into())
    }
}

impl From<BoxError> for Stop {
    fn from(error: BoxError) -> Self {
        Stop::Failed(error)
    }
}

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
        play_flow(&world.sspr, files).await?;
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

/// Prints the prompt and reads one line; `quit` (or `exit`) and the end of input stop.
fn ask(prompt: &str) -> Result<String, Stop> {
    println!("{prompt}");
    print!("> ");
    io::stdout().flush()?;
    let Some(line) = read_line(&mut io::stdin().lock())? else {
        return Err(Stop::Eof);
    };
    if matches!(
        line.trim().to_lowercase().as_str(),
        "quit" | "exit" | "stoppen"
    ) {
        return Err(Stop::Quit);
    }
    Ok(line)
}

/// One line without its line ending, at most [`MAX_LINE_BYTES`] of it kept, invalid UTF-8
/// replaced; `None` at the end of input.
fn read_line(input: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut kept = Vec::new();
    let mut read_any = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if buffer.is_empty() {
            return Ok(read_any.then(|| decode(&kept)));
        }
        read_any = true;
        let newline = buffer.iter().position(|&b| b == b'\n');
        let line = &buffer[..newline.unwrap_or(buffer.len())];
        let room = MAX_LINE_BYTES.saturating_sub(kept.len());
        kept.extend_from_slice(&line[..line.len().min(room)]);
        let used = newline.map_or(buffer.len(), |at| at + 1);
        input.consume(used);
        if newline.is_some() {
            return Ok(Some(decode(&kept)));
        }
    }
}

fn decode(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches('\r')
        .to_owned()
}
