//! The OpenAPI 3.1 document and an offline API explorer.
//!
//! The paths are the router's (`served`); the query and header parameters are the handlers'
//! parameter structs (`IntoParams`: a field's doc comment describes it, `api::params` gives
//! the schemas with a rule); the response schemas are generated from the read models
//! (`ToSchema`); a route's summary and description are its handler's doc comment (the first
//! paragraph, then the rest). `ROUTES` says of each route who may call it (an
//! `app::permissions::Access`, the value its handler checks) and its input.
//! The command bodies are described here, from the domain's own command enums, which stay
//! free of web annotations (a test checks them against the enums).

use axum::response::{Html, IntoResponse};
use serde_json::{json, Map, Value};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::AppState;
use crate::app::permissions::{self, Access};
use crate::domain::body::RulesOfProcedure;
use crate::domain::meeting::decision_symbol;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(document))
        .routes(routes!(explorer))
}

/// How a route takes its input.
#[derive(Clone, Copy)]
pub enum Input {
    None,
    /// `{"CommandName": {fields}}`, one of these commands.
    Command(&'static [CommandDoc]),
    Credential,
    /// A file's bytes as the body, its media type in Content-Type.
    File,
}

/// What a route answers with when it succeeds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Json,
    Html,
    /// A file to save (Content-Disposition: attachment).
    Csv,
    HtmlDocument,
    Pdf,
    Docx,
    EventStream,
    NoContent,
    /// A stored file, as its media type.
    File,
}

pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    /// Who may call it: the rule its handler or service checks.
    pub who: Access,
    pub input: Input,
}

/// The type of a command field as sent over HTTP, with a valid example value (used in the
/// document and by the test that checks this table against the domain's command enums).
#[derive(Clone, Copy)]
pub enum Ty {
    /// A string: what it holds, a pattern or format (may be empty), and an example.
    Str {
        about: &'static str,
        pattern: &'static str,
        format: &'static str,
        example: &'static str,
    },
    Int,
    Bool,
    /// One of these names.
    Enum(&'static [&'static str]),
    List(&'static Ty),
    /// May be omitted or null.
    Opt(&'static Ty),
    /// A structured domain value: its shape in words and an example as JSON.
    Obj {
        about: &'static str,
        example: &'static str,
    },
}

/// One command a route accepts: its name and the fields the client sends. Fields the server
/// supplies itself (the date, the body's members and rules, an amendment's standing, the
/// base text) are not listed: the decoder never reads them (`app::<service>::SUPPLIED`).
pub struct CommandDoc {
    pub name: &'static str,
    pub fields: &'static [(&'static str, Ty)],
}

