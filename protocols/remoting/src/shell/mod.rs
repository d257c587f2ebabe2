//! The shell: a thin tokio task per connection (read, decode, dispatch to handlers, write) and the state
//! shared by all connections of one listener.

pub mod connection;
pub mod outbound;
pub mod state;

/// True when the first bytes look like a remoting frame: a plausible length, serialize type 0 or 1, and for
/// JSON a header that starts with `{`.
pub fn sniff(first: &[u8]) -> bool {
    if first.len() < 9 {
        return false;
    }
    let len = i32::from_be_bytes([first[0], first[1], first[2], first[3]]);
    if !(4..=(64 << 20)).contains(&len) {
        return false;
    }
    match first[4] {
        0 => first[8] == b'{',
        1 => true,
        _ => false,
    }
}
