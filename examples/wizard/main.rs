//! The whole self-service password reset wizard in the terminal, on an embedded in-memory
//! directory with demo accounts. No set-up.
//!
//! ```text
//! cargo run --example wizard                # you play every step
//! cargo run --example wizard --features test-support -- --demo
//!                                           # every path plays by itself
//!
//! options:  --audit       print the audit events as they happen
//!           --keep-files  keep the challenge pictures and clips after the run
//!           --lang nl     speak Dutch: the prompts, the messages and the audio
//!                         challenge (default: the LANG variable, else English)
//! ```
//!
//! **Interactive** (the default): choose what to do: reset your password (the wizard),
//! sign in with a temporary password and change it, register or change your contact
//! methods (Jan's password is printed at the start), ask your admins, reset a user's
//! password as an admin (a temporary password or a reset link), use a reset link, or ask
//! support for a new global admin. The wizard: choose the account type, type one of the demo user IDs
//! printed at the start, open the challenge picture (PNG) or audio clip (WAV) written to a
//! temporary folder and type its characters (or `audio` / `image` to switch, `new` for
//! another one), type the code the demo inbox prints (under the default policy it goes to
//! the account's first method, and any user ID gets the same page), and choose a new
//! password. `quit`, or the end of input (Ctrl-D), leaves.
//!
//! **Demo** (`--demo`): plays a completed reset, a personal account, "ask your admin" (for
//! an account without self-service reset and for an unknown one), a flow locked by wrong
//! answers, one locked by wrong codes, an expired flow and an admin who proves two methods,
//! on a policy that shows the methods (`conceal(false)`); then the default policy, which
//! hides which accounts exist: a known and an unknown user ID both reach the code page.
//! Then the admin side: an admin resets a password to a temporary one, which the user
//! changes at next sign-in; a support request for a new global admin is filed; an admin
//! sends a reset link, with which the user sets a password the admin never sees; a user
//! who may not reset asks their admins ("contact your administrator"); Jan registers a
//! new phone (a code to it and one to his email) and the next reset offers it.
//! It exits non-zero when a path does not end as it should, so it doubles as a smoke test.
//!
//! The demo inbox prints every code it delivers, as a phone or mailbox would. The demo run
//! reads challenge answers with the crate's test kit (feature `test-support`, which opens
//! the `danger-reveal-secrets` door that only examples and tests open): a real host never
//! shows an answer, and never logs a code. So `--demo` is there only with that feature;
//! the interactive wizard needs no feature.

// The world serves the demo too: without it, some of its parts are left unused.
#![cfg_attr(not(feature = "test-support"), allow(dead_code))]

mod commands;
#[cfg(feature = "test-support")]
mod demo;
mod interactive;
mod speech;
mod terminal;
mod world;

use std::process::ExitCode;

use sspr::host::SystemClock;
use sspr::policy::Policy;

use world::{BoxError, ChallengeFiles, World};

const USAGE: &str = "usage: cargo run --example wizard [--features test-support] \
                     [-- [--demo] [--audit] [--keep-files] [--lang en|nl]]";

/// Why `--demo` is refused when the demo door is shut.
const DEMO_NEEDS_THE_DOOR: &str = "--demo reads the challenges' answers with the test kit \
    (feature `test-support`, the demo door); run it as\n  \
    cargo run --example wizard --features test-support -- --demo";

/// The command-line options.
#[derive(Debug, Default)]
struct Options {
    demo: bool,
    audit: bool,
    keep_files: bool,
    /// `--lang TAG`: the language (else `LANG`).
    lang: Option<String>,
}

impl Options {
    /// The options, `None` when help was asked for, or a message for an unknown argument.
    fn parse(mut args: impl Iterator<Item = String>) -> Result<Option<Self>, String> {
        let mut options = Options::default();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--lang" => match args.next() {
                    Some(tag) => options.lang = Some(tag),
                    None => return Err(format!("--lang needs a language (en, nl)\n{USAGE}")),
                },
                "--demo" if cfg!(feature = "test-support") => options.demo = true,
                "--demo" => return Err(DEMO_NEEDS_THE_DOOR.to_owned()),
                "--audit" => options.audit = true,
                "--keep-files" => options.keep_files = true,
                "-h" | "--help" => return Ok(None),
                other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
            }
        }
        Ok(Some(options))
    }
}

async fn run(options: &Options) -> Result<(), BoxError> {
    speech::choose(options.lang.as_deref());
    println!("sspr: self-service password reset, in the terminal\n");
    world::print_demo_users();
    let files = ChallengeFiles::create(options.keep_files)?;
    println!(
        "\nChallenge pictures and audio clips are written to {}\n",
        files.dir().display()
    );
    #[cfg(feature = "test-support")]
    if options.demo {
        return demo::run(&files, options.audit).await;
    }
    let world = World::new(SystemClock, options.audit, Policy::default())?;
    interactive::run(&world, &files).await
}

#[tokio::main]
async fn main() -> ExitCode {
    let options = match Options::parse(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match run(&options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