const fn cmd(name: &'static str, fields: &'static [(&'static str, Ty)]) -> CommandDoc {
    CommandDoc { name, fields }
}

const ID: Ty = Ty::Str {
    about: "an id: letters, digits and - _ . : (no '..'), at most 100 characters",
    pattern: "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$",
    format: "",
    example: "id-1",
};
const STATE: Ty = Ty::Str {
    about: "a State code: 2 or 3 capital letters, e.g. NOR",
    pattern: "^[A-Z]{2,3}$",
    format: "",
    example: "NOR",
};
const TEXT: Ty = Ty::Str {
    about: "text",
    pattern: "",
    format: "",
    example: "Text",
};
const DATE: Ty = Ty::Str {
    about: "a date",
    pattern: "",
    format: "date",
    example: "2027-01-01",
};
const SYMBOL: Ty = Ty::Str {
    about: "a UN document symbol, e.g. A/RES/77/37",
    pattern: "^[A-Za-z0-9][A-Za-z0-9/._()+*-]{0,99}$",
    format: "",
    example: "A/RES/77/37",
};
const LANGUAGE: Ty = Ty::Enum(&["ar", "zh", "en", "fr", "ru", "es"]);
const STAKEHOLDER_KIND: Ty = Ty::Enum(&[
    "PrivateSector",
    "Academia",
    "CivilSociety",
    "TechnicalCommunity",
    "Other",
]);
const MEETING_KIND: Ty = Ty::Enum(&[
    "ReviewConference",
    "PeriodicMeeting",
    "IntersessionalMeeting",
    "InformalWorkingGroupSession",
    "ConsultativeDay",
]);
const RULES: Ty = Ty::Obj {
    about: "RulesOfProcedure: {quorum_to_open, quorum_to_decide: Fraction {numerator, denominator, strictly_more}, procedural_majority: {basis: PresentAndVoting|Present|Members, fraction: Fraction}, motion_precedence: [MotionKind]}",
    example: r#"{"quorum_to_open":{"numerator":1,"denominator":4,"strictly_more":false},"quorum_to_decide":{"numerator":1,"denominator":2,"strictly_more":true},"procedural_majority":{"basis":"PresentAndVoting","fraction":{"numerator":1,"denominator":2,"strictly_more":true}},"motion_precedence":["SuspendMeeting","AdjournMeeting","AdjournDebate","CloseDebate"]}"#,
};
const SPEAKER: Ty = Ty::Obj {
    about: "Speaker: {\"State\": code} | {\"Observer\": id} | {\"Stakeholder\": id}",
    example: r#"{"State":"NOR"}"#,
};
const OPERATION: Ty = Ty::Obj {
    about: "Operation, tagged by op: insert_after {after, new_id, kind, section, text} | replace_words {paragraph, at_word, old, new} | replace_paragraph {paragraph, text} | delete_paragraph {paragraph} | move_paragraph {paragraph, after}. at_word counts the paragraph's words from 1, and old must be the words standing there. after: null means at the very start.",
    example: r#"{"op":"replace_paragraph","paragraph":"OP-1","text":"New wording."}"#,
};
const ITEM: (&str, Ty) = ("item", Ty::Int);

pub const BODY_COMMANDS: &[CommandDoc] = &[
    cmd(
        "EstablishBody",
        &[
            ("body_id", ID),
            ("name", TEXT),
            ("parent_body", Ty::Opt(&ID)),
            ("founding_document", Ty::Opt(&SYMBOL)),
            ("members", Ty::List(&STATE)),
            ("rules", Ty::Opt(&RULES)),
        ],
    ),
    cmd("AdmitMember", &[("state", STATE)]),
    cmd("RegisterObserver", &[("observer_id", ID), ("name", TEXT)]),
    cmd(
        "RegisterStakeholder",
        &[
            ("organisation_id", ID),
            ("name", TEXT),
            ("kind", STAKEHOLDER_KIND),
            ("already_accredited", Ty::Bool),
        ],
    ),
    cmd(
        "ProposeAccreditation",
        &[("organisation_id", ID), ("notice_ends", DATE)],
    ),
    cmd(
        "ObjectToAccreditation",
        &[
            ("organisation_id", ID),
            ("state", STATE),
            ("reason", Ty::Opt(&TEXT)),
        ],
    ),
    cmd(
        "WithdrawAccreditationObjection",
        &[("organisation_id", ID), ("state", STATE)],
    ),
    cmd("ConcludeAccreditation", &[("organisation_id", ID)]),
    cmd(
        "ModifyRulesOfProcedure",
        &[
            ("rules", RULES),
            (
                "decision",
                Ty::Obj {
                    about: "DecisionReference: {meeting_id, decision_number, symbol}",
                    example: r#"{"meeting_id":"m-1","decision_number":1,"symbol":"A/AC.1/DEC/1"}"#,
                },
            ),
        ],
    ),
    cmd("SetAttachmentLimit", &[("bytes", Ty::Int)]),
    cmd(
        "SetPublicRecords",
        &[("records", Ty::List(&PUBLIC_RECORD_KIND))],
    ),
    cmd(
        "SetRegionalGroup",
        &[("group", TEXT), ("states", Ty::List(&STATE))],
    ),
    cmd(
        "AddWorkItem",
        &[
            ("item_id", ID),
            ("title", TEXT),
            ("description", Ty::Opt(&TEXT)),
            ("mandate", Ty::Opt(&SYMBOL)),
            ("due", Ty::Opt(&DATE)),
        ],
    ),
    cmd(
        "RecordWorkItemProgress",
        &[
            ("item_id", ID),
            ("status", WORK_ITEM_STATUS),
            ("note", Ty::Opt(&TEXT)),
            ("output", Ty::Opt(&SYMBOL)),
        ],
    ),
];
const WORK_ITEM_STATUS: Ty = Ty::Enum(&["Planned", "InProgress", "Completed", "Discontinued"]);
const PUBLIC_RECORD_KIND: Ty = Ty::Enum(&[
    "Framework",
    "Register",
    "Agendas",
    "Submissions",
    "Annex",
    "Reporting",
    "Documents",
]);
pub const MEETING_COMMANDS: &[CommandDoc] = &[
    cmd("Convene", &[("meeting_id", ID), ("body_id", ID), ("kind", MEETING_KIND), ("symbol", SYMBOL), ("title", TEXT),
        ("starts", DATE), ("ends", DATE), ("venue", TEXT),
        ("chair", Ty::Obj { about: "Chair: {name, state (optional State code)}", example: r#"{"name":"A. Chair","state":null}"# }),
        ("programme_link", Ty::Opt(&Ty::Obj { about: "ProgrammeLink: {meeting_id, item (1-based)}", example: r#"{"meeting_id":"rc-1","item":1}"# })),
        ("precedes", Ty::Opt(&ID))]),
    cmd("Open", &[]),
    cmd("Suspend", &[]),
    cmd("Resume", &[]),
    cmd("Close", &[]),
    cmd("RegisterDelegation", &[("state", STATE), ("members", Ty::List(&Ty::Obj {
        about: "DelegateMember: {name, gender: Female|Male|Other|null, head_of_delegation}",
        example: r#"{"name":"A. Delegate","gender":null,"head_of_delegation":true}"# }))]),
    cmd("RegisterObserver", &[("observer_id", ID), ("name", TEXT)]),
    cmd("RegisterStakeholder", &[("organisation_id", ID), ("name", TEXT), ("kind", STAKEHOLDER_KIND), ("role", Ty::Enum(&["Participant", "Observer"]))]),
    cmd("MarkPresent", &[("state", STATE)]),
    cmd("MarkAbsent", &[("state", STATE)]),
    cmd("RequestSponsorship", &[("request_id", ID), ("expert", TEXT), ("state", STATE), ("amount_usd", Ty::Int)]),
    cmd("AwardSponsorship", &[("request_id", ID), ("fund_id", Ty::Opt(&ID))]),
    cmd("DeclineSponsorship", &[("request_id", ID), ("reason", Ty::Opt(&TEXT))]),
    cmd("IssueProvisionalAgenda", &[("items", Ty::List(&Ty::Obj {
        about: "AgendaItem: {number, title, nature: Procedural|Substantive, documents: [symbol]}",
        example: r#"{"number":1,"title":"Opening","nature":"Procedural","documents":[]}"# }))]),
    cmd("AdoptAgenda", &[]),
    cmd("ChangeAgenda", &[("change", Ty::Obj {
        about: "AgendaChange: {\"AddItem\": {item: AgendaItem}} | {\"Reorder\": {order: [number]}} | {\"DeferItem\": {item, to_meeting}}",
        example: r#"{"Reorder":{"order":[1]}}"# })]),
    cmd("TakeUpItem", &[ITEM]),
    cmd("ConcludeItem", &[ITEM]),
    cmd("InscribeSpeaker", &[ITEM, ("speaker", SPEAKER)]),
    cmd("WithdrawSpeaker", &[ITEM, ("speaker", SPEAKER)]),
    cmd("CallNextSpeaker", &[ITEM]),
    cmd("IdentifySpeaker", &[ITEM, ("state", STATE), ("delegate", TEXT)]),
    cmd("SetSpeakingTime", &[ITEM, ("seconds", Ty::Int)]),
    cmd("CloseSpeakersList", &[ITEM]),
    cmd("RequestRightOfReply", &[ITEM, ("state", STATE)]),
    cmd("RaisePointOfOrder", &[("state", STATE), ("point", TEXT)]),
    cmd("RuleOnPointOfOrder", &[("point", Ty::Int), ("ruling", TEXT)]),
    cmd("AppealRuling", &[("point", Ty::Int), ("state", STATE)]),
    cmd("MoveMotion", &[("state", STATE), ("kind", Ty::Enum(&["SuspendMeeting", "AdjournMeeting", "AdjournDebate", "CloseDebate"]))]),
    cmd("WithdrawMotion", &[("motion", Ty::Int), ("state", STATE)]),
    cmd("PutQuestionToVote", &[("question", Ty::Obj {
        about: "VoteQuestion: {\"Motion\": {motion}} | {\"Appeal\": {point}} | {\"Proposal\": {subject}} (always refused: substantive proposals are decided by consensus)",
        example: r#"{"Motion":{"motion":1}}"# })]),
    cmd("RequestRecordedVote", &[("state", STATE)]),
    cmd("CastVote", &[("state", STATE), ("ballot", Ty::Enum(&["Yes", "No", "Abstain"]))]),
    cmd("CloseVoting", &[]),
    cmd("CallForConsensus", &[("subject", Ty::Obj {
        about: "ConsensusSubject: {\"Amendment\": {amendment_id, revision}} | {\"DraftDecision\": {text}} | {\"ProgrammeOfWork\": {meetings: [{kind, title, starts, ends}]}} | {\"Report\": {symbol}} (the meeting's report, its draft a registered document)",
        example: r#"{"DraftDecision":{"text":"The meeting decides."}}"# })]),
    cmd("RaiseObjection", &[("state", STATE), ("reason", Ty::Opt(&TEXT))]),
    cmd("WithdrawObjection", &[("state", STATE)]),
    cmd("ExplainPosition", &[("state", STATE), ("timing", Ty::Enum(&["BeforeDecision", "AfterDecision"])), ("text", TEXT), ("dissociates_from", Ty::List(&ID))]),
    cmd("DeclareOutcome", &[("outcome", Ty::Enum(&["AdoptedWithoutAVote", "NoConsensus"]))]),
    cmd("WithdrawConsensusCall", &[]),
    cmd(
        "RecordDecision",
        &[
            ("date", DATE),
            ("agenda_item", Ty::Opt(&Ty::Int)),
            ("text", TEXT),
            ("how", HOW),
            ("on_instruction_of", TEXT),
        ],
    ),
    cmd(
        "IssueCorrigendum",
        &[("decision", Ty::Int), ("text", TEXT), ("reason", TEXT)],
    ),
    cmd(
        "TranslateText",
        &[
            ("text_of", Ty::Obj {
                about: "TranslatedText: {\"AgendaItem\": {number}} | {\"Decision\": {number}}",
                example: r#"{"Decision":{"number":1}}"#,
            }),
            ("language", Ty::Enum(&["ar", "zh", "en", "fr", "ru", "es"])),
            ("origin", Ty::Enum(&["human", "machine"])),
            ("text", TEXT),
        ],
    ),
    cmd(
        "KeepSummaryRecord",
        &[("date", DATE), ("text", TEXT), ("symbol", Ty::Opt(&SYMBOL))],
    ),
];
const HOW: Ty = Ty::Obj {
    about: "HowTaken: \"Consensus\" (without a vote) | {\"Vote\": {yes, no, abstain, recorded_votes: null}}",
    example: r#""Consensus""#,
};
/// Framework commands only the server issues (the reactor applies adopted amendments).
pub const FRAMEWORK_SYSTEM_COMMANDS: &[&str] = &["ApplyAdoptedAmendment"];

/// Amendment commands only the server issues (the reactor, after a decision or a change of
/// the framework text).
pub const AMENDMENT_SYSTEM_COMMANDS: &[&str] =
    &["MarkInConflict", "Rebase", "MarkAdopted", "MarkNotAdopted"];

const DOCUMENT_LINK: Ty = Ty::Obj {
    about: "what the document belongs to: {\"Meeting\": {\"meeting_id\"}}, {\"AgendaItem\": {\"meeting_id\", \"item\"}}, {\"Amendment\": {\"amendment_id\"}} or {\"Decision\": {\"symbol\"}}",
    example: r#"{"AgendaItem":{"meeting_id":"poa-rc-1","item":3}}"#,
};

pub const DOCUMENT_COMMANDS: &[CommandDoc] = &[
    cmd(
        "IssueDocument",
        &[
            ("body_id", ID),
            ("prefix", SYMBOL),
            ("series", Ty::Enum(&["Main", "L", "Crp", "Inf", "Wp", "Sr"])),
            ("title", TEXT),
            (
                "distribution",
                Ty::Enum(&["General", "Limited", "Restricted"]),
            ),
            ("language", LANGUAGE),
            ("links", Ty::List(&DOCUMENT_LINK)),
        ],
    ),
    cmd(
        "IssueRelated",
        &[
            ("to", SYMBOL),
            (
                "relation",
                Ty::Enum(&["Revision", "Addendum", "Corrigendum"]),
            ),
            ("title", Ty::Opt(&TEXT)),
            ("language", LANGUAGE),
        ],
    ),
    cmd(
        "RegisterExternal",
        &[
            ("body_id", ID),
            ("symbol", SYMBOL),
            ("title", TEXT),
            ("issuer", TEXT),
            ("date", Ty::Opt(&DATE)),
        ],
    ),
    cmd(
        "AddLanguageVersion",
        &[
            ("symbol", SYMBOL),
            ("language", LANGUAGE),
            ("origin", Ty::Enum(&["Original", "Human", "Machine"])),
        ],
    ),
];

const CONTACT_ROLE: Ty = Ty::Enum(&["Policy", "Technical"]);
const CHANNEL: Ty = Ty::Obj {
    about: "Channel: {kind: Email|Phone|Other, value: text}; an Email value must contain @",
    example: r#"{"kind":"Email","value":"cert@example.org"}"#,
};

pub const CONTACT_COMMANDS: &[CommandDoc] = &[
    cmd(
        "NominateContact",
        &[
            ("state", STATE),
            ("contact_id", ID),
            ("role", CONTACT_ROLE),
            ("name", TEXT),
            ("organisation", Ty::Opt(&TEXT)),
            ("channels", Ty::List(&CHANNEL)),
        ],
    ),
    cmd(
        "ChangeContact",
        &[
            ("state", STATE),
            ("contact_id", ID),
            ("name", Ty::Opt(&TEXT)),
            ("organisation", Ty::Opt(&TEXT)),
            ("channels", Ty::Opt(&Ty::List(&CHANNEL))),
        ],
    ),
    cmd(
        "RetireContact",
        &[
            ("state", STATE),
            ("contact_id", ID),
            ("reason", Ty::Opt(&TEXT)),
        ],
    ),
    cmd("SendPing", &[("ping_id", ID), ("answer_by", DATE)]),
    cmd(
        "ConfirmPing",
        &[("state", STATE), ("ping_id", ID), ("contact_id", ID)],
    ),
];

const LINK: Ty = Ty::Str {
    about: "an http:// or https:// address, without spaces",
    pattern: "^https?://[^\\s/][^\\s]*$",
    format: "uri",
    example: "https://www.osce.org/",
};

pub const ANNEX_COMMANDS: &[CommandDoc] = &[
    cmd(
        "DraftEntry",
        &[
            ("entry_id", ID),
            ("organisation", TEXT),
            ("title", TEXT),
            ("description", TEXT),
            ("links", Ty::List(&LINK)),
        ],
    ),
    cmd("ProposeRemoval", &[("entry_id", ID)]),
    cmd(
        "RecordAdoption",
        &[("meeting_id", ID), ("decision_number", Ty::Int)],
    ),
];

const COHORT: Ty = Ty::Obj {
    about: "Cohort: {name: text, states: [State code]}; cohorts report in turn, one per cycle",
    example: r#"{"name":"Western European and other States","states":["NOR"]}"#,
};
const QUESTION: Ty = Ty::Obj {
    about: "Question: {id, text}",
    example: r#"{"id":"poc","text":"Has your State designated a national point of contact?"}"#,
};

pub const REPORTING_COMMANDS: &[CommandDoc] = &[cmd(
    "SetSchedule",
    &[
        ("first_cycle_starts", DATE),
        ("cycle_months", Ty::Int),
        ("cohorts", Ty::List(&COHORT)),
        ("questions", Ty::List(&QUESTION)),
    ],
)];

const PARTY: Ty = Ty::Obj {
    about: "Party: {\"State\": code} | {\"Organisation\": id}",
    example: r#"{"State":"NOR"}"#,
};

pub const FUND_COMMANDS: &[CommandDoc] = &[
    cmd(
        "EstablishFund",
        &[
            ("body_id", ID),
            ("name", TEXT),
            (
                "currency",
                Ty::Str {
                    about: "ISO 4217: three capital letters",
                    pattern: "^[A-Z]{3}$",
                    format: "",
                    example: "USD",
                },
            ),
        ],
    ),
    cmd(
        "RecordEntry",
        &[
            ("entry_id", ID),
            (
                "kind",
                Ty::Enum(&["pledge", "contribution", "disbursement"]),
            ),
            ("donor", Ty::Opt(&PARTY)),
            ("recipient", Ty::Opt(&TEXT)),
            ("amount", Ty::Int),
            ("purpose", TEXT),
            ("date", DATE),
        ],
    ),
];

const SURVEY_ANSWER: Ty = Ty::Obj {
    about: "SurveyAnswer: {question: the template's question id, answer: text}",
    example: r#"{"question":"poc","answer":"Yes: a policy and a technical contact."}"#,
};

const SUBMISSION_KIND: Ty = Ty::Enum(&[
    "NationalImplementationReport",
    "GapAnalysis",
    "NationalPosition",
    "BestPractice",
    "NationalViews",
    "StakeholderWorkingPaper",
]);
const SECTION: Ty = Ty::Enum(&[
    "international_law",
    "norms_rules_principles",
    "confidence_building_measures",
    "capacity_building",
    "general",
]);
const ORIGIN: Ty = Ty::Enum(&["human", "machine"]);
const FILER: [(&str, Ty); 2] = [("state", Ty::Opt(&STATE)), ("organisation", Ty::Opt(&ID))];

pub const SUBMISSION_COMMANDS: &[CommandDoc] = &[
    cmd(
        "Draft",
        &[
            ("submission_id", ID),
            ("body_id", ID),
            ("kind", SUBMISSION_KIND),
            FILER[0],
            FILER[1],
            ("title", TEXT),
            ("language", LANGUAGE),
            ("text", TEXT),
            ("resolution", Ty::Opt(&SYMBOL)),
            ("sections", Ty::List(&SECTION)),
            ("paragraphs", Ty::List(&ID)),
            ("topics", Ty::List(&TEXT)),
        ],
    ),
    cmd(
        "Revise",
        &[
            FILER[0],
            FILER[1],
            ("title", Ty::Opt(&TEXT)),
            ("text", TEXT),
        ],
    ),
    cmd("Submit", &[FILER[0], FILER[1]]),
    cmd("Publish", &[("symbol", SYMBOL)]),
    cmd(
        "Withdraw",
        &[FILER[0], FILER[1], ("reason", Ty::Opt(&TEXT))],
    ),
    cmd(
        "AddLanguageVersion",
        &[
            FILER[0],
            FILER[1],
            ("language", LANGUAGE),
            ("text", TEXT),
            ("origin", ORIGIN),
            ("of_revision", Ty::Int),
        ],
    ),
    cmd(
        "AnswerSurvey",
        &[FILER[0], FILER[1], ("answers", Ty::List(&SURVEY_ANSWER))],
    ),
    cmd("Detach", &[FILER[0], FILER[1], ("sha256", SHA256)]),
];

const SHA256: Ty = Ty::Str {
    about: "an attachment's SHA-256 (64 lower-case hex digits)",
    pattern: "^[0-9a-f]{64}$",
    format: "",
    example: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
};

/// Submission commands sent by uploading the file, not as JSON.
pub const SUBMISSION_UPLOAD_COMMANDS: &[&str] = &["Attach"];

const MODALITY: Ty = Ty::Enum(&[
    "Training",
    "Equipment",
    "LegislativeAssistance",
    "CertDevelopment",
]);
const PRIORITY: Ty = Ty::Enum(&["High", "Medium", "Low"]);

pub const REQUEST_COMMANDS: &[CommandDoc] = &[
    cmd(
        "FileRequest",
        &[
            ("request_id", ID),
            ("state", STATE),
            ("area", SECTION),
            ("gap_analysis", Ty::Opt(&ID)),
            ("priority", PRIORITY),
            ("modality", MODALITY),
            ("language", LANGUAGE),
            ("region", TEXT),
            ("needed_by", Ty::Opt(&DATE)),
            ("description", TEXT),
        ],
    ),
    cmd("ProposeMatch", &[("state", STATE), ("offer_id", ID)]),
    cmd("AcceptMatch", &[FILER[0], FILER[1]]),
    cmd(
        "DeclineMatch",
        &[FILER[0], FILER[1], ("reason", Ty::Opt(&TEXT))],
    ),
    cmd(
        "RecordProgress",
        &[FILER[0], FILER[1], ("note", TEXT), ("completed", Ty::Bool)],
    ),
    cmd("WithdrawRequest", &[("state", STATE)]),
];

pub const OFFER_COMMANDS: &[CommandDoc] = &[
    cmd(
        "MakeOffer",
        &[
            ("offer_id", ID),
            FILER[0],
            FILER[1],
            ("areas", Ty::List(&SECTION)),
            ("modalities", Ty::List(&MODALITY)),
            ("languages", Ty::List(&LANGUAGE)),
            ("regions", Ty::List(&TEXT)),
            ("capacity", Ty::Int),
            ("description", TEXT),
        ],
    ),
    cmd("WithdrawOffer", &[FILER[0], FILER[1]]),
];

pub const FRAMEWORK_COMMANDS: &[CommandDoc] = &[
    cmd("EstablishProgramme", &[("body_id", ID), ("name", TEXT), ("establishing_symbol", SYMBOL), ("date", DATE), ("co_sponsors", Ty::List(&STATE)),
        ("sections", Ty::List(&Ty::Obj { about: "SectionHeading: {section: international_law|norms_rules_principles|confidence_building_measures|capacity_building|general, title}", example: r#"{"section":"general","title":"General"}"# })),
        ("paragraphs", Ty::List(&Ty::Obj { about: "Paragraph: {id, kind: preamble|operative, section (as in SectionHeading), text}",
            example: r#"{"id":"OP-1","kind":"operative","section":"general","text":"Decides."}"# }))]),
    cmd("RecordExternalEndorsement", &[("symbol", SYMBOL), ("date", DATE), ("operations", Ty::List(&OPERATION))]),
    cmd("AddTranslation", &[("paragraph", ID), ("language", LANGUAGE), ("text", TEXT), ("origin", Ty::Enum(&["human", "machine"])), ("of_version", Ty::Int)]),
];
pub const AMENDMENT_COMMANDS: &[CommandDoc] = &[
    cmd(
        "Propose",
        &[
            ("framework_id", ID),
            ("proposer", STATE),
            ("co_sponsors", Ty::List(&STATE)),
            ("title", TEXT),
            ("base_version", Ty::Int),
            ("operations", Ty::List(&OPERATION)),
        ],
    ),
    cmd(
        "Revise",
        &[
            ("by", STATE),
            ("title", Ty::Opt(&TEXT)),
            ("base_version", Ty::Int),
            ("operations", Ty::List(&OPERATION)),
        ],
    ),
    cmd("CoSponsor", &[("state", STATE)]),
    cmd("WithdrawCoSponsorship", &[("state", STATE)]),
    cmd("Withdraw", &[("by", STATE)]),
    cmd("Reintroduce", &[("by", STATE)]),
    cmd("Table", &[("meeting_id", ID), ("agenda_item", Ty::Int)]),
    cmd(
        "TranslateText",
        &[
            ("revision", Ty::Int),
            ("language", Ty::Enum(&["ar", "zh", "fr", "ru", "es"])),
            ("origin", Ty::Enum(&["human", "machine"])),
            ("title", TEXT),
            ("wording", Ty::List(&TEXT)),
        ],
    ),
];

/// Who may read the public record: anyone, with a credential or without (then rate-limited).
pub const PUBLIC_RECORD: Access = Access::PublicRecord;

/// Every route of the API.
pub const ROUTES: &[Route] = &[
    Route { method: "get", path: "/health", who: Access::Anyone, input: Input::None },
    Route { method: "get", path: "/ready", who: Access::Anyone, input: Input::None },
    Route { method: "get", path: "/api/v1/credentials", who: Access::Roles(permissions::CREDENTIAL_ADMINS), input: Input::None },
    Route { method: "post", path: "/api/v1/credentials", who: Access::Roles(permissions::CREDENTIAL_ADMINS), input: Input::Credential },
    Route { method: "delete", path: "/api/v1/credentials/{id}", who: Access::Roles(permissions::CREDENTIAL_ADMINS), input: Input::None },
    Route { method: "get", path: "/api/v1/log/head", who: Access::Roles(permissions::AUDIT_READERS), input: Input::None },
    Route { method: "get", path: "/api/v1/log/checkpoints", who: Access::Roles(permissions::AUDIT_READERS), input: Input::None },
    Route { method: "get", path: "/api/v1/log/verify", who: Access::Roles(permissions::CHAIN_VERIFIERS), input: Input::None },
    Route { method: "get", path: "/api/v1/projections", who: Access::Roles(permissions::PROJECTION_READERS), input: Input::None },
    Route { method: "get", path: "/api/v1/audit/events", who: Access::Roles(permissions::AUDIT_READERS),
        input: Input::None },
    Route { method: "get", path: "/api/v1/audit/events.csv", who: Access::Roles(permissions::AUDIT_READERS),
        input: Input::None },
    Route { method: "get", path: "/api/v1/audit/events/{position}", who: Access::Roles(permissions::AUDIT_READERS), input: Input::None },
    Route { method: "get", path: "/api/v1/stream", who: Access::AnyCredential("restricted events only to those entitled"),
        input: Input::None },
    Route { method: "get", path: "/api/v1/bodies", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "get", path: "/api/v1/bodies/{id}", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "post", path: "/api/v1/bodies/{id}/commands", who: Access::Commands, input: Input::Command(BODY_COMMANDS) },
    Route { method: "get", path: "/api/v1/meetings", who: Access::AnyCredential(""),
        input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}", who: Access::AnyCredential("personal data only to secretariat, auditors and the chair"), input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}/agenda", who: PUBLIC_RECORD, input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}/participation", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "post", path: "/api/v1/meetings/{id}/commands", who: Access::Commands, input: Input::Command(MEETING_COMMANDS) },
    Route { method: "get", path: "/api/v1/decisions", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/decisions.csv", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}/report", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}/report.html", who: Access::AnyCredential(""),
        input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}/report.pdf", who: Access::AnyCredential(""),
        input: Input::None },
    Route { method: "get", path: "/api/v1/meetings/{id}/report.docx", who: Access::AnyCredential(""),
        input: Input::None },
    Route { method: "get", path: "/api/v1/decisions.html", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/decisions.pdf", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/decisions.docx", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/participation.csv", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "get", path: "/api/v1/frameworks/{id}", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/frameworks/{id}/declaration.html", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/frameworks/{id}/declaration.pdf", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/frameworks/{id}/declaration.docx", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/frameworks/{id}/diff", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/contacts", who: Access::Roles(permissions::CONTACT_READERS), input: Input::None },
    Route { method: "get", path: "/api/v1/contacts/{state}", who: Access::Roles(permissions::CONTACT_READERS), input: Input::None },
    Route { method: "post", path: "/api/v1/contacts/{state}/commands", who: Access::Commands, input: Input::Command(CONTACT_COMMANDS) },
    Route { method: "get", path: "/api/v1/annexes/{id}", who: PUBLIC_RECORD, input: Input::None },
    Route { method: "post", path: "/api/v1/annexes/{id}/commands", who: Access::Commands, input: Input::Command(ANNEX_COMMANDS) },
    Route { method: "get", path: "/api/v1/reporting/{id}", who: PUBLIC_RECORD, input: Input::None },
    Route { method: "post", path: "/api/v1/reporting/{id}/commands", who: Access::Commands, input: Input::Command(REPORTING_COMMANDS) },
    Route { method: "get", path: "/api/v1/funds", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "get", path: "/api/v1/funds/{id}", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "post", path: "/api/v1/funds/{id}/commands", who: Access::Commands, input: Input::Command(FUND_COMMANDS) },
    Route { method: "get", path: "/api/v1/documents", who: PUBLIC_RECORD, input: Input::None },
    Route { method: "get", path: "/api/v1/documents/record.html", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/documents/record.pdf", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/documents/record.docx", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "post", path: "/api/v1/documents/commands", who: Access::Commands, input: Input::Command(DOCUMENT_COMMANDS) },
    Route { method: "get", path: "/api/v1/search", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/submissions", who: PUBLIC_RECORD,
        input: Input::None },
    Route { method: "get", path: "/api/v1/submissions/{id}", who: PUBLIC_RECORD, input: Input::None },
    Route { method: "post", path: "/api/v1/submissions/{id}/attachments", who: Access::Own("the secretariat; a delegate of the filing State; the filing organisation (its own credential)"), input: Input::File },
    Route { method: "get", path: "/api/v1/submissions/{id}/attachments/{sha256}", who: PUBLIC_RECORD, input: Input::None },
    Route { method: "post", path: "/api/v1/submissions/{id}/commands", who: Access::Commands, input: Input::Command(SUBMISSION_COMMANDS) },
    Route { method: "get", path: "/api/v1/participation", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "get", path: "/api/v1/capacity", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "post", path: "/api/v1/capacity/requests/{id}/commands", who: Access::Commands, input: Input::Command(REQUEST_COMMANDS) },
    Route { method: "post", path: "/api/v1/capacity/offers/{id}/commands", who: Access::Commands, input: Input::Command(OFFER_COMMANDS) },
    Route { method: "post", path: "/api/v1/frameworks/{id}/commands", who: Access::Commands, input: Input::Command(FRAMEWORK_COMMANDS) },
    Route { method: "get", path: "/api/v1/amendments", who: Access::AnyCredential(""),
        input: Input::None },
    Route { method: "get", path: "/api/v1/amendments/{id}", who: Access::AnyCredential(""), input: Input::None },
    Route { method: "post", path: "/api/v1/amendments/{id}/commands", who: Access::Commands, input: Input::Command(AMENDMENT_COMMANDS) },
    Route { method: "get", path: "/openapi.json", who: Access::Anyone, input: Input::None },
    Route { method: "get", path: "/docs", who: Access::Anyone, input: Input::None },
];

fn problem(description: &str) -> Value {
    json!({ "description": description, "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } })
}

fn answer(r: &Route) -> Answer {
    match (r.method, r.path) {
        ("delete", _) => Answer::NoContent,
        (_, "/docs") => Answer::Html,
        (_, "/api/v1/stream") => Answer::EventStream,
        (_, p) if p.ends_with(".csv") => Answer::Csv,
        (_, p) if p.ends_with(".html") => Answer::HtmlDocument,
        (_, p) if p.ends_with(".pdf") => Answer::Pdf,
        (_, p) if p.ends_with(".docx") => Answer::Docx,
        ("get", p) if p.ends_with("/attachments/{sha256}") => Answer::File,
        _ => Answer::Json,
    }
}

/// The JSON Schema of a command field.
fn ty_schema(t: &Ty) -> Value {
    match t {
        Ty::Str {
            about,
            pattern,
            format,
            ..
        } => {
            let mut v = json!({ "type": "string", "description": about });
            if !pattern.is_empty() {
                v["pattern"] = json!(pattern);
            }
            if !format.is_empty() {
                v["format"] = json!(format);
            }
            v
        }
        Ty::Int => json!({ "type": "integer", "minimum": 0 }),
        Ty::Bool => json!({ "type": "boolean" }),
        Ty::Enum(names) => json!({ "type": "string", "enum": names }),
        Ty::List(inner) => json!({ "type": "array", "items": ty_schema(inner) }),
        Ty::Opt(inner) => {
            let mut v = ty_schema(inner);
            if let Some(ty) = v["type"].as_str().map(str::to_owned) {
                v["type"] = json!([ty, "null"]);
            }
            // `get_mut`, not `v["enum"]`: indexing a JSON object inserts `"enum": null`.
            if let Some(names) = v.get_mut("enum").and_then(Value::as_array_mut) {
                names.push(Value::Null);
            }
            v
        }
        Ty::Obj { about, example } => {
            json!({ "type": "object", "description": about, "examples": [serde_json::from_str::<Value>(example).unwrap_or(Value::Null)] })
        }
    }
}

/// A valid example of a command field.
fn ty_example(t: &Ty) -> Value {
    match t {
        Ty::Str { example, .. } => json!(example),
        Ty::Int => json!(1),
        Ty::Bool => json!(true),
        Ty::Enum(names) => json!(names[0]),
        Ty::List(inner) => json!([ty_example(inner)]),
        Ty::Opt(inner) => ty_example(inner),
        Ty::Obj { example, .. } => serde_json::from_str(example).unwrap_or(Value::Null),
    }
}

/// `{"Name": {fields}}` with an example value for every field.
pub fn command_example(c: &CommandDoc) -> Value {
    let fields: Map<String, Value> = c
        .fields
        .iter()
        .map(|(name, ty)| ((*name).to_owned(), ty_example(ty)))
        .collect();
    json!({ c.name: fields })
}

/// The kind of record a command route acts on.
fn aggregate_of(path: &str) -> Option<&'static str> {
    use crate::domain::*;
    use cqrs_es::Aggregate;
    [
        ("/api/v1/bodies/", body::Body::TYPE),
        ("/api/v1/meetings/", meeting::Meeting::TYPE),
        ("/api/v1/amendments/", amendment::Amendment::TYPE),
        ("/api/v1/frameworks/", framework::Framework::TYPE),
        ("/api/v1/contacts/", contacts::PointsOfContact::TYPE),
        ("/api/v1/annexes/", annex::Annex::TYPE),
        ("/api/v1/reporting/", reporting::ReportingSchedule::TYPE),
        ("/api/v1/funds/", fund::Fund::TYPE),
        (
            "/api/v1/documents/commands",
            documents::DocumentRegistry::TYPE,
        ),
        ("/api/v1/submissions/", submission::Submission::TYPE),
        (
            "/api/v1/capacity/requests/",
            capacity::AssistanceRequest::TYPE,
        ),
        ("/api/v1/capacity/offers/", capacity::AssistanceOffer::TYPE),
    ]
    .into_iter()
    .find(|(prefix, _)| path.starts_with(prefix))
    .map(|(_, a)| a)
}

/// "Who may send it", each rule with its commands, generated from `app::permissions`.
fn who_sends(aggregate: &str, commands: &[CommandDoc]) -> String {
    let mut by_rule: Vec<(String, Vec<&str>)> = Vec::new();
    for c in commands {
        let who = permissions::rule_for(aggregate, c.name)
            .map_or_else(|| "nobody (unknown command)".to_owned(), |r| r.describe());
        match by_rule.iter_mut().find(|(w, _)| *w == who) {
            Some((_, names)) => names.push(c.name),
            None => by_rule.push((who, vec![c.name])),
        }
    }
    let lines: Vec<String> = by_rule
        .into_iter()
        .map(|(who, names)| format!("- {}: {}", who, names.join(", ")))
        .collect();
    format!("Who may send each command:\n{}", lines.join("\n"))
}

/// The schema of one command: `{"Name": {fields}}`.
fn command_schema(c: &CommandDoc, aggregate: &str) -> Value {
    let properties: Map<String, Value> = c
        .fields
        .iter()
        .map(|(name, ty)| {
            let mut schema = ty_schema(ty);
            if *name == "rules" && matches!(ty, Ty::Opt(_)) {
                // What the server uses when no rules are sent, from the domain itself.
                schema["default"] = serde_json::to_value(RulesOfProcedure::default())
                    .expect("rules serialize");
                schema["description"] = json!(
                    "RulesOfProcedure; omitted or null: the default rules (a quarter of the members to open, a majority to decide, procedural motions by a majority of those present and voting, in the General Assembly's order of precedence)"
                );
            }
            ((*name).to_owned(), schema)
        })
        .collect();
    let required: Vec<&str> = c
        .fields
        .iter()
        .filter(|(_, ty)| !matches!(ty, Ty::Opt(_)))
        .map(|(name, _)| *name)
        .collect();
    let who = permissions::rule_for(aggregate, c.name).map_or_else(String::new, |r| r.describe());
    json!({
        "title": c.name,
        "description": format!("Who may send it: {who}."),
        "type": "object",
        "required": [c.name],
        "additionalProperties": false,
        "properties": { c.name: {
            "type": "object",
            "additionalProperties": false,
            "required": required,
            "properties": properties,
        } },
        "examples": [command_example(c)],
    })
}

fn operation(r: &Route) -> Value {
    let mut params: Vec<Value> = r
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = if name == "position" {
                json!({ "type": "integer", "minimum": 1 })
            } else {
                json!({ "type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$" })
            };
            json!({ "name": name, "in": "path", "required": true, "schema": schema })
        })
        .collect();
    // The query and header parameters, as the handler's parameter structs document them.
    let generated = generated_parameters(r.method, r.path);
    let has_query = generated.iter().any(|p| p["in"] == "query");
    // Only a read that takes a `MinPosition` waits for the read models (and documents the
    // header); a framework read accepts `min_position` and ignores it.
    let waits = generated.iter().any(|p| p["name"] == "X-Min-Position");
    params.extend(generated);
    let answer = answer(r);
    let public = matches!(r.path, "/health" | "/ready" | "/openapi.json" | "/docs");
    let has_path_params = r.path.contains('{');
    let has_body = !matches!(r.input, Input::None);
    let mut responses = Map::new();
    let (code, ok) = match answer {
        Answer::NoContent => ("204", json!({ "description": "Done" })),
        Answer::Html => (
            "200",
            json!({ "description": "The page", "content": { "text/html": { "schema": { "type": "string" } } } }),
        ),
        Answer::Csv => (
            "200",
            json!({ "description": "CSV (RFC 4180, UTF-8, header row, CRLF), as an attachment. A text cell a spreadsheet would run as a formula (starting =, +, -, @) is written with a leading '",
                "content": { "text/csv": { "schema": { "type": "string" } } } }),
        ),
        Answer::HtmlDocument => (
            "200",
            json!({ "description": "A standalone HTML document (inline style, no script), as an attachment; its meta plenary-log-position and plenary-log-hash name what it was made from",
                "content": { "text/html": { "schema": { "type": "string" } } } }),
        ),
        Answer::Pdf => (
            "200",
            json!({ "description": "A PDF (A4, fonts embedded, tagged), as an attachment; every page's footer names the log position and head hash it was made from. 503 (type /problems/unavailable) when the server has no font to typeset with",
                "content": { "application/pdf": { "schema": { "type": "string", "format": "binary" } } } }),
        ),
        Answer::Docx => (
            "200",
            json!({ "description": "A Word document (Office Open XML), as an attachment; its footer and the custom properties plenary-log-position and plenary-log-hash name what it was made from",
                "content": { "application/vnd.openxmlformats-officedocument.wordprocessingml.document": { "schema": { "type": "string", "format": "binary" } } } }),
        ),
        Answer::File => (
            "200",
            json!({ "description": "The file's bytes, as its media type and as an attachment (never shown as a page of this site); the ETag is its SHA-256",
                "content": { "*/*": { "schema": { "type": "string", "format": "binary" } } } }),
        ),
        Answer::EventStream => (
            "200",
            json!({ "description": "Server-sent events, one per log event the caller may see; each id is the log position. The stream ends when the server shuts down; reconnect with Last-Event-ID.",
                "content": { "text/event-stream": { "schema": { "type": "object", "required": ["data"],
                    "properties": { "id": { "type": "string" }, "event": { "type": "string" }, "data": { "type": "string" } } } } } }),
        ),
        Answer::Json if matches!(r.input, Input::Credential) => (
            "201",
            json!({ "description": "Issued: the credential and its token, shown this once", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/IssuedCredential" } } } }),
        ),
        Answer::Json if r.path == "/api/v1/credentials" => (
            "200",
            json!({ "description": "OK: every credential (never its token), oldest first", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Credential" } } } } }),
        ),
        Answer::Json => {
            let schema = match read_model(r) {
                Some(name) => json!({ "$ref": format!("#/components/schemas/{name}") }),
                None => json!({ "type": "object" }),
            };
            (
                "200",
                json!({ "description": "OK", "content": { "application/json": { "schema": schema } } }),
            )
        }
    };
    responses.insert(code.into(), ok);
    if r.path == "/ready" {
        responses.insert(
            "503".into(),
            json!({ "description": "Not ready: the database is unreachable or the read models lag. A problem (type /problems/not-ready) that also carries the fields of the readiness report",
                "content": { "application/problem+json": { "schema": { "allOf": [
                    { "$ref": "#/components/schemas/Problem" }, { "$ref": "#/components/schemas/Readiness" } ] } } } }),
        );
    }
    if !public {
        if has_path_params || has_body || has_query || answer == Answer::EventStream {
            let what = match (has_body, answer == Answer::EventStream) {
                (true, _) => "Bad input: a malformed id, header or JSON body",
                (_, true) => "Bad input: a malformed parameter or Last-Event-ID",
                _ => "Bad input: a malformed id or query parameter",
            };
            responses.insert("400".into(), problem(what));
        }
        responses.insert(
            "401".into(),
            problem("No valid bearer token (see WWW-Authenticate)"),
        );
        if r.who == PUBLIC_RECORD {
            responses.insert(
                "429".into(),
                problem(
                    "Too many requests without a credential from this address (see Retry-After)",
                ),
            );
        }
        if r.who.restricted() {
            responses.insert(
                "403".into(),
                problem("Outside the credential's role or scope"),
            );
        }
        // A registered document is named in the query, not the path.
        let named = has_path_params || r.path.starts_with("/api/v1/documents/record");
        if named && matches!(r.method, "get" | "delete") {
            responses.insert("404".into(), problem("No such resource"));
        }
        // A record that hangs off another (an annex or a reporting schedule off its body).
        if has_path_params && matches!(r.input, Input::Command(_)) {
            responses.insert(
                "404".into(),
                problem("No such record for a command that needs one to exist (the body of an annex or a reporting schedule)"),
            );
        }
        let unavailable = if waits {
            "Database unavailable, or the read models have not reached min_position in time (see Retry-After)"
        } else {
            "Database unavailable (see Retry-After)"
        };
        let mut p = problem(unavailable);
        p["headers"] = json!({ "Retry-After": { "description": "seconds to wait before retrying", "schema": { "type": "integer" } } });
        responses.insert("503".into(), p);
    }
    match r.input {
        Input::Command(_) => {
            responses.insert(
                "409".into(),
                problem("Refused by the current state (a rule of procedure), a stale If-Match, or a concurrent update"),
            );
            responses.insert(
                "422".into(),
                problem("Invalid command: unknown command or field, or a field's value (the field and the reason), or an Idempotency-Key reused with another body"),
            );
        }
        Input::Credential => {
            responses.insert(
                "422".into(),
                problem("Invalid input: the field (role, scope, label) and the reason"),
            );
        }
        Input::File => {
            responses.insert(
                "409".into(),
                problem("Refused by the submission's state: published or withdrawn, the same file already attached, or too many attachments; or a stale If-Match"),
            );
            responses.insert(
                "422".into(),
                problem("Invalid input: the file's name or media type (the field and the reason), or an empty file; or an Idempotency-Key reused with another file"),
            );
            responses.insert(
                "404".into(),
                problem("No such submission (or a draft the caller may not read)"),
            );
        }
        Input::None => {}
    }
    if matches!(r.input, Input::File) {
        responses.insert(
            "413".into(),
            problem("The file is larger than the body's attachment limit; nothing was stored"),
        );
    } else if has_body {
        responses.insert("413".into(), problem("Body too large"));
        responses.insert(
            "415".into(),
            problem("Body is not JSON (Content-Type must be application/json)"),
        );
    }
    responses.insert("405".into(), problem("Method not allowed on this path"));
    responses.insert(
        "500".into(),
        problem("Internal error (never a stack trace or internal detail)"),
    );
    let generated = &generated_paths()[r.path][r.method];
    let who = match (r.input, aggregate_of(r.path)) {
        // Who may send each command, from app::permissions (never written here).
        (Input::Command(commands), Some(aggregate)) => who_sends(aggregate, commands),
        _ => format!("Who may call it: {}.", r.who.describe()),
    };
    // The handler's doc comment after its first paragraph, then who may call it.
    let mut description = match generated["description"].as_str().map(prose) {
        Some(about) => format!("{about}\n\n{who}"),
        None => who,
    };
    if r.path == "/api/v1/decisions" {
        description.push_str(&format!(
            " For example, decision 3 of the meeting PoA/RC.1/2026 is {}.",
            decision_symbol("PoA/RC.1/2026", 3)
        ));
    }
    let mut op = json!({
        "summary": generated["summary"].as_str().map(prose).unwrap_or_default(),
        "description": description,
        "parameters": params,
        "responses": responses,
    });
    if r.who == PUBLIC_RECORD {
        // The bearer token is optional: without one, the public's view.
        op["security"] = json!([{}, { "bearer": [] }]);
    } else if !public {
        op["security"] = json!([{ "bearer": [] }]);
    }
    match r.input {
        Input::None => {}
        Input::Credential => {
            op["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/NewCredential" } } } });
        }
        Input::File => {
            op["requestBody"] = json!({ "required": true,
                "description": "The file's bytes; Content-Type is its media type (type/subtype in lower case, without parameters, e.g. application/pdf)",
                "content": { "*/*": { "schema": { "type": "string", "format": "binary" } } } });
        }
        Input::Command(commands) => {
            let aggregate = aggregate_of(r.path).unwrap_or_default();
            let variants: Vec<Value> = commands
                .iter()
                .map(|c| command_schema(c, aggregate))
                .collect();
            op["requestBody"] = json!({ "required": true,
                "description": "One command, {\"CommandName\": {fields}}. Fields the server supplies (today's date, the body's members and rules, an amendment's standing and base text, whether the meeting is open) are not sent; if sent, they are ignored.",
                "content": { "application/json": { "schema": { "oneOf": variants } } } });
        }
    }
    op
}

/// The read model a JSON route answers with, where its type is one: its schema is generated
/// from that type (utoipa's `ToSchema`), so the document cannot drift from what is sent. Every
/// command, and a file attached, is answered with its receipt.
fn read_model(r: &Route) -> Option<&'static str> {
    if matches!(r.input, Input::Command(_) | Input::File) {
        return Some("CommandReceipt");
    }
    Some(match r.path {
        "/health" => "Health",
        "/ready" => "Readiness",
        "/openapi.json" => "OpenApiDocument",
        "/api/v1/log/verify" => "ChainReport",
        "/api/v1/log/checkpoints" => "Checkpoints",
        "/api/v1/audit/events" => "AuditPage",
        "/api/v1/audit/events/{position}" => "AuditEvent",
        "/api/v1/frameworks/{id}" => "FrameworkView",
        "/api/v1/decisions" => "RegisterRecords",
        "/api/v1/meetings" => "MeetingList",
        "/api/v1/bodies" => "BodyList",
        "/api/v1/bodies/{id}" => "BodyView",
        "/api/v1/meetings/{id}" => "MeetingView",
        "/api/v1/meetings/{id}/agenda" => "AgendaView",
        "/api/v1/meetings/{id}/participation" => "MeetingParticipation",
        "/api/v1/amendments" => "AmendmentBoard",
        "/api/v1/amendments/{id}" => "AmendmentCard",
        "/api/v1/frameworks/{id}/diff" => "VersionDiff",
        "/api/v1/meetings/{id}/report" => "MeetingReport",
        "/api/v1/annexes/{id}" => "AnnexView",
        "/api/v1/capacity" => "CapacityBoard",
        "/api/v1/contacts" => "Directories",
        "/api/v1/contacts/{state}" => "Directory",
        "/api/v1/documents" => "Documents",
        "/api/v1/funds" => "Funds",
        "/api/v1/funds/{id}" => "Ledger",
        "/api/v1/log/head" => "Head",
        "/api/v1/participation" => "Participation",
        "/api/v1/projections" => "ProjectionStatus",
        "/api/v1/reporting/{id}" => "ReportingOverview",
        "/api/v1/search" => "Results",
        "/api/v1/submissions" => "Submissions",
        "/api/v1/submissions/{id}" => "SubmissionLine",
        _ => return None,
    })
}

/// The generated schemas of the read models, and of the types they contain, by name.
fn read_model_schemas() -> Map<String, Value> {
    use crate::app::amendments::{AmendmentBoard, AmendmentCard, RevisionDiff};
    use crate::app::frameworks::VersionDiff;
    use crate::app::meeting_reads::{
        AgendaView, MeetingParticipation, MeetingView, Quorum, SponsorshipLine,
    };
    use utoipa::ToSchema;
    fn add<T: ToSchema>(out: &mut Map<String, Value>) {
        let schema = serde_json::to_value(T::schema()).unwrap_or(Value::Null);
        out.insert(T::name().into_owned(), schema);
    }
    let mut out = Map::new();
    add::<MeetingView>(&mut out);
    add::<crate::app::bodies::BodyList>(&mut out);
    add::<crate::app::bodies::BodyView>(&mut out);
    add::<crate::app::meeting_reads::MeetingList>(&mut out);
    add::<crate::app::meeting_reads::MeetingLine>(&mut out);
    add::<Quorum>(&mut out);
    add::<AgendaView>(&mut out);
    add::<MeetingParticipation>(&mut out);
    add::<SponsorshipLine>(&mut out);
    add::<AmendmentBoard>(&mut out);
    add::<AmendmentCard>(&mut out);
    add::<RevisionDiff>(&mut out);
    add::<VersionDiff>(&mut out);
    {
        use crate::app::report::*;
        add::<MeetingReport>(&mut out);
        add::<Attendance>(&mut out);
        add::<DelegationLine>(&mut out);
        add::<StakeholderLine>(&mut out);
        add::<AgendaLine>(&mut out);
        add::<AgendaChangeLine>(&mut out);
        add::<Annexes>(&mut out);
        add::<SummaryRecordLine>(&mut out);
        add::<TextTranslation>(&mut out);
        add::<AdoptionLine>(&mut out);
        add::<CitedDocument>(&mut out);
        add::<PlannedLine>(&mut out);
    }
    add::<crate::app::CommandReceipt>(&mut out);
    {
        use crate::app::annex::*;
        add::<AnnexView>(&mut out);
        add::<EntryLine>(&mut out);
        add::<AdoptionLine>(&mut out);
        add::<PendingLine>(&mut out);
    }
    {
        use crate::app::capacity::*;
        add::<CapacityBoard>(&mut out);
        add::<RequestLine>(&mut out);
        add::<MatchLine>(&mut out);
        add::<OfferLine>(&mut out);
        add::<Suggestion>(&mut out);
    }
    {
        use crate::app::contacts::*;
        add::<crate::api::contacts::Directories>(&mut out);
        add::<Directory>(&mut out);
        add::<ContactLine>(&mut out);
        add::<ChannelLine>(&mut out);
        add::<PingLine>(&mut out);
    }
    add::<crate::api::documents::Documents>(&mut out);
    add::<crate::app::documents::DocumentLine>(&mut out);
    {
        use crate::app::funds::*;
        add::<crate::api::funds::Funds>(&mut out);
        add::<Ledger>(&mut out);
        add::<DonorLine>(&mut out);
        add::<PurposeLine>(&mut out);
        add::<EntryLine>(&mut out);
    }
    add::<crate::api::system::Head>(&mut out);
    {
        use crate::api::system::*;
        add::<Health>(&mut out);
        add::<Readiness>(&mut out);
        add::<Checkpoints>(&mut out);
        add::<PublishedCheckpoint>(&mut out);
        add::<IssuedCredential>(&mut out);
        add::<crate::audit::checkpoint::SignedCheckpoint>(&mut out);
        add::<crate::audit::checkpoint::Checkpoint>(&mut out);
        add::<crate::store::credentials::Credential>(&mut out);
        add::<crate::store::verify::Report>(&mut out);
        add::<crate::store::verify::Finding>(&mut out);
        add::<crate::store::verify::Damage>(&mut out);
    }
    {
        use crate::api::audit::*;
        add::<Page>(&mut out);
        add::<Entry>(&mut out);
        add::<FullEvent>(&mut out);
        add::<crate::projections::audit::AuditEntry>(&mut out);
    }
    add::<crate::app::history::FrameworkView>(&mut out);
    {
        use crate::app::register::*;
        add::<RegisterRecords>(&mut out);
        add::<RegisterRecord>(&mut out);
        add::<EntryKind>(&mut out);
        add::<HowTakenRecord>(&mut out);
        add::<ObjectionRecord>(&mut out);
        add::<ExplanationRecord>(&mut out);
        add::<EnteredRecord>(&mut out);
        add::<CorrigendumRecord>(&mut out);
        add::<TranslationRecord>(&mut out);
    }
    // The document itself: its outline (its full schema is OpenAPI 3.1's own).
    out.insert(
        "OpenApiDocument".into(),
        json!({ "type": "object", "required": ["openapi", "info", "paths", "components"],
            "properties": { "openapi": { "type": "string", "const": "3.1.0" }, "info": { "type": "object" },
                "paths": { "type": "object" }, "components": { "type": "object" } } }),
    );
    add::<crate::api::system::ProjectionStatus>(&mut out);
    {
        use crate::app::participation::*;
        add::<Participation>(&mut out);
        add::<YearLine>(&mut out);
        add::<StateLine>(&mut out);
        add::<Figures>(&mut out);
        add::<Reach>(&mut out);
    }
    {
        use crate::app::reporting::*;
        add::<ReportingOverview>(&mut out);
        add::<ScheduleLine>(&mut out);
        add::<CycleLine>(&mut out);
    }
    {
        use crate::app::search::*;
        add::<Results>(&mut out);
        add::<Hit>(&mut out);
        add::<Fragment>(&mut out);
    }
    {
        use crate::app::submissions::*;
        add::<crate::api::submissions::Submissions>(&mut out);
        add::<SubmissionLine>(&mut out);
        add::<VersionLine>(&mut out);
        add::<AttachmentLine>(&mut out);
    }
    out
}

/// A doc comment's text as prose: a line break inside a paragraph is a space (as Markdown
/// reads it), so the wrapping of the source does not reach the document.
fn prose(text: &str) -> String {
    text.split("\n\n")
        .map(|paragraph| {
            paragraph
                .split('\n')
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// The paths utoipa-axum generated from the router's handlers, as JSON (built once).
fn generated_paths() -> &'static Value {
    static GENERATED: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    GENERATED.get_or_init(|| {
        serde_json::to_value(super::routes().into_openapi().paths).unwrap_or_default()
    })
}

/// Every route the router serves, as (method, path): generated from the handlers'
/// `#[utoipa::path]`, so a route cannot be served undocumented or documented unserved.
pub fn served() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for (path, item) in generated_paths().as_object().into_iter().flatten() {
        for method in [
            "get", "put", "post", "delete", "patch", "head", "options", "trace",
        ] {
            if item.get(method).is_some() {
                out.push((method, path.clone()));
            }
        }
    }
    out
}

/// The query and header parameters of a route, generated from its handler's parameter
/// structs (`#[utoipa::path(…, params(…))]`, utoipa's `IntoParams`): the fields' doc comments
/// describe them, their types and `#[param]` attributes give the schemas.
pub fn generated_parameters(method: &str, path: &str) -> Vec<Value> {
    generated_paths()[path][method]["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] != "path")
        .cloned()
        .collect()
}

/// What [`ROUTES`] says of a route the router serves.
pub fn route(method: &str, path: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

/// Builds the OpenAPI document: the paths the router serves, each described by its
/// handler's doc comment and its [`ROUTES`] entry (a served route missing there is
/// documented as such, and fails a test).
pub fn build() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for (method, path) in served() {
        let entry = paths.entry(path.clone()).or_insert_with(|| json!({}));
        entry[method] = match route(method, &path) {
            Some(r) => operation(r),
            None => {
                json!({ "summary": "Undocumented", "responses": { "default": { "description": "Undocumented" } } })
            }
        };
    }
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Plenary API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Consensus-based intergovernmental processes as an append-only, hash-chained event log. Commands are {\"CommandName\": {fields}}; the server supplies dates and facts from other records. Every error is application/problem+json.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Problem": { "type": "object", "required": ["type", "title", "status", "detail"], "properties": {
                    "type": { "type": "string" }, "title": { "type": "string" }, "status": { "type": "integer" },
                    "detail": { "type": "string" }, "field": { "type": "string" } } },
                "NewCredential": { "type": "object", "required": ["role", "label"], "additionalProperties": false, "properties": {
                    "role": { "type": "string", "enum": ["admin", "secretariat", "chair", "delegate", "observer", "auditor"] },
                    "scope": { "type": ["string", "null"] }, "label": { "type": "string", "minLength": 1, "maxLength": 100 } } }
            }
        }
    });
    if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
        schemas.extend(read_model_schemas());
    }
    doc
}

/// This document
#[utoipa::path(get, path = "/openapi.json")]
async fn document() -> impl IntoResponse {
    // The same for the life of the process.
    static DOCUMENT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    axum::Json(DOCUMENT.get_or_init(build).clone())
}

/// The API explorer (an HTML page built from /openapi.json)
///
/// A self-contained page (no CDN) that lists the routes of /openapi.json with their parameters and
/// sends requests. It carries the pages' strict policy: no inline script or style.
#[utoipa::path(get, path = "/docs")]
async fn explorer() -> impl IntoResponse {
    use axum::http::header;
    (
        [
            (header::CONTENT_SECURITY_POLICY, crate::web::CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        Html(EXPLORER),
    )
}

const EXPLORER: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plenary API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/explorer.css"><script src="/assets/explorer.js" defer></script></head>
<body><main><h1>Plenary API</h1>
<p>Every route of <a href="/openapi.json">/openapi.json</a>: open one, then send it with a token.</p>
<p><label>Token <input id="tok" type="password" size="80" placeholder="pln_…" autocomplete="off"></label></p>
<div id="routes">Loading /openapi.json…</div></main></body></html>"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::commands::Envelope;
    use serde::de::DeserializeOwned;

    /// A report with every optional part left out.
    fn report() -> crate::app::report::MeetingReport {
        let text = |t: &str| t.to_owned();
        crate::app::report::MeetingReport {
            meeting_id: text("m"),
            symbol: text("S/1"),
            title: text("t"),
            kind: text("periodic_meeting"),
            body_id: text("b"),
            venue: text("v"),
            chair: text("c"),
            starts: text("2027-01-01"),
            ends: text("2027-01-02"),
            sat_on: vec![],
            sat_outside_dates: vec![],
            status: text("convened"),
            closed_on: None,
            attendance: Default::default(),
            agenda_adopted: vec![],
            agenda_changes: vec![],
            agenda: vec![],
            decisions: vec![],
            summary_records: vec![],
            adopted_by: None,
            translations: vec![],
            annexes: Default::default(),
            position: 1,
            hash: text("00"),
        }
    }

    /// Each read model's generated schema names every field it sends and requires only
    /// fields it always sends (one left out when empty is not required).
    #[test]
    fn read_model_schemas_match_what_the_read_models_send() {
        use crate::app::amendments::{card, AmendmentBoard};
        use crate::app::frameworks::VersionDiff;
        use crate::app::meeting_reads::{AgendaView, MeetingParticipation, MeetingView};
        use crate::domain::amendment::Amendment;
        use crate::domain::meeting::Meeting;
        let m = Meeting::default();
        let a = card("am-1", 1, &Amendment::default());
        let samples = [
            (
                "MeetingView",
                serde_json::to_value(MeetingView::of("m", 1, &m, Value::Null, true).unwrap()),
            ),
            (
                "Quorum",
                serde_json::to_value(crate::app::meeting_reads::Quorum::of(&m)),
            ),
            (
                "AgendaView",
                serde_json::to_value(AgendaView::of("m", 1, &m)),
            ),
            (
                "MeetingParticipation",
                serde_json::to_value(MeetingParticipation::of("m", &m, false)),
            ),
            ("AmendmentCard", serde_json::to_value(&a)),
            (
                "AmendmentBoard",
                serde_json::to_value(AmendmentBoard {
                    amendments: vec![a.clone()],
                    next: None,
                }),
            ),
            (
                "VersionDiff",
                serde_json::to_value(VersionDiff {
                    from: 1,
                    to: 2,
                    paragraphs: vec![],
                }),
            ),
            ("MeetingReport", serde_json::to_value(report())),
            (
                "MeetingLine",
                serde_json::from_value::<crate::app::meeting_reads::MeetingLine>(json!({
                    "id": "pm-1", "version": 1, "body_id": "poa", "kind": "PeriodicMeeting",
                    "symbol": "PoA/PM.1", "title": "First annual meeting", "starts": "2027-07-12",
                    "ends": "2027-07-16", "venue": "Geneva",
                    "chair": { "name": "Ambassador Lars Berg", "state": null },
                    "programme_link": null, "members": 3, "status": "convened",
                    "convened_at_us": 1, "decisions": 0 }))
                .and_then(serde_json::to_value),
            ),
            ("BodyView", {
                let mut doc = serde_json::to_value(crate::domain::body::Body::default()).unwrap();
                doc["_id"] = json!("poa");
                doc["_version"] = json!(1);
                serde_json::to_value(crate::app::bodies::BodyView::from_view(&doc).unwrap())
            }),
            (
                "CommandReceipt",
                serde_json::to_value(crate::app::CommandReceipt {
                    positions: vec![],
                    stream_version: None,
                    replayed: false,
                }),
            ),
            (
                "AnnexView",
                serde_json::to_value(crate::app::annex::AnnexView {
                    body_id: "poa".into(),
                    entries: vec![],
                    adoptions: vec![],
                    pending: vec![],
                    as_of_position: None,
                }),
            ),
            (
                "CapacityBoard",
                serde_json::to_value(crate::app::capacity::CapacityBoard {
                    requests: vec![],
                    offers: vec![],
                    suggestions: vec![],
                }),
            ),
            (
                "Figures",
                serde_json::to_value(crate::app::participation::Figures::default()),
            ),
            (
                "ReportingOverview",
                serde_json::to_value(crate::app::reporting::ReportingOverview {
                    body_id: "poa".into(),
                    today: "2027-01-01".into(),
                    schedule: None,
                    cycles: vec![],
                }),
            ),
            (
                "Results",
                serde_json::to_value(crate::app::search::Results {
                    q: "x".into(),
                    hits: vec![],
                    more: false,
                }),
            ),
            (
                "Directory",
                serde_json::to_value(crate::app::contacts::Directory {
                    state: "NOR".into(),
                    version: 0,
                    contacts: vec![],
                    pings: vec![],
                }),
            ),
        ];
        let schemas = read_model_schemas();
        for (name, sample) in samples {
            let sample = sample.unwrap();
            let schema = &schemas[name];
            let sent: Vec<&String> = sample.as_object().unwrap().keys().collect();
            let props = schema["properties"]
                .as_object()
                .unwrap_or_else(|| panic!("{name}: {schema}"));
            for key in &sent {
                assert!(
                    props.contains_key(key.as_str()),
                    "{name} sends {key}, which its schema lacks"
                );
            }
            for key in schema["required"].as_array().into_iter().flatten() {
                let key = key.as_str().unwrap().to_owned();
                assert!(
                    sent.contains(&&key),
                    "{name} requires {key}, which it does not always send"
                );
            }
        }
        // Every schema a generated schema refers to is there.
        let text = serde_json::to_string(&schemas).unwrap();
        for name in text.split("#/components/schemas/").skip(1) {
            let name = name.split('"').next().unwrap();
            assert!(
                schemas.contains_key(name),
                "a read model refers to {name}, which is missing"
            );
        }
        // Every route named by `read_model` has its schema.
        for r in ROUTES {
            if let Some(name) = read_model(r) {
                assert!(schemas.contains_key(name), "{} answers with {name}", r.path);
            }
        }
    }

    /// The variant names of a domain command enum, from serde's "unknown variant" message.
    fn domain_variants<C: DeserializeOwned + std::fmt::Debug>() -> Vec<String> {
        let err = serde_json::from_value::<C>(json!({ "NoSuchCommandAtAll": {} }))
            .unwrap_err()
            .to_string();
        // "expected one of `A`, `B`, …", or "expected `A` or `B`" for two.
        let list = err
            .split("expected one of")
            .nth(1)
            .or_else(|| err.split("expected").nth(1))
            .unwrap_or_else(|| panic!("unexpected serde message: {err}"));
        let mut names: Vec<String> = list
            .split('`')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect();
        names.sort();
        names
    }

    /// Checks a table against its domain enum: the same command names (apart from those only
    /// the system issues), every example decodes as the server decodes it (refusing unknown
    /// fields except the ones the server supplies, `supplied`), a field marked required cannot
    /// be left out and a field marked optional can. And the server's fields cannot be set by a
    /// client: each example decodes, and decodes to the same command, with every supplied
    /// field sent as a string no supplied field could be read from.
    fn check<C: DeserializeOwned + std::fmt::Debug + PartialEq>(
        table: &[CommandDoc],
        system_only: &[&str],
        supplied: &[&str],
    ) {
        let mut documented: Vec<String> = table
            .iter()
            .map(|c| c.name.to_owned())
            .chain(system_only.iter().map(|s| (*s).to_owned()))
            .collect();
        documented.sort();
        assert_eq!(documented, domain_variants::<C>());
        let decode = |body: Value| -> Result<C, crate::app::refusal::Refusal> {
            Envelope::parse(body)?.decode::<C>(supplied)
        };
        for c in table {
            let example = command_example(c);
            let cmd = decode(example.clone()).unwrap_or_else(|e| {
                panic!(
                    "{}: the documented example {example} does not decode: {e:?}",
                    c.name
                )
            });
            let mut forged = example.clone();
            // (A name supplied to one command may be another's own field, a delegation's
            // `members`.)
            for name in supplied
                .iter()
                .filter(|n| c.fields.iter().all(|(f, _)| f != *n))
            {
                forged[c.name][*name] = json!("set by the client");
            }
            assert_eq!(
                decode(forged).ok().as_ref(),
                Some(&cmd),
                "{}: a field the server supplies was read from the request",
                c.name
            );
            for (field, ty) in c.fields {
                let mut without = example.clone();
                without[c.name].as_object_mut().unwrap().remove(*field);
                let optional = matches!(ty, Ty::Opt(_));
                assert_eq!(
                    decode(without).is_ok(),
                    optional,
                    "{}.{field} is documented as {}",
                    c.name,
                    if optional { "optional" } else { "required" }
                );
            }
        }
    }

    /// Every query and header parameter a handler's struct documents says what it is (a
    /// field without a doc comment fails here), has a schema, and is given once.
    #[test]
    fn every_generated_parameter_is_described_once() {
        let mut wrong = vec![];
        for (method, path) in served() {
            let mut seen = std::collections::BTreeSet::new();
            for p in generated_parameters(method, &path) {
                let name = p["name"].as_str().unwrap_or_default().to_owned();
                if p["description"]
                    .as_str()
                    .is_none_or(|d| d.trim().is_empty())
                {
                    wrong.push(format!("{method} {path} {name}: no description"));
                }
                if !p["schema"].is_object() {
                    wrong.push(format!("{method} {path} {name}: no schema"));
                }
                if !seen.insert((p["in"].to_string(), name.clone())) {
                    wrong.push(format!("{method} {path} {name}: given twice"));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    /// Every route's handler says what it does: its doc comment's first paragraph is the
    /// route's summary (a handler without one fails here), and a summary reads as one line.
    #[test]
    fn every_route_is_summarised_by_its_handler() {
        let doc = build();
        let mut wrong = vec![];
        for (method, path) in served() {
            let summary = doc["paths"][&path][method]["summary"]
                .as_str()
                .unwrap_or_default();
            if summary.trim().is_empty() {
                wrong.push(format!("{method} {path}: its handler has no doc comment"));
            } else if summary.contains('\n') || summary.ends_with('.') {
                wrong.push(format!(
                    "{method} {path}: the summary is not one line: {summary:?}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn the_router_serves_every_documented_route_and_only_those() {
        let served: std::collections::BTreeSet<(String, String)> = served()
            .into_iter()
            .map(|(m, p)| (m.to_owned(), p))
            .collect();
        let documented: std::collections::BTreeSet<(String, String)> = ROUTES
            .iter()
            .map(|r| (r.method.to_owned(), r.path.to_owned()))
            .collect();
        assert_eq!(documented.len(), ROUTES.len(), "a route documented twice");
        let undocumented: Vec<_> = served.difference(&documented).collect();
        let unserved: Vec<_> = documented.difference(&served).collect();
        assert!(
            undocumented.is_empty(),
            "served, not in ROUTES: {undocumented:?}"
        );
        assert!(unserved.is_empty(), "in ROUTES, not served: {unserved:?}");
    }

    #[test]
    fn command_tables_match_the_domain_commands() {
        use crate::app;
        use crate::domain as d;
        check::<d::body::BodyCommand>(BODY_COMMANDS, &[], app::bodies::SUPPLIED);
        check::<d::meeting::MeetingCommand>(MEETING_COMMANDS, &[], app::meetings::SUPPLIED);
        check::<d::framework::FrameworkCommand>(FRAMEWORK_COMMANDS, FRAMEWORK_SYSTEM_COMMANDS, &[]);
        check::<d::contacts::ContactCommand>(CONTACT_COMMANDS, &[], app::contacts::SUPPLIED);
        check::<d::documents::DocumentCommand>(DOCUMENT_COMMANDS, &[], app::documents::SUPPLIED);
        check::<d::submission::SubmissionCommand>(
            SUBMISSION_COMMANDS,
            SUBMISSION_UPLOAD_COMMANDS,
            app::submissions::SUPPLIED,
        );
        check::<d::capacity::RequestCommand>(
            REQUEST_COMMANDS,
            &[],
            app::capacity::REQUEST_SUPPLIED,
        );
        check::<d::capacity::OfferCommand>(OFFER_COMMANDS, &[], &[]);
        check::<d::fund::FundCommand>(FUND_COMMANDS, &[], app::funds::SUPPLIED);
        check::<d::reporting::ReportingCommand>(REPORTING_COMMANDS, &[], app::reporting::SUPPLIED);
        check::<d::annex::AnnexCommand>(ANNEX_COMMANDS, &[], app::annex::SUPPLIED);
        check::<d::amendment::AmendmentCommand>(
            AMENDMENT_COMMANDS,
            AMENDMENT_SYSTEM_COMMANDS,
            app::amendments::SUPPLIED,
        );
    }

    #[test]
    fn every_route_documents_its_errors() {
        let doc = build();
        for r in ROUTES {
            let op = &doc["paths"][r.path][r.method];
            let responses = op["responses"].as_object().unwrap();
            for code in ["405", "500"] {
                assert!(
                    responses.contains_key(code),
                    "{} {} lacks {code}",
                    r.method,
                    r.path
                );
            }
            for (code, answer) in responses {
                if code.starts_with('4') || code.starts_with('5') {
                    assert!(
                        answer["content"]["application/problem+json"].is_object(),
                        "{} {} {code} is not problem+json",
                        r.method,
                        r.path
                    );
                }
            }
            if op["security"].is_array() {
                assert!(responses.contains_key("401") && responses.contains_key("503"));
            }
        }
        assert!(doc["paths"]["/docs"]["get"].is_object());
        assert!(doc["paths"]["/openapi.json"]["get"].is_object());
    }
}
