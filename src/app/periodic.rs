//! Background work on a timer (signed checkpoints, the accreditation sweep): runs `tick` at
//! once and then every `period`, until `stop` turns true. A tick's failure is the tick's to
//! log; the next tick simply tries again.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

pub fn every<F, Fut>(
    period: Duration,
    mut stop: watch::Receiver<bool>,
    mut tick: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut timer = tokio::time::interval(period);
        timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = timer.tick() => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
            tick().await;
        }
    })
}
