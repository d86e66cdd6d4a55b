//! Reading an app's X.509 certificate: its thumbprints, public key and expiry. Only the
//! few fields a client assertion's check needs are read, by walking the DER structure
//! (RFC 5280: Certificate → tbsCertificate → validity, subjectPublicKeyInfo).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, NaiveDateTime, Utc};

/// What lcw keeps of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedCertificate {
    pub sha1: Vec<u8>,
    pub sha256: Vec<u8>,
    /// `RSA` (PKCS#1 RSAPublicKey DER) or `EC` (uncompressed P-256 point).
    pub key_type: &'static str,
    pub public_key: Vec<u8>,
    pub not_after: Option<DateTime<Utc>>,
}

const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];

const SEQUENCE: u8 = 0x30;
const OID: u8 = 0x06;
const BIT_STRING: u8 = 0x03;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
const VERSION_TAG: u8 = 0xa0;

/// One DER element: its tag, its content, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// The element at the head of `input`, which must have `tag`.
fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, content, rest) = element(input)?;
    (t == tag).then_some((content, rest))
}

/// The DER of a certificate given as PEM, as base64 DER, or as DER.
pub fn der_of(input: &[u8]) -> Option<Vec<u8>> {
    if input.first() == Some(&SEQUENCE) {
        return Some(input.to_vec());
    }
    let text = std::str::from_utf8(input).ok()?;
    let body = match text.find("-----BEGIN CERTIFICATE-----") {
        Some(start) => {
            let after = &text[start + "-----BEGIN CERTIFICATE-----".len()..];
            &after[..after.find("-----END CERTIFICATE-----")?]
        }
        None => text,
    };
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(b64).ok()
}

/// Parse a certificate (PEM, base64 DER or DER). `None` when it is not an X.509
/// certificate with an RSA or P-256 key.
pub fn parse(input: &[u8]) -> Option<ParsedCertificate> {
    let der = der_of(input)?;
    let (cert, _) = expect(&der, SEQUENCE)?;
    let (tbs, _) = expect(cert, SEQUENCE)?;
    let mut rest = tbs;
    if let Some((VERSION_TAG, _, after)) = element(rest) {
        rest = after;
    }
    let (_serial_tag, _, rest) = element(rest)?;
    let (_, rest) = expect(rest, SEQUENCE)?; // signature algorithm
    let (_, rest) = expect(rest, SEQUENCE)?; // issuer
    let (validity, rest) = expect(rest, SEQUENCE)?;
    let (_, rest) = expect(rest, SEQUENCE)?; // subject
    let (spki, _) = expect(rest, SEQUENCE)?;
    let (algorithm, spki_rest) = expect(spki, SEQUENCE)?;
    let (oid, parameters) = expect(algorithm, OID)?;
    let (bits, _) = expect(spki_rest, BIT_STRING)?;
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    let key_type = if oid == RSA_ENCRYPTION {
        "RSA"
    } else if oid == EC_PUBLIC_KEY && expect(parameters, OID).map(|(c, _)| c) == Some(P256) {
        "EC"
    } else {
        return None;
    };
    Some(ParsedCertificate {
        sha1: ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &der)
            .as_ref()
            .to_vec(),
        sha256: ring::digest::digest(&ring::digest::SHA256, &der)
            .as_ref()
            .to_vec(),
        key_type,
        public_key: key.to_vec(),
        not_after: not_after(validity),
    })
}

/// `notAfter` of a validity sequence.
fn not_after(validity: &[u8]) -> Option<DateTime<Utc>> {
    let (_, _, rest) = element(validity)?;
    let (tag, time, _) = element(rest)?;
    let text = std::str::from_utf8(time).ok()?.strip_suffix('Z')?;
    let full = match tag {
        // RFC 5280: two-digit years 50–99 are 19xx, 00–49 are 20xx.
        UTC_TIME if text.len() == 12 => {
            let century = if text[..2].parse::<u32>().ok()? >= 50 {
                "19"
            } else {
                "20"
            };
            format!("{century}{text}")
        }
        GENERALIZED_TIME if text.len() == 14 => text.to_string(),
        _ => return None,
    };
    NaiveDateTime::parse_from_str(&full, "%Y%m%d%H%M%S")
        .ok()
        .map(|t| t.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_not_a_certificate() {
        assert!(parse(b"").is_none());
        assert!(parse(b"not a certificate").is_none());
        assert!(parse(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_none());
        assert!(parse(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
    }

    #[test]
    fn utc_times_follow_rfc_5280_centuries() {
        let validity = [
            0x17, 0x0d, b'2', b'4', b'0', b'1', b'0', b'1', b'0', b'0', b'0', b'0', b'0', b'0',
            b'Z', 0x17, 0x0d, b'4', b'9', b'1', b'2', b'3', b'1', b'2', b'3', b'5', b'9', b'5',
            b'9', b'Z',
        ];
        assert_eq!(
            not_after(&validity).map(|t| t.to_rfc3339()),
            Some("2049-12-31T23:59:59+00:00".to_string())
        );
    }
}
