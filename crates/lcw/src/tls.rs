//! HTTPS for `lcw serve`: the operator's own certificate and key, or a local CA lcw creates
//! on first use, kept with the server's data, and a server certificate it issues for the
//! names clients use.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use api::rustls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

/// The files of the local CA and its server certificate, in the TLS directory.
const CA_CERT: &str = "ca.pem";
const CA_KEY: &str = "ca-key.pem";
const SERVER_CERT: &str = "server.pem";
const SERVER_KEY: &str = "server-key.pem";

/// A server certificate is issued again when it would expire within this time.
const RENEW_BEFORE: Duration = Duration::from_secs(30 * 86_400);
const SERVER_VALIDITY_DAYS: i64 = 397;
const CA_VALIDITY_DAYS: i64 = 10 * 365;

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Pem { path: PathBuf, message: String },
    #[error("cannot create a certificate: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("the certificate and key cannot be served: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("--tls-san '{0}' is not a host name or IP address")]
    Name(String),
    #[error(
        "{dir} holds {present} but not {missing}; restore it, or remove both to create a new CA"
    )]
    HalfCa {
        dir: PathBuf,
        present: &'static str,
        missing: &'static str,
    },
    #[error("the server certificate just issued does not verify against {0}")]
    Unverified(PathBuf),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Where `--tls` keeps its files unless `--tls-dir` says: beside a SQLite database file
/// (`lcw.db` → `lcw.db.tls/`), else `./lcw-tls`.
pub fn default_dir(database_url: &str) -> PathBuf {
    match crate::sqlite_path(database_url) {
        Some(db) if db.as_os_str() != ":memory:" && !database_url.contains("mode=memory") => {
            let mut name = db.as_os_str().to_owned();
            name.push(".tls");
            PathBuf::from(name)
        }
        _ => PathBuf::from("lcw-tls"),
    }
}

