//! The RocketMQ v2 protobuf types and the tonic service, generated at build time from `proto/` (see `build.rs`).
//! Nothing here is hand-written; conversions live in [`crate::codec`].
#![allow(missing_docs, clippy::all, clippy::pedantic)]

tonic::include_proto!("apache.rocketmq.v2");
