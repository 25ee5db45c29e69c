//! Who may send each command: one exhaustive `match` per kind of record, over the command's
//! kind (its variant without fields). A new command does not compile until it has an arm
//! here. The services authorize with these rules, the OpenAPI document states each command's
//! rule from [`Rule::describe`], and a test sends every command as every role and checks the
//! answer against the same rules.

use super::access::Role;
use crate::domain::amendment::AmendmentCommandKind;
use crate::domain::body::BodyCommandKind;
use crate::domain::contacts::ContactCommandKind;
use crate::domain::framework::FrameworkCommandKind;
use crate::domain::meeting::MeetingCommandKind;
use crate::domain::submission::SubmissionCommandKind;

/// Who may send a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Secretariat,
    /// The chair of the meeting the command is sent to.
    Chair,
    ChairOrSecretariat,
    /// A delegate of the State named in this field of the command.
    DelegateOf(&'static str),
    DelegateOrSecretariat(&'static str),
    /// The chair or the secretariat for anyone; a delegate for its own State, an observer for
    /// its own organisation (the `speaker` field).
    Speaker,
    /// The chair of the meeting named in `meeting_id`, the secretariat, or a delegate of the
    /// amendment's proposer.
    Tabling,
    /// The secretariat; a delegate of the State named in `state`; the stakeholder named in
    /// `organisation` (its observer credential).
    Filer,
    /// Nobody over HTTP: recorded by the system itself as a consequence of a decision.
    System,
}

impl Rule {
    /// The rule in words, for the OpenAPI document and refusals.
    pub fn describe(self) -> String {
        match self {
            Rule::Secretariat => "the secretariat".into(),
            Rule::Chair => "the chair of this meeting".into(),
            Rule::ChairOrSecretariat => "the chair of this meeting or the secretariat".into(),
            Rule::DelegateOf(field) => format!("a delegate of the State named in {field}"),
            Rule::DelegateOrSecretariat(field) => {
                format!("a delegate of the State named in {field}, or the secretariat")
            }
            Rule::Speaker => "the chair of this meeting or the secretariat for any speaker; a delegate for its own State; an observer for its own organisation".into(),
            Rule::Tabling => "the chair of the meeting named in meeting_id, the secretariat, or a delegate of the amendment's proposer".into(),
            Rule::Filer => "the secretariat; a delegate of the State named in state; or the organisation named in organisation (its own credential)".into(),
            Rule::System => "nobody: the system records it when a decision requires it".into(),
        }
    }
}

/// Who may call a route. Each read states its rule here, and its handler or service checks
/// the same value; the OpenAPI document's "who may call it" is [`Access::describe`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without a credential (health, readiness, the API's own document).
    Anyone,
    /// The public record: any credential, or none (then without drafts, restricted documents
    /// or personal data, and rate-limited).
    PublicRecord,
    /// Any valid credential; the note says what is filtered by what the reader may see.
    AnyCredential(&'static str),
    /// Only credentials of these roles ([`Principal::require`](super::access::Principal::require)).
    Roles(&'static [Role]),
    /// A rule of the record's own, checked by its service, in words.
    Own(&'static str),
    /// A command: each by its rule above (`meeting`, `amendment`, …).
    Commands,
}

/// The audit history, single events, the log's head and checkpoints.
pub const AUDIT_READERS: &[Role] = &[Role::Auditor, Role::Secretariat, Role::Admin];
/// Walking the whole chain on the server.
pub const CHAIN_VERIFIERS: &[Role] = &[Role::Auditor, Role::Admin];
/// The read models' positions.
pub const PROJECTION_READERS: &[Role] = &[Role::Admin, Role::Auditor, Role::Secretariat];
/// Credentials: listing, issuing, revoking.
pub const CREDENTIAL_ADMINS: &[Role] = &[Role::Admin];
/// The points of contact: States (any delegate), the secretariat and auditors; never
/// observers, stakeholders or a chair as such.
pub const CONTACT_READERS: &[Role] = &[Role::Delegate, Role::Secretariat, Role::Auditor];

impl Access {
    /// The rule in words, for the OpenAPI document.
    pub fn describe(self) -> String {
        match self {
            Access::Anyone => "anyone".into(),
            Access::PublicRecord => "anyone: with a credential, or without one as the public (no drafts, restricted documents or personal data; at most 10 requests a second per address, then 429)".into(),
            Access::AnyCredential("") => "any credential".into(),
            Access::AnyCredential(note) => format!("any credential ({note})"),
            Access::Roles(roles) => roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
            Access::Own(rule) => rule.into(),
            Access::Commands => "each command, as app::permissions says".into(),
        }
    }

    /// Whether a caller needs a credential of some role or scope (else any, or none, will do).
    pub fn restricted(self) -> bool {
        matches!(self, Access::Roles(_) | Access::Own(_) | Access::Commands)
    }
}

pub fn meeting(kind: MeetingCommandKind) -> Rule {
    use MeetingCommandKind as K;
    match kind {
        K::Convene
        | K::RegisterDelegation
        | K::RegisterObserver
        | K::RegisterStakeholder
        | K::AwardSponsorship
        | K::DeclineSponsorship
        | K::RecordDecision
        | K::KeepSummaryRecord
        | K::TranslateText
        | K::IssueCorrigendum => Rule::Secretariat,
        K::MarkPresent | K::MarkAbsent | K::IssueProvisionalAgenda => Rule::ChairOrSecretariat,
        K::RequestSponsorship => Rule::DelegateOrSecretariat("state"),
        K::RequestRightOfReply
        | K::RaisePointOfOrder
        | K::AppealRuling
        | K::MoveMotion
        | K::WithdrawMotion
        | K::RequestRecordedVote
        | K::CastVote
        | K::RaiseObjection
        | K::WithdrawObjection
        | K::ExplainPosition => Rule::DelegateOf("state"),
        K::InscribeSpeaker | K::WithdrawSpeaker => Rule::Speaker,
        K::Open
        | K::Suspend
        | K::Resume
        | K::Close
        | K::AdoptAgenda
        | K::ChangeAgenda
        | K::TakeUpItem
        | K::ConcludeItem
        | K::CallNextSpeaker
        | K::IdentifySpeaker
        | K::SetSpeakingTime
        | K::CloseSpeakersList
        | K::RuleOnPointOfOrder
        | K::PutQuestionToVote
        | K::CloseVoting
        | K::CallForConsensus
        | K::DeclareOutcome
        | K::WithdrawConsensusCall => Rule::Chair,
    }
}

pub fn amendment(kind: AmendmentCommandKind) -> Rule {
    use AmendmentCommandKind as K;
    match kind {
        K::Propose => Rule::DelegateOf("proposer"),
        K::Revise | K::Withdraw | K::Reintroduce => Rule::DelegateOf("by"),
        K::CoSponsor | K::WithdrawCoSponsorship => Rule::DelegateOf("state"),
        K::Table => Rule::Tabling,
        K::TranslateText => Rule::Secretariat,
        K::MarkInConflict | K::Rebase | K::MarkAdopted | K::MarkNotAdopted => Rule::System,
    }
}

pub fn body(kind: BodyCommandKind) -> Rule {
    use BodyCommandKind as K;
    match kind {
        K::ObjectToAccreditation | K::WithdrawAccreditationObjection => Rule::DelegateOf("state"),
        K::EstablishBody
        | K::AdmitMember
        | K::RegisterObserver
        | K::RegisterStakeholder
        | K::ProposeAccreditation
        | K::ConcludeAccreditation
        | K::ModifyRulesOfProcedure
        | K::SetAttachmentLimit
        | K::SetPublicRecords
        | K::SetRegionalGroup
        | K::AddWorkItem
        | K::RecordWorkItemProgress => Rule::Secretariat,
    }
}

pub fn framework(kind: FrameworkCommandKind) -> Rule {
    use FrameworkCommandKind as K;
    match kind {
        K::EstablishProgramme | K::RecordExternalEndorsement | K::AddTranslation => {
            Rule::Secretariat
        }
        K::ApplyAdoptedAmendment => Rule::System,
    }
}

pub fn contacts(kind: ContactCommandKind) -> Rule {
    use ContactCommandKind as K;
    match kind {
        K::NominateContact | K::ChangeContact | K::RetireContact | K::ConfirmPing => {
            Rule::DelegateOrSecretariat("state")
        }
        K::SendPing => Rule::Secretariat,
    }
}

pub fn documents(kind: crate::domain::documents::DocumentCommandKind) -> Rule {
    use crate::domain::documents::DocumentCommandKind as K;
    match kind {
        K::IssueDocument | K::IssueRelated | K::RegisterExternal | K::AddLanguageVersion => {
            Rule::Secretariat
        }
    }
}

pub fn annex(kind: crate::domain::annex::AnnexCommandKind) -> Rule {
    use crate::domain::annex::AnnexCommandKind as K;
    match kind {
        K::DraftEntry | K::ProposeRemoval | K::RecordAdoption => Rule::Secretariat,
    }
}

pub fn fund(kind: crate::domain::fund::FundCommandKind) -> Rule {
    use crate::domain::fund::FundCommandKind as K;
    match kind {
        K::EstablishFund | K::RecordEntry => Rule::Secretariat,
    }
}

pub fn reporting(kind: crate::domain::reporting::ReportingCommandKind) -> Rule {
    use crate::domain::reporting::ReportingCommandKind as K;
    match kind {
        K::SetSchedule => Rule::Secretariat,
    }
}

pub fn submission(kind: SubmissionCommandKind) -> Rule {
    use SubmissionCommandKind as K;
    match kind {
        K::Draft
        | K::Revise
        | K::Submit
        | K::Withdraw
        | K::AddLanguageVersion
        | K::AnswerSurvey
        | K::Attach
        | K::Detach => Rule::Filer,
        K::Publish => Rule::Secretariat,
    }
}

/// The rule for a command named `name` sent to a record of `aggregate_type` (`None`: no such
/// command), for the OpenAPI document and the authorization tests.
pub fn rule_for(aggregate_type: &str, name: &str) -> Option<Rule> {
    use crate::domain::*;
    use cqrs_es::Aggregate;
    /// `Some(rule)` when the record is an `A`; the rule is `None` for a name it has no
    /// command of.
    fn of<A: Aggregate, K: std::str::FromStr>(
        aggregate_type: &str,
        name: &str,
        rule: fn(K) -> Rule,
    ) -> Option<Option<Rule>> {
        (aggregate_type == A::TYPE).then(|| name.parse().ok().map(rule))
    }
    let (t, n) = (aggregate_type, name);
    of::<meeting::Meeting, _>(t, n, meeting)
        .or_else(|| of::<amendment::Amendment, _>(t, n, amendment))
        .or_else(|| of::<body::Body, _>(t, n, body))
        .or_else(|| of::<framework::Framework, _>(t, n, framework))
        .or_else(|| of::<contacts::PointsOfContact, _>(t, n, contacts))
        .or_else(|| of::<documents::DocumentRegistry, _>(t, n, documents))
        .or_else(|| of::<submission::Submission, _>(t, n, submission))
        .or_else(|| of::<capacity::AssistanceRequest, _>(t, n, capacity_request))
        .or_else(|| of::<capacity::AssistanceOffer, _>(t, n, capacity_offer))
        .or_else(|| of::<annex::Annex, _>(t, n, annex))
        .or_else(|| of::<reporting::ReportingSchedule, _>(t, n, reporting))
        .or_else(|| of::<fund::Fund, _>(t, n, fund))
        .flatten()
}

pub fn capacity_request(kind: crate::domain::capacity::RequestCommandKind) -> Rule {
    use crate::domain::capacity::RequestCommandKind as K;
    match kind {
        K::FileRequest | K::ProposeMatch | K::WithdrawRequest => {
            Rule::DelegateOrSecretariat("state")
        }
        K::AcceptMatch | K::DeclineMatch | K::RecordProgress => Rule::Filer,
    }
}

pub fn capacity_offer(kind: crate::domain::capacity::OfferCommandKind) -> Rule {
    use crate::domain::capacity::OfferCommandKind as K;
    match kind {
        K::MakeOffer | K::WithdrawOffer => Rule::Filer,
    }
}
