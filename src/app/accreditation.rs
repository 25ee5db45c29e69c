//! Accreditation by non-objection takes effect when the notice period ends. Nothing in the log
//! happens at that moment, so this sweep concludes every procedure that has fallen due: the
//! stakeholder is accredited, or rejected with the objecting States named. The body's
//! aggregate decides; the sweep only supplies the date. Each conclusion carries an idempotency
//! key of its own, so two instances (or a retry) conclude a procedure once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::{App, CommandContext};
use crate::domain::body::Body;
use crate::domain::body::BodyCommand;
use crate::domain::values::Date;
use crate::projections::{docs, state_view};
use crate::store::StoreError;

/// Concludes every accreditation whose notice period ended before `today`. Returns how many
/// were concluded now.
#[tracing::instrument(skip_all, fields(today = %today))]
pub async fn conclude_due(app: &App, today: Date) -> Result<usize, StoreError> {
    let mut concluded = 0;
    for doc in docs::list(app.store.db(), crate::projections::state_view::BODIES, "").await? {
        let (body_id, _, body) =
            state_view::decode::<Body>(&doc).map_err(|e| StoreError::Corrupt {
                position: 0,
                reason: format!("the bodies read model does not decode: {e}"),
            })?;
        for organisation_id in body.accreditations_due(today) {
            let mut ctx = CommandContext::system("system:accreditation", "system");
            ctx.idempotency_key = Some(format!(
                "conclude-accreditation:{body_id}:{organisation_id}"
            ));
            let cmd = BodyCommand::ConcludeAccreditation {
                organisation_id: organisation_id.clone(),
                now: today,
            };
            match app.bodies.execute(&body_id, cmd, &ctx).await {
                Ok(r) if !r.replayed => concluded += 1,
                Ok(_) => {}
                // The read model may lag the log: a procedure already concluded is refused by
                // the aggregate, and that is fine.
                Err(e) => {
                    tracing::info!(body = %body_id, organisation = %organisation_id, error = %e, "accreditation not concluded")
                }
            }
        }
    }
    Ok(concluded)
}

/// Sweeps at start and every `every` until `stop` turns true.
pub fn spawn(
    app: Arc<App>,
    every: Duration,
    stop: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    super::periodic::every(every, stop, move || {
        let app = app.clone();
        async move {
            let today = app.store.clock().today();
            match conclude_due(&app, today).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    concluded = n,
                    "accreditations concluded at the end of their notice period"
                ),
                Err(e) => tracing::warn!(error = %e, "accreditation sweep failed; will retry"),
            }
        }
    })
}
