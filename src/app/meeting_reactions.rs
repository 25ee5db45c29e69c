//! What follows from a meeting's consensus outcome on an amendment.

use super::reactor::{ReactError, Reactor};
use crate::domain::amendment::AmendmentCommand;
use crate::domain::framework::DecisionRef;
use crate::domain::meeting::{ConsensusSubject, DecisionKind, MeetingEvent};
use crate::store::{StoreError, StoredEvent};

/// Returns whether the event called for a reaction.
pub(super) async fn react(r: &Reactor, e: &StoredEvent) -> Result<bool, ReactError> {
    use crate::domain::meeting::MeetingEventKind as K;
    if !matches!(e.kind(), Some(K::DecisionTaken | K::NoConsensusDeclared)) {
        return Ok(false);
    }
    let event: MeetingEvent = crate::store::decode::decode(e)?;
    match event {
        MeetingEvent::DecisionTaken {
            number,
            symbol,
            meeting_id,
            date,
            kind: DecisionKind::AmendmentAdopted { amendment_id, .. },
            ..
        } => {
            let decision = DecisionRef {
                meeting_id,
                number,
                symbol,
                date,
            };
            r.amendment_command(
                e,
                "adopt",
                amendment_id.as_str(),
                AmendmentCommand::MarkAdopted { decision },
            )
            .await?;
            // Apply to the framework what the amendment now records as adopted. The command is
            // idempotent in the framework as well (same decision, same amendment: no-op).
            let (amendment, _) = r.app().amendments.load(amendment_id.as_str()).await?;
            if let (Some(framework_id), Some(cmd)) = (
                amendment.framework_id().cloned(),
                amendment.framework_command(amendment_id.clone()),
            ) {
                r.framework_command(e, "apply", framework_id.as_str(), cmd)
                    .await?;
            }
            Ok(true)
        }
        MeetingEvent::NoConsensusDeclared {
            subject: ConsensusSubject::Amendment { amendment_id, .. },
            on,
            ..
        } => {
            let meeting_id = crate::domain::values::Id::parse(&e.aggregate_id).map_err(|err| {
                StoreError::Corrupt {
                    position: e.position,
                    reason: err.to_string(),
                }
            })?;
            r.amendment_command(
                e,
                "not-adopted",
                amendment_id.as_str(),
                AmendmentCommand::MarkNotAdopted {
                    meeting_id,
                    date: on,
                },
            )
            .await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}
