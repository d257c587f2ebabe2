//! rustls TLS for every listener: settings, PEM loading (plain and encrypted keys), a hot-reloading server
//! endpoint, and self-signed certificate generation; plus the client side mqgate's own tools use.

pub mod client;
pub mod endpoint;
pub mod load;
pub mod selfsigned;
pub mod settings;

pub use client::TlsClient;
pub use endpoint::TlsEndpoint;
pub use settings::{TlsMode, TlsSettings, TlsVersion};
