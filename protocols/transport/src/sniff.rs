//! Telling protocols apart by a connection's first bytes, so any port can serve any protocol. Pure functions.

/// What the first bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A TLS record (handshake content type 0x16).
    Tls,
    /// Something else; hand it to the protocol front-ends' own sniffers.
    Other,
}

/// Bytes needed to decide between TLS and plaintext.
pub const TLS_SNIFF_LEN: usize = 1;

/// Bytes front-ends' sniffers look at (the HTTP/2 preface needs the most of the common ones).
pub const PROTOCOL_SNIFF_LEN: usize = 8;

/// TLS or not, from the first byte.
pub fn tls_or_plain(first: &[u8]) -> Sniffed {
    match first.first() {
        Some(0x16) => Sniffed::Tls,
        _ => Sniffed::Other,
    }
}

/// True for the HTTP/2 connection preface (gRPC).
pub fn is_http2_preface(b: &[u8]) -> bool {
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    !b.is_empty() && preface.starts_with(&b[..b.len().min(preface.len())])
}

/// True for the AMQP protocol header (`AMQP` followed by the protocol id and version).
pub fn is_amqp_header(b: &[u8]) -> bool {
    b.len() >= 4 && &b[..4] == b"AMQP"
}

/// True for an HTTP/1.x request line.
pub fn is_http1_request(b: &[u8]) -> bool {
    const METHODS: [&[u8]; 9] = [
        b"GET ",
        b"POST ",
        b"PUT ",
        b"DELETE ",
        b"HEAD ",
        b"OPTIONS ",
        b"PATCH ",
        b"CONNECT ",
        b"TRACE ",
    ];
    b.len() >= 4 && METHODS.iter().any(|m| b.starts_with(m) || m.starts_with(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_each_protocol_by_its_first_bytes() {
        assert_eq!(tls_or_plain(&[0x16, 3, 1]), Sniffed::Tls);
        assert_eq!(tls_or_plain(b"GET /"), Sniffed::Other);
        assert!(is_http2_preface(b"PRI * HT"));
        assert!(!is_http2_preface(b"POST /x"));
        assert!(is_amqp_header(b"AMQP\x03\x01\x00\x00"));
        assert!(is_http1_request(b"GET /oms"));
        assert!(is_http1_request(b"POST /x"));
        assert!(!is_http1_request(b"PRI * HT"));
        assert!(!is_http1_request(&[0, 0, 0, 40, 0, 0, 0, 30]));
    }
}
