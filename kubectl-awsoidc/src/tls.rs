//! The TLS link: which certificates a server presents, and which one IAM's
//! thumbprint must name.
//!
//! IAM hashes the LAST certificate of the chain the server actually presents
//! (aws/containers-roadmap#2031), never a root it would have to look up. A Gardener
//! shoot presents [leaf, cluster CA] (gardener/gardener#7961), so the CA's SHA-1
//! survives serving-certificate renewals; a leaf-only chain's thumbprint breaks at
//! every renewal. `presented_chain` is the network edge (it records the chain and
//! trusts nothing); everything else is pure over DER.

use std::io;
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha1::{Digest, Sha1};
use x509_parser::prelude::{FromDer, X509Certificate};

/// At most this many thumbprints fit an IAM OIDC provider.
pub const MAX_THUMBPRINTS: usize = 5;

/// Why the presented chain could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("failed to connect to {address}: {source}")]
    Connect { address: String, source: io::Error },
    #[error("the TLS handshake with {address} failed: {source}")]
    Handshake { address: String, source: io::Error },
    #[error(
        "{address} accepted the connection but sent no TLS answer within {seconds} s (is it a TLS port?)"
    )]
    Timeout { address: String, seconds: u64 },
    #[error("{address} presented no certificate")]
    NoCertificate { address: String },
    #[error("certificate {index} presented by {address} is not valid DER X.509: {reason}")]
    BadCertificate {
        address: String,
        index: usize,
        reason: String,
    },
    #[error("invalid server name {0:?}")]
    ServerName(String),
}

