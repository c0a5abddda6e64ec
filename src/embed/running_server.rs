//! A started server: state built, listener bound, accept loop running on the current runtime.
//!
//! `serve`, `exec` and [`crate::MockServer`] all start the server through [`RunningServer::start`],
//! so the three agree on what "started" means: the port file is written only after the
//! listener is bound, and the first request after `start` returns is served.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::state::{AppState, SetupError};

/// Why a server did not start. The message names the flag at fault, as start-up errors do;
/// the variant says whose fault it is.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration was refused: clock, fixtures or scenarios ([`SetupError`]).
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The machine refused the listener or the port file.
    #[error("{0}")]
    Listen(String),
    /// No thread or runtime for the server (the test handle's own).
    #[error("{0}")]
    Runtime(String),
}

/// A running server. Dropping it asks the accept loop to stop (without waiting for the drain);
/// [`RunningServer::stop`] stops and waits.
#[derive(Debug)]
pub(crate) struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// Builds the state from `config`, binds `config.bind`, writes `config.port_file`, and
    /// spawns the accept loop. Errors name the flag at fault.
    pub(crate) async fn start(config: Config) -> Result<Self, StartError> {
        let state = AppState::new(config)?;
        let config = &state.config;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|e| StartError::Listen(format!("--bind {}: {e}", config.bind)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| StartError::Listen(format!("cannot read the bound address: {e}")))?;
        if let Some(path) = &config.port_file {
            std::fs::write(path, addr.to_string())
                .map_err(|e| StartError::Listen(format!("--port-file {}: {e}", path.display())))?;
        }
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(crate::edge::listener::run(
            listener,
            state.clone(),
            async move {
                let _ = stopped.await;
            },
        ));
        Ok(Self {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address actually bound (port 0 resolved).
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's state.
    pub(crate) fn state(&self) -> &AppState {
        &self.state
    }

    /// A client for this server, carrying the admin token if one is configured.
    pub(crate) fn client(&self) -> crate::base::http_client::Client {
        crate::base::http_client::Client::new(
            crate::base::http_client::BaseUrl::from_addr(self.addr),
            self.state.config.admin_token.clone(),
        )
    }

    /// Stops accepting, drains in-flight requests (bounded by the server's drain timeout) and
    /// waits for the accept loop to end.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
