//! HTTPS: `lcw serve --tls` with the local CA it creates and keeps, and `--tls-cert` /
//! `--tls-key` with the operator's own certificate; clients that trust only that CA, over
//! HTTP/1.1 and HTTP/2.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;

use crate::harness::{
    base_url, fresh_postgres_database, fresh_sqlite_database, lcw_bin, start_server_banner,
    ChildGuard,
};

/// A server started with TLS options, with what it printed.
struct TlsServer {
    base: String,
    banner: Vec<String>,
    database: String,
    guard: Option<ChildGuard>,
}

impl TlsServer {
    fn start(database: &str, extra: &[&str]) -> TlsServer {
        // The URL, the configuration summary (seven indented `name: value` lines, left out
        // here), then the CA file and the environment to trust it.
        let (lines, child) = start_server_banner(database, extra, Some("022"), 10).unwrap();
        let is_summary = |l: &str| {
            l.strip_prefix("  ")
                .and_then(|rest| rest.split_once(':'))
                .is_some_and(|(name, _)| name.chars().all(|c| c.is_ascii_lowercase()))
        };
        let banner: Vec<String> = lines.into_iter().filter(|l| !is_summary(l)).collect();
        TlsServer {
            base: base_url(&banner[0]).unwrap(),
            banner,
            database: database.to_string(),
            guard: Some(ChildGuard(child)),
        }
    }

    fn stop(&mut self) {
        drop(self.guard.take());
    }

    /// `127.0.0.1:PORT`.
    fn authority(&self) -> String {
        self.base
            .trim_start_matches("https://")
            .split('/')
            .next()
            .unwrap()
            .to_string()
    }

    fn port(&self) -> u16 {
        self.authority()
            .rsplit_once(':')
            .unwrap()
            .1
            .parse()
            .unwrap()
    }

    fn root(&self) -> String {
        self.base.trim_end_matches("/beta").to_string()
    }

    fn token(&self, tenant: &str) -> String {
        let out = Command::new(lcw_bin())
            .args(["token", "--database", &self.database, "--tenant", tenant])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

fn sqlite_file(database: &str) -> PathBuf {
    PathBuf::from(database.trim_start_matches("sqlite://"))
}

/// A client that trusts `ca_pem` and nothing else; HTTP/1.1 only when `http1` says so, else
/// it asks for HTTP/2 through ALPN like browsers and httpx do.
fn client_trusting(ca_pem: &[u8], http1: bool) -> reqwest::Client {
    client_builder(ca_pem, http1).build().unwrap()
}

fn client_builder(ca_pem: &[u8], http1: bool) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder()
        .use_rustls_tls()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem).unwrap());
    if http1 {
        builder.http1_only()
    } else {
        builder
    }
}

async fn health(client: &reqwest::Client, url: &str) -> reqwest::Version {
    let r = client
        .get(format!("{url}/health"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}/health: {e:?}"));
    assert_eq!(r.status(), 200);
    r.version()
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_generated_ca_serves_http1_and_http2_and_is_kept_across_restarts() {
    let database = fresh_sqlite_database().unwrap();
    let mut server = TlsServer::start(&database, &["--tls", "--tls-san", "lcw.example.test"]);
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );

    // The banner names the CA file, beside the database, and how to trust it.
    let dir = PathBuf::from(format!("{}.tls", sqlite_file(&database).display()));
    let ca_file = dir.join("ca.pem");
    let ca_text = ca_file.display().to_string();
    assert!(
        server.banner[1].ends_with(&format!("CA file {ca_text}")),
        "{:?}",
        server.banner
    );
    for var in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS"] {
        assert!(
            server.banner[2].contains(&format!("{var}={ca_text}")),
            "{:?}",
            server.banner
        );
    }

    let ca = std::fs::read(&ca_file).unwrap();
    let root = server.root();
    assert_eq!(
        health(&client_trusting(&ca, true), &root).await,
        reqwest::Version::HTTP_11
    );
    assert_eq!(
        health(&client_trusting(&ca, false), &root).await,
        reqwest::Version::HTTP_2
    );
    let port = server.port();
    for name in ["localhost", "lcw.example.test"] {
        let named = client_builder(&ca, false)
            .resolve(name, ([127, 0, 0, 1], port).into())
            .build()
            .unwrap();
        health(&named, &format!("https://{name}:{port}")).await;
    }
    // A client that does not trust the CA refuses the server.
    let stranger = reqwest::Client::builder().use_rustls_tls().build().unwrap();
    assert!(stranger.get(format!("{root}/health")).send().await.is_err());

    // Keys and certificates are the owner's only, though the server ran under umask 022.
    #[cfg(unix)]
    {
        assert_eq!(mode(&dir), 0o700, "{}", dir.display());
        for file in ["ca.pem", "ca-key.pem", "server.pem", "server-key.pem"] {
            let path = dir.join(file);
            assert_eq!(
                mode(&path),
                0o600,
                "{} has mode {:o}",
                path.display(),
                mode(&path)
            );
        }
    }

    // A restart serves the same CA and certificate.
    let server_cert = std::fs::read(dir.join("server.pem")).unwrap();
    server.stop();
    let mut again = TlsServer::start(&database, &["--tls", "--tls-san", "lcw.example.test"]);
    assert_eq!(
        std::fs::read(&ca_file).unwrap(),
        ca,
        "the CA changed on restart"
    );
    assert_eq!(std::fs::read(dir.join("server.pem")).unwrap(), server_cert);
    health(&client_trusting(&ca, false), &again.root()).await;

    // A name the certificate lacks: a new certificate from the same CA.
    again.stop();
    let other = TlsServer::start(&database, &["--tls", "--tls-san", "other.example.test"]);
    assert_eq!(
        std::fs::read(&ca_file).unwrap(),
        ca,
        "the CA changed for a new name"
    );
    assert_ne!(std::fs::read(dir.join("server.pem")).unwrap(), server_cert);
    let port = other.port();
    let named = client_builder(&ca, false)
        .resolve("other.example.test", ([127, 0, 0, 1], port).into())
        .build()
        .unwrap();
    health(&named, &format!("https://other.example.test:{port}")).await;
}