/// The certificates `host:port` presents in its handshake, in order (leaf first).
/// Nothing is verified: this only looks at what AWS would see.
pub fn presented_chain(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let address = format!("{host}:{port}");
    let bare_host = host.trim_start_matches('[').trim_end_matches(']');
    let server_name =
        ServerName::try_from(bare_host.to_owned()).map_err(|_| TlsError::ServerName(host.to_owned()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let recorder = Arc::new(ChainRecorder {
        chain: Mutex::default(),
        algorithms: provider.signature_verification_algorithms,
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|err| TlsError::Handshake {
            address: address.clone(),
            source: io::Error::other(err),
        })?
        .dangerous()
        .with_custom_certificate_verifier(recorder.clone())
        .with_no_client_auth();
    let connect_error = |source| TlsError::Connect {
        address: address.clone(),
        source,
    };
    let socket_address = (bare_host, port)
        .to_socket_addrs()
        .map_err(connect_error)?
        .next()
        .ok_or_else(|| connect_error(io::Error::new(io::ErrorKind::NotFound, "no address")))?;
    let mut socket = TcpStream::connect_timeout(&socket_address, timeout).map_err(connect_error)?;
    socket.set_read_timeout(Some(timeout)).map_err(connect_error)?;
    socket.set_write_timeout(Some(timeout)).map_err(connect_error)?;
    let mut connection =
        rustls::ClientConnection::new(Arc::new(config), server_name).map_err(|err| TlsError::Handshake {
            address: address.clone(),
            source: io::Error::other(err),
        })?;
    while connection.is_handshaking() {
        connection
            .complete_io(&mut socket)
            .map_err(|source| match source.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => TlsError::Timeout {
                    address: address.clone(),
                    seconds: timeout.as_secs(),
                },
                _ => TlsError::Handshake {
                    address: address.clone(),
                    source,
                },
            })?;
    }
    let chain = std::mem::take(
        &mut *recorder
            .chain
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    );
    if chain.is_empty() {
        return Err(TlsError::NoCertificate { address });
    }
    Ok(chain)
}

/// Records the presented chain and accepts it: the caller only inspects it. The
/// handshake signature is still checked, so the recorded leaf is the server's.
#[derive(Debug)]
struct ChainRecorder {
    chain: Mutex<Vec<CertificateDer<'static>>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for ChainRecorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut chain = self.chain.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| der.clone().into_owned())
            .collect();
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// The SHA-1 of a DER certificate as IAM writes thumbprints: 40 lowercase hex digits.
pub fn thumbprint_of(der: &[u8]) -> String {
    Sha1::digest(der)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// What one presented certificate is, for people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CertificateSummary {
    pub subject: String,
    pub issuer: String,
    /// As the certificate states it (UTC).
    pub not_after: String,
    /// Seconds since the Unix epoch, for expiry checks.
    #[serde(skip)]
    pub not_after_unix: i64,
    pub is_ca: bool,
    pub self_signed: bool,
    pub thumbprint: String,
}

/// Summarise DER certificates (in presented order).
pub fn summarise(chain: &[CertificateDer<'_>]) -> Result<Vec<CertificateSummary>, String> {
    chain
        .iter()
        .enumerate()
        .map(|(index, der)| {
            let (_, certificate) =
                X509Certificate::from_der(der).map_err(|err| format!("certificate {index}: {err}"))?;
            let not_after = certificate.validity().not_after;
            Ok(CertificateSummary {
                subject: certificate.subject().to_string(),
                issuer: certificate.issuer().to_string(),
                not_after: not_after.to_string(),
                not_after_unix: not_after.timestamp(),
                is_ca: certificate.is_ca(),
                self_signed: certificate.subject() == certificate.issuer(),
                thumbprint: thumbprint_of(der),
            })
        })
        .collect()
}

/// The shape of a presented chain, as far as IAM thumbprints care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainShape {
    /// The serving certificate alone: its thumbprint changes at every renewal.
    LeafOnly,
    /// The serving certificate and the CA that issued it: the CA's thumbprint
    /// survives renewals.
    LeafAndCa,
    /// Ends in a certificate that is not a CA (misconfigured server).
    EndsInLeaf,
}

/// Which thumbprint to register for a presented chain, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ThumbprintChoice {
    pub thumbprint: String,
    pub shape: ChainShape,
    /// When the hashed certificate expires (RFC 3339): the thumbprint breaks then.
    pub hashed_not_after: String,
    pub explanation: String,
}

/// The thumbprint IAM needs: the last presented certificate's.
pub fn choose_thumbprint(chain: &[CertificateSummary]) -> Option<ThumbprintChoice> {
    let last = chain.last()?;
    let shape = match (chain.len(), last.is_ca) {
        (1, _) => ChainShape::LeafOnly,
        (_, true) => ChainShape::LeafAndCa,
        (_, false) => ChainShape::EndsInLeaf,
    };
    let explanation = match shape {
        ChainShape::LeafOnly => format!(
            "the server presents its serving certificate alone: this thumbprint breaks when that certificate \
             is renewed (it expires {}); run `kubectl awsoidc provider sync` after each renewal (e.g. from a \
             CronJob), or use a chain that includes the CA or Gardener's managed issuer",
            last.not_after
        ),
        ChainShape::LeafAndCa => format!(
            "the server presents [leaf, CA]: IAM hashes the last one, the CA {:?}, which survives \
             serving-certificate renewals (a CA rotation needs old and new together)",
            last.subject
        ),
        ChainShape::EndsInLeaf => format!(
            "the last presented certificate {:?} is not a CA: its thumbprint breaks at its renewal",
            last.subject
        ),
    };
    Some(ThumbprintChoice {
        thumbprint: last.thumbprint.clone(),
        shape,
        hashed_not_after: last.not_after.clone(),
        explanation,
    })
}

/// The thumbprint list after adding `current`: existing ones stay in IAM's order (a
/// rotation needs old and new together), new ones are appended, and past
/// [`MAX_THUMBPRINTS`] the oldest that is not current goes.
pub fn merge_thumbprints(existing: &[String], current: &[String]) -> Vec<String> {
    let current: Vec<String> = current.iter().map(|t| t.to_ascii_lowercase()).collect();
    let mut merged: Vec<String> = Vec::new();
    for thumbprint in existing
        .iter()
        .map(|t| t.to_ascii_lowercase())
        .chain(current.iter().cloned())
    {
        if !merged.contains(&thumbprint) {
            merged.push(thumbprint);
        }
    }
    while merged.len() > MAX_THUMBPRINTS {
        match merged.iter().position(|thumbprint| !current.contains(thumbprint)) {
            Some(oldest) => merged.remove(oldest),
            None => break,
        };
    }
    merged
}

/// Parse the certificates of a PEM file (as `--chain` gives them), in order.
pub fn parse_pem_chain(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| format!("not a PEM certificate chain: {err}"))
}

/// The default timeout for reading a chain.
pub fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(subject: &str, is_ca: bool, thumbprint: &str) -> CertificateSummary {
        CertificateSummary {
            subject: subject.into(),
            issuer: "CN=ca".into(),
            not_after: "2027-01-01T00:00:00Z".into(),
            not_after_unix: 1_798_761_600,
            is_ca,
            self_signed: is_ca,
            thumbprint: thumbprint.into(),
        }
    }

    #[test]
    fn a_leaf_and_ca_chain_hashes_the_ca() {
        let choice =
            choose_thumbprint(&[summary("CN=leaf", false, "aa"), summary("CN=ca", true, "bb")]).unwrap();
        assert_eq!(choice.thumbprint, "bb");
        assert_eq!(choice.shape, ChainShape::LeafAndCa);
    }

    #[test]
    fn a_leaf_only_chain_hashes_the_leaf_and_warns() {
        let choice = choose_thumbprint(&[summary("CN=leaf", false, "aa")]).unwrap();
        assert_eq!(choice.thumbprint, "aa");
        assert_eq!(choice.shape, ChainShape::LeafOnly);
        assert!(choice.explanation.contains("provider sync"));
        assert!(choice.explanation.contains("2027-01-01T00:00:00Z"));
    }

    #[test]
    fn thumbprints_are_forty_lowercase_hex() {
        let thumbprint = thumbprint_of(b"not really a certificate");
        assert_eq!(thumbprint.len(), 40);
        assert!(
            thumbprint
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }

    #[test]
    fn merging_keeps_old_and_new_and_caps_at_five() {
        let existing: Vec<String> = ["a1", "a2"].map(String::from).to_vec();
        assert_eq!(merge_thumbprints(&existing, &["a2".into()]), existing);
        assert_eq!(
            merge_thumbprints(&existing, &["B3".into()]),
            ["a1", "a2", "b3"].map(String::from)
        );
        let full: Vec<String> = (1..=5).map(|i| format!("t{i}")).collect();
        let merged = merge_thumbprints(&full, &["new".into()]);
        assert_eq!(merged.len(), MAX_THUMBPRINTS);
        assert!(merged.contains(&"new".to_owned()));
        assert!(!merged.contains(&"t1".to_owned()), "the oldest goes: {merged:?}");
    }
}
