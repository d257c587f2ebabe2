//! Message filters for mqgate: RocketMQ SQL92, JMS selectors and tag expressions.
//! Pure: no I/O, no dependency on the engine.
#![forbid(unsafe_code)]
