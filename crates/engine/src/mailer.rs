//! Delivers the e-mail outbox over SMTP. A minimal client (EHLO/HELO, STARTTLS, optional
//! AUTH PLAIN, MAIL FROM, RCPT TO, DATA with dot-stuffing, QUIT). `smtp://` upgrades to TLS
//! when the server offers STARTTLS (opportunistic: a server without it gets plain TCP);
//! `smtp+starttls://` requires it and fails the delivery, before any credentials or mail
//! are sent, when the server does not offer it.
//!
//! Messages are queued by the e-mail tasks in the same transaction as the task result, so
//! a message exists exactly when its task completed. The mailer sends unsent messages and
//! marks them sent; a failed attempt is recorded (`attempts`, `last_error`) and retried, up
//! to [`MAX_ATTEMPTS`] times. Each node's mailer leases the messages it sends
//! ([`LEASE_MINUTES`]), so several nodes on one database do not send the same message. A crash
//! between sending and marking repeats that message once its lease expires (at-least-once
//! delivery of a message recorded exactly once).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use store::{OutboxRow, Store};

use crate::runner::fixed;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// Attempts per message before the mailer leaves it alone.
pub const MAX_ATTEMPTS: i64 = 5;
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a node holds the messages it is sending: longer than a batch of sends takes
/// (each step of a send times out after [`IO_TIMEOUT`]).
pub const LEASE_MINUTES: i64 = 10;
/// Messages leased per pass.
const BATCH: i64 = 20;

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

