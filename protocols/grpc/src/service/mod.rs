//! The `MessagingService` implementation: one small file per RPC family, each translating a request into engine
//! calls. This file holds the dispatch, the per-call context (`x-mq-client-id`, deadline) and the rule that
//! application errors travel as a `Status` inside an OK response.

mod ack;
mod offsets;
mod receive;
mod route;
mod send;
mod telemetry;

use crate::codec::time::parse_grpc_timeout;
use crate::error::{RpcError, RpcResult};
use crate::pb::messaging_service_server::MessagingService;
use crate::pb::*;
use crate::state::Shared;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_stream::Stream;
use tonic::{Request, Response, Status as GrpcStatus};

/// A server-streaming response.
pub type ResponseStream<T> = Pin<Box<dyn Stream<Item = Result<T, GrpcStatus>> + Send + 'static>>;

/// What every call carries besides its request.
#[derive(Debug, Clone)]
pub struct CallContext {
    /// `x-mq-client-id`.
    pub client_id: String,
    /// Time left before the client gives up (`grpc-timeout`), if it sent one.
    pub deadline: Option<Duration>,
    /// When the call arrived.
    pub started: Instant,
    /// The client's address.
    pub peer: SocketAddr,
}

/// The service of one connection.
#[derive(Debug, Clone)]
pub struct Service {
    shared: Arc<Shared>,
    peer: SocketAddr,
}

impl Service {
    /// A service for a connection from `peer`.
    pub fn new(shared: Arc<Shared>, peer: SocketAddr) -> Self {
        Service { shared, peer }
    }

    /// Checks the metadata every call must carry; `CLIENT_ID_REQUIRED` without a client id.
    fn context<T>(&self, req: &Request<T>) -> RpcResult<CallContext> {
        let md = req.metadata();
        let client_id = md
            .get("x-mq-client-id")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty() && v.len() <= 256)
            .ok_or_else(|| RpcError::new(Code::ClientIdRequired, "x-mq-client-id is required"))?;
        let deadline = md
            .get("grpc-timeout")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_grpc_timeout);
        self.shared.clients.touch(client_id, Instant::now());
        Ok(CallContext {
            client_id: client_id.to_string(),
            deadline,
            started: Instant::now(),
            peer: self.peer,
        })
    }
}

/// A response that carries a top-level `Status`.
pub trait StatusResponse: Default {
    /// The status field.
    fn status_mut(&mut self) -> &mut Option<crate::pb::Status>;
}

macro_rules! status_responses {
    ($($t:ty),*) => {
        $(impl StatusResponse for $t {
            fn status_mut(&mut self) -> &mut Option<crate::pb::Status> {
                &mut self.status
            }
        })*
    };
}

status_responses!(
    QueryRouteResponse,
    HeartbeatResponse,
    SendMessageResponse,
    QueryAssignmentResponse,
    AckMessageResponse,
    ForwardMessageToDeadLetterQueueResponse,
    UpdateOffsetResponse,
    GetOffsetResponse,
    QueryOffsetResponse,
    EndTransactionResponse,
    NotifyClientTerminationResponse,
    ChangeInvisibleDurationResponse,
    RecallMessageResponse,
    SyncLiteSubscriptionResponse
);

/// Turns a handler result into an OK gRPC response whose `Status` says how it went.
fn answer<R: StatusResponse>(r: RpcResult<R>) -> Result<Response<R>, GrpcStatus> {
    let resp = match r {
        Ok(mut resp) => {
            resp.status_mut().get_or_insert_with(crate::error::ok);
            resp
        }
        Err(e) => {
            let mut resp = R::default();
            *resp.status_mut() = Some(e.to_status());
            resp
        }
    };
    Ok(Response::new(resp))
}

macro_rules! unary {
    ($self:ident, $req:ident, $handler:path) => {{
        let result = match $self.context(&$req) {
            Ok(ctx) => $handler(&$self.shared, &ctx, $req.into_inner()).await,
            Err(e) => Err(e),
        };
        answer(result)
    }};
}

#[tonic::async_trait]
impl MessagingService for Service {
    async fn query_route(
        &self,
        req: Request<QueryRouteRequest>,
    ) -> Result<Response<QueryRouteResponse>, GrpcStatus> {
        unary!(self, req, route::query_route)
    }

    async fn heartbeat(
        &self,
        req: Request<HeartbeatRequest>,
    ) -> Result<Response<HeartbeatResponse>, GrpcStatus> {
        unary!(self, req, route::heartbeat)
    }

