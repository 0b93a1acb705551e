//! RTCDataChannel: a webrtc-rs channel with W3C semantics and one event stream.
//!
//! `send` is synchronous, as in the browser and aiortc: it checks the state and size, then
//! queues the message for the channel's sender task, which hands messages to SCTP in order.
//! `bufferedAmount` counts what is queued here plus what SCTP has not had acknowledged.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Instant;

use bytes::{Bytes, BytesMut};

use futures::FutureExt;
use tokio::sync::mpsc;
use webrtc::data_channel::{DataChannel as WebrtcDataChannel, DataChannelEvent as WebrtcEvent};
use webrtc::peer_connection::{RTCStatsReportEntry, StatsSelector};

use crate::error::{Error, Result};
use crate::events::EventQueue;
use crate::runtime::handle;

/// The largest message rtckit receives, and advertises in its SDP (RFC 8841).
pub const LOCAL_MAX_MESSAGE_SIZE: usize = 256 * 1024;
/// What to assume when the remote SDP states no `a=max-message-size` (RFC 8841 §6.1).
pub const DEFAULT_REMOTE_MAX_MESSAGE_SIZE: usize = 65536;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum ReadyState {
    Connecting = 0,
    Open = 1,
    Closing = 2,
    Closed = 3,
}

impl ReadyState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Open => "open",
            Self::Closing => "closing",
            Self::Closed => "closed",
        }
    }

    fn from_u8(v: u8) -> Self {
        match v {
            0 => Self::Connecting,
            1 => Self::Open,
            2 => Self::Closing,
            _ => Self::Closed,
        }
    }
}

/// RTCDataChannelInit.
#[derive(Debug, Clone, Default)]
pub struct DataChannelInit {
    pub ordered: Option<bool>,
    pub max_packet_life_time: Option<u32>,
    pub max_retransmits: Option<u32>,
    pub protocol: Option<String>,
    pub negotiated: Option<bool>,
    pub id: Option<u32>,
}

/// One received message: text arrives as UTF-8 with `is_string`, binary without.
#[derive(Debug, Clone)]
pub struct Message {
    pub data: Bytes,
    pub is_string: bool,
}

#[derive(Debug, Clone)]
pub enum DataChannelEvent {
    Open,
    Message(Message),
    BufferedAmountLow,
    Error(Error),
    Closing,
    Close,
}

impl DataChannelEvent {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Message(_) => "message",
            Self::BufferedAmountLow => "bufferedamountlow",
            Self::Error(_) => "error",
            Self::Closing => "closing",
            Self::Close => "close",
        }
    }
}

type SendFuture = std::pin::Pin<Box<dyn std::future::Future<Output = webrtc::error::Result<()>> + Send>>;

enum Outgoing {
    Message(Message),
    /// A send that started on the caller's thread and has to wait (for the connection's
    /// lock); finished in order by the sender task.
    Started(SendFuture, usize),
    Threshold(u32),
    Close,
}

/// Properties fixed at creation.
#[derive(Debug, Clone)]
struct Properties {
    label: String,
    protocol: String,
    ordered: bool,
    max_packet_life_time: Option<u16>,
    max_retransmits: Option<u16>,
    negotiated: bool,
}

pub(crate) struct Inner {
    channel: Arc<dyn WebrtcDataChannel>,
    /// The connection, to look the stream id up once SCTP assigns it.
    connection: Weak<dyn webrtc::peer_connection::PeerConnection>,
    props: Properties,
    /// The SCTP stream id, -1 while unassigned.
    stream_id: AtomicI32,
    state: AtomicU8,
    events: EventQueue<DataChannelEvent>,
    outgoing: mpsc::UnboundedSender<Outgoing>,
    /// Bytes accepted by `send` and not yet handed to SCTP.
    queued: AtomicUsize,
    /// SCTP's outstanding bytes when last read.
    outstanding: AtomicUsize,
    low_threshold: AtomicU32,
    /// The connection's negotiated maximum message size.
    max_message_size: Arc<AtomicUsize>,
    close_requested: AtomicBool,
    /// Items handed to the sender task and not finished: while there are any, sends queue
    /// behind them to keep their order.
    in_queue: AtomicUsize,
    /// Serialises the choice between sending directly and queueing.
    send_order: parking_lot::Mutex<()>,
    /// Told when the channel is closed, to end the sender task: it holds `inner`, and so
    /// the sender `outgoing`, so its queue would never close by itself (the soak run saw
    /// one task and a connection's memory kept per channel).
    finished: tokio::sync::Notify,
}

/// A cloneable handle to one data channel.
#[derive(Clone)]
pub struct DataChannel {
    pub(crate) inner: Arc<Inner>,
}