/// The names the generated server certificate is for: loopback, the listen host unless it is
/// a wildcard address, and the operator's extra names; in that order, without repeats.
pub fn server_names(listen: &str, extra: &[String]) -> Result<Vec<String>, TlsError> {
    let mut names: Vec<String> = ["localhost", "127.0.0.1", "::1"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let host = match listen.parse::<std::net::SocketAddr>() {
        Ok(addr) => Some(addr.ip())
            .filter(|ip| !ip.is_unspecified())
            .map(|ip| ip.to_string()),
        Err(_) => {
            let host = listen.rsplit_once(':').map_or(listen, |(host, _port)| host);
            match host.trim_matches(['[', ']']).parse::<std::net::IpAddr>() {
                Ok(ip) if ip.is_unspecified() => None,
                Ok(ip) => Some(ip.to_string()),
                Err(_) => Some(host.to_string()),
            }
        }
    };
    for name in host.into_iter().chain(extra.iter().cloned()) {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        checkable_name(&name)?;
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// The name a certificate must cover for `name` to be served: `*.example.test` is checked
/// with one label in place of the wildcard.
fn checkable_name(name: &str) -> Result<ServerName<'static>, TlsError> {
    let probe = match name.strip_prefix("*.") {
        Some(rest) => format!("lcw-wildcard-probe.{rest}"),
        None => name.to_string(),
    };
    ServerName::try_from(probe).map_err(|_| TlsError::Name(name.to_string()))
}

/// Serve the operator's certificate chain (PEM, leaf first) with its key (PEM: PKCS#8,
/// PKCS#1 RSA or SEC1 EC).
pub fn own_certificate(cert: &Path, key: &Path) -> Result<Arc<api::TlsConfig>, TlsError> {
    let chain = read_chain(cert)?;
    let key = read_key(key)?;
    Ok(api::tls_config(chain, key)?)
}

/// What `--tls` serves: a configuration and the CA file clients must trust.
pub struct LocalCa {
    pub config: Arc<api::TlsConfig>,
    pub ca_file: PathBuf,
}

/// Create the CA in `dir` on first use and reuse it after; reuse the server certificate
/// while it covers every name in `names` and stays valid for a while, else issue a new one
/// from the same CA. Every file is readable by its owner only.
pub fn local_ca(dir: &Path, names: &[String]) -> Result<LocalCa, TlsError> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    crate::restrict_to_owner(dir, 0o700).map_err(io_error(dir))?;
    let (ca_cert, ca_key) = (dir.join(CA_CERT), dir.join(CA_KEY));
    let issuer = match (ca_cert.exists(), ca_key.exists()) {
        (true, true) => {
            let key = load_rcgen_key(&ca_key)?;
            let issuer = ca_params(&key).self_signed(&key)?;
            (issuer, key)
        }
        (false, false) => {
            let key = rcgen::KeyPair::generate()?;
            let cert = ca_params(&key).self_signed(&key)?;
            write_private(&ca_key, key.serialize_pem().as_bytes())?;
            write_private(&ca_cert, cert.pem().as_bytes())?;
            (cert, key)
        }
        (true, false) => return Err(half_ca(dir, CA_CERT, CA_KEY)),
        (false, true) => return Err(half_ca(dir, CA_KEY, CA_CERT)),
    };
    let ca_der = read_chain(&ca_cert)?
        .into_iter()
        .next()
        .ok_or_else(|| TlsError::Pem {
            path: ca_cert.clone(),
            message: "no certificate in the file".into(),
        })?;
    let (server_cert, server_key) = (dir.join(SERVER_CERT), dir.join(SERVER_KEY));
    let current = server_cert.exists() && server_key.exists() && {
        let chain = read_chain(&server_cert)?;
        chain
            .first()
            .is_some_and(|leaf| covers(&ca_der, leaf, names, RENEW_BEFORE))
    };
    if !current {
        let key = rcgen::KeyPair::generate()?;
        let cert = server_params(names)?.signed_by(&key, &issuer.0, &issuer.1)?;
        if !covers(&ca_der, cert.der(), names, RENEW_BEFORE) {
            // The CA was rebuilt from its key; a CA file from elsewhere would not match it.
            return Err(TlsError::Unverified(ca_cert));
        }
        write_private(&server_key, key.serialize_pem().as_bytes())?;
        write_private(&server_cert, cert.pem().as_bytes())?;
    }
    for file in [&ca_cert, &ca_key, &server_cert, &server_key] {
        crate::restrict_to_owner(file, 0o600).map_err(io_error(file))?;
    }
    let config = api::tls_config(read_chain(&server_cert)?, read_key(&server_key)?)?;
    let ca_file = std::path::absolute(&ca_cert).unwrap_or(ca_cert);
    Ok(LocalCa { config, ca_file })
}

fn half_ca(dir: &Path, present: &'static str, missing: &'static str) -> TlsError {
    TlsError::HalfCa {
        dir: dir.to_path_buf(),
        present,
        missing,
    }
}

/// The CA's parameters, derived from its key alone so that a CA loaded from its key file
/// issues certificates naming exactly the subject its stored certificate has.
fn ca_params(key: &rcgen::KeyPair) -> rcgen::CertificateParams {
    let mut params = rcgen::CertificateParams::default();
    // Part of the public key's hash in the name keeps two lcw CAs trusted side by side apart.
    let digest = ring::digest::digest(&ring::digest::SHA256, key.public_key_raw());
    let tag: String = digest.as_ref()[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "lcw");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, format!("lcw local CA {tag}"));
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Constrained(0));
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
        rcgen::KeyUsagePurpose::DigitalSignature,
    ];
    let (not_before, not_after) = validity(CA_VALIDITY_DAYS);
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(random_serial());
    params
}

fn server_params(names: &[String]) -> Result<rcgen::CertificateParams, TlsError> {
    let mut params = rcgen::CertificateParams::new(names.to_vec())?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "lcw server");
    params.is_ca = rcgen::IsCa::ExplicitNoCa;
    params.key_usages = vec![rcgen::KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let (not_before, not_after) = validity(SERVER_VALIDITY_DAYS);
    params.not_before = not_before;
    params.not_after = not_after;
    params.serial_number = Some(random_serial());
    Ok(params)
}

/// From an hour ago (clocks differ a little) to `days` from now.
fn validity(days: i64) -> (time::OffsetDateTime, time::OffsetDateTime) {
    let now = chrono::Utc::now().timestamp();
    let at = |secs: i64| {
        time::OffsetDateTime::from_unix_timestamp(secs).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
    };
    (at(now - 3600), at(now + days * 86_400))
}