    async fn send_message(
        &self,
        req: Request<SendMessageRequest>,
    ) -> Result<Response<SendMessageResponse>, GrpcStatus> {
        unary!(self, req, send::send_message)
    }

    async fn query_assignment(
        &self,
        req: Request<QueryAssignmentRequest>,
    ) -> Result<Response<QueryAssignmentResponse>, GrpcStatus> {
        unary!(self, req, route::query_assignment)
    }

    type ReceiveMessageStream = ResponseStream<ReceiveMessageResponse>;

    async fn receive_message(
        &self,
        req: Request<ReceiveMessageRequest>,
    ) -> Result<Response<Self::ReceiveMessageStream>, GrpcStatus> {
        let items = match self.context(&req) {
            Ok(ctx) => receive::receive_message(&self.shared, &ctx, req.into_inner()).await,
            Err(e) => receive::failed(&self.shared, e),
        };
        Ok(Response::new(Box::pin(tokio_stream::iter(
            items.into_iter().map(Ok),
        ))))
    }

    async fn ack_message(
        &self,
        req: Request<AckMessageRequest>,
    ) -> Result<Response<AckMessageResponse>, GrpcStatus> {
        unary!(self, req, ack::ack_message)
    }

    async fn forward_message_to_dead_letter_queue(
        &self,
        req: Request<ForwardMessageToDeadLetterQueueRequest>,
    ) -> Result<Response<ForwardMessageToDeadLetterQueueResponse>, GrpcStatus> {
        unary!(self, req, ack::forward_to_dead_letter)
    }

    type PullMessageStream = ResponseStream<PullMessageResponse>;

    async fn pull_message(
        &self,
        req: Request<PullMessageRequest>,
    ) -> Result<Response<Self::PullMessageStream>, GrpcStatus> {
        let items = match self.context(&req) {
            Ok(ctx) => offsets::pull_message(&self.shared, &ctx, req.into_inner()).await,
            Err(e) => offsets::pull_failed(e, None),
        };
        Ok(Response::new(Box::pin(tokio_stream::iter(
            items.into_iter().map(Ok),
        ))))
    }

    async fn update_offset(
        &self,
        req: Request<UpdateOffsetRequest>,
    ) -> Result<Response<UpdateOffsetResponse>, GrpcStatus> {
        unary!(self, req, offsets::update_offset)
    }

    async fn get_offset(
        &self,
        req: Request<GetOffsetRequest>,
    ) -> Result<Response<GetOffsetResponse>, GrpcStatus> {
        unary!(self, req, offsets::get_offset)
    }

    async fn query_offset(
        &self,
        req: Request<QueryOffsetRequest>,
    ) -> Result<Response<QueryOffsetResponse>, GrpcStatus> {
        unary!(self, req, offsets::query_offset)
    }

    async fn end_transaction(
        &self,
        req: Request<EndTransactionRequest>,
    ) -> Result<Response<EndTransactionResponse>, GrpcStatus> {
        unary!(self, req, send::end_transaction)
    }

    type TelemetryStream = telemetry::TelemetryResponse;

    async fn telemetry(
        &self,
        req: Request<tonic::Streaming<TelemetryCommand>>,
    ) -> Result<Response<Self::TelemetryStream>, GrpcStatus> {
        let ctx = self.context(&req);
        telemetry::telemetry(self.shared.clone(), ctx, req.into_inner()).map(Response::new)
    }

    async fn notify_client_termination(
        &self,
        req: Request<NotifyClientTerminationRequest>,
    ) -> Result<Response<NotifyClientTerminationResponse>, GrpcStatus> {
        unary!(self, req, route::notify_client_termination)
    }

    async fn change_invisible_duration(
        &self,
        req: Request<ChangeInvisibleDurationRequest>,
    ) -> Result<Response<ChangeInvisibleDurationResponse>, GrpcStatus> {
        unary!(self, req, ack::change_invisible_duration)
    }

    async fn recall_message(
        &self,
        req: Request<RecallMessageRequest>,
    ) -> Result<Response<RecallMessageResponse>, GrpcStatus> {
        unary!(self, req, send::recall_message)
    }

    async fn sync_lite_subscription(
        &self,
        req: Request<SyncLiteSubscriptionRequest>,
    ) -> Result<Response<SyncLiteSubscriptionResponse>, GrpcStatus> {
        unary!(self, req, route::sync_lite_subscription)
    }
}
