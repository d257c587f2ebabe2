package mqgate;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.client.utils.MessageUtil;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.protocol.heartbeat.MessageModel;

/**
 * Drives the real Java rocketmq-client against mqgate. Each scenario prints "PASS name" or "FAIL name: why";
 * the last line is "N passed, M failed" and the exit code is non-zero on any failure.
 * Usage: Main <namesrv host:port> [scenario ...]
 */
public class Main {
    static String ns;
    static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L);
    static final List<String> failures = new CopyOnWriteArrayList<>();
    static int passed = 0;

    public static void main(String[] args) throws Exception {
        ns = args[0];
        List<String> wanted = new ArrayList<>();
        for (int i = 1; i < args.length; i++) wanted.add(args[i]);
        String[] all = {"send_and_push_tag", "sql92", "lite_pull", "orderly", "broadcast", "transaction",
            "delay_level", "retry_dlq", "request_reply", "unknown_code"};
        List<String> order = new ArrayList<>(List.of(all));
        // Halves of cross-language exchanges, run only when named (the Go suite drives them).
        for (String x : new String[] {"produce_for_go", "consume_from_go"}) if (wanted.contains(x)) order.add(x);
        for (String s : order) {
            if (!wanted.isEmpty() && !wanted.contains(s)) continue;
            long t0 = System.currentTimeMillis();
            try {
                run(s);
                passed++;
                System.out.println("PASS " + s + " (" + (System.currentTimeMillis() - t0) + " ms)");
            } catch (Throwable e) {
                failures.add(s);
                System.out.println("FAIL " + s + ": " + e);
            }
            System.out.flush();
        }
        System.out.println(passed + " passed, " + failures.size() + " failed");
        System.out.flush();
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    static void run(String s) throws Exception {
        switch (s) {
            case "send_and_push_tag": sendAndPushTag(); break;
            case "sql92": sql92(); break;
            case "lite_pull": litePull(); break;
            case "orderly": orderly(); break;
            case "broadcast": broadcast(); break;
            case "transaction": transaction(); break;
            case "delay_level": delayLevel(); break;
            case "retry_dlq": retryDlq(); break;
            case "request_reply": requestReply(); break;
            case "unknown_code": unknownCode(); break;
            case "produce_for_go": produceForGo(); break;
            case "consume_from_go": consumeFromGo(); break;
            default: throw new IllegalArgumentException("unknown scenario " + s);
        }
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    static void waitFor(BooleanSupplier cond, long ms, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    static DefaultMQProducer producer(String group) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(group);
        p.setNamesrvAddr(ns);
        p.setInstanceName("p-" + group);
        p.setSendMsgTimeout(10_000);
        p.start();
        return p;
    }

    static DefaultMQPushConsumer pushConsumer(String group, String instance) {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ns);
        c.setInstanceName(instance);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        return c;
    }

    static String body(MessageExt m) {
        return new String(m.getBody(), StandardCharsets.UTF_8);
    }

    static Message msg(String topic, String tag, String key, String body) {
        Message m = new Message(topic, tag, key, body.getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /** Sync, async, oneway and batch sends; a push consumer with a tag subscription sees exactly TagA/TagB. */
    static void sendAndPushTag() throws Exception {
        String topic = "TagTopic_" + RUN;
        DefaultMQProducer p = producer("pg_tag_" + RUN);
        Map<String, MessageExt> got = new ConcurrentHashMap<>();
        DefaultMQPushConsumer c = pushConsumer("cg_tag_" + RUN, "c-tag");
        c.subscribe(topic, "TagA || TagB");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) got.put(body(m), m);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        Set<String> expected = ConcurrentHashMap.newKeySet();
        String[] tags = {"TagA", "TagB", "TagC"};
        for (int i = 0; i < 12; i++) {
            String tag = tags[i % 3];
            Message m = msg(topic, tag, "key" + i, "sync-" + i);
            m.putUserProperty("seq", Integer.toString(i));
            SendResult r = p.send(m);
            check(r.getSendStatus() == SendStatus.SEND_OK, "sync send status " + r.getSendStatus());
            check(r.getOffsetMsgId() != null && r.getOffsetMsgId().length() == 32, "offset msg id " + r.getOffsetMsgId());
            if (!tag.equals("TagC")) expected.add("sync-" + i);
        }
        CountDownLatch asyncDone = new CountDownLatch(5);
        AtomicInteger asyncFailed = new AtomicInteger();
        for (int i = 0; i < 5; i++) {
            p.send(msg(topic, "TagA", "akey" + i, "async-" + i), new SendCallback() {
                public void onSuccess(SendResult r) { asyncDone.countDown(); }
                public void onException(Throwable e) { asyncFailed.incrementAndGet(); asyncDone.countDown(); }
            });
            expected.add("async-" + i);
        }
        check(asyncDone.await(20, TimeUnit.SECONDS), "async sends completed");
        check(asyncFailed.get() == 0, "async send failures: " + asyncFailed.get());
        for (int i = 0; i < 5; i++) {
            p.sendOneway(msg(topic, "TagB", "okey" + i, "oneway-" + i));
            expected.add("oneway-" + i);
        }
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            batch.add(msg(topic, i % 2 == 0 ? "TagA" : "TagC", "bkey" + i, "batch-" + i));
            if (i % 2 == 0) expected.add("batch-" + i);
        }
        SendResult br = p.send(batch);
        check(br.getSendStatus() == SendStatus.SEND_OK, "batch send status");
        check(br.getMsgId().split(",").length == 10, "batch msg ids: " + br.getMsgId());
        waitFor(() -> got.keySet().containsAll(expected), 30_000, "tagged messages (" + got.size() + "/" + expected.size() + ")");
        Thread.sleep(500);
        for (String k : got.keySet()) check(expected.contains(k), "unexpected message " + k);
        MessageExt m3 = got.get("sync-3");
        check("TagA".equals(m3.getTags()), "tag kept: " + m3.getTags());
        check("key3".equals(m3.getKeys()), "keys kept: " + m3.getKeys());
        check("3".equals(m3.getUserProperty("seq")), "user property kept: " + m3.getUserProperty("seq"));
        check(m3.getReconsumeTimes() == 0, "reconsume times");
        c.shutdown();
        p.shutdown();
    }

    /** A SQL92 subscription is filtered on the server (the client does not re-check SQL). */
    static void sql92() throws Exception {
        String topic = "SqlTopic_" + RUN;
        DefaultMQProducer p = producer("pg_sql_" + RUN);
        Map<String, MessageExt> got = new ConcurrentHashMap<>();
        DefaultMQPushConsumer c = pushConsumer("cg_sql_" + RUN, "c-sql");
        c.subscribe(topic, MessageSelector.bySql("a BETWEEN 3 AND 6 AND (region = 'eu' OR region IS NULL)"));
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) got.put(body(m), m);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        for (int i = 0; i < 10; i++) {
            Message m = msg(topic, "T", null, "sql-" + i);
            m.putUserProperty("a", Integer.toString(i));
            if (i == 4) m.putUserProperty("region", "us");
            if (i == 5) m.putUserProperty("region", "eu");
            p.send(m);
        }
        Set<String> expected = Set.of("sql-3", "sql-5", "sql-6");
        waitFor(() -> got.keySet().containsAll(expected), 30_000, "SQL92-matching messages " + got.keySet());
        Thread.sleep(1000);
        check(got.keySet().equals(expected), "exactly the matching messages, got " + got.keySet());
        c.shutdown();
        p.shutdown();
    }

    /** The lite pull consumer reads what was sent before it started. */
    static void litePull() throws Exception {
        String topic = "PullTopic_" + RUN;
        DefaultMQProducer p = producer("pg_pull_" + RUN);
        Set<String> sent = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            p.send(msg(topic, "P", "pk" + i, "pull-" + i));
            sent.add("pull-" + i);
        }
        DefaultLitePullConsumer c = new DefaultLitePullConsumer("cg_pull_" + RUN);
        c.setNamesrvAddr(ns);
        c.setInstanceName("c-pull");
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.start();
        Set<String> got = new java.util.HashSet<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!got.containsAll(sent) && System.currentTimeMillis() < deadline) {
            for (MessageExt m : c.poll(1000)) got.add(body(m));
        }
        check(got.containsAll(sent), "lite pull got " + got.size() + "/" + sent.size());
        c.shutdown();
        p.shutdown();
    }

    /** Orderly: messages of one order go to one queue and are consumed in send order. */
    static void orderly() throws Exception {
        String topic = "OrderTopic_" + RUN;
        DefaultMQProducer p = producer("pg_order_" + RUN);
        Map<Integer, List<Integer>> seen = new ConcurrentHashMap<>();
        AtomicInteger total = new AtomicInteger();
        DefaultMQPushConsumer c = pushConsumer("cg_order_" + RUN, "c-order");
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerOrderly) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                String[] parts = body(m).split(":");
                seen.computeIfAbsent(Integer.parseInt(parts[0]), k -> Collections.synchronizedList(new ArrayList<>()))
                    .add(Integer.parseInt(parts[1]));
                total.incrementAndGet();
            }
            return ConsumeOrderlyStatus.SUCCESS;
        });
        c.start();
        for (int step = 0; step < 10; step++) {
            for (int order = 0; order < 4; order++) {
                SendResult r = p.send(msg(topic, "O", null, order + ":" + step),
                    (mqs, m, arg) -> mqs.get((Integer) arg % mqs.size()), order);
                check(r.getSendStatus() == SendStatus.SEND_OK, "orderly send");
            }
        }
        waitFor(() -> total.get() >= 40, 40_000, "orderly messages (" + total.get() + "/40)");
        for (int order = 0; order < 4; order++) {
            List<Integer> steps = seen.get(order);
            for (int i = 0; i < 10; i++) check(steps.get(i) == i, "order " + order + " in sequence: " + steps);
        }
        c.shutdown();
        p.shutdown();
    }

    /** Broadcasting: each of two consumers of one group gets every message. */
    static void broadcast() throws Exception {
        String topic = "BcastTopic_" + RUN;
        String group = "cg_bcast_" + RUN;
        DefaultMQProducer p = producer("pg_bcast_" + RUN);
        List<Set<String>> got = new ArrayList<>();
        List<DefaultMQPushConsumer> cs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Set<String> mine = ConcurrentHashMap.newKeySet();
            got.add(mine);
            DefaultMQPushConsumer c = pushConsumer(group, "c-bcast-" + i);
            c.setMessageModel(MessageModel.BROADCASTING);
            c.subscribe(topic, "*");
            c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                for (MessageExt m : msgs) mine.add(body(m));
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();
            cs.add(c);
        }
        Thread.sleep(1000);
        for (int i = 0; i < 6; i++) p.send(msg(topic, "B", null, "bcast-" + i));
        waitFor(() -> got.get(0).size() >= 6 && got.get(1).size() >= 6, 30_000,
            "both broadcast consumers (" + got.get(0).size() + "," + got.get(1).size() + ")");
        for (DefaultMQPushConsumer c : cs) c.shutdown();
        p.shutdown();
    }

    /** Transactions: commit is delivered, rollback never, unknown is resolved by the broker's check-back. */
    static void transaction() throws Exception {
        String topic = "TxTopic_" + RUN;
        AtomicInteger checks = new AtomicInteger();
        TransactionMQProducer p = new TransactionMQProducer("pg_tx_" + RUN);
        p.setNamesrvAddr(ns);
        p.setInstanceName("p-tx");
        p.setTransactionListener(new TransactionListener() {
            public LocalTransactionState executeLocalTransaction(Message m, Object arg) {
                switch (m.getTags()) {
                    case "commit": return LocalTransactionState.COMMIT_MESSAGE;
                    case "rollback": return LocalTransactionState.ROLLBACK_MESSAGE;
                    default: return LocalTransactionState.UNKNOW;
                }
            }
            public LocalTransactionState checkLocalTransaction(MessageExt m) {
                checks.incrementAndGet();
                return LocalTransactionState.COMMIT_MESSAGE;
            }
        });
        p.start();
        Map<String, MessageExt> got = new ConcurrentHashMap<>();
        DefaultMQPushConsumer c = pushConsumer("cg_tx_" + RUN, "c-tx");
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) got.put(body(m), m);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        for (String tag : new String[] {"commit", "rollback", "unknown"}) {
            SendResult r = p.sendMessageInTransaction(msg(topic, tag, "tx-" + tag, "tx-" + tag), null);
            check(r.getSendStatus() == SendStatus.SEND_OK, "half send " + tag);
        }
        waitFor(() -> got.containsKey("tx-commit"), 20_000, "committed transaction message");
        waitFor(() -> got.containsKey("tx-unknown"), 40_000, "transaction resolved by check-back (checks=" + checks.get() + ")");
        check(checks.get() >= 1, "the broker asked the producer");
        Thread.sleep(1000);
        check(!got.containsKey("tx-rollback"), "rolled-back message must not be delivered");
        c.shutdown();
        p.shutdown();
    }

    /** Delay level 2 (5 s): delivered no earlier than the delay. */
    static void delayLevel() throws Exception {
        String topic = "DelayTopic_" + RUN;
        DefaultMQProducer p = producer("pg_delay_" + RUN);
        Map<String, Long> arrived = new ConcurrentHashMap<>();
        DefaultMQPushConsumer c = pushConsumer("cg_delay_" + RUN, "c-delay");
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) arrived.put(body(m), System.currentTimeMillis());
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        Thread.sleep(500);
        Message m = msg(topic, "D", "dk", "delayed");
        m.setDelayTimeLevel(2);
        long sentAt = System.currentTimeMillis();
        check(p.send(m).getSendStatus() == SendStatus.SEND_OK, "delay send");
        waitFor(() -> arrived.containsKey("delayed"), 30_000, "delayed message");
        long took = arrived.get("delayed") - sentAt;
        check(took >= 4_500, "delivered after " + took + " ms, expected >= 5000");
        c.shutdown();
        p.shutdown();
    }

    /** RECONSUME_LATER goes through %RETRY% and, after maxReconsumeTimes, to %DLQ%. */
    static void retryDlq() throws Exception {
        String topic = "RetryTopic_" + RUN;
        String group = "cg_retry_" + RUN;
        DefaultMQProducer p = producer("pg_retry_" + RUN);
        AtomicInteger deliveries = new AtomicInteger();
        List<Integer> reconsumes = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = pushConsumer(group, "c-retry");
        c.setMaxReconsumeTimes(2);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                if (body(m).equals("retry-me")) {
                    deliveries.incrementAndGet();
                    reconsumes.add(m.getReconsumeTimes());
                }
            }
            ctx.setDelayLevelWhenNextConsume(1);
            return ConsumeConcurrentlyStatus.RECONSUME_LATER;
        });
        c.start();
        Map<String, MessageExt> dlq = new ConcurrentHashMap<>();
        DefaultMQPushConsumer d = pushConsumer("cg_dlq_" + RUN, "c-dlq");
        d.subscribe("%DLQ%" + group, "*");
        d.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) dlq.put(body(m), m);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        d.start();
        Message m = msg(topic, "R", "rk", "retry-me");
        m.putUserProperty("origin", "java");
        p.send(m);
        waitFor(() -> dlq.containsKey("retry-me"), 60_000, "message in DLQ (deliveries " + deliveries.get() + ")");
        check(deliveries.get() == 3, "delivered 1 + 2 retries, got " + deliveries.get() + " " + reconsumes);
        MessageExt dm = dlq.get("retry-me");
        check("java".equals(dm.getUserProperty("origin")), "user property kept in DLQ");
        check("rk".equals(dm.getKeys()), "keys kept in DLQ");
        c.shutdown();
        d.shutdown();
        p.shutdown();
    }

    /** Request-reply: the responder's reply reaches the requester through the broker. */
    static void requestReply() throws Exception {
        String topic = "RpcTopic_" + RUN;
        DefaultMQProducer responderProducer = producer("pg_rpc_resp_" + RUN);
        DefaultMQPushConsumer c = pushConsumer("cg_rpc_" + RUN, "c-rpc");
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                try {
                    Message reply = MessageUtil.createReplyMessage(m, ("re:" + body(m)).getBytes(StandardCharsets.UTF_8));
                    responderProducer.send(reply);
                } catch (Exception e) {
                    System.out.println("reply failed: " + e);
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        DefaultMQProducer requester = producer("pg_rpc_req_" + RUN);
        // rocketmq-client 5.3.3's request(msg, timeout) and request(msg, callback, timeout) count down on the
        // send acknowledgement and return before any reply can arrive (an upstream client bug, broker-independent);
        // the queue-addressed variant waits for the reply, so it is the one exercised here.
        MessageQueue mq = requester.fetchPublishMessageQueues(topic).get(0);
        java.util.concurrent.CompletableFuture<Message> replyF = new java.util.concurrent.CompletableFuture<>();
        requester.request(msg(topic, "Q", null, "ping"), mq, new org.apache.rocketmq.client.producer.RequestCallback() {
            public void onSuccess(Message m) { replyF.complete(m); }
            public void onException(Throwable e) { replyF.completeExceptionally(e); }
        }, 15_000);
        Message reply = replyF.get(20, TimeUnit.SECONDS);
        check(reply != null, "a reply");
        check("re:ping".equals(new String(reply.getBody(), StandardCharsets.UTF_8)), "reply body");
        requester.shutdown();
        c.shutdown();
        responderProducer.shutdown();
    }

    /** An unknown request code gets REQUEST_CODE_NOT_SUPPORTED and the connection stays usable. */
    static void unknownCode() throws Exception {
        DefaultMQProducer p = producer("pg_unknown_" + RUN);
        p.send(msg("UnknownTopic_" + RUN, "U", null, "before"));
        org.apache.rocketmq.remoting.RemotingClient rc =
            p.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl().getRemotingClient();
        String addr = ns;
        org.apache.rocketmq.remoting.protocol.RemotingCommand req =
            org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(99999, null);
        org.apache.rocketmq.remoting.protocol.RemotingCommand resp = rc.invokeSync(addr, req, 5000);
        check(resp.getCode() == 3, "code 3, got " + resp.getCode() + " " + resp.getRemark());
        check(resp.getRemark() != null && resp.getRemark().contains("99999"), "remark names the code");
        check(p.send(msg("UnknownTopic_" + RUN, "U", null, "after")).getSendStatus() == SendStatus.SEND_OK,
            "send after the unknown code");
        p.shutdown();
    }

    /** Sends 5 messages (tag FromJava, keys, a user property) to the topic in -Dxtopic for the Go client. */
    static void produceForGo() throws Exception {
        String topic = System.getProperty("xtopic");
        DefaultMQProducer p = producer("pg_xlang_" + RUN);
        for (int i = 0; i < 5; i++) {
            Message m = msg(topic, "FromJava", "javakey" + i, "java-" + i);
            m.putUserProperty("lang", "java");
            check(p.send(m).getSendStatus() == SendStatus.SEND_OK, "send for go");
        }
        p.shutdown();
    }

    /** Consumes the 5 messages the Go client sent to -Dxtopic and checks body, tag, keys and property. */
    static void consumeFromGo() throws Exception {
        String topic = System.getProperty("xtopic");
        Map<String, MessageExt> got = new ConcurrentHashMap<>();
        DefaultMQPushConsumer c = pushConsumer("cg_xlang_" + RUN, "c-xlang");
        c.subscribe(topic, "FromGo");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) got.put(body(m), m);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        // 60 s: a first rebalance that finds no queues is retried only after the client's 20 s rebalance interval.
        waitFor(() -> got.size() >= 5, 60_000, "messages from Go (" + got.size() + "/5)");
        for (MessageExt m : got.values()) {
            check(body(m).startsWith("go-"), "body " + body(m));
            check("FromGo".equals(m.getTags()), "tag " + m.getTags());
            check(m.getKeys() != null && m.getKeys().startsWith("gokey"), "keys " + m.getKeys());
            check("go".equals(m.getUserProperty("lang")), "property lang " + m.getUserProperty("lang"));
        }
        c.shutdown();
    }
}
