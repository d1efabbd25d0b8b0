//! The demo's world: accounts in an in-memory directory, an inbox that prints what it
//! delivers, the audit trail, the challenge files, and how the endings read.

use std::error::Error;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use sspr::challenge::ChallengeKind;
use sspr::event::{Event, EventRecorder, EventSink};
use sspr::host::Clock;
use sspr::host::OneTimeCode;
use sspr::host::{CodeSender, Notice, Outbox, SendError};
use sspr::host::{ContactKind, ContactMethod, MaskedContact};
use sspr::host::{DeliverAtOnce, Inline};
use sspr::host::{InMemoryDirectory, Role, UserRecord};
use sspr::password::{HashParams, Password, hash_password_with_os_rng};
use sspr::policy::Policy;
use sspr::step::Identify;
use sspr::store::MemoryFlowStore;
use sspr::support::InMemorySupportDesk;
use sspr::{Completed, LockReason, Locked};
use sspr::{Sspr, Wizard};
use sspr::{UserId, UserIdError};
use time::{OffsetDateTime, UtcOffset};

/// Any failure that ends the program (with a message, never a panic).
pub type BoxError = Box<dyn Error>;

/// May reset by themselves; an email address and a mobile phone are registered.
pub const JAN: &str = "jan.jansen@contoso.nl";
/// Self-service reset is not enabled for this account.
pub const PIET: &str = "piet.pietersen@contoso.nl";
/// The global admin: must prove two methods.
pub const ADMIN: &str = "beheerder@contoso.nl";
/// Not in the directory.
pub const UNKNOWN: &str = "niemand@contoso.nl";
/// Jan's password, to sign in and register his methods.
pub const JAN_PASSWORD: &str = "tulip canal bicycle 7";

pub fn jan_email() -> ContactMethod {
    ContactMethod::email("jan.jansen@thuis.example")
}

pub fn jan_phone() -> ContactMethod {
    ContactMethod::sms("+31 6 12345678")
}

pub fn admin_email() -> ContactMethod {
    ContactMethod::email("beheerder.prive@mail.example")
}

pub fn admin_phone() -> ContactMethod {
    ContactMethod::sms("+31 6 87654321")
}

fn piet_phone() -> ContactMethod {
    ContactMethod::sms("+31 6 11223344")
}

/// Prints the demo accounts, so a person knows which user IDs to try.
pub fn print_demo_users() {
    println!("Demo accounts (organisation \"contoso\", in an in-memory directory):");
    println!(
        "  {JAN:<27} self-service reset enabled: email and text message; password \"{JAN_PASSWORD}\""
    );
    println!("  {PIET:<27} self-service reset NOT enabled: \"ask your admin\"");
    println!("  {ADMIN:<27} global admin: must prove two methods (email and text)");
    println!(
        "  {:<27} unknown: ends exactly like {PIET}",
        "any other user ID"
    );
}

/// The service as the demo builds it: in-memory directory and counters, the printing
/// inbox, and Argon2id hashing inline, as a terminal program serving one person may (a web
/// host hashes on tokio's blocking pool: `host::TokioBlocking`, feature `tokio`).
pub type DemoSspr = Sspr;

/// A service with the demo accounts, and the parts the demo looks into.
pub struct World {
    pub sspr: DemoSspr,
    pub directory: InMemoryDirectory,
    pub outbox: Outbox,
    pub audit: EventRecorder,
    /// Where reset links are kept (as keyed digests).
    pub grants: MemoryFlowStore,
    /// The support desk that takes requests for a new global admin.
    pub desk: InMemorySupportDesk,
}

