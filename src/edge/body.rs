//! Reading a request body within its bounds: size, pause, total time, and shutdown.
//!
//! - **Size** (`--max-body-bytes`): a declared `Content-Length` over the limit is refused
//!   before the body is touched. hyper sends `100 Continue` only when a body is first read,
//!   so a client that sent `Expect: 100-continue` hears 413 instead and never uploads. A body
//!   without a declared length is counted as it arrives and refused at the limit.
//! - **What was refused** is read and thrown away (up to [`MAX_DISCARD`] bytes, within the
//!   same pause and total bounds) while the 413 goes out, unless the client asked for
//!   `100 Continue`: a client that writes its whole body before reading (most do) would
//!   otherwise write into a closed connection, and the reset that follows loses the 413.
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

/// The most bytes of a refused body read and thrown away, so the client still sending it
/// reads the 413 (a body longer than this gets the 413 and a closed connection). Nothing is
/// kept: the bound is on the time and bandwidth a refused upload may use. Chosen.
pub(crate) const MAX_DISCARD: u64 = 16 * 1024 * 1024;

/// What happens to the rest of a body refused as too large.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Read and thrown away while the 413 goes out (see [`MAX_DISCARD`]).
    Discard,
    /// Left unread: the client asked for `100 Continue` and, refused, sends no body.
    Leave,
}

/// Reads `body` whole within `limits`, or says why not. `stop` completes when the server
/// begins shutting down. A body refused as too large is handled as `refused` says.
pub(crate) async fn read<B>(
    body: B,
    limits: &UploadLimits,
    stop: impl Future<Output = ()>,
    refused: Refused,
) -> Result<Bytes, UploadError>
where
    B: Body<Data = Bytes> + Unpin + Send + 'static,
{
    if body.size_hint().lower() > limits.max_bytes as u64 {
        return Err(too_large(body, 0, limits, refused));
    }
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let mut body = body;
    tokio::select! {
        read = tokio::time::timeout(limits.total, collect(&mut body, limits)) => {
            match read {
                Ok(Err(Past(read))) => Err(too_large(body, read, limits, refused)),
                Ok(Ok(bytes)) => Ok(bytes),
                Ok(Err(Failed(e))) => Err(e),
                Err(_) => Err(UploadError::TimedOut),
            }
        }
        () = stop => Err(UploadError::Stopped),
    }
}

/// Why [`collect`] stopped short.
enum Short {
    /// Past the limit, after this many bytes.
    Past(u64),
    Failed(UploadError),
}
use Short::{Failed, Past};

/// [`UploadError::TooLarge`], after starting to throw away the rest of `body` (of which
/// `read` bytes are gone already) when `refused` says so.
fn too_large<B>(body: B, read: u64, limits: &UploadLimits, refused: Refused) -> UploadError
where
    B: Body<Data = Bytes> + Unpin + Send + 'static,
{
    if refused == Refused::Discard {
        tokio::spawn(discard(body, read, *limits));
    }
    UploadError::TooLarge
}

/// Reads and drops what is left of a refused body, up to [`MAX_DISCARD`] bytes in all, with
/// the same pause and total bounds as a body read for use. Ends (and drops the body, so
/// hyper closes the connection if it is unfinished) at the first bound reached.
async fn discard<B>(mut body: B, mut read: u64, limits: UploadLimits)
where
    B: Body<Data = Bytes> + Unpin,
{
    let _ = tokio::time::timeout(limits.total, async {
        while read <= MAX_DISCARD {
            match tokio::time::timeout(limits.pause, body.frame()).await {
                Ok(Some(Ok(frame))) => {
                    read += frame.data_ref().map_or(0, |d| d.len() as u64);
                }
                _ => return,
            }
        }
    })
    .await;
}

async fn collect<B>(body: &mut B, limits: &UploadLimits) -> Result<Bytes, Short>
where
    B: Body<Data = Bytes> + Unpin,
{
    let mut buf = BytesMut::new();
    loop {
        let frame = match tokio::time::timeout(limits.pause, body.frame()).await {
            Err(_) => return Err(Failed(UploadError::TimedOut)),
            Ok(None) => return Ok(buf.freeze()),
            Ok(Some(Err(_))) => return Err(Failed(UploadError::Broken)),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            if buf.len() + data.len() > limits.max_bytes {
                return Err(Past((buf.len() + data.len()) as u64));
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
            read(
                Full::new(Bytes::from_static(b"hello")),
                &limits(),
                never,
                Refused::Leave
            )
            .await,
            Ok(Bytes::from_static(b"hello"))
        );
        let big = Full::new(Bytes::from(vec![b'x'; 11]));
        assert_eq!(
            read(big, &limits(), std::future::pending(), Refused::Leave).await,
            Err(UploadError::TooLarge)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_or_a_trickle_times_out() {
        let stalled = trickle(1, Duration::from_secs(2));
        assert_eq!(
            read(stalled, &limits(), std::future::pending(), Refused::Leave).await,
            Err(UploadError::TimedOut)
        );
        // Never pausing a whole second, but slower than three seconds in all.
        let mut slow = limits();
        slow.max_bytes = 100;
        let trickling = trickle(20, Duration::from_millis(500));
        assert_eq!(
            read(trickling, &slow, std::future::pending(), Refused::Leave).await,
            Err(UploadError::TimedOut)
        );
        let counted = trickle(11, Duration::from_millis(10));
        assert_eq!(
            read(counted, &limits(), std::future::pending(), Refused::Discard).await,
            Err(UploadError::TooLarge)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_refused_body_is_thrown_away_up_to_its_bound() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicU64, Ordering};
        // An endless body of 1 MiB frames, counting what is pulled from it.
        let pulled = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&pulled);
        let endless = futures_util::stream::repeat_with(move || {
            counter.fetch_add(1 << 20, Ordering::Relaxed);
            Ok::<_, Infallible>(Frame::data(Bytes::from(vec![0u8; 1 << 20])))
        });
        discard(StreamBody::new(endless), 0, limits()).await;
        let pulled = pulled.load(Ordering::Relaxed);
        assert!(
            (MAX_DISCARD..=MAX_DISCARD + (1 << 20)).contains(&pulled),
            "{pulled} bytes pulled"
        );
        // A stalled one ends at the pause bound.
        discard(trickle(5, Duration::from_secs(5)), 0, limits()).await;
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_abandons_an_upload() {
        let slow = trickle(5, Duration::from_millis(500));
        let stop = tokio::time::sleep(Duration::from_millis(100));
        assert_eq!(
            read(slow, &limits(), stop, Refused::Leave).await,
            Err(UploadError::Stopped)
        );
    }
}