fn random_serial() -> rcgen::SerialNumber {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 16];
    // A failing system RNG would have failed the key generation before this.
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    // Positive, as DER integers for serials must be.
    bytes[0] &= 0x7f;
    rcgen::SerialNumber::from_slice(&bytes)
}

/// Whether `leaf` chains to the CA `ca` and is valid, now and `margin` from now, for every
/// name in `names`.
fn covers(
    ca: &CertificateDer<'_>,
    leaf: &CertificateDer<'_>,
    names: &[String],
    margin: Duration,
) -> bool {
    use rustls::client::danger::ServerCertVerifier;
    let mut roots = rustls::RootCertStore::empty();
    if roots.add(ca.clone().into_owned()).is_err() {
        return false;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let Ok(verifier) =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
    else {
        return false;
    };
    let now = SystemTime::now();
    [now, now + margin].into_iter().all(|at| {
        let at = UnixTime::since_unix_epoch(
            at.duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default(),
        );
        names.iter().all(|name| {
            checkable_name(name).is_ok_and(|server_name| {
                verifier
                    .verify_server_cert(leaf, &[], &server_name, &[], at)
                    .is_ok()
            })
        })
    })
}

fn read_file(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(io_error(path))
}

fn pem_error(path: &Path, message: impl Into<String>) -> TlsError {
    TlsError::Pem {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = read_file(path)?;
    let chain = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error(path, e.to_string()))?;
    if chain.is_empty() {
        return Err(pem_error(path, "no CERTIFICATE in the file"));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = read_file(path)?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        if String::from_utf8_lossy(&pem).contains("ENCRYPTED PRIVATE KEY") {
            pem_error(
                path,
                "the key is encrypted; lcw needs it unencrypted (openssl's -noenc / -nodes)",
            )
        } else {
            pem_error(
                path,
                format!("no PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY found ({e})"),
            )
        }
    })
}

fn load_rcgen_key(path: &Path) -> Result<rcgen::KeyPair, TlsError> {
    let pem = read_file(path)?;
    let text = String::from_utf8(pem).map_err(|_| pem_error(path, "not a PEM file"))?;
    rcgen::KeyPair::from_pem(&text).map_err(|e| pem_error(path, e.to_string()))
}

/// Write `bytes` to `path` readable by its owner only, whatever the umask: into a new file
/// beside it first, so a crash never leaves half a key under the real name.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&partial).map_err(io_error(&partial))?;
    crate::restrict_to_owner(&partial, 0o600).map_err(io_error(&partial))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(io_error(&partial))?;
    std::fs::rename(&partial, path).map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cover_loopback_the_listen_host_and_extras_once() {
        let extra = vec!["LCW.example.test".to_string(), "localhost".to_string()];
        assert_eq!(
            server_names("10.1.2.3:8443", &extra).unwrap(),
            [
                "localhost",
                "127.0.0.1",
                "::1",
                "10.1.2.3",
                "lcw.example.test"
            ]
        );
        assert_eq!(
            server_names("0.0.0.0:8443", &[]).unwrap(),
            ["localhost", "127.0.0.1", "::1"]
        );
        assert_eq!(
            server_names("[::]:8443", &[]).unwrap(),
            ["localhost", "127.0.0.1", "::1"]
        );
        assert_eq!(
            server_names("lcw.internal:8443", &[]).unwrap(),
            ["localhost", "127.0.0.1", "::1", "lcw.internal"]
        );
        assert!(server_names("127.0.0.1:0", &["bad name".into()]).is_err());
        assert!(server_names("127.0.0.1:0", &["*.example.test".into()]).is_ok());
    }

    #[test]
    fn the_directory_is_beside_a_sqlite_file_else_lcw_tls() {
        assert_eq!(
            default_dir("sqlite:///var/lib/lcw/lcw.db"),
            PathBuf::from("/var/lib/lcw/lcw.db.tls")
        );
        assert_eq!(
            default_dir("sqlite://lcw.db?mode=rwc"),
            PathBuf::from("lcw.db.tls")
        );
        assert_eq!(default_dir("sqlite::memory:"), PathBuf::from("lcw-tls"));
        assert_eq!(
            default_dir("postgres://lcw@db:5432/lcw"),
            PathBuf::from("lcw-tls")
        );
    }
}