impl SmtpConfig {
    pub fn parse(url: &str) -> Result<SmtpConfig, String> {
        let (starttls, rest) = if let Some(r) = url.strip_prefix("smtp://") {
            (StartTls::Opportunistic, r)
        } else if let Some(r) = url.strip_prefix("smtp+starttls://") {
            (StartTls::Required, r)
        } else {
            return Err(format!("'{url}' is not an smtp:// or smtp+starttls:// URL"));
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
                    .map_err(|_| format!("'{p}' is not a port in '{url}'"))?,
            ),
            None => (hostport.to_string(), 25),
        };
        if host.is_empty() {
            return Err(format!("'{url}' names no host"));
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

/// A header value: ASCII as is, anything else as an RFC 2047 encoded word.
fn header_text(s: &str) -> String {
    if s.is_ascii() {
        s.to_string()
    } else {
        format!("=?UTF-8?B?{}?=", base64(s.as_bytes()))
    }
}

/// The RFC 5322 message with CRLF line ends, dot-stuffed and terminated for DATA.
fn data_of(row: &OutboxRow) -> String {
    let m = &row.mail;
    let domain = m
        .from
        .rsplit_once('@')
        .map(|(_, d)| d)
        .unwrap_or("lcw.local");
    let mut headers = vec![
        format!("From: {}", m.from),
        format!("To: {}", m.to.join(", ")),
    ];
    if !m.cc.is_empty() {
        headers.push(format!("Cc: {}", m.cc.join(", ")));
    }
    headers.push(format!("Subject: {}", header_text(&m.subject)));
    headers.push(format!("Date: {}", chrono::Utc::now().to_rfc2822()));
    headers.push(format!("Message-ID: <{}@{}>", row.id, domain));
    headers.push("MIME-Version: 1.0".into());
    headers.push("Content-Type: text/plain; charset=utf-8".into());
    headers.push("Content-Transfer-Encoding: 8bit".into());
    let mut out = headers.join("\r\n");
    out.push_str("\r\n\r\n");
    for line in m.body.replace("\r\n", "\n").split('\n') {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str(".\r\n");
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

    async fn send(&mut self, data: &str) -> Result<(), String> {
        // TLS buffers records: flush so the command actually leaves.
        let write = async {
            self.stream.write_all(data.as_bytes()).await?;
            self.stream.flush().await
        };
        tokio::time::timeout(IO_TIMEOUT, write)
            .await
            .map_err(|_| "timed out writing to the SMTP server".to_string())?
            .map_err(|e| format!("writing to the SMTP server: {e}"))
    }

    /// Send a command and expect a reply in `ok` (e.g. 2 for 2xx).
    async fn command(&mut self, cmd: &str, ok: u16) -> Result<(u16, String), String> {
        self.send(&format!("{cmd}\r\n")).await?;
        let (code, text) = self.reply().await?;
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

/// Deliver one message.
pub async fn send_message(cfg: &SmtpConfig, row: &OutboxRow) -> Result<(), String> {
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
        return Err(format!("SMTP server greeted with '{text}'"));
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
            return Err(format!(
                "{}:{} does not offer STARTTLS, which smtp+starttls:// requires",
                cfg.host, cfg.port
            ));
        }
        return transaction(&mut c, cfg, row).await;
    }
    let connector = cfg.tls_connector()?;
    let name = ServerName::try_from(cfg.host.clone())
        .map_err(|e| format!("'{}' is no TLS server name: {e}", cfg.host))?;
    let (code, text) = c.command("STARTTLS", 2).await?;
    if code != 220 {
        return Err(format!("SMTP server answered '{text}' to STARTTLS"));
    }
    let tcp = c.into_inner()?;
    let stream = tokio::time::timeout(IO_TIMEOUT, connector.connect(name, tcp))
        .await
        .map_err(|_| "timed out in the TLS handshake with the SMTP server".to_string())?
        .map_err(|e| format!("TLS handshake with the SMTP server failed: {e}"))?;
    let mut c = Conn::new(stream);
    // The pre-TLS capabilities are void (RFC 3207): greet again.
    c.command(&format!("EHLO {HELO_NAME}"), 2).await?;
    transaction(&mut c, cfg, row).await
}

/// AUTH (when configured), the mail transaction and QUIT, on an established session.
async fn transaction<S: AsyncRead + AsyncWrite + Unpin>(
    c: &mut Conn<S>,
    cfg: &SmtpConfig,
    row: &OutboxRow,
) -> Result<(), String> {
    if let Some((user, pass)) = &cfg.credentials {
        let token = base64(format!("\0{user}\0{pass}").as_bytes());
        c.command(&format!("AUTH PLAIN {token}"), 2).await?;
    }
    let m = &row.mail;
    c.command(&format!("MAIL FROM:<{}>", m.from), 2).await?;
    for rcpt in m.to.iter().chain(&m.cc) {
        c.command(&format!("RCPT TO:<{rcpt}>"), 2).await?;
    }
    c.command("DATA", 3).await?;
    c.send(&data_of(row)).await?;
    let (code, text) = c.reply().await?;
    if code / 100 != 2 {
        return Err(format!("SMTP server refused the message: '{text}'"));
    }
    // The message is accepted; a failing QUIT changes nothing.
    let _ = c.command("QUIT", 2).await;
    Ok(())
}

/// Lease a batch of unsent messages for `owner` and send each once; returns how many were
/// sent.
pub async fn deliver_once(
    store: &Store,
    cfg: &SmtpConfig,
    owner: &str,
) -> Result<usize, store::StoreError> {
    let now = chrono::Utc::now();
    let lease = chrono::Duration::minutes(LEASE_MINUTES);
    let rows = store
        .claim_outbox(owner, &fixed(now), &fixed(now + lease), MAX_ATTEMPTS, BATCH)
        .await?;
    let mut sent = 0;
    for row in rows {
        let at = model::time::format_datetime(chrono::Utc::now());
        match send_message(cfg, &row).await {
            Ok(()) => {
                store
                    .mark_outbox(&row.tenant_id, &row.id, &at, None)
                    .await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(message = row.id, error = %e, "e-mail delivery failed");
                store
                    .mark_outbox(&row.tenant_id, &row.id, &at, Some(&e))
                    .await?;
            }
        }
    }
    Ok(sent)
}

/// Start the mailer loop: deliver unsent outbox messages every `interval`.
pub fn spawn_mailer(store: Store, cfg: SmtpConfig, interval: Duration) {
    let owner = model::new_id();
    tokio::spawn(async move {
        loop {
            match deliver_once(&store, &cfg, &owner).await {
                // A full batch went out: more are likely waiting.
                Ok(sent) if sent as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "mailer pass failed"),
            }
            tokio::time::sleep(interval).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn base64_matches_rfc4648() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }
}
