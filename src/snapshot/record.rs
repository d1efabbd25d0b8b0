//! The private wire form of each step: mirror structs that copy the secrets out of the
//! steps (wiped on drop), encoded with postcard, and their strict decoding.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{MAX_ADDRESS_BYTES, MAX_METHODS, SnapshotError};
use crate::challenge::{Challenge, ChallengeKind};
use crate::code::CodeDigest;
use crate::contact::{ContactKind, ContactMethod};
use crate::flow::FlowId;
use crate::snapshot::AnyStep;
use crate::step::{ChooseMethod, Identify, NewPassword, SelectAccount, Verify};
use crate::user_id::UserId;
use crate::wizard::{Flow, Wizard};

/// Copies a step into its wire form. Sealed: implemented for the crate's steps only.
pub trait Encode {
    /// The step's wire form.
    #[doc(hidden)]
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
#[doc(hidden)]
#[derive(Serialize, Deserialize, Zeroize)]
pub enum StepRecord {
    SelectAccount,
    Identify(IdentifyRecord),
    ChooseMethod(ChooseRecord),
    Verify(VerifyRecord),
    NewPassword(ChooseRecord),
}

#[doc(hidden)]
#[derive(Serialize, Deserialize, Zeroize)]
pub struct IdentifyRecord {
    kind: u8,
    answer: Vec<u8>,
    seed: [u8; 32],
    challenge_deadline: i64,
    attempts_left: u8,
    renewals_left: u8,
}

#[doc(hidden)]
#[derive(Serialize, Deserialize, Zeroize)]
pub struct ChooseRecord {
    user: String,
    methods: Vec<MethodRecord>,
    used: Vec<u8>,
    required: u8,
    code_attempts_left: u8,
    issued: u8,
}

#[doc(hidden)]
#[derive(Serialize, Deserialize, Zeroize)]
pub struct MethodRecord {
    kind: u8,
    address: String,
}

#[doc(hidden)]
#[derive(Serialize, Deserialize, Zeroize)]
pub struct VerifyRecord {
    choose: ChooseRecord,
    current: Option<u8>,
    digest: Option<[u8; 32]>,
    code_deadline: i64,
    resends_left: u8,
    conceal: bool,
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
            answer: answer.to_vec(),
            seed: *seed,
            challenge_deadline: offset(started, self.challenge_deadline)?,
            attempts_left: self.attempts_left,
            renewals_left: self.renewals_left,
        }))
    }
}

fn choose_record(step: &ChooseMethod) -> Result<ChooseRecord, SnapshotError> {
    if step.methods.len() > MAX_METHODS {
        return Err(SnapshotError::TooLarge("contact methods"));
    }
    let mut methods = Vec::with_capacity(step.methods.len());
    for method in &step.methods {
        if method.address().len() > MAX_ADDRESS_BYTES {
            return Err(SnapshotError::TooLarge("contact address"));
        }
        methods.push(MethodRecord {
            kind: match method.kind() {
                ContactKind::Email => 0,
                ContactKind::Sms => 1,
                ContactKind::Voice => 2,
            },
            address: method.address().to_owned(),
        });
    }
    Ok(ChooseRecord {
        user: step.user.as_str().to_owned(),
        methods,
        used: step.used.clone(),
        required: step.required,
        code_attempts_left: step.code_attempts_left,
        issued: step.issued,
    })
}

impl Encode for ChooseMethod {
    fn record(&self, _started: OffsetDateTime) -> Result<StepRecord, SnapshotError> {
        Ok(StepRecord::ChooseMethod(choose_record(self)?))
    }
}

impl Encode for Verify {
    fn record(&self, started: OffsetDateTime) -> Result<StepRecord, SnapshotError> {
        Ok(StepRecord::Verify(VerifyRecord {
            choose: choose_record(&self.choose)?,
            current: self.current,
            digest: self.digest.as_ref().map(|d| d.0),
            code_deadline: offset(started, self.code_deadline)?,
            resends_left: self.resends_left,
            conceal: self.conceal,
        }))
    }
}