impl World {
    /// A fresh world: the demo accounts, an empty inbox and audit trail, the given clock
    /// and policy.
    ///
    /// Deliveries run at once (`DeliverAtOnce`), so the inbox prints a code before the
    /// next prompt: right for a terminal serving one person, whose waiting tells nobody
    /// else anything. A server keeps the default, which hands deliveries off the request.
    pub fn new(
        clock: impl Clock + 'static,
        print_audit: bool,
        policy: Policy,
    ) -> Result<Self, BoxError> {
        let directory = demo_directory()?;
        let outbox = Outbox::new();
        let audit = EventRecorder::new();
        let inbox = Inbox {
            outbox: outbox.clone(),
        };
        let sspr = Sspr::builder(directory.clone(), inbox)
            .policy(policy)
            .dispatch(DeliverAtOnce)
            .offload(Inline)
            .clock(clock)
            .events(Audit {
                recorder: audit.clone(),
                print: print_audit,
            })
            .build()?;
        Ok(World {
            sspr,
            directory,
            outbox,
            audit,
            grants: MemoryFlowStore::new(),
            desk: InMemorySupportDesk::new(),
        })
    }
}

fn demo_directory() -> Result<InMemoryDirectory, BoxError> {
    let directory = InMemoryDirectory::new();
    let mut jan = account(JAN, Role::User, true, vec![jan_email(), jan_phone()])?;
    jan.password_hash = Some(hash_password_with_os_rng(
        &Password::new(JAN_PASSWORD),
        &HashParams::default(),
    )?);
    let piet = account(PIET, Role::User, false, vec![piet_phone()])?;
    let admin = account(
        ADMIN,
        Role::GlobalAdmin,
        true,
        vec![admin_email(), admin_phone()],
    )?;
    for record in [jan, piet, admin] {
        directory.insert(record);
    }
    Ok(directory)
}

fn account(
    id: &str,
    role: Role,
    self_service_reset: bool,
    methods: Vec<ContactMethod>,
) -> Result<UserRecord, UserIdError> {
    Ok(UserRecord {
        id: UserId::parse(id)?,
        tenant: "contoso".into(),
        roles: vec![role],
        self_service_reset,
        methods,
        password_hash: None,
        methods_confirmed: None,
    })
}

/// The demo's phones and mailboxes: delivers through an [`Outbox`] (where the demo run
/// reads codes back) and prints each message as the person would see it arrive. Printing
/// the code is the point here: this is the person's inbox, not a log.
#[derive(Debug, Clone)]
pub struct Inbox {
    outbox: Outbox,
}

impl CodeSender for Inbox {
    async fn send_code(
        &self,
        user: &UserId,
        to: &ContactMethod,
        code: &OneTimeCode,
    ) -> Result<(), SendError> {
        self.outbox.send_code(user, to, code).await?;
        arrived(to, &format!("your code is {}", code.expose_secret()));
        Ok(())
    }

    async fn send_notice(
        &self,
        user: &UserId,
        to: &ContactMethod,
        notice: Notice,
    ) -> Result<(), SendError> {
        self.outbox.send_notice(user, to, notice).await?;
        let text = match notice {
            Notice::PasswordChanged => "your password was changed",
            Notice::AdminPasswordChanged => "another admin's password was reset",
            Notice::ResetRequested => "a user asks you to reset their password",
            Notice::MethodsChanged => "the contact methods of your account were changed",
            _ => "a notice about your account",
        };
        arrived(to, text);
        Ok(())
    }
}

/// "📱 SMS to +31 6 12345678: your code is 123456".
fn arrived(to: &ContactMethod, text: &str) {
    let (icon, via) = match to.kind() {
        ContactKind::Email => ("📧", "Email"),
        ContactKind::Sms => ("📱", "SMS"),
        ContactKind::Voice => ("📞", "Voice call"),
    };
    println!("      {icon} {via} to {}: {text}", to.address());
}

/// Keeps every audit event (the demo compares trails) and prints it when asked.
#[derive(Debug, Clone)]
struct Audit {
    recorder: EventRecorder,
    print: bool,
}

