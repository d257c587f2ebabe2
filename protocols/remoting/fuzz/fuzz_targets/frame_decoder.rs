//! Fuzzes the remoting frame decoder and both header decoders, then the per-request header and body parsers
//! that sit behind them: any input must give a command, "need more bytes" or an error, never a panic, and a
//! decoded command must survive re-encoding.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use mqgate_remoting::codec::{bodies, fields::Fields, frame, header_binary, header_json, messages, FrameLimits};

fuzz_target!(|data: &[u8]| {
    let limits = FrameLimits {
        max_frame: 1 << 20,
        max_header: 64 << 10,
    };
    let mut buf = BytesMut::from(data);
    while let Ok(Some(cmd)) = frame::decode(&mut buf, &limits) {
        let f = Fields(&cmd.ext_fields);
        let _ = f.num::<i64>("queueOffset");
        let _ = f.num_any::<i32>(&["queueId", "e"]);
        let _ = f.str_any(&["topic", "b"]);
        let _ = messages::decode_batch(&cmd.body);
        let _ = serde_json::from_slice::<bodies::HeartbeatData>(&cmd.body);
        let _ = serde_json::from_slice::<bodies::LockBatchRequest>(&cmd.body);
        let mut out = BytesMut::new();
        frame::encode(&cmd, &mut out);
        let roomy = FrameLimits {
            max_frame: 64 << 20,
            max_header: 16 << 20,
        };
        let again = frame::decode(&mut out, &roomy)
            .expect("re-encoded frame decodes")
            .expect("re-encoded frame is complete");
        assert_eq!(again.code, cmd.code);
        assert_eq!(again.ext_fields, cmd.ext_fields);
        assert_eq!(again.body, cmd.body);
    }
    let _ = header_json::decode(data);
    let _ = header_binary::decode(data);
});
