//! Delivers the e-mail outbox over SMTP. A minimal client (EHLO/HELO, STARTTLS, optional
//! AUTH PLAIN, MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT); the message, its addresses
//! and headers are built by lettre, never by formatting stored text into lines. `smtp://`
//! upgrades to TLS when the server offers STARTTLS (opportunistic: a server without it gets
//! plain TCP); `smtp+starttls://` requires it and fails the delivery, before any credentials
//! or mail are sent, when the server does not offer it.
//!
//! Messages are queued by the e-mail tasks in the same transaction as the task result, so
//! a message exists exactly when its task completed. The mailer sends pending messages and
//! marks them sent. A failure that may pass (no connection, a timeout, a 4xx reply, a TLS or
//! login problem an operator can fix) is recorded (`attempts`, `last_error`) and retried with
//! exponential backoff ([`retry_delay`]), for as long as it takes: an outage never drops a
//! message. A message the server refuses for good (a 5xx reply to its sender, a recipient
//! or its content) or that cannot be built is marked failed with the reason, until an
//! operator requeues it.
//!
//! Each node's mailer leases the messages it sends ([`LEASE_SECS`], renewed while a message
//! is being sent), so several nodes on one database do not send the same message, and a dead
//! node's messages go to another node within seconds. Every attempt carries the same
//! `Message-ID`. Delivery stays at-least-once in two windows SMTP cannot close: the server
//! accepted the message but its reply was lost, and a node died between the server's
//! acceptance and marking the message sent. SMTP has no way to ask a server whether it took a
//! message, and giving up instead would lose mail; the retry is recorded (`last_error` says
//! the server may have the message) and keeps the `Message-ID`, by which receiving systems
//! recognise and drop the copy.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use store::{OutboxRow, Store};

use crate::runner::fixed;
use lettre::message::header::ContentTransferEncoding;
use lettre::message::{Body, Mailbox, SinglePart};
use lettre::{Address, Message};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a node holds the messages it leased without renewing: a dead node's mail waits
/// this long for another node.
pub const LEASE_SECS: i64 = 30;
/// How often the lease of the message being sent is renewed (a send can take several
/// [`IO_TIMEOUT`]s).
const LEASE_RENEWAL: Duration = Duration::from_secs(10);
/// Messages leased per pass.
const BATCH: i64 = 20;
/// The first retry waits about this long; each further one twice as long...
const FIRST_RETRY: Duration = Duration::from_secs(1);
/// ...up to this.
const LONGEST_RETRY: Duration = Duration::from_secs(600);

/// Why a delivery attempt failed, and so whether to try again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// May pass: the server or network is down or busy (4xx), or the setup is wrong
    /// (TLS, login) in a way an operator fixes without touching the message.
    #[error("{0}")]
    Temporary(String),
    /// The server refused this message for good (5xx), or it cannot be built as stored.
    #[error("{0}")]
    Refused(String),
}

impl From<String> for DeliveryError {
    fn from(reason: String) -> Self {
        DeliveryError::Temporary(reason)
    }
}

/// How long to wait before the next try of a message that has had `attempts` tries: 1 s
/// doubling to 10 min, of which a random part (up to half) is dropped so the messages of
/// one outage do not all come back at the same instant.
pub fn retry_delay(attempts: i64) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let full = FIRST_RETRY
        .saturating_mul(1u32 << doublings)
        .min(LONGEST_RETRY);
    let jitter = random_fraction();
    full.mul_f64(1.0 - jitter / 2.0)
}

/// A number in [0, 1) from the process's random hashing keys (fresh per call), which is
/// all the randomness backoff jitter needs.
fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let bits = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    (bits >> 11) as f64 / (1u64 << 53) as f64
}

/// When to upgrade the connection with STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartTls {
    /// `smtp://`: when the server offers it.
    Opportunistic,
    /// `smtp+starttls://`: always; a server without STARTTLS fails the delivery.
    Required,
}

/// Where and how to send: `smtp[+starttls]://[user[:password]@]host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub credentials: Option<(String, String)>,
    pub starttls: StartTls,
    /// Trusted in addition to the webpki roots (private relays).
    pub extra_roots: Vec<CertificateDer<'static>>,
}

/// An SMTP URL with its password (if any) replaced by `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, hostport)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:***@{hostport}")
        }
        None => url.to_string(),
    }
}