impl EventSink for Audit {
    fn record(&self, event: &Event) {
        if self.print {
            println!(
                "      [audit] {}: {:?}",
                event.activity.name(),
                event.detail
            );
        }
        self.recorder.record(event);
    }
}

/// The folder the challenge pictures and clips are written to, numbered in order. Removed
/// when the program ends, unless it is kept.
#[derive(Debug)]
pub struct ChallengeFiles {
    dir: PathBuf,
    written: AtomicU32,
    keep: bool,
}

impl ChallengeFiles {
    /// Creates `sspr-demo-<pid>` in the system's temporary folder.
    pub fn create(keep: bool) -> std::io::Result<Self> {
        let dir = std::env::temp_dir().join(format!("sspr-demo-{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        Ok(ChallengeFiles {
            dir,
            written: AtomicU32::new(0),
            keep,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the current challenge: the picture as the service renders it, or the clip.
    pub fn write(&self, sspr: &DemoSspr, wizard: &Wizard<Identify>) -> Result<Shown, BoxError> {
        let challenge = wizard.step().challenge();
        let media = match challenge.kind() {
            ChallengeKind::Image => sspr.render(wizard.step().challenge())?,
            ChallengeKind::Audio => challenge.render()?,
        };
        let number = self.written.fetch_add(1, Ordering::Relaxed) + 1;
        let path = self
            .dir
            .join(format!("challenge-{number}.{}", media.file_extension()));
        fs::write(&path, media.as_bytes())?;
        Ok(Shown {
            kind: challenge.kind(),
            path,
            bytes: media.as_bytes().len(),
        })
    }
}

impl Drop for ChallengeFiles {
    fn drop(&mut self) {
        if !self.keep {
            // Best effort: a leftover folder in the temporary directory does no harm.
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// A challenge written to a file.
#[derive(Debug)]
pub struct Shown {
    pub kind: ChallengeKind,
    pub path: PathBuf,
    pub bytes: usize,
}

impl std::fmt::Display for Shown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            ChallengeKind::Image => "picture",
            ChallengeKind::Audio => "audio clip",
        };
        let kb = self.bytes.div_ceil(1024);
        write!(f, "{what}: {} ({kb} KB)", self.path.display())
    }
}

pub const PERSONAL: &str = "Personal account: the host now sends you to its own recovery \
                            page for personal accounts.";
pub const ASK_ADMIN: &str = "You can't reset this password yourself: ask your admin to \
                             reset it for you.";
pub const EXPIRED: &str = "This reset took too long and has expired: start again.";

/// "Locked: too many wrong codes. ..."
pub fn locked_text(locked: &Locked) -> String {
    let why = match locked.reason {
        LockReason::ChallengeAttempts => "too many wrong answers to the challenge",
        LockReason::CodeAttempts => "too many wrong codes",
        LockReason::UserBlocked => "too many codes or wrong codes for this user ID",
        _ => "too many attempts",
    };
    match locked.until {
        Some(until) => format!("Locked: {why}. Try again after {}.", when(until)),
        None => format!("Locked: {why}. Start again to try once more."),
    }
}

/// Prints the receipt of a completed reset.
pub fn print_receipt(receipt: &Completed) {
    let methods: Vec<String> = receipt
        .methods_used
        .iter()
        .map(MaskedContact::to_string)
        .collect();
    println!(
        "  ✅ Password changed for {} at {}.",
        receipt.user,
        when(receipt.at)
    );
    if methods.is_empty() {
        println!("     Proved with: what an admin gave (a temporary password or a reset link).");
    } else {
        println!("     Proved with: {}.", methods.join(" and "));
    }
    if receipt.end_other_sessions {
        println!("     The host now ends the account's other sessions.");
    }
}

/// A time as `2026-01-01 00:00:00 UTC`.
pub fn when(at: OffsetDateTime) -> String {
    let at = at.to_offset(UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        at.date(),
        at.hour(),
        at.minute(),
        at.second()
    )
}