impl Encode for NewPassword {
    fn record(&self, _started: OffsetDateTime) -> Result<StepRecord, SnapshotError> {
        Ok(StepRecord::NewPassword(choose_record(&self.choose)?))
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
    if body.deadline <= 0 {
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
            step: SelectAccount { _private: () },
        }),
        StepRecord::Identify(record) => AnyStep::Identify(Wizard {
            step: identify(record, started)?,
            flow,
        }),
        StepRecord::ChooseMethod(record) => AnyStep::ChooseMethod(Wizard {
            step: choose(record)?,
            flow,
        }),
        StepRecord::Verify(record) => AnyStep::Verify(Wizard {
            step: verify(record, started)?,
            flow,
        }),
        StepRecord::NewPassword(record) => {
            let choose = choose(record)?;
            if choose.used.len() < usize::from(choose.required) {
                return Err(SnapshotError::InvalidField("methods verified"));
            }
            AnyStep::NewPassword(Wizard {
                step: NewPassword::after(choose),
                flow,
            })
        }
    })
}

fn identify(record: &IdentifyRecord, started: OffsetDateTime) -> Result<Identify, SnapshotError> {
    let kind = match record.kind {
        0 => ChallengeKind::Image,
        1 => ChallengeKind::Audio,
        _ => return Err(SnapshotError::InvalidField("challenge kind")),
    };
    let challenge = Challenge::from_parts(kind, &record.answer, record.seed)
        .ok_or(SnapshotError::InvalidField("challenge answer"))?;
    if record.attempts_left == 0 {
        return Err(SnapshotError::InvalidField("attempts left"));
    }
    Ok(Identify {
        challenge,
        challenge_deadline: at(started, record.challenge_deadline, "challenge deadline")?,
        attempts_left: record.attempts_left,
        renewals_left: record.renewals_left,
    })
}

fn choose(record: &ChooseRecord) -> Result<ChooseMethod, SnapshotError> {
    let user = UserId::parse(&record.user).map_err(|_| SnapshotError::InvalidField("user ID"))?;
    if user.as_str() != record.user {
        return Err(SnapshotError::InvalidField("user ID"));
    }
    if record.methods.len() > MAX_METHODS {
        return Err(SnapshotError::InvalidField("contact methods"));
    }
    let mut methods = Vec::with_capacity(record.methods.len());
    for method in &record.methods {
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
    for (i, &used) in record.used.iter().enumerate() {
        if usize::from(used) >= methods.len() || record.used[..i].contains(&used) {
            return Err(SnapshotError::InvalidField("used method"));
        }
    }
    if !(1..=2).contains(&record.required) {
        return Err(SnapshotError::InvalidField("methods required"));
    }
    if record.code_attempts_left == 0 {
        return Err(SnapshotError::InvalidField("code attempts left"));
    }
    Ok(ChooseMethod {
        user,
        methods,
        used: record.used.clone(),
        required: record.required,
        code_attempts_left: record.code_attempts_left,
        issued: record.issued,
    })
}

fn verify(record: &VerifyRecord, started: OffsetDateTime) -> Result<Verify, SnapshotError> {
    let choose = choose(&record.choose)?;
    if let Some(current) = record.current
        && (usize::from(current) >= choose.methods.len() || choose.used.contains(&current))
    {
        return Err(SnapshotError::InvalidField("current method"));
    }
    // Without the conceal policy a Verify step always holds the code it sent. Under it, a
    // step may hold no code: an account that cannot reset (no method either), or a
    // delivery that failed (the method stays, for the resend).
    if !record.conceal && (record.current.is_none() || record.digest.is_none()) {
        return Err(SnapshotError::InvalidField("code"));
    }
    if record.current.is_none() && record.digest.is_some() {
        return Err(SnapshotError::InvalidField("code"));
    }
    Ok(Verify {
        choose,
        current: record.current,
        digest: record.digest.map(CodeDigest),
        code_deadline: at(started, record.code_deadline, "code deadline")?,
        resends_left: record.resends_left,
        conceal: record.conceal,
    })
}