impl SmtpConfig {
    pub fn parse(url: &str) -> Result<SmtpConfig, String> {
        // Errors echo the URL without its password: they end up on the console.
        let shown = without_password(url);
        let (starttls, rest) = if let Some(r) = url.strip_prefix("smtp://") {
            (StartTls::Opportunistic, r)
        } else if let Some(r) = url.strip_prefix("smtp+starttls://") {
            (StartTls::Required, r)
        } else {
            return Err(format!(
                "'{shown}' is not an smtp:// or smtp+starttls:// URL"
            ));
        };
        let rest = rest.trim_end_matches('/');
        let (userinfo, hostport) = match rest.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let credentials = userinfo.map(|u| {
            let (user, pass) = u.split_once(':').unwrap_or((u, ""));
            (percent_decode(user), percent_decode(pass))
        });
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h.to_string(),
                p.parse::<u16>()
                    .map_err(|_| format!("'{p}' is not a port in '{shown}'"))?,
            ),
            None => (hostport.to_string(), 25),
        };
        if host.is_empty() {
            return Err(format!("'{shown}' names no host"));
        }
        Ok(SmtpConfig {
            host,
            port,
            credentials,
            starttls,
            extra_roots: Vec::new(),
        })
    }

    /// Trust the certificates of a PEM file as roots, too.
    pub fn add_ca_file(&mut self, path: &Path) -> Result<(), String> {
        let shown = path.display();
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| format!("cannot read {shown}: {e}"))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("{shown} is not a PEM certificate file: {e}"))?;
        if certs.is_empty() {
            return Err(format!("{shown} holds no PEM certificate"));
        }
        // Reject unusable certificates now rather than on every delivery.
        let mut check = RootCertStore::empty();
        for cert in &certs {
            check
                .add(cert.clone())
                .map_err(|e| format!("{shown}: {e}"))?;
        }
        self.extra_roots.extend(certs);
        Ok(())
    }

    fn tls_connector(&self) -> Result<TlsConnector, String> {
        let mut roots = RootCertStore::from_iter(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        for cert in &self.extra_roots {
            roots
                .add(cert.clone())
                .map_err(|e| format!("a --smtp-ca-file certificate: {e}"))?;
        }
        // The ring provider explicitly: it is the one reqwest already builds.
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(TlsConnector::from(Arc::new(config)))
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(b) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18u32, 12, 6, 0].iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(A[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Why a stored message cannot go out as it is. Rows can predate the API's checks (or be
/// written past them), so the mailer checks again; the reason lands in the outbox's
/// `lastError`. Stored text is shown escaped (`{:?}`) so a CR or LF in it never reaches a log
/// line or an error message raw.
#[derive(Debug, thiserror::Error)]
enum MessageError {
    #[error("the sender {address:?} is not a valid mail address ({reason})")]
    Sender { address: String, reason: String },
    #[error("the recipient {address:?} is not a valid mail address ({reason})")]
    Recipient { address: String, reason: String },
    #[error("the message cannot be built: {0}")]
    Build(#[from] lettre::error::Error),
}

/// A stored address as a typed one. Control characters are refused before parsing: an
/// address goes into `MAIL FROM`/`RCPT TO` and headers, where a CR or LF would end the line.
fn mail_address(text: &str) -> Result<Address, String> {
    if text.chars().any(char::is_control) {
        return Err("it contains a control character".into());
    }
    text.parse::<Address>().map_err(|e| e.to_string())
}

/// A message ready for the SMTP transaction: the envelope and the DATA payload.
struct Outgoing {
    sender: Address,
    recipients: Vec<Address>,
    data: Vec<u8>,
}

/// Build the message with typed addresses and headers: lettre encodes a subject holding
/// CR/LF or non-ASCII text (RFC 2047) instead of letting it start a new header line.
fn compose(row: &OutboxRow) -> Result<Outgoing, MessageError> {
    let m = &row.mail;
    let sender = mail_address(&m.from).map_err(|reason| MessageError::Sender {
        address: m.from.clone(),
        reason,
    })?;
    let recipient = |text: &String| {
        mail_address(text).map_err(|reason| MessageError::Recipient {
            address: text.clone(),
            reason,
        })
    };
    let mut builder = Message::builder()
        .from(Mailbox::new(None, sender.clone()))
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@{}>", row.id, sender.domain())));
    let mut recipients = Vec::with_capacity(m.to.len() + m.cc.len());
    for text in &m.to {
        let address = recipient(text)?;
        builder = builder.to(Mailbox::new(None, address.clone()));
        recipients.push(address);
    }
    for text in &m.cc {
        let address = recipient(text)?;
        builder = builder.cc(Mailbox::new(None, address.clone()));
        recipients.push(address);
    }
    let message = builder.singlepart(SinglePart::plain(plain_body(&m.body)))?;
    Ok(Outgoing {
        sender,
        recipients,
        data: smtp_data(&message.formatted()),
    })
}

/// Longest line SMTP carries (RFC 5321 4.5.3.1.6: 1000 octets with the CRLF).
const MAX_LINE_OCTETS: usize = 998;

/// The body, 8bit as lcw always sent it (readers see the text as written), with every line
/// ended by CRLF, a lone CR or LF included. Text 8bit cannot carry (a NUL, an overlong line)
/// gets the encoding lettre picks instead (quoted-printable or base64).
fn plain_body(text: &str) -> Body {
    let lines = text.replace("\r\n", "\n").replace('\r', "\n");
    let fits_8bit = !lines.contains('\0') && lines.split('\n').all(|l| l.len() <= MAX_LINE_OCTETS);
    if fits_8bit {
        let crlf = lines.replace('\n', "\r\n");
        Body::dangerous_pre_encoded(crlf.into_bytes(), ContentTransferEncoding::EightBit)
    } else {
        Body::new(lines)
    }
}

/// The DATA payload of a formatted message: every line ended by CRLF (a lone CR or LF too, so
/// nothing can start an unexpected line), a line starting with "." dot-stuffed (RFC 5321
/// 4.5.2) so it cannot end the message early, and the terminating ".".
fn smtp_data(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 64);
    let mut at_line_start = true;
    let mut bytes = message.iter().copied().peekable();
    while let Some(b) = bytes.next() {
        match b {
            b'\r' | b'\n' => {
                if b == b'\r' {
                    bytes.next_if_eq(&b'\n');
                }
                out.extend_from_slice(b"\r\n");
                at_line_start = true;
            }
            _ => {
                if at_line_start && b == b'.' {
                    out.push(b'.');
                }
                out.push(b);
                at_line_start = false;
            }
        }
    }
    if !at_line_start {
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b".\r\n");
    out
}

/// One SMTP dialogue over plain TCP or TLS alike.
struct Conn<S> {
    stream: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Conn<S> {
    fn new(stream: S) -> Conn<S> {
        Conn {
            stream: BufReader::new(stream),
        }
    }

    /// The bare stream, for the TLS handshake after STARTTLS.
    fn into_inner(self) -> Result<S, String> {
        // Bytes read ahead of the handshake would be plaintext injected into the TLS
        // session (CVE-2011-0411 style); refuse them.
        if !self.stream.buffer().is_empty() {
            return Err("the SMTP server sent data after its STARTTLS reply".into());
        }
        Ok(self.stream.into_inner())
    }

    /// Read one (possibly multi-line) reply; returns its code and text.
    async fn reply(&mut self) -> Result<(u16, String), String> {
        let mut text = String::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(IO_TIMEOUT, self.stream.read_line(&mut line))
                .await
                .map_err(|_| "timed out waiting for the SMTP server".to_string())?
                .map_err(|e| format!("reading from the SMTP server: {e}"))?;
            if n == 0 {
                return Err("the SMTP server closed the connection".into());
            }
            let line = line.trim_end();
            let code: u16 = line
                .get(..3)
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| format!("unexpected SMTP reply '{line}'"))?;
            text.push_str(line);
            text.push('\n');
            if line.as_bytes().get(3) != Some(&b'-') {
                return Ok((code, text.trim_end().to_string()));
            }
        }
    }

    async fn send(&mut self, data: &[u8]) -> Result<(), String> {
        // TLS buffers records: flush so the command actually leaves.
        let write = async {
            self.stream.write_all(data).await?;
            self.stream.flush().await
        };
        tokio::time::timeout(IO_TIMEOUT, write)
            .await
            .map_err(|_| "timed out writing to the SMTP server".to_string())?
            .map_err(|e| format!("writing to the SMTP server: {e}"))
    }

    /// Send a command and read its reply, whatever it is.
    async fn exchange(&mut self, cmd: &str) -> Result<(u16, String), String> {
        self.send(format!("{cmd}\r\n").as_bytes()).await?;
        self.reply().await
    }

    /// Send a command and expect a reply in `ok` (e.g. 2 for 2xx).
    async fn command(&mut self, cmd: &str, ok: u16) -> Result<(u16, String), String> {
        let (code, text) = self.exchange(cmd).await?;
        if code / 100 != ok {
            let shown = if cmd.starts_with("AUTH") {
                "AUTH PLAIN"
            } else {
                cmd
            };
            return Err(format!("SMTP server answered '{text}' to {shown}"));
        }
        Ok((code, text))
    }
}

const HELO_NAME: &str = "lcw";

/// Whether an EHLO reply lists the STARTTLS extension.
fn offers_starttls(ehlo: &str) -> bool {
    ehlo.lines().skip(1).any(|line| {
        line.get(4..)
            .and_then(|ext| ext.split_whitespace().next())
            .is_some_and(|ext| ext.eq_ignore_ascii_case("STARTTLS"))
    })
}

/// Deliver one message. A message that cannot be built as stored fails before any
/// connection is made.
pub async fn send_message(cfg: &SmtpConfig, row: &OutboxRow) -> Result<(), DeliveryError> {
    let outgoing = compose(row).map_err(|e| DeliveryError::Refused(e.to_string()))?;
    let stream = tokio::time::timeout(
        IO_TIMEOUT,
        TcpStream::connect((cfg.host.as_str(), cfg.port)),
    )
    .await
    .map_err(|_| format!("timed out connecting to {}:{}", cfg.host, cfg.port))?
    .map_err(|e| format!("cannot connect to {}:{}: {e}", cfg.host, cfg.port))?;
    let mut c = Conn::new(stream);
    let (code, text) = c.reply().await?;
    if code != 220 {
        return Err(format!("SMTP server greeted with '{text}'").into());
    }
    let tls = match c.command(&format!("EHLO {HELO_NAME}"), 2).await {
        Ok((_, ehlo)) => offers_starttls(&ehlo),
        Err(_) => {
            c.command(&format!("HELO {HELO_NAME}"), 2).await?;
            false
        }
    };
    if !tls {
        if cfg.starttls == StartTls::Required {
            let _ = c.command("QUIT", 2).await;
            return Err(DeliveryError::Temporary(format!(
                "{}:{} does not offer STARTTLS, which smtp+starttls:// requires",
                cfg.host, cfg.port
            )));
        }
        return transaction(&mut c, cfg, &outgoing).await;
    }
    let connector = cfg.tls_connector()?;
    let name = ServerName::try_from(cfg.host.clone())
        .map_err(|e| format!("'{}' is no TLS server name: {e}", cfg.host))?;
    let (code, text) = c.command("STARTTLS", 2).await?;
    if code != 220 {
        return Err(format!("SMTP server answered '{text}' to STARTTLS").into());
    }
    let tcp = c.into_inner()?;
    let stream = tokio::time::timeout(IO_TIMEOUT, connector.connect(name, tcp))
        .await
        .map_err(|_| "timed out in the TLS handshake with the SMTP server".to_string())?
        .map_err(|e| format!("TLS handshake with the SMTP server failed: {e}"))?;
    let mut c = Conn::new(stream);
    // The pre-TLS capabilities are void (RFC 3207): greet again.
    c.command(&format!("EHLO {HELO_NAME}"), 2).await?;
    transaction(&mut c, cfg, &outgoing).await
}

/// AUTH (when configured), the mail transaction and QUIT, on an established session.
async fn transaction<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conn<S>,
    cfg: &SmtpConfig,
    outgoing: &Outgoing,
) -> Result<(), DeliveryError> {
    if let Some((user, pass)) = &cfg.credentials {
        let token = base64(format!("\0{user}\0{pass}").as_bytes());
        c.command(&format!("AUTH PLAIN {token}"), 2).await?;
    }
    // Typed addresses only: checked when composed, free of CR/LF.
    message_step(c, &format!("MAIL FROM:<{}>", outgoing.sender), 2).await?;
    for rcpt in &outgoing.recipients {
        message_step(c, &format!("RCPT TO:<{rcpt}>"), 2).await?;
    }
    message_step(c, "DATA", 3).await?;
    c.send(&outgoing.data).await?;
    let (code, text) = c.reply().await.map_err(|e| {
        // The server may have taken the message before the reply was lost: say so, since
        // the retry can arrive as a second copy (with the same Message-ID).
        DeliveryError::Temporary(format!(
            "{e} after the message was transmitted; the server may have accepted it"
        ))
    })?;
    if code / 100 != 2 {
        return Err(refusal(
            code,
            format!("SMTP server refused the message: '{text}'"),
        ));
    }
    // The message is accepted; a failing QUIT changes nothing.
    let _ = c.command("QUIT", 2).await;
    Ok(())
}

/// A command of the mail transaction itself (MAIL, RCPT, DATA): a 5xx reply refuses this
/// message for good, unlike a 5xx to the session's setup (EHLO, AUTH), which is the
/// server's or the configuration's and passes for every message once fixed.
async fn message_step<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conn<S>,
    cmd: &str,
    ok: u16,
) -> Result<(), DeliveryError> {
    let (code, text) = c.exchange(cmd).await?;
    if code / 100 != ok {
        return Err(refusal(
            code,
            format!("SMTP server answered '{text}' to {cmd}"),
        ));
    }
    Ok(())
}

