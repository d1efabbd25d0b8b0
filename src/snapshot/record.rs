//! The private wire form of each step: mirror structs that copy the secrets out of the
//! steps (wiped on drop), encoded with postcard, and their strict decoding.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{MAX_ADDRESS_BYTES, MAX_METHODS, SnapshotError};
use crate::challenge::{Challenge, ChallengeKind, Language};
use crate::code::CodeDigest;
use crate::contact::{ContactKind, ContactMethod};
use crate::flow::FlowId;
use crate::next::AnyStep;
use crate::policy::Policy;
use crate::state::{
    Account, ChooseMethod, Code, Concealed, Identify, NEW_PASSWORD_ATTEMPTS, NewPassword,
    SelectAccount, Verify,
};
use crate::user_id::UserId;
use crate::wizard::{Flow, Wizard};

/// Copies a step into its wire form.
pub(crate) trait Encode {
    /// The step's wire form.
    fn record(&self, started: OffsetDateTime) -> Result<StepRecord, SnapshotError>;
}

#[derive(Serialize, Deserialize, Zeroize, ZeroizeOnDrop)]
struct Body {
    /// Unix time in nanoseconds.
    started: i128,
    /// Nanoseconds after `started`.
    deadline: i64,
    step: StepRecord,
}

/// The wire form of one step.
#[derive(Serialize, Deserialize, Zeroize)]
pub(crate) enum StepRecord {
    SelectAccount,
    Identify(IdentifyRecord),
    ChooseMethod(AccountRecord),
    Verify(VerifyRecord),
    NewPassword(NewPasswordRecord),
}

#[derive(Serialize, Deserialize, Zeroize)]
pub(crate) struct IdentifyRecord {
    kind: u8,
    /// The language of the audio clip: 0 English, 1 Dutch.
    language: u8,
    answer: Vec<u8>,
    seed: [u8; 32],
    challenge_deadline: i64,
    attempts_left: u8,
    renewals_left: u8,
}

#[derive(Serialize, Deserialize, Zeroize)]
pub(crate) struct AccountRecord {
    user: String,
    methods: Vec<MethodRecord>,
    used: Vec<u8>,
    required: u8,
    code_attempts_left: u8,
    issued: u8,
}

#[derive(Serialize, Deserialize, Zeroize)]
pub(crate) struct MethodRecord {
    kind: u8,
    address: String,
}

#[derive(Serialize, Deserialize, Zeroize)]
pub(crate) enum CodeRecord {
    Shown { method: u8, digest: [u8; 32] },
    ConcealedSent { method: u8, digest: [u8; 32] },
    ConcealedUnsent { method: u8 },
    StandIn,
}

#[derive(Serialize, Deserialize, Zeroize)]
pub(crate) struct VerifyRecord {
    account: AccountRecord,
    code: CodeRecord,
    code_deadline: i64,
    resends_left: u8,
}

#[derive(Serialize, Deserialize, Zeroize)]
pub(crate) struct NewPasswordRecord {
    user: String,
    proved_by: Vec<MethodRecord>,
    attempts_left: u8,
}

fn offset(from: OffsetDateTime, to: OffsetDateTime) -> Result<i64, SnapshotError> {
    i64::try_from((to - from).whole_nanoseconds()).map_err(|_| SnapshotError::TooLarge("deadline"))
}

fn at(
    started: OffsetDateTime,
    nanos: i64,
    field: &'static str,
) -> Result<OffsetDateTime, SnapshotError> {
    started
        .checked_add(Duration::nanoseconds(nanos))
        .ok_or(SnapshotError::InvalidField(field))
}

impl Encode for SelectAccount {
    fn record(&self, _started: OffsetDateTime) -> Result<StepRecord, SnapshotError> {
        Ok(StepRecord::SelectAccount)
    }
}

