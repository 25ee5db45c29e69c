//! A meeting's reads as typed read models, built once for the JSON API, the pages and
//! `audit replay`: its live state, its agenda, its participation figures, and the meeting
//! list. Who may see the personal data in them is decided here, not by a front end.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::app::access::Principal;
use crate::app::as_of;
use crate::app::history::Cut;
use crate::app::refusal::Refusal;
use crate::app::App;
use crate::domain::meeting::{
    gender_code, AgendaEntry, Chair, Meeting, PlannedMeeting, ProgrammeLink,
};
use crate::domain::values::StateCode;
use crate::projections::visibility::Reader;
use crate::projections::{docs, meetings as list, state_view};

/// Whether `p` may see the personal data of meeting `meeting_id` (delegates' names and
/// gender, per-State figures, travel funding): the secretariat, auditors and admin, and the
/// meeting's own chair.
pub fn sees_personal_data(p: &Principal, meeting_id: &str) -> bool {
    match p.reader() {
        Reader::Everything => true,
        Reader::Chair { meeting } => meeting == meeting_id,
        Reader::Delegate { .. } | Reader::Public => false,
    }
}

/// Members, presence and the quorum needed to open and to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quorum {
    pub members: u32,
    pub states_present: u32,
    pub needed_to_open: u32,
    pub needed_to_decide: u32,
    pub met_to_open: bool,
    pub met_to_decide: bool,
}

impl Quorum {
    pub fn of(m: &Meeting) -> Quorum {
        let members = m.member_count();
        let present = m.states_present();
        let to_open = m.rules.quorum_to_open.required(members);
        let to_decide = m.rules.quorum_to_decide.required(members);
        Quorum {
            members,
            states_present: present,
            needed_to_open: to_open,
            needed_to_decide: to_decide,
            met_to_open: present >= to_open,
            met_to_decide: present >= to_decide,
        }
    }
}

/// A meeting's state as the API shows it, now or as of a moment (and as `audit replay`
/// shows it).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: String,
    pub version: i64,
    /// Its entry in the meeting list (kind, symbol, title, dates, venue, chair, status).
    pub info: Value,
    pub quorum: Quorum,
    /// The States whose objection to the current (or latest) call for consensus stands.
    #[schema(value_type = Vec<String>)]
    pub standing_objections: Vec<StateCode>,
    /// The meeting's state; without the personal data for readers not entitled to it.
    pub state: Value,
}

impl MeetingView {
    pub fn of(
        id: &str,
        version: i64,
        m: &Meeting,
        info: Value,
        entitled: bool,
    ) -> Result<MeetingView, serde_json::Error> {
        let mut state = serde_json::to_value(m)?;
        if let Value::Object(o) = &mut state {
            if !entitled {
                for personal in ["delegations", "sponsorships", "statements", "unidentified"] {
                    o.remove(personal);
                }
            }
        }
        Ok(MeetingView {
            id: id.to_owned(),
            version,
            info,
            quorum: Quorum::of(m),
            standing_objections: m
                .consensus
                .as_ref()
                .map(|c| c.standing_objections())
                .unwrap_or_default(),
            state,
        })
    }
}

/// A meeting's agenda: provisional until adopted, then each item's status.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgendaView {
    pub meeting_id: String,
    pub version: i64,
    pub adopted: bool,
    pub current_item: Option<u32>,
    /// Each item (number, title, nature, documents) and its status.
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<AgendaEntry>,
}

impl AgendaView {
    pub fn of(meeting_id: &str, version: i64, m: &Meeting) -> AgendaView {
        AgendaView {
            meeting_id: meeting_id.to_owned(),
            version,
            adopted: m.agenda_adopted,
            current_item: m.current_item,
            items: m.agenda.clone(),
        }
    }

    /// From the meeting's stored view (the meeting's own serialisation), reading only the
    /// agenda's fields rather than decoding the whole meeting.
    pub fn from_view(meeting_id: &str, doc: &Value) -> Result<AgendaView, Refusal> {
        #[derive(Deserialize)]
        struct Stored {
            #[serde(rename = "_version")]
            version: i64,
            #[serde(default)]
            agenda_adopted: bool,
            current_item: Option<u32>,
            #[serde(default)]
            agenda: Vec<AgendaEntry>,
        }
        let s = Stored::deserialize(doc).map_err(Refusal::internal)?;
        Ok(AgendaView {
            meeting_id: meeting_id.to_owned(),
            version: s.version,
            adopted: s.agenda_adopted,
            current_item: s.current_item,
            items: s.agenda,
        })
    }
}

/// A meeting's participation figures: delegations and their members by gender,
/// stakeholders by type, the sponsorship programme; per-State figures only for readers
/// entitled to the personal data behind them (null otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MeetingParticipation {
    pub meeting_id: String,
    pub delegations: u32,
    /// `female`, `male`, `other`, `not_given`.
    pub delegates_by_gender: BTreeMap<String, u32>,
    pub heads_of_delegation_by_gender: BTreeMap<String, u32>,
    pub delegates_by_state: Option<BTreeMap<String, u32>>,
    pub observers: u32,
    /// By the stakeholder's kind as the Body accredited it.
    pub stakeholders_by_type: BTreeMap<String, u32>,
    pub states_present: u32,
    /// By the request's status (`requested`, `awarded`, `declined`).
    pub sponsorship: BTreeMap<String, SponsorshipLine>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SponsorshipLine {
    pub requests: u32,
    pub amount_usd: u64,
}