impl DataChannel {
    pub(crate) fn new_local(
        channel: Arc<dyn WebrtcDataChannel>,
        connection: Weak<dyn webrtc::peer_connection::PeerConnection>,
        label: &str,
        init: &DataChannelInit,
        max_message_size: Arc<AtomicUsize>,
    ) -> Self {
        let props = Properties {
            label: label.to_owned(),
            protocol: init.protocol.clone().unwrap_or_default(),
            ordered: init.ordered.unwrap_or(true),
            max_packet_life_time: init.max_packet_life_time.map(|v| v.min(u16::MAX as u32) as u16),
            max_retransmits: init.max_retransmits.map(|v| v.min(u16::MAX as u32) as u16),
            negotiated: init.negotiated.unwrap_or(false),
        };
        let stream_id = if props.negotiated { init.id.map(|v| v as i32).unwrap_or(-1) } else { -1 };
        let negotiated = props.negotiated;
        let dc = Self::start(channel, connection, props, stream_id, max_message_size, false);
        if negotiated {
            let inner = dc.inner.clone();
            handle().spawn(async move { inner.open_if_already_open().await });
        }
        dc
    }

    pub(crate) async fn new_remote(
        channel: Arc<dyn WebrtcDataChannel>,
        connection: Weak<dyn webrtc::peer_connection::PeerConnection>,
        max_message_size: Arc<AtomicUsize>,
    ) -> Self {
        let props = Properties {
            label: channel.label().await.unwrap_or_default(),
            protocol: channel.protocol().await.unwrap_or_default(),
            ordered: channel.ordered().await.unwrap_or(true),
            max_packet_life_time: channel.max_packet_life_time().await.unwrap_or(None),
            max_retransmits: channel.max_retransmits().await.unwrap_or(None),
            negotiated: false,
        };
        // W3C "announce the data channel as open": open before its datachannel event, and
        // its open event comes right after that one, before any message.
        let dc = Self::start(channel, connection, props, -1, max_message_size, true);
        dc.inner.resolve_stream_id().await;
        dc
    }

    fn start(
        channel: Arc<dyn WebrtcDataChannel>,
        connection: Weak<dyn webrtc::peer_connection::PeerConnection>,
        props: Properties,
        stream_id: i32,
        max_message_size: Arc<AtomicUsize>,
        announced_open: bool,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let inner = Arc::new(Inner {
            channel,
            connection,
            props,
            stream_id: AtomicI32::new(stream_id),
            state: AtomicU8::new(ReadyState::Connecting as u8),
            events: EventQueue::default(),
            outgoing: tx,
            queued: AtomicUsize::new(0),
            outstanding: AtomicUsize::new(0),
            low_threshold: AtomicU32::new(0),
            max_message_size,
            close_requested: AtomicBool::new(false),
            in_queue: AtomicUsize::new(0),
            send_order: parking_lot::Mutex::new(()),
            finished: tokio::sync::Notify::new(),
        });
        if announced_open && inner.mark_open() {
            inner.events.push(DataChannelEvent::Open);
        }
        handle().spawn(pump_events(inner.clone()));
        handle().spawn(pump_outgoing(inner.clone(), rx));
        Self { inner }
    }

    pub fn label(&self) -> &str {
        &self.inner.props.label
    }

    pub fn protocol(&self) -> &str {
        &self.inner.props.protocol
    }

    pub fn ordered(&self) -> bool {
        self.inner.props.ordered
    }

    pub fn max_packet_life_time(&self) -> Option<u16> {
        self.inner.props.max_packet_life_time
    }

    pub fn max_retransmits(&self) -> Option<u16> {
        self.inner.props.max_retransmits
    }

    pub fn negotiated(&self) -> bool {
        self.inner.props.negotiated
    }

    /// The SCTP stream id; None until SCTP has assigned one.
    pub fn id(&self) -> Option<u16> {
        let id = self.inner.stream_id.load(Ordering::Acquire);
        (id >= 0).then_some(id as u16)
    }

    pub fn ready_state(&self) -> ReadyState {
        self.inner.ready_state()
    }

    /// W3C bufferedAmount: bytes queued by `send` and not yet acknowledged.
    pub fn buffered_amount(&self) -> usize {
        let inner = &self.inner;
        if let Some(Ok(now)) = inner.channel.outstanding_bytes().now_or_never() {
            inner.outstanding.store(now, Ordering::Relaxed);
        }
        inner.queued.load(Ordering::Acquire) + inner.outstanding.load(Ordering::Relaxed)
    }

    pub fn buffered_amount_low_threshold(&self) -> u32 {
        self.inner.low_threshold.load(Ordering::Relaxed)
    }