impl Encode for Identify {
    fn record(&self, started: OffsetDateTime) -> Result<StepRecord, SnapshotError> {
        let (answer, seed) = self.challenge.expose_parts();
        Ok(StepRecord::Identify(IdentifyRecord {
            kind: match self.challenge.kind() {
                ChallengeKind::Image => 0,
                ChallengeKind::Audio => 1,
            },
            language: match self.challenge.language() {
                Language::English => 0,
                Language::Dutch => 1,
            },
            answer: answer.to_vec(),
            seed: *seed,
            challenge_deadline: offset(started, self.challenge_deadline)?,
            attempts_left: self.attempts_left,
            renewals_left: self.renewals_left,
        }))
    }
}

fn methods_record(methods: &[ContactMethod]) -> Result<Vec<MethodRecord>, SnapshotError> {
    if methods.len() > MAX_METHODS {
        return Err(SnapshotError::TooLarge("contact methods"));
    }
    let mut records = Vec::with_capacity(methods.len());
    for method in methods {
        if method.address().len() > MAX_ADDRESS_BYTES {
            return Err(SnapshotError::TooLarge("contact address"));
        }
        records.push(MethodRecord {
            kind: match method.kind() {
                ContactKind::Email => 0,
                ContactKind::Sms => 1,
                ContactKind::Voice => 2,
            },
            address: method.address().to_owned(),
        });
    }
    Ok(records)
}

fn account_record(account: &Account) -> Result<AccountRecord, SnapshotError> {
    Ok(AccountRecord {
        user: account.user.as_str().to_owned(),
        methods: methods_record(&account.methods)?,
        used: account.used.clone(),
        required: account.required,
        code_attempts_left: account.code_attempts_left,
        issued: account.issued,
    })
}

impl Encode for ChooseMethod {
    fn record(&self, _started: OffsetDateTime) -> Result<StepRecord, SnapshotError> {
        Ok(StepRecord::ChooseMethod(account_record(&self.account)?))
    }
}

impl Encode for Verify {
    fn record(&self, started: OffsetDateTime) -> Result<StepRecord, SnapshotError> {
        let code = match &self.code {
            Code::Shown { method, digest } => CodeRecord::Shown {
                method: *method,
                digest: digest.0,
            },
            Code::Concealed(Concealed::Sent { method, digest }) => CodeRecord::ConcealedSent {
                method: *method,
                digest: digest.0,
            },
            Code::Concealed(Concealed::Unsent { method }) => {
                CodeRecord::ConcealedUnsent { method: *method }
            }
            Code::Concealed(Concealed::StandIn) => CodeRecord::StandIn,
        };
        Ok(StepRecord::Verify(VerifyRecord {
            account: account_record(&self.account)?,
            code,
            code_deadline: offset(started, self.code_deadline)?,
            resends_left: self.resends_left,
        }))
    }
}

impl Encode for NewPassword {
    fn record(&self, _started: OffsetDateTime) -> Result<StepRecord, SnapshotError> {
        Ok(StepRecord::NewPassword(NewPasswordRecord {
            user: self.user.as_str().to_owned(),
            proved_by: methods_record(&self.proved_by)?,
            attempts_left: self.attempts_left,
        }))
    }
}

/// Appends the postcard body of `step` to `out`.
pub(super) fn encode<S: Encode>(
    flow: &Flow,
    step: &S,
    out: &mut Vec<u8>,
) -> Result<(), SnapshotError> {
    let body = Body {
        started: flow.started.unix_timestamp_nanos(),
        deadline: offset(flow.started, flow.deadline)?,
        step: step.record(flow.started)?,
    };
    let mut encoded = postcard::to_allocvec(&body).map_err(|_| SnapshotError::TooLarge("step"))?;
    out.extend_from_slice(&encoded);
    encoded.zeroize();
    Ok(())
}

