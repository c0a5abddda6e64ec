//! The server's stop signal: one handle, cloned into whatever waits (an upload being read, a
//! scenario's delay, hang or dribble) and triggered once by the accept loop when it drains.
//!
//! Its own handle rather than a method of any one part, so that the body reader and the
//! scenario engine, which know nothing of each other, end their waits on the same event.

use std::sync::Arc;

use tokio::sync::watch;

/// A cheap-to-clone stop signal. Every clone sees the same trigger.
#[derive(Debug, Clone)]
pub(crate) struct Shutdown {
    stop: Arc<watch::Sender<bool>>,
}

impl Default for Shutdown {
    fn default() -> Self {
        Self {
            stop: Arc::new(watch::channel(false).0),
        }
    }
}

impl Shutdown {
    /// Ends every wait, now and later (a wait that starts after the trigger ends at once).
    pub(crate) fn trigger(&self) {
        self.stop.send_replace(true);
    }

    /// Completes when the server shuts down.
    pub(crate) fn stopping(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.stop.subscribe();
        async move {
            let _ = rx.wait_for(|stopped| *stopped).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Shutdown;

    #[tokio::test]
    async fn every_clone_ends_its_wait_on_one_trigger_even_a_late_one() {
        let shutdown = Shutdown::default();
        let early = tokio::spawn(shutdown.clone().stopping());
        shutdown.clone().trigger();
        early.await.expect("the early wait ends");
        // A wait that starts after the trigger does not hang.
        tokio::time::timeout(std::time::Duration::from_secs(5), shutdown.stopping())
            .await
            .expect("the late wait ends");
    }
}
