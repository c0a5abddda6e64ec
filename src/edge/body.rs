//! Reading a request body within its bounds: size, pause, total time, and shutdown.
//!
//! - **Size** (`--max-body-bytes`): a declared `Content-Length` over the limit is refused
//!   before the body is touched. hyper sends `100 Continue` only when a body is first read,
//!   so a client that sent `Expect: 100-continue` hears 413 instead and never uploads. A body
//!   without a declared length is counted as it arrives and refused at the limit.
//! - **Pause** (`--body-timeout`): the longest wait for the next piece of the body.
//! - **Total** (`--request-timeout`): the whole body must arrive within this, so a client
//!   trickling a byte a second cannot hold a connection and its buffer forever.
//! - **Shutdown**: an upload still arriving when the server stops is abandoned at once, so a
//!   slow client cannot hold up the drain.
//!
//! The timers are tokio's, not [`crate::base::clock::Clock`]: they bound real network time, which
//! a test that freezes or advances the emulated clock must not stretch or cut short.

use std::future::Future;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::body::Body;

use crate::error::ApiError;

/// The bounds one body is read within.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UploadLimits {
    pub max_bytes: usize,
    pub pause: Duration,
    pub total: Duration,
}

/// Why a body was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UploadError {
    /// Declared or counted over `max_bytes`.
    TooLarge,
    /// A pause longer than `pause`, or the whole body slower than `total`.
    TimedOut,
    /// The server began shutting down.
    Stopped,
    /// The connection failed or sent a malformed body.
    Broken,
}

impl UploadError {
    /// The answer the client gets.
    pub(crate) fn to_api_error(&self, limits: &UploadLimits) -> ApiError {
        match self {
            Self::TooLarge => ApiError::payload_too_large(limits.max_bytes),
            Self::TimedOut => ApiError::for_status(http::StatusCode::REQUEST_TIMEOUT).with(
                format!(
                    "The request body did not arrive in time (no pause over {} s, all of it within {} s).",
                    limits.pause.as_secs(),
                    limits.total.as_secs()
                ),
            ),
            Self::Stopped => ApiError::for_status(http::StatusCode::SERVICE_UNAVAILABLE)
                .with("The server is shutting down."),
            Self::Broken => ApiError::bad_request("The request body could not be read."),
        }
    }
}

/// Reads `body` whole within `limits`, or says why not. `stop` completes when the server
/// begins shutting down.
pub(crate) async fn read<B>(
    body: B,
    limits: &UploadLimits,
    stop: impl Future<Output = ()>,
) -> Result<Bytes, UploadError>
where
    B: Body<Data = Bytes> + Unpin,
{
    if body.size_hint().lower() > limits.max_bytes as u64 {
        return Err(UploadError::TooLarge);
    }
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    tokio::select! {
        read = tokio::time::timeout(limits.total, collect(body, limits)) => {
            read.unwrap_or(Err(UploadError::TimedOut))
        }
        () = stop => Err(UploadError::Stopped),
    }
}

async fn collect<B>(mut body: B, limits: &UploadLimits) -> Result<Bytes, UploadError>
where
    B: Body<Data = Bytes> + Unpin,
{
    let mut buf = BytesMut::new();
    loop {
        let frame = match tokio::time::timeout(limits.pause, body.frame()).await {
            Err(_) => return Err(UploadError::TimedOut),
            Ok(None) => return Ok(buf.freeze()),
            Ok(Some(Err(_))) => return Err(UploadError::Broken),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limits.max_bytes {
                return Err(UploadError::TooLarge);
            }
            buf.extend_from_slice(&data);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use http_body_util::{Full, StreamBody};
    use hyper::body::Frame;

    use super::*;

    fn limits() -> UploadLimits {
        UploadLimits {
            max_bytes: 10,
            pause: Duration::from_secs(1),
            total: Duration::from_secs(3),
        }
    }

    /// A body that sends one byte every `every`, `n` times, declaring no length.
    fn trickle(
        n: usize,
        every: Duration,
    ) -> StreamBody<impl futures_util::Stream<Item = Result<Frame<Bytes>, Infallible>> + Unpin>
    {
        let s = futures_util::stream::unfold(0, move |i| async move {
            if i == n {
                return None;
            }
            tokio::time::sleep(every).await;
            Some((Ok(Frame::data(Bytes::from_static(b"x"))), i + 1))
        });
        StreamBody::new(Box::pin(s))
    }

    #[tokio::test]
    async fn small_bodies_are_read_and_large_ones_refused() {
        let never = std::future::pending();
        assert_eq!(
            read(Full::new(Bytes::from_static(b"hello")), &limits(), never).await,
            Ok(Bytes::from_static(b"hello"))
        );
        let big = Full::new(Bytes::from(vec![b'x'; 11]));
        assert_eq!(
            read(big, &limits(), std::future::pending()).await,
            Err(UploadError::TooLarge)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_or_a_trickle_times_out() {
        let stalled = trickle(1, Duration::from_secs(2));
        assert_eq!(
            read(stalled, &limits(), std::future::pending()).await,
            Err(UploadError::TimedOut)
        );
        // Never pausing a whole second, but slower than three seconds in all.
        let mut slow = limits();
        slow.max_bytes = 100;
        let trickling = trickle(20, Duration::from_millis(500));
        assert_eq!(
            read(trickling, &slow, std::future::pending()).await,
            Err(UploadError::TimedOut)
        );
        let counted = trickle(11, Duration::from_millis(10));
        assert_eq!(
            read(counted, &limits(), std::future::pending()).await,
            Err(UploadError::TooLarge)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_abandons_an_upload() {
        let slow = trickle(5, Duration::from_millis(500));
        let stop = tokio::time::sleep(Duration::from_millis(100));
        assert_eq!(read(slow, &limits(), stop).await, Err(UploadError::Stopped));
    }
}
