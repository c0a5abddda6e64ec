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
use std::sync::{Arc, Weak};
use std::task::{Context, Poll, ready};

use parking_lot::Mutex;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// What the next write on the connection does instead of sending the response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Armed {
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
pub(crate) struct ConnFault {
    inner: Arc<Mutex<Control>>,
    /// The socket, for [`ConnFault::peer_closed`]; not kept alive by the control.
    stream: Option<Weak<TcpStream>>,
}

impl ConnFault {
    /// Arms a fault for the next response written on this connection.
    pub(crate) fn arm(&self, armed: Armed) {
        let mut c = self.inner.lock();
        c.armed = Some(armed);
        c.written = 0;
    }

    /// Completes once the client has closed its sending side, or the connection failed.
    ///
    /// With half-close support on, hyper stops reading once a request is complete (a client
    /// that sent FIN may still be waiting for the answer), so only a look at the socket tells
    /// a scripted hang that its client is gone. Pipelined bytes waiting to be read are not an
    /// end: they are looked past every 100 ms until the end shows or the hang finishes.
    pub(crate) async fn peer_closed(&self) {
        let Some(stream) = self.stream.as_ref().and_then(Weak::upgrade) else {
            return std::future::pending().await;
        };
        let mut byte = [0u8; 1];
        loop {
            match stream.peek(&mut byte).await {
                Ok(0) | Err(_) => return,
                Ok(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
    }
}

/// A `TcpStream` that can be told to misbehave. The stream is shared (its reads and writes
/// go through `&TcpStream`) so that [`ConnFault::peer_closed`] can look at it.
#[derive(Debug)]
pub(crate) struct FaultIo {
    stream: Arc<TcpStream>,
    control: ConnFault,
}

impl FaultIo {
    /// Wraps a stream; the returned control goes into each request's extensions.
    pub(crate) fn new(stream: TcpStream) -> (Self, ConnFault) {
        let stream = Arc::new(stream);
        let control = ConnFault {
            inner: Arc::default(),
            stream: Some(Arc::downgrade(&stream)),
        };
        (
            Self {
                stream,
                control: control.clone(),
            },
            control,
        )
    }
}

/// One write through `&TcpStream`, waiting for the socket to be writable.
fn write(stream: &TcpStream, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
    loop {
        ready!(stream.poll_write_ready(cx))?;
        match stream.try_write(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            other => return Poll::Ready(other),
        }
    }
}

fn aborted() -> io::Error {
    io::Error::new(io::ErrorKind::ConnectionAborted, "scenario fault")
}

impl AsyncRead for FaultIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.stream.poll_read_ready(cx))?;
            // Into the unfilled part as it is: `initialize_unfilled` zeroed hyper's whole read
            // buffer on every read (about 10,000 instructions a request, a sixth of a GET).
            match self.stream.try_read_buf(buf) {
                Ok(_) => return Poll::Ready(Ok(())),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
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
            return write(&this.stream, cx, buf);
        };
        let (bytes, reset) = (armed.bytes.clone(), armed.reset);
        while c.written < bytes.len() {
            match write(&this.stream, cx, &bytes[c.written..]) {
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

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A TCP socket has no buffer of its own to flush.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let shut = socket2::SockRef::from(&*self.stream).shutdown(std::net::Shutdown::Write);
        Poll::Ready(match shut {
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Ok(()),
            other => other,
        })
    }
}
