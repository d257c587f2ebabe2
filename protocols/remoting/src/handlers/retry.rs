//! CONSUMER_SEND_MSG_BACK (36): a consumer failed a message; the engine copies it into `%RETRY%<group>` with a
//! delay level, or into `%DLQ%<group>` once it was reconsumed the maximum number of times.

use super::{success, HandlerResult, Reply};
use crate::codec::fields::Fields;
use crate::codec::Command;
use crate::shell::state::Shared;

/// CONSUMER_SEND_MSG_BACK.
pub async fn send_back(shared: &Shared, cmd: &Command) -> HandlerResult {
    let f = Fields(&cmd.ext_fields);
    let offset: u64 = f.num("offset")?;
    let group = f.str("group")?;
    let delay_level: i32 = f.opt_num("delayLevel")?.unwrap_or(0);
    let max: Option<i32> = f.opt_num::<i32>("maxReconsumeTimes")?.filter(|m| *m >= 0);
    shared
        .engine
        .send_back(group, offset, delay_level, max)
        .await?;
    Ok(Reply::Command(success()))
}