    pub fn set_buffered_amount_low_threshold(&self, threshold: u32) {
        self.inner.low_threshold.store(threshold, Ordering::Relaxed);
        let _ = self.inner.enqueue(Outgoing::Threshold(threshold));
    }

    /// The largest message `send` accepts on this connection.
    pub fn max_message_size(&self) -> usize {
        self.inner.max_message_size.load(Ordering::Relaxed)
    }

    /// Queues a message; text must be UTF-8 (`is_string`).
    pub fn send(&self, data: Bytes, is_string: bool) -> Result<()> {
        let inner = &self.inner;
        let state = inner.ready_state();
        if state != ReadyState::Open {
            return Err(Error::invalid_state(format!(
                "cannot send on the data channel {:?}: it is {}, not open; wait for its open event",
                inner.props.label,
                state.as_str()
            )));
        }
        let max = self.max_message_size();
        if data.len() > max {
            return Err(Error::type_error(format!(
                "a {} byte message is over this connection's maximum message size of {} bytes; split it",
                data.len(),
                max
            )));
        }
        let len = data.len();
        let message = Message { data, is_string };
        let _order = inner.send_order.lock();
        inner.queued.fetch_add(len, Ordering::AcqRel);
        let item = if inner.in_queue.load(Ordering::Acquire) == 0 {
            // Nothing ahead of it: hand it to SCTP from this thread, sparing a hop to the
            // sender task (it only waits if the driver holds the connection's lock).
            let mut send = send_message(inner.channel.clone(), message);
            let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
            match send.as_mut().poll(&mut cx) {
                std::task::Poll::Ready(result) => {
                    inner.queued.fetch_sub(len, Ordering::AcqRel);
                    inner.report_send(result);
                    return Ok(());
                }
                std::task::Poll::Pending => Outgoing::Started(send, len),
            }
        } else {
            Outgoing::Message(message)
        };
        inner.enqueue(item)
    }

    /// Starts the closing procedure; queued messages are sent first. Idempotent.
    pub fn close(&self) {
        let inner = &self.inner;
        if inner.close_requested.swap(true, Ordering::AcqRel) {
            return;
        }
        let never_opened = inner
            .state
            .compare_exchange(
                ReadyState::Connecting as u8,
                ReadyState::Closing as u8,
                Ordering::AcqRel,
                Ordering::Acquire,
            )
            .is_ok();
        let _ = inner.state.compare_exchange(
            ReadyState::Open as u8,
            ReadyState::Closing as u8,
            Ordering::AcqRel,
            Ordering::Acquire,
        );
        let _ = inner.enqueue(Outgoing::Close);
        if never_opened {
            // Nothing to close on the wire yet (as aiortc, and as browsers do for a channel
            // of a connection that never connected): closed at once, firing close.
            inner.finish();
        }
    }

    /// The next batch of events; empty once the channel is closed and drained.
    pub async fn next_events(&self) -> Vec<DataChannelEvent> {
        self.inner.events.next_batch().await
    }

    /// Events without waiting, for a binding that was told by its listener; `true` once the
    /// stream has ended.
    pub fn take_events(&self) -> (Vec<DataChannelEvent>, bool) {
        self.inner.events.take_batch()
    }

    /// Calls `listener` whenever events become available (see [`crate::events::Listener`]).
    pub fn set_event_listener(&self, listener: crate::events::Listener) {
        self.inner.events.set_listener(listener)
    }

    /// The connection is closed: the channel closes without a handshake (W3C close(), step
    /// "set every channel's readyState to closed"), firing its close event.
    pub(crate) fn connection_closed(&self) {
        self.inner.finish();
    }

    /// Resets the channel's SCTP stream (the connection is closing).
    pub(crate) async fn reset_stream(&self) {
        let _ = self.inner.channel.close().await;
    }

    pub(crate) fn downgrade(&self) -> Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Self {
        Self { inner }
    }
}

impl Inner {
    fn ready_state(&self) -> ReadyState {
        ReadyState::from_u8(self.state.load(Ordering::Acquire))
    }

    fn finish(&self) {
        self.finished.notify_one();
        let previous = self.state.swap(ReadyState::Closed as u8, Ordering::AcqRel);
        if previous != ReadyState::Closed as u8 {
            self.events.push_and_close(Some(DataChannelEvent::Close));
        } else {
            self.events.close();
        }
    }

    fn enqueue(&self, item: Outgoing) -> Result<()> {
        self.in_queue.fetch_add(1, Ordering::AcqRel);
        self.outgoing.send(item).map_err(|_| {
            self.in_queue.fetch_sub(1, Ordering::AcqRel);
            Error::invalid_state("the data channel is closed")
        })
    }

