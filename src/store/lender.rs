//! Postgres connections for single queries, kept between uses. sqlx 0.8 pings every
//! connection given back to its pool (a round trip, and a wake-up of the server process), so
//! a query through the pool cost two round trips. Under the mixed HTTP load that give-back was
//! 8.7% of the server's CPU, with Postgres answering the pings on top.
//!
//! The ping guards against a connection left mid-query by a cancelled future. A lent
//! connection is kept only if its query completed; a failed one is closed, and one whose
//! query was cancelled goes back to the pool and its ping.

use std::sync::{Arc, Mutex};

use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

/// Idle connections kept; the rest go back to the pool (they still count towards its size
/// while kept, so the pool's bound holds).
const KEPT: usize = 4;

#[derive(Clone, Debug)]
pub struct Lender {
    pool: PgPool,
    idle: Arc<Mutex<Vec<PoolConnection<Postgres>>>>,
}

impl Lender {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            idle: Arc::default(),
        }
    }

    pub async fn lend(&self) -> Result<PoolConnection<Postgres>, sqlx::Error> {
        let kept = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        match kept {
            Some(c) => Ok(c),
            None => self.pool.acquire().await,
        }
    }

    /// Takes back a connection whose query completed, so it is in a known state. One dropped
    /// instead (a cancelled query) goes back to the pool, which pings it or closes it.
    pub fn give_back(&self, conn: PoolConnection<Postgres>) {
        if let Ok(mut idle) = self.idle.lock() {
            if idle.len() < KEPT {
                idle.push(conn);
            }
        }
    }

    /// Gives every kept connection back, so closing the pool does not wait for them.
    pub fn release_all(&self) {
        let kept = self.idle.lock().map(|mut idle| std::mem::take(&mut *idle));
        drop(kept);
    }
}

/// Runs `$body` (a `Result`) with `$c` bound to a lent `&mut PgConnection`. The connection
/// is kept if the body succeeded and closed if it failed.
#[macro_export]
macro_rules! with_lent {
    ($lender:expr, $c:ident => $body:expr) => {{
        let lender: &$crate::store::lender::Lender = $lender;
        match lender.lend().await {
            Ok(mut conn) => {
                let r = {
                    let $c: &mut sqlx::PgConnection = &mut conn;
                    $body
                };
                if r.is_ok() {
                    lender.give_back(conn);
                } else {
                    conn.close_on_drop();
                }
                r
            }
            Err(e) => Err(e),
        }
    }};
}
