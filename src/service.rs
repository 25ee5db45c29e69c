//! Starting the service: the one place that starts what runs besides the answers to requests
//! (the projector, the reactor, the accreditation sweep, the checkpoint publisher) and serves
//! the front ends. `plenary serve`, the tests, the fuzz test and the bench all start it here,
//! so none of them runs a different service from the one deployed.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::api::{self, AppState};
use crate::app::App;
use crate::audit::publisher::CheckpointPublisher;

/// What to start besides the projector.
pub struct Options {
    /// Apply the consequences of decisions (adoptions, rebases). Off only in tests that run
    /// the reactor's steps themselves.
    pub reactor: bool,
    /// How often accreditations whose notice period has ended are concluded.
    pub accreditation_every: Duration,
    /// Sign a checkpoint of the log with this key this often, and publish it in the log.
    pub checkpoints: Option<(SigningKey, Duration)>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            reactor: true,
            accreditation_every: Duration::from_secs(600),
            checkpoints: None,
        }
    }
}

/// The running service's background work. Dropping it asks that work to stop;
/// [`Service::stop`] also waits for it.
pub struct Service {
    pub app: Arc<App>,
    /// What the front ends share (the app, token cache, shutdown signal for live streams).
    pub state: AppState,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Service {
    /// Starts the background work for `app` (in a tokio runtime).
    pub fn start(app: Arc<App>, options: Options) -> Self {
        let (stop, rx) = watch::channel(false);
        let mut tasks = vec![app.projector.spawn(rx.clone())];
        if options.reactor {
            tasks.push(crate::app::reactor::Reactor::new(app.clone()).spawn(rx.clone()));
        }
        // Accreditations take effect when their notice period ends.
        tasks.push(crate::app::accreditation::spawn(
            app.clone(),
            options.accreditation_every,
            rx.clone(),
        ));
        if let Some((key, every)) = options.checkpoints {
            tasks.push(CheckpointPublisher::new(app.store.clone(), key).spawn(every, rx));
        }
        Self {
            state: AppState::new(app.clone()),
            app,
            stop,
            tasks,
        }
    }

    /// Serves the JSON API and the pages on `listener` until `shutdown` resolves (see
    /// [`api::serve`]).
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        api::serve(listener, self.state.clone(), shutdown).await
    }

    /// Serves on `listener` in a task of its own until the returned sender is used or dropped.
    pub fn serve_in_background(&self, listener: TcpListener) -> tokio::sync::oneshot::Sender<()> {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = self.state.clone();
        tokio::spawn(async move {
            if let Err(e) = api::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            {
                tracing::error!(error = %e, "the server stopped");
            }
        });
        stop
    }

    /// Asks the background work to stop, without waiting for it.
    pub fn ask_to_stop(&self) {
        let _ = self.stop.send(true);
    }

    /// Stops the background work and waits for it to finish.
    pub async fn stop(mut self) {
        self.ask_to_stop();
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.ask_to_stop();
    }
}
