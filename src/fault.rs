//! Faults below the HTTP status line, performed on the socket itself.
//!
//! Every connection's `TcpStream` is wrapped in a [`FaultIo`] sharing a [`ConnFault`] control
//! with the requests it carries (as a request extension). A scenario arms the control while
//! handling a request; on the next write (the response hyper is about to send) the wrapper
//! writes the armed raw bytes instead (nothing, some random bytes, a head without its body, a
//! body cut short), optionally sets `SO_LINGER` to zero so the close becomes a TCP reset, and
//! fails the write so hyper drops the connection. No real response ever follows.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// What the next write on the connection does instead of sending the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Armed {
    /// Bytes to write before closing (possibly none).
    pub bytes: Vec<u8>,
    /// Close with a reset (`SO_LINGER` 0) instead of a normal FIN.
    pub reset: bool,
}

#[derive(Debug, Default)]
struct Control {
    armed: Option<Armed>,
    written: usize,
}

/// The per-connection fault control, shared between the socket wrapper and the requests.
#[derive(Debug, Clone, Default)]
pub struct ConnFault {
    inner: Arc<Mutex<Control>>,
}

impl ConnFault {
    /// Arms a fault for the next response written on this connection.
    pub fn arm(&self, armed: Armed) {
        let mut c = self.inner.lock();
        c.armed = Some(armed);
        c.written = 0;
    }
}

/// A `TcpStream` that can be told to misbehave.
#[derive(Debug)]
pub struct FaultIo {
    stream: TcpStream,
    control: ConnFault,
}

impl FaultIo {
    /// Wraps a stream; the returned control goes into each request's extensions.
    pub fn new(stream: TcpStream) -> (Self, ConnFault) {
        let control = ConnFault::default();
        (
            Self {
                stream,
                control: control.clone(),
            },
            control,
        )
    }
}

fn aborted() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "scenario fault")
}

impl AsyncRead for FaultIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let control = this.control.inner.clone();
        let mut c = control.lock();
        let Some(armed) = c.armed.as_ref() else {
            drop(c);
            return Pin::new(&mut this.stream).poll_write(cx, buf);
        };
        let (bytes, reset) = (armed.bytes.clone(), armed.reset);
        while c.written < bytes.len() {
            match Pin::new(&mut this.stream).poll_write(cx, &bytes[c.written..]) {
                Poll::Ready(Ok(0)) => return Poll::Ready(Err(aborted())),
                Poll::Ready(Ok(n)) => c.written += n,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => return Poll::Pending,
            }
        }
        if reset {
            // Dropping the socket with a zero linger sends RST instead of FIN.
            let _ = this.stream.set_zero_linger();
        }
        Poll::Ready(Err(aborted()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
