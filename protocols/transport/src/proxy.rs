//! HAProxy PROXY protocol v1 (text) and v2 (binary) headers: the real client address when mqgate sits behind
//! a load balancer. A pure, bounded parser; the caller bounds the time it waits for the bytes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Signature of a v2 header.
pub const V2_SIGNATURE: [u8; 12] = [
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
];
/// Longest v1 header, CRLF included (the spec's limit).
pub const V1_MAX: usize = 107;
/// Longest v2 header accepted (16 fixed bytes plus addresses and TLVs).
pub const V2_MAX: usize = 16 + 1024;

/// A parsed header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyHeader {
    /// The original client, when the header carried one (not for `UNKNOWN`/`LOCAL`).
    pub source: Option<SocketAddr>,
    /// Header length in bytes (to skip).
    pub len: usize,
}

/// Why a header is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    /// Not a PROXY header at all.
    #[error("not a PROXY protocol header")]
    NotProxy,
    /// Starts like one but is malformed.
    #[error("malformed PROXY protocol header: {0}")]
    Malformed(&'static str),
}

/// True when `b` (possibly short) could be the start of a PROXY header.
pub fn may_be_proxy(b: &[u8]) -> bool {
    let v1 = b"PROXY ";
    (!b.is_empty() && v1.starts_with(&b[..b.len().min(6)]))
        || (!b.is_empty() && V2_SIGNATURE.starts_with(&b[..b.len().min(12)]))
}

/// Parses a header at the start of `b`: `Ok(None)` when more bytes are needed.
pub fn parse(b: &[u8]) -> Result<Option<ProxyHeader>, ProxyError> {
    if b.len() >= 6 && &b[..6] == b"PROXY " {
        return parse_v1(b);
    }
    if b.len() >= 12 && b[..12] == V2_SIGNATURE {
        return parse_v2(b);
    }
    if may_be_proxy(b) {
        return Ok(None);
    }
    Err(ProxyError::NotProxy)
}

fn parse_v1(b: &[u8]) -> Result<Option<ProxyHeader>, ProxyError> {
    let Some(end) = b.windows(2).position(|w| w == b"\r\n") else {
        return if b.len() >= V1_MAX {
            Err(ProxyError::Malformed("v1 header too long"))
        } else {
            Ok(None)
        };
    };
    if end + 2 > V1_MAX {
        return Err(ProxyError::Malformed("v1 header too long"));
    }
    let line = std::str::from_utf8(&b[..end])
        .map_err(|_| ProxyError::Malformed("v1 header is not ASCII"))?;
    let parts: Vec<&str> = line.split(' ').collect();
    let source = match parts.as_slice() {
        ["PROXY", "UNKNOWN", ..] => None,
        ["PROXY", proto @ ("TCP4" | "TCP6"), src, _dst, sport, _dport] => {
            let ip: IpAddr = src
                .parse()
                .map_err(|_| ProxyError::Malformed("v1 source address"))?;
            if (*proto == "TCP4") != ip.is_ipv4() {
                return Err(ProxyError::Malformed("v1 address family"));
            }
            let port: u16 = sport
                .parse()
                .map_err(|_| ProxyError::Malformed("v1 source port"))?;
            Some(SocketAddr::new(ip, port))
        }
        _ => return Err(ProxyError::Malformed("v1 fields")),
    };
    Ok(Some(ProxyHeader {
        source,
        len: end + 2,
    }))
}

fn parse_v2(b: &[u8]) -> Result<Option<ProxyHeader>, ProxyError> {
    if b.len() < 16 {
        return Ok(None);
    }
    let ver_cmd = b[12];
    if ver_cmd >> 4 != 2 {
        return Err(ProxyError::Malformed("v2 version"));
    }
    let len = u16::from_be_bytes([b[14], b[15]]) as usize;
    if 16 + len > V2_MAX {
        return Err(ProxyError::Malformed("v2 header too long"));
    }
    if b.len() < 16 + len {
        return Ok(None);
    }
    let body = &b[16..16 + len];
    let source = match (ver_cmd & 0x0F, b[13] >> 4) {
        (0, _) => None, // LOCAL: health check from the proxy itself
        (1, 1) if body.len() >= 12 => {
            let ip = Ipv4Addr::new(body[0], body[1], body[2], body[3]);
            Some(SocketAddr::new(
                IpAddr::V4(ip),
                u16::from_be_bytes([body[8], body[9]]),
            ))
        }
        (1, 2) if body.len() >= 36 => {
            let mut o = [0u8; 16];
            o.copy_from_slice(&body[..16]);
            Some(SocketAddr::new(
                IpAddr::V6(Ipv6Addr::from(o)),
                u16::from_be_bytes([body[32], body[33]]),
            ))
        }
        (1, 0) => None,
        (1, _) => return Err(ProxyError::Malformed("v2 address block")),
        _ => return Err(ProxyError::Malformed("v2 command")),
    };
    Ok(Some(ProxyHeader {
        source,
        len: 16 + len,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_tcp4_header_gives_the_client_address() {
        let h = b"PROXY TCP4 192.168.0.1 10.0.0.1 56324 9876\r\nrest";
        assert_eq!(
            parse(h).unwrap(),
            Some(ProxyHeader {
                source: Some("192.168.0.1:56324".parse().unwrap()),
                len: 44
            })
        );
        assert_eq!(parse(b"PROXY TCP4 192.16").unwrap(), None);
        assert_eq!(parse(b"PROXY UNKNOWN\r\n").unwrap().unwrap().source, None);
        assert!(parse(b"PROXY TCP4 ::1 ::1 1 2\r\n").is_err());
        assert!(parse(&[b'P'; 200]).is_err());
        assert_eq!(parse(b"GET / HTTP/1.1"), Err(ProxyError::NotProxy));
    }

    #[test]
    fn v2_headers_parse_and_bad_ones_are_refused() {
        let mut h = V2_SIGNATURE.to_vec();
        h.extend_from_slice(&[
            0x21, 0x11, 0, 12, 127, 0, 0, 9, 127, 0, 0, 1, 0x1F, 0x90, 0x26, 0x94,
        ]);
        assert_eq!(
            parse(&h).unwrap(),
            Some(ProxyHeader {
                source: Some("127.0.0.9:8080".parse().unwrap()),
                len: 28
            })
        );
        assert_eq!(parse(&h[..20]).unwrap(), None);
        let mut local = V2_SIGNATURE.to_vec();
        local.extend_from_slice(&[0x20, 0x00, 0, 0]);
        assert_eq!(parse(&local).unwrap().unwrap().source, None);
        let mut bad = V2_SIGNATURE.to_vec();
        bad.extend_from_slice(&[0x31, 0x11, 0, 0]);
        assert!(parse(&bad).is_err());
        let mut huge = V2_SIGNATURE.to_vec();
        huge.extend_from_slice(&[0x21, 0x11, 0xFF, 0xFF]);
        assert!(parse(&huge).is_err());
    }
}