#[tokio::test]
async fn links_name_https_over_http1_and_http2() {
    let database = fresh_sqlite_database().unwrap();
    let server = TlsServer::start(&database, &["--tls"]);
    let ca = std::fs::read(format!("{}.tls/ca.pem", sqlite_file(&database).display())).unwrap();
    let tenant = uuid::Uuid::new_v4().to_string();
    let token = server.token(&tenant);
    for http1 in [true, false] {
        let client = client_trusting(&ca, http1);
        for i in 0..2 {
            let user = json!({
                "displayName": format!("Tls {i}"),
                "userPrincipalName": format!("tls{i}-{http1}@contoso.test"),
                "accountEnabled": true,
            });
            let r = client
                .post(format!("{}/users", server.base))
                .bearer_auth(&token)
                .json(&user)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201);
        }
        let r = client
            .get(format!("{}/users?$top=1", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        for link in ["@odata.context", "@odata.nextLink"] {
            let url = body[link].as_str().unwrap_or_default();
            assert!(
                url.starts_with(&format!("{}/", server.base)),
                "{link} over HTTP/{}: {url}",
                if http1 { "1.1" } else { "2" }
            );
        }
        let next = body["@odata.nextLink"].as_str().unwrap();
        let r = client.get(next).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
}

/// Run openssl; panics with its stderr when it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn own_certificates_are_served_whatever_the_key_format() {
    let dir = std::env::temp_dir().join(format!("lcw-it-owncert-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let days = ["-days", "2"];
    openssl(
        &dir,
        &[
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
            ][..],
            &[
                "-noenc",
                "-keyout",
                "ca-key.pem",
                "-out",
                "ca.pem",
                "-subj",
                "/CN=Test CA",
            ],
            &days,
        ]
        .concat(),
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    // As `openssl req -newkey` and its neighbours write them.
    let keys: [(&str, &[&str], &str); 3] = [
        (
            "rsa-pkcs8",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2048",
                "-out",
                "rsa-pkcs8.pem",
            ],
            "BEGIN PRIVATE KEY",
        ),
        (
            "rsa-pkcs1",
            &["genrsa", "-traditional", "-out", "rsa-pkcs1.pem", "2048"],
            "BEGIN RSA PRIVATE KEY",
        ),
        (
            "ec-sec1",
            &[
                "ecparam",
                "-name",
                "prime256v1",
                "-genkey",
                "-out",
                "ec-sec1.pem",
            ],
            "BEGIN EC PRIVATE KEY",
        ),
    ];
    let ca = std::fs::read(dir.join("ca.pem")).unwrap();
    for (serial, (name, generate, header)) in keys.iter().enumerate() {
        openssl(&dir, generate);
        let key = dir.join(format!("{name}.pem"));
        assert!(std::fs::read_to_string(&key).unwrap().contains(header));
        let csr = format!("{name}.csr");
        let cert = format!("{name}-cert.pem");
        openssl(
            &dir,
            &[
                "req",
                "-new",
                "-key",
                &format!("{name}.pem"),
                "-subj",
                "/CN=localhost",
                "-out",
                &csr,
            ],
        );
        let serial = (serial + 1).to_string();
        openssl(
            &dir,
            &[
                &[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca-key.pem",
                ][..],
                &["-set_serial", &serial, "-extfile", "ext.cnf", "-out", &cert],
                &days,
            ]
            .concat(),
        );
        let database = fresh_sqlite_database().unwrap();
        let cert_path = dir.join(&cert).display().to_string();
        let key_path = key.display().to_string();
        let server = TlsServer::start(
            &database,
            &["--tls-cert", &cert_path, "--tls-key", &key_path],
        );
        assert!(server.banner[1].contains(&cert_path), "{:?}", server.banner);
        let root = server.root();
        assert_eq!(
            health(&client_trusting(&ca, false), &root).await,
            reqwest::Version::HTTP_2,
            "{name}"
        );
        assert_eq!(
            health(&client_trusting(&ca, true), &root).await,
            reqwest::Version::HTTP_11,
            "{name}"
        );
    }

    // An encrypted key is refused at start, saying why.
    openssl(
        &dir,
        &[
            "pkcs8",
            "-topk8",
            "-in",
            "ec-sec1.pem",
            "-passout",
            "pass:secret",
            "-out",
            "encrypted.pem",
        ],
    );
    let out = Command::new(lcw_bin())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(["--database", &fresh_sqlite_database().unwrap()])
        .arg("--tls-cert")
        .arg(dir.join("ec-sec1-cert.pem"))
        .arg("--tls-key")
        .arg(dir.join("encrypted.pem"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("encrypted"), "{err}");
}

/// Read until the server closes the connection; false when it is still open after `limit`.
async fn closed_within(stream: &mut (impl tokio::io::AsyncRead + Unpin), limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 1024];
    loop {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test]
async fn connections_that_never_say_hello_or_ask_are_closed() {
    let database = fresh_sqlite_database().unwrap();
    let server = TlsServer::start(&database, &["--tls"]);
    let ca = std::fs::read(format!("{}.tls/ca.pem", sqlite_file(&database).display())).unwrap();
    let opened = Instant::now();
    // TCP only, never a ClientHello.
    let mut silent = TcpStream::connect(server.authority()).await.unwrap();
    // A handshake, then no request, on each protocol.
    let mut roots = tokio_rustls::rustls::RootCertStore::empty();
    for cert in tokio_rustls::rustls::pki_types::CertificateDer::pem_slice_iter(&ca) {
        roots.add(cert.unwrap()).unwrap();
    }
    let mut quiet = Vec::new();
    for alpn in [b"h2".to_vec(), b"http/1.1".to_vec()] {
        let mut config = tokio_rustls::rustls::ClientConfig::builder_with_provider(
            std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider()),
        )
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots.clone())
        .with_no_client_auth();
        config.alpn_protocols = vec![alpn.clone()];
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let tcp = TcpStream::connect(server.authority()).await.unwrap();
        let name = tokio_rustls::rustls::pki_types::ServerName::try_from("localhost").unwrap();
        let tls = connector.connect(name, tcp).await.unwrap();
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(alpn.as_slice()));
        quiet.push(tls);
    }
    // They hold nobody else up meanwhile.
    health(&client_trusting(&ca, false), &server.root()).await;

    let limit = Duration::from_secs(34).saturating_sub(opened.elapsed());
    assert!(
        closed_within(&mut silent, limit).await,
        "a connection without a ClientHello was open {:?} after opening",
        opened.elapsed()
    );
    for (tls, protocol) in quiet.iter_mut().zip(["HTTP/2", "HTTP/1.1"]) {
        let limit = Duration::from_secs(35).saturating_sub(opened.elapsed());
        assert!(
            closed_within(tls, limit).await,
            "an {protocol} connection without a request was open {:?} after opening",
            opened.elapsed()
        );
    }
    assert!(
        opened.elapsed() > Duration::from_secs(25),
        "closed long before the 30 s a client has: {:?}",
        opened.elapsed()
    );
}

#[tokio::test]
async fn postgres_keeps_the_ca_in_the_tls_dir() {
    let Some(database) = fresh_postgres_database() else {
        eprintln!("skipped: LCW_TEST_POSTGRES_URL is not set");
        return;
    };
    let dir = std::env::temp_dir().join(format!("lcw-it-tlsdir-{}", uuid::Uuid::new_v4()));
    let dir_arg = dir.display().to_string();
    let server = TlsServer::start(&database, &["--tls", "--tls-dir", &dir_arg]);
    let ca_file = dir.join("ca.pem");
    assert!(
        server.banner[1].ends_with(&format!("CA file {}", ca_file.display())),
        "{:?}",
        server.banner
    );
    let ca = std::fs::read(&ca_file).unwrap();
    let client = client_trusting(&ca, false);
    let tenant = uuid::Uuid::new_v4().to_string();
    let r = client
        .get(format!(
            "{}/identityGovernance/lifecycleWorkflows/workflows",
            server.base
        ))
        .bearer_auth(server.token(&tenant))
        .send()
        .await
        .unwrap();
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert!(body["@odata.context"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
}
