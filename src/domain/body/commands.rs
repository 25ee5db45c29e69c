use serde::{Deserialize, Serialize};

use super::rules::RulesOfProcedure;
use super::work::WorkItemStatus;
use crate::domain::values::{Date, DocumentSymbol, Id, StateCode, Text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StakeholderKind {
    PrivateSector,
    Academia,
    CivilSociety,
    TechnicalCommunity,
    Other,
}

/// A part of a body's record that it may make public, to be read without a credential
/// (`SetPublicRecords`). Until the body sets them, all are public.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
pub enum PublicRecord {
    /// The Political Declaration as agreed, and its history.
    Framework,
    /// The decisions register and its printed forms.
    Register,
    /// The agendas of its meetings.
    Agendas,
    /// Published submissions, their attachments and the search over them.
    Submissions,
    /// The annex of regional initiatives.
    Annex,
    /// The reporting schedule and who is due, has submitted or is overdue.
    Reporting,
    /// The registry of its unrestricted documents.
    Documents,
}

/// The decision that authorises a change, taken at a meeting of the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionReference {
    pub meeting_id: Id,
    pub decision_number: u32,
    pub symbol: DocumentSymbol,
}

// The kind of each command, without its fields: what authorization matches on
// (`app::permissions`), so that a new command is a compile error until someone says who
// may send it.
// A field marked `skip_deserializing` is a fact the application supplies (the clock, another
// record), never read from a request: `app::bodies::supply` sets it, one arm per command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[strum_discriminants(
    name(BodyCommandKind),
    derive(Hash, strum::EnumString, strum::IntoStaticStr, strum::EnumIter)
)]
pub enum BodyCommand {
    EstablishBody {
        body_id: Id,
        name: Text,
        /// A working group hangs off its parent body.
        parent_body: Option<Id>,
        /// E.g. the General Assembly resolution that established it.
        founding_document: Option<DocumentSymbol>,
        members: Vec<StateCode>,
        /// None: the General Assembly Main Committee defaults.
        rules: Option<RulesOfProcedure>,
    },
    AdmitMember {
        state: StateCode,
    },
    RegisterObserver {
        observer_id: Id,
        name: Text,
    },
    RegisterStakeholder {
        organisation_id: Id,
        name: Text,
        kind: StakeholderKind,
        /// Already accredited elsewhere (e.g. ECOSOC consultative status): no non-objection
        /// procedure is needed.
        already_accredited: bool,
    },
    ProposeAccreditation {
        organisation_id: Id,
        /// The last day on which a State may object.
        notice_ends: Date,
        #[serde(skip_deserializing)]
        now: Date,
    },
    ObjectToAccreditation {
        organisation_id: Id,
        state: StateCode,
        reason: Option<Text>,
        #[serde(skip_deserializing)]
        now: Date,
    },
    WithdrawAccreditationObjection {
        organisation_id: Id,
        state: StateCode,
        #[serde(skip_deserializing)]
        now: Date,
    },
    ConcludeAccreditation {
        organisation_id: Id,
        #[serde(skip_deserializing)]
        now: Date,
    },
    ModifyRulesOfProcedure {
        rules: RulesOfProcedure,
        decision: DecisionReference,
    },
    /// The largest file the body accepts as a submission's attachment, in bytes.
    SetAttachmentLimit {
        bytes: u64,
    },
    /// What the body makes public (the whole set, replacing the last; empty: nothing).
    SetPublicRecords {
        records: Vec<PublicRecord>,
    },
    /// The States of one regional group (e.g. the General Assembly's five), by which the
    /// participation figures show the sponsorship programme's reach. Replaces the group's
    /// list; an empty list dissolves it.
    SetRegionalGroup {
        group: Text,
        states: Vec<StateCode>,
    },
    /// A task on the body's programme of work (a working group's mandate, say).
    AddWorkItem {
        item_id: Id,
        title: Text,
        description: Option<Text>,
        /// The decision or document that gave the task.
        mandate: Option<DocumentSymbol>,
        due: Option<Date>,
        /// Supplied by the server.
        #[serde(skip_deserializing)]
        now: Date,
    },
    /// Where a task stands from today: its status, a note, a document it produced.
    RecordWorkItemProgress {
        item_id: Id,
        status: WorkItemStatus,
        note: Option<Text>,
        output: Option<DocumentSymbol>,
        /// Supplied by the server.
        #[serde(skip_deserializing)]
        now: Date,
    },
}