    fn report_send(&self, result: webrtc::error::Result<()>) {
        if let Err(err) = result {
            if self.ready_state() == ReadyState::Open {
                self.events
                    .push(DataChannelEvent::Error(Error::from_webrtc("sending on the data channel failed", err)));
            }
        }
    }

    /// connecting -> open; false if the channel was not connecting (already open, closing).
    fn mark_open(&self) -> bool {
        self.state
            .compare_exchange(ReadyState::Connecting as u8, ReadyState::Open as u8, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// webrtc-rs opens a negotiated channel created on a live association without an
    /// OnOpen event: look at its state once it is registered.
    async fn open_if_already_open(&self) {
        if let Ok(webrtc::data_channel::RTCDataChannelState::Open) = self.channel.ready_state().await {
            if self.mark_open() {
                self.events.push(DataChannelEvent::Open);
            }
        }
    }

    async fn resolve_stream_id(&self) {
        if self.stream_id.load(Ordering::Acquire) >= 0 {
            return;
        }
        let Some(connection) = self.connection.upgrade() else { return };
        let key = format!("RTCDataChannel_{}", self.channel.id());
        let report = connection.get_stats(Instant::now(), StatsSelector::None).await;
        if let Some(RTCStatsReportEntry::DataChannel(stats)) = report.get(&key) {
            self.stream_id.store(stats.data_channel_identifier as i32, Ordering::Release);
        }
    }

    async fn refresh_outstanding(&self) {
        if let Ok(now) = self.channel.outstanding_bytes().await {
            self.outstanding.store(now, Ordering::Relaxed);
        }
    }
}

/// Turns webrtc-rs' channel events into rtckit's, updating the state first.
async fn pump_events(inner: Arc<Inner>) {
    while let Some(event) = inner.channel.poll().await {
        let event = match event {
            WebrtcEvent::OnOpen => {
                inner.resolve_stream_id().await;
                if !inner.mark_open() {
                    continue;
                }
                DataChannelEvent::Open
            }
            WebrtcEvent::OnMessage(msg) => {
                DataChannelEvent::Message(Message { data: msg.data.freeze(), is_string: msg.is_string })
            }
            WebrtcEvent::OnBufferedAmountLow => {
                inner.refresh_outstanding().await;
                DataChannelEvent::BufferedAmountLow
            }
            WebrtcEvent::OnBufferedAmountHigh => continue,
            WebrtcEvent::OnError => {
                DataChannelEvent::Error(Error::operation(format!("the data channel {:?} failed", inner.props.label)))
            }
            WebrtcEvent::OnClosing => {
                inner.state.store(ReadyState::Closing as u8, Ordering::Release);
                DataChannelEvent::Closing
            }
            WebrtcEvent::OnClose => break,
            _ => continue,
        };
        inner.events.push(event);
    }
    inner.finish();
}

fn send_message(channel: Arc<dyn WebrtcDataChannel>, msg: Message) -> SendFuture {
    Box::pin(async move {
        if msg.is_string {
            match std::str::from_utf8(&msg.data) {
                Ok(text) => channel.send_text(text).await,
                Err(_) => Ok(()), // bindings only queue valid UTF-8 as text
            }
        } else {
            let data = msg.data.try_into_mut().unwrap_or_else(|b| BytesMut::from(&b[..]));
            channel.send(data).await
        }
    })
}

/// Hands queued messages to SCTP in order.
async fn pump_outgoing(inner: Arc<Inner>, mut rx: mpsc::UnboundedReceiver<Outgoing>) {
    let mut batch = Vec::with_capacity(64);
    loop {
        let received = tokio::select! {
            biased;
            n = rx.recv_many(&mut batch, 64) => n,
            _ = inner.finished.notified() => 0,
        };
        if received == 0 {
            break; // closed: what is still queued can no longer be sent
        }
        for item in batch.drain(..) {
            match item {
                Outgoing::Message(msg) => {
                    let len = msg.data.len();
                    let result = send_message(inner.channel.clone(), msg).await;
                    inner.queued.fetch_sub(len, Ordering::AcqRel);
                    inner.report_send(result);
                }
                Outgoing::Started(send, len) => {
                    let result = send.await;
                    inner.queued.fetch_sub(len, Ordering::AcqRel);
                    inner.report_send(result);
                }
                Outgoing::Threshold(threshold) => {
                    let _ = inner.channel.set_buffered_amount_low_threshold(threshold).await;
                }
                Outgoing::Close => {
                    if inner.channel.close().await.is_err() {
                        inner.finish();
                    }
                }
            }
            inner.in_queue.fetch_sub(1, Ordering::AcqRel);
        }
        inner.refresh_outstanding().await;
    }
}