/// Decodes and checks the body of a snapshot of flow `id`.
pub(super) fn decode(id: FlowId, bytes: &[u8]) -> Result<AnyStep, SnapshotError> {
    let (body, rest) = postcard::take_from_bytes::<Body>(bytes).map_err(|error| match error {
        postcard::Error::DeserializeUnexpectedEnd => SnapshotError::Truncated,
        _ => SnapshotError::Damaged,
    })?;
    if !rest.is_empty() {
        return Err(SnapshotError::TrailingBytes);
    }
    let started = OffsetDateTime::from_unix_timestamp_nanos(body.started)
        .map_err(|_| SnapshotError::InvalidField("start time"))?;
    // No policy gives a flow more than its longest lifetime.
    if body.deadline <= 0
        || i128::from(body.deadline) > Policy::MAX_FLOW_LIFETIME.whole_nanoseconds()
    {
        return Err(SnapshotError::InvalidField("deadline"));
    }
    let flow = Flow {
        id,
        started,
        deadline: at(started, body.deadline, "deadline")?,
    };
    Ok(match &body.step {
        StepRecord::SelectAccount => AnyStep::SelectAccount(Wizard {
            flow,
            step: SelectAccount::new(),
        }),
        StepRecord::Identify(record) => AnyStep::Identify(Wizard {
            step: identify(record, &flow)?,
            flow,
        }),
        StepRecord::ChooseMethod(record) => AnyStep::ChooseMethod(Wizard {
            step: ChooseMethod {
                account: account(record, false)?,
            },
            flow,
        }),
        StepRecord::Verify(record) => AnyStep::Verify(Wizard {
            step: verify(record, &flow)?,
            flow,
        }),
        StepRecord::NewPassword(record) => {
            let proved_by = methods(&record.proved_by)?;
            if proved_by.is_empty() || proved_by.len() > 2 {
                return Err(SnapshotError::InvalidField("methods verified"));
            }
            if !(1..=NEW_PASSWORD_ATTEMPTS).contains(&record.attempts_left) {
                return Err(SnapshotError::InvalidField("attempts left"));
            }
            AnyStep::NewPassword(Wizard {
                step: NewPassword {
                    user: user_id(&record.user)?,
                    proved_by,
                    attempts_left: record.attempts_left,
                },
                flow,
            })
        }
    })
}

/// A deadline of a step: within the flow's start and its deadline plus the longest
/// lifetime any policy gives (a challenge or code issued just before the flow's end
/// outlives it by at most that).
fn step_deadline(
    flow: &Flow,
    nanos: i64,
    longest: Duration,
    field: &'static str,
) -> Result<OffsetDateTime, SnapshotError> {
    let deadline = at(flow.started, nanos, field)?;
    let latest = flow
        .deadline
        .checked_add(longest)
        .ok_or(SnapshotError::InvalidField(field))?;
    if deadline < flow.started || deadline > latest {
        return Err(SnapshotError::InvalidField(field));
    }
    Ok(deadline)
}

fn identify(record: &IdentifyRecord, flow: &Flow) -> Result<Identify, SnapshotError> {
    let kind = match record.kind {
        0 => ChallengeKind::Image,
        1 => ChallengeKind::Audio,
        _ => return Err(SnapshotError::InvalidField("challenge kind")),
    };
    let language = match record.language {
        0 => Language::English,
        1 => Language::Dutch,
        _ => return Err(SnapshotError::InvalidField("challenge language")),
    };
    let challenge = Challenge::from_parts(kind, language, &record.answer, record.seed)
        .ok_or(SnapshotError::InvalidField("challenge answer"))?;
    if record.attempts_left == 0 || record.attempts_left > Policy::MAX_CHALLENGE_ATTEMPTS {
        return Err(SnapshotError::InvalidField("attempts left"));
    }
    if record.renewals_left > Policy::MAX_NEW_CHALLENGES {
        return Err(SnapshotError::InvalidField("new challenges left"));
    }
    Ok(Identify {
        challenge,
        challenge_deadline: step_deadline(
            flow,
            record.challenge_deadline,
            Policy::MAX_CHALLENGE_LIFETIME,
            "challenge deadline",
        )?,
        attempts_left: record.attempts_left,
        renewals_left: record.renewals_left,
    })
}