fn refusal(code: u16, reason: String) -> DeliveryError {
    if code / 100 == 5 {
        DeliveryError::Refused(reason)
    } else {
        DeliveryError::Temporary(reason)
    }
}

/// Lease a batch of due messages for `owner` and try each once; returns how many were
/// leased (a full batch means more are likely waiting).
pub async fn deliver_once(
    store: &Store,
    cfg: &SmtpConfig,
    owner: &str,
) -> Result<usize, store::StoreError> {
    let now = chrono::Utc::now();
    let rows = store
        .claim_outbox(owner, &fixed(now), &lease_end(), BATCH)
        .await?;
    let leased = rows.len();
    for row in rows {
        // The batch's later messages may have waited past their lease behind slow sends:
        // send only what this node still holds.
        if !store
            .renew_outbox_lease(owner, &row.id, &lease_end())
            .await?
        {
            continue;
        }
        match send_leased(store, cfg, owner, &row).await {
            Ok(()) => {
                record_sent(store, &row).await?;
                metrics::counter!(crate::telemetry::MAIL_SENT).increment(1);
            }
            Err(DeliveryError::Temporary(e)) => {
                let retry_at = chrono::Utc::now()
                    + chrono::Duration::from_std(retry_delay(row.attempts))
                        .unwrap_or_else(|_| chrono::Duration::seconds(600));
                tracing::warn!(message = row.id, error = %e, attempts = row.attempts, retry_at = %fixed(retry_at), "e-mail delivery failed; will retry");
                metrics::counter!(crate::telemetry::MAIL_RETRIED).increment(1);
                store
                    .mark_outbox_retry(&row.tenant_id, &row.id, &e, &fixed(retry_at))
                    .await?;
            }
            Err(DeliveryError::Refused(e)) => {
                tracing::warn!(message = row.id, error = %e, "e-mail refused; marked failed");
                metrics::counter!(crate::telemetry::MAIL_FAILED).increment(1);
                store
                    .mark_outbox_failed(&row.tenant_id, &row.id, &e)
                    .await?;
            }
        }
    }
    Ok(leased)
}