impl MeetingParticipation {
    pub fn of(meeting_id: &str, m: &Meeting, entitled: bool) -> MeetingParticipation {
        let mut by_gender: BTreeMap<String, u32> = BTreeMap::new();
        let mut heads_by_gender: BTreeMap<String, u32> = BTreeMap::new();
        let mut by_state: BTreeMap<String, u32> = BTreeMap::new();
        for (state, members) in &m.delegations {
            by_state.insert(state.to_string(), count(members.len()));
            for member in members {
                let g = gender_code(member.gender);
                if member.head_of_delegation {
                    *heads_by_gender.entry(g.clone()).or_default() += 1;
                }
                *by_gender.entry(g).or_default() += 1;
            }
        }
        let mut stakeholders: BTreeMap<String, u32> = BTreeMap::new();
        for (kind, _) in m.stakeholders.values() {
            *stakeholders.entry(format!("{kind:?}")).or_default() += 1;
        }
        let mut sponsorship: BTreeMap<String, SponsorshipLine> = BTreeMap::new();
        for r in m.sponsorships.values() {
            let line = sponsorship
                .entry(format!("{:?}", r.status).to_lowercase())
                .or_default();
            line.requests += 1;
            line.amount_usd += u64::from(r.amount_usd);
        }
        MeetingParticipation {
            meeting_id: meeting_id.to_owned(),
            delegations: count(m.delegations.len()),
            delegates_by_gender: by_gender,
            heads_of_delegation_by_gender: heads_by_gender,
            delegates_by_state: entitled.then_some(by_state),
            observers: count(m.observers.len()),
            stakeholders_by_type: stakeholders,
            states_present: m.states_present(),
            sponsorship,
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A meeting as read: its version, its state, and its entry in the meeting list.
pub struct Loaded {
    pub version: i64,
    pub meeting: Meeting,
    pub info: Value,
}

/// Meeting `id` now (from its read models) or as of `cut` (folded from the log); `None` if
/// it had not been convened (by then).
pub async fn load(app: &App, id: &str, cut: Option<Cut>) -> Result<Option<Loaded>, Refusal> {
    if let Some(cut) = cut {
        return Ok(as_of::meeting(&app.store, id, cut)
            .await?
            .map(|fold| Loaded {
                version: fold.version,
                meeting: fold.meeting,
                info: fold.info.unwrap_or(Value::Null),
            }));
    }
    let Some(doc) = app
        .projector
        .doc(crate::projections::state_view::MEETINGS, id)
        .await?
    else {
        return Ok(None);
    };
    let (_, version, meeting) = state_view::decode::<Meeting>(&doc).map_err(Refusal::internal)?;
    let info = app
        .projector
        .doc(list::NAME, id)
        .await?
        .map_or(Value::Null, Arc::unwrap_or_clone);
    Ok(Some(Loaded {
        version,
        meeting,
        info,
    }))
}

/// Which meetings the list shows: each filter, when given, must equal the entry's field.
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub body: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
}

/// A meeting as the list of meetings shows it: the meeting-list projection's entry, read as
/// the projection writes it (`projections::meetings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MeetingLine {
    pub id: String,
    pub version: i64,
    pub body_id: String,
    /// `ReviewConference`, `PeriodicMeeting`, `IntersessionalMeeting`, `ConsultativeDay`…
    pub kind: String,
    pub symbol: String,
    pub title: String,
    /// Its first and last day, YYYY-MM-DD.
    pub starts: String,
    pub ends: String,
    pub venue: String,
    #[schema(value_type = Object)]
    pub chair: Chair,
    /// The item of a programme of work it was convened under.
    #[schema(value_type = Option<Object>)]
    pub programme_link: Option<ProgrammeLink>,
    /// For a consultative day: the meeting it precedes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedes: Option<String>,
    /// How many States were members of its body when it was convened.
    pub members: u32,
    /// `convened`, `open`, `suspended` or `closed`.
    pub status: String,
    pub convened_at_us: i64,
    /// Present once its agenda is adopted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agenda_adopted: Option<bool>,
    /// How many decisions it has taken.
    pub decisions: u32,
    /// The programme of work a review conference adopted, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub programme_of_work: Option<Vec<PlannedMeeting>>,
}

/// The list of meetings as the API sends it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingList {
    pub meetings: Vec<MeetingLine>,
}

/// The meeting list, filtered, in the projection's order (by id).
pub async fn list(app: &App, filter: &MeetingFilter) -> Result<Vec<MeetingLine>, Refusal> {
    let all = docs::list(app.store.db(), list::NAME, "").await?;
    let keep = |have: &str, want: &Option<String>| want.as_deref().is_none_or(|w| have == w);
    let mut out = Vec::with_capacity(all.len());
    for d in all {
        // What the log recorded, read as it was (`values::as_recorded`).
        let m: MeetingLine = crate::domain::values::as_recorded(|| serde_json::from_value(d))
            .map_err(Refusal::internal)?;
        if keep(&m.body_id, &filter.body)
            && keep(&m.kind, &filter.kind)
            && keep(&m.status, &filter.status)
        {
            out.push(m);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::access::Role;

    fn principal(role: Role, scope: Option<&str>) -> Principal {
        Principal {
            credential_id: "c".into(),
            role,
            scope: scope.map(str::to_owned),
            label: "test".into(),
        }
    }

    #[test]
    fn personal_data_goes_to_the_secretariat_auditors_admin_and_the_meetings_own_chair() {
        let yes = [
            principal(Role::Secretariat, None),
            principal(Role::Auditor, None),
            principal(Role::Admin, None),
            principal(Role::Chair, Some("rc-1")),
        ];
        let no = [
            principal(Role::Chair, Some("rc-2")),
            principal(Role::Delegate, Some("FRA")),
            principal(Role::Observer, Some("icrc")),
            Principal::public(),
        ];
        assert!(yes.iter().all(|p| sees_personal_data(p, "rc-1")));
        assert!(no.iter().all(|p| !sees_personal_data(p, "rc-1")));
    }
}