fn user_id(text: &str) -> Result<UserId, SnapshotError> {
    let user = UserId::parse(text).map_err(|_| SnapshotError::InvalidField("user ID"))?;
    if user.as_str() != text {
        return Err(SnapshotError::InvalidField("user ID"));
    }
    Ok(user)
}

fn methods(records: &[MethodRecord]) -> Result<Vec<ContactMethod>, SnapshotError> {
    if records.len() > MAX_METHODS {
        return Err(SnapshotError::InvalidField("contact methods"));
    }
    let mut methods = Vec::with_capacity(records.len());
    for method in records {
        if method.address.len() > MAX_ADDRESS_BYTES {
            return Err(SnapshotError::InvalidField("contact address"));
        }
        let address = method.address.clone();
        methods.push(match method.kind {
            0 => ContactMethod::email(address),
            1 => ContactMethod::sms(address),
            2 => ContactMethod::voice(address),
            _ => return Err(SnapshotError::InvalidField("contact kind")),
        });
    }
    Ok(methods)
}

/// An account still proving ownership: fewer methods proved than required, and (unless
/// it is the conceal policy's stand-in, which has none) enough methods to prove it.
fn account(record: &AccountRecord, stand_in: bool) -> Result<Account, SnapshotError> {
    let user = user_id(&record.user)?;
    let methods = methods(&record.methods)?;
    for (i, &used) in record.used.iter().enumerate() {
        if usize::from(used) >= methods.len() || record.used[..i].contains(&used) {
            return Err(SnapshotError::InvalidField("used method"));
        }
    }
    if !(1..=2).contains(&record.required)
        || (!stand_in && methods.len() < usize::from(record.required))
    {
        return Err(SnapshotError::InvalidField("methods required"));
    }
    if record.used.len() >= usize::from(record.required) {
        return Err(SnapshotError::InvalidField("methods verified"));
    }
    if record.code_attempts_left == 0 || record.code_attempts_left > Policy::MAX_CODE_ATTEMPTS {
        return Err(SnapshotError::InvalidField("code attempts left"));
    }
    Ok(Account {
        user,
        methods,
        used: record.used.clone(),
        required: record.required,
        code_attempts_left: record.code_attempts_left,
        issued: record.issued,
    })
}

fn verify(record: &VerifyRecord, flow: &Flow) -> Result<Verify, SnapshotError> {
    if record.resends_left > Policy::MAX_CODE_RESENDS {
        return Err(SnapshotError::InvalidField("resends left"));
    }
    let stand_in = matches!(record.code, CodeRecord::StandIn);
    let account = account(&record.account, stand_in)?;
    // A code's method is one of the account's, not yet used.
    let method = |method: u8| {
        if usize::from(method) >= account.methods.len() || account.used.contains(&method) {
            return Err(SnapshotError::InvalidField("current method"));
        }
        Ok(method)
    };
    let code = match &record.code {
        CodeRecord::Shown { method: m, digest } => Code::Shown {
            method: method(*m)?,
            digest: CodeDigest(*digest),
        },
        CodeRecord::ConcealedSent { method: m, digest } => Code::Concealed(Concealed::Sent {
            method: method(*m)?,
            digest: CodeDigest(*digest),
        }),
        CodeRecord::ConcealedUnsent { method: m } => Code::Concealed(Concealed::Unsent {
            method: method(*m)?,
        }),
        CodeRecord::StandIn => Code::Concealed(Concealed::StandIn),
    };
    Ok(Verify {
        account,
        code,
        code_deadline: step_deadline(
            flow,
            record.code_deadline,
            Policy::MAX_CODE_LIFETIME,
            "code deadline",
        )?,
        resends_left: record.resends_left,
    })
}