fn lease_end() -> String {
    fixed(chrono::Utc::now() + chrono::Duration::seconds(LEASE_SECS))
}

/// Send one message while renewing its lease, so a slow server never lets another node
/// take a message this one is still sending.
async fn send_leased(
    store: &Store,
    cfg: &SmtpConfig,
    owner: &str,
    row: &OutboxRow,
) -> Result<(), DeliveryError> {
    let send = send_message(cfg, row);
    tokio::pin!(send);
    loop {
        tokio::select! {
            outcome = &mut send => return outcome,
            () = tokio::time::sleep(LEASE_RENEWAL) => {
                if let Err(e) = store.renew_outbox_lease(owner, &row.id, &lease_end()).await {
                    tracing::warn!(message = row.id, error = %e, "cannot renew the mail lease");
                }
            }
        }
    }
}

/// Mark a delivered message sent. The database may be briefly unavailable: try a few
/// times, since a message left pending would be sent again once its lease expires.
async fn record_sent(store: &Store, row: &OutboxRow) -> Result<(), store::StoreError> {
    let at =
        model::time::format_datetime(chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6));
    let mut tries = 0;
    loop {
        match store.mark_outbox_sent(&row.tenant_id, &row.id, &at).await {
            Ok(()) => return Ok(()),
            Err(e) if tries < 5 => {
                tries += 1;
                tracing::warn!(message = row.id, error = %e, "cannot mark the message sent; trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Start the mailer loop: deliver due outbox messages every `interval`, leased as `owner`
/// (whose leases a stopping node hands back once it has ended the loop).
pub fn spawn_mailer(
    store: Store,
    cfg: SmtpConfig,
    interval: Duration,
    owner: String,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match deliver_once(&store, &cfg, &owner).await {
                // A full batch was leased: more are likely due.
                Ok(leased) if leased as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mailer pass failed"),
            }
            tokio::time::sleep(interval).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_url_is_echoed_without_its_password() {
        for bad in [
            "smtp://ann:s3cret@relay:notaport",
            "smtp://ann:s3cret@",
            "http://ann:s3cret@relay",
        ] {
            let e = SmtpConfig::parse(bad).unwrap_err();
            assert!(!e.contains("s3cret"), "{e}");
            assert!(e.contains("ann:***@"), "{e}");
        }
    }

    #[test]
    fn parses_urls() {
        assert_eq!(
            SmtpConfig::parse("smtp://127.0.0.1:2525").unwrap(),
            SmtpConfig {
                host: "127.0.0.1".into(),
                port: 2525,
                credentials: None,
                starttls: StartTls::Opportunistic,
                extra_roots: Vec::new(),
            }
        );
        let c = SmtpConfig::parse("smtp+starttls://relay:587").unwrap();
        assert_eq!(c.starttls, StartTls::Required);
        assert_eq!((c.host.as_str(), c.port), ("relay", 587));
        let c = SmtpConfig::parse("smtp://me%40x:p%3Aw@mail.example.com").unwrap();
        assert_eq!(c.port, 25);
        assert_eq!(c.host, "mail.example.com");
        assert_eq!(c.credentials, Some(("me@x".into(), "p:w".into())));
        assert!(SmtpConfig::parse("http://x").is_err());
        assert!(SmtpConfig::parse("smtp://x:port").is_err());
    }

    #[test]
    fn finds_starttls_in_ehlo() {
        assert!(offers_starttls(
            "250-mail.example.com\n250-SIZE 1000\n250-starttls\n250 AUTH PLAIN"
        ));
        assert!(!offers_starttls("250-mail.example.com\n250 SIZE 1000"));
        // The greeting line is the host name, not an extension.
        assert!(!offers_starttls("250 STARTTLS"));
    }

    fn row(from: &str, to: &str, subject: &str, body: &str) -> OutboxRow {
        OutboxRow {
            tenant_id: "t".into(),
            id: "m1".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            mail: store::OutboxMail {
                id: "m1".into(),
                from: from.into(),
                to: vec![to.into()],
                cc: Vec::new(),
                subject: subject.into(),
                body: body.into(),
            },
            status: store::OutboxStatus::Pending,
            sent_at: None,
            attempts: 0,
            last_error: None,
            next_attempt_at: None,
        }
    }

    /// The DATA payload's lines, without the terminating ".".
    fn data_lines(out: &Outgoing) -> Vec<String> {
        let text = String::from_utf8(out.data.clone()).unwrap();
        let body = text.strip_suffix(".\r\n").unwrap();
        assert!(body.ends_with("\r\n"), "{text:?}");
        // Only CRLF ends lines: no bare CR or LF left anywhere.
        assert!(!body.replace("\r\n", "").contains(['\r', '\n']), "{text:?}");
        body.split_terminator("\r\n").map(str::to_string).collect()
    }

    #[test]
    fn subject_with_line_breaks_is_encoded_not_a_new_header() {
        let r = row(
            "no-reply@contoso.test",
            "ann@contoso.test",
            "Hi\r\nBcc: evil@evil.test",
            "hello",
        );
        let out = compose(&r).unwrap();
        let lines = data_lines(&out);
        assert!(!lines.iter().any(|l| l.starts_with("Bcc")), "{lines:?}");
        let subject = lines.iter().find(|l| l.starts_with("Subject: ")).unwrap();
        assert!(subject.contains("=?utf-8?b?"), "{subject}");
        assert!(
            lines.contains(&"To: ann@contoso.test".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"From: no-reply@contoso.test".to_string()));
        assert!(lines.contains(&"Message-ID: <m1@contoso.test>".to_string()));
        assert_eq!(out.sender.to_string(), "no-reply@contoso.test");
        assert_eq!(out.recipients.len(), 1);
    }

    #[test]
    fn body_lines_are_crlf_ended_and_dot_stuffed() {
        let r = row(
            "no-reply@contoso.test",
            "ann@contoso.test",
            "Hello",
            "one\rtwo\n.\r\nMAIL FROM:<evil@evil.test>\n..two dots",
        );
        let lines = data_lines(&compose(&r).unwrap());
        let body_start = lines.iter().position(String::is_empty).unwrap() + 1;
        assert_eq!(
            lines[body_start..],
            [
                "one",
                "two",
                "..",
                "MAIL FROM:<evil@evil.test>",
                "...two dots"
            ]
        );
    }

    #[test]
    fn body_stays_8bit_unless_it_cannot() {
        let r = row(
            "no-reply@x.test",
            "a@x.test",
            "Hi",
            "Grüße, a long line of more than seventy-six characters is fine as it is.",
        );
        let lines = data_lines(&compose(&r).unwrap());
        assert!(
            lines.contains(&"Content-Transfer-Encoding: 8bit".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(
            &"Grüße, a long line of more than seventy-six characters is fine as it is.".to_string()
        ));
        let long = row(
            "no-reply@x.test",
            "a@x.test",
            "Hi",
            &"x".repeat(MAX_LINE_OCTETS + 1),
        );
        let lines = data_lines(&compose(&long).unwrap());
        assert!(lines.iter().all(|l| l.len() <= 998), "{lines:?}");
    }

    #[test]
    fn smtp_data_normalises_every_line_end() {
        assert_eq!(smtp_data(b""), b".\r\n");
        assert_eq!(smtp_data(b"a\rb\nc\r\n.d"), b"a\r\nb\r\nc\r\n..d\r\n.\r\n");
        assert_eq!(smtp_data(b".\n\n."), b"..\r\n\r\n..\r\n.\r\n");
    }

    #[test]
    fn addresses_with_control_characters_are_refused() {
        let bad_sender = row(
            "no-reply@contoso.test\r\nRCPT TO:<evil@evil.test>",
            "ann@contoso.test",
            "Hi",
            "",
        );
        let e = compose(&bad_sender).err().unwrap();
        assert!(matches!(e, MessageError::Sender { .. }), "{e}");
        // The reason shows the stored text escaped, never a raw line break.
        assert!(!e.to_string().contains(['\r', '\n']), "{e}");
        assert!(e.to_string().contains("\\r\\n"), "{e}");
        for to in [
            "ann@contoso.test\nRCPT TO:<evil@evil.test>",
            "ann@contoso\r.test",
            "a\u{0}@x.test",
            "nobody",
        ] {
            let e = compose(&row("no-reply@contoso.test", to, "Hi", ""))
                .err()
                .unwrap();
            assert!(matches!(e, MessageError::Recipient { .. }), "{to:?}: {e}");
        }
        let mut cc = row("no-reply@contoso.test", "ann@contoso.test", "Hi", "");
        cc.mail.cc.push("bea@contoso.test\r\nDATA".into());
        assert!(matches!(compose(&cc), Err(MessageError::Recipient { .. })));
    }

    #[test]
    fn retries_back_off_to_a_cap_with_jitter() {
        for attempts in [0, 1] {
            let d = retry_delay(attempts);
            assert!(d >= Duration::from_millis(500) && d <= FIRST_RETRY, "{d:?}");
        }
        let fourth = retry_delay(4);
        assert!(fourth >= Duration::from_secs(4) && fourth <= Duration::from_secs(8));
        for attempts in [11, 40, i64::MAX] {
            let d = retry_delay(attempts);
            assert!(d >= LONGEST_RETRY / 2 && d <= LONGEST_RETRY, "{d:?}");
        }
        // Jitter: a hundred delays of one attempt are not all the same.
        let first = retry_delay(8);
        assert!((0..100).any(|_| retry_delay(8) != first));
    }

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
