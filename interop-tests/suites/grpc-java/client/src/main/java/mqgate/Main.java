package mqgate;

import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.ConsumeResult;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.PushConsumer;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.Message;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.apis.producer.SendReceipt;
import org.apache.rocketmq.client.apis.producer.Transaction;
import org.apache.rocketmq.client.apis.producer.TransactionResolution;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Scenarios run by the official RocketMQ 5.x Java gRPC client (rocketmq-client-java) against mqgate's gRPC
 * front-end. Each prints "PASS name" or "FAIL name: reason"; the last line is "N passed, M failed".
 * Arguments: endpoint (host:port), work directory (for the restart hand-shake with the run script), then
 * optionally the names of the scenarios to run.
 */
public final class Main {
    static final ClientServiceProvider P = ClientServiceProvider.loadService();
    static ClientConfiguration cfg;
    static Path work;
    static int passed;
    static int failed;

    interface Scenario {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        cfg = ClientConfiguration.newBuilder()
            .setEndpoints(args[0])
            .enableSsl(false)
            .setRequestTimeout(Duration.ofSeconds(5))
            .build();
        work = Path.of(args[1]);
        Set<String> only = new HashSet<>(Arrays.asList(args).subList(2, args.length));
        Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("producer-normal-simple-consumer", Main::normal);
        all.put("simple-change-invisible-redelivery", Main::changeInvisible);
        all.put("simple-invisible-timeout-redelivery", Main::invisibleTimeout);
        all.put("producer-fifo-ordered-per-group", Main::fifo);
        all.put("producer-delay", Main::delay);
        all.put("producer-transaction-commit-rollback", Main::transaction);
        all.put("producer-transaction-checker", Main::transactionCheck);
        all.put("push-consumer-tag-filter", Main::pushTag);
        all.put("push-consumer-sql-filter", Main::pushSql);
        all.put("push-consumer-retry-after-failure", Main::pushRetry);
        all.put("cross-remoting-producer-to-grpc-consumer", Main::remotingToGrpc);
        all.put("cross-grpc-producer-to-remoting-consumer", Main::grpcToRemoting);
        all.put("ack-after-server-restart", Main::restart);
        for (Map.Entry<String, Scenario> e : all.entrySet()) {
            if (!only.isEmpty() && !only.contains(e.getKey())) {
                continue;
            }
            long t0 = System.currentTimeMillis();
            try {
                e.getValue().run();
                passed++;
                System.out.printf("PASS %s (%d ms)%n", e.getKey(), System.currentTimeMillis() - t0);
            } catch (Throwable t) {
                failed++;
                System.out.printf("FAIL %s: %s%n", e.getKey(), t);
                t.printStackTrace(System.out);
            }
            System.out.flush();
        }
        System.out.printf("%d passed, %d failed%n", passed, failed);
        System.out.flush();
        System.exit(failed == 0 ? 0 : 1);
    }

    // ---- helpers ----

    static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    static void waitFor(BooleanSupplier cond, Duration max, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + max.toMillis();
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static Producer producer(String topic) throws Exception {
        return P.newProducerBuilder().setClientConfiguration(cfg).setTopics(topic).build();
    }

    static SimpleConsumer simple(String group, String topic, FilterExpression f) throws Exception {
        return P.newSimpleConsumerBuilder().setClientConfiguration(cfg).setConsumerGroup(group)
            .setAwaitDuration(Duration.ofSeconds(3)).setSubscriptionExpressions(Map.of(topic, f)).build();
    }

    static FilterExpression all() {
        return new FilterExpression("*", FilterExpressionType.TAG);
    }

    static Message msg(String topic, String tag, String body) {
        return P.newMessageBuilder().setTopic(topic).setTag(tag).setBody(body.getBytes(StandardCharsets.UTF_8)).build();
    }

    static String body(MessageView m) {
        return StandardCharsets.UTF_8.decode(m.getBody().duplicate()).toString();
    }

    /** Receives until `n` messages arrived or `max` passed; acks each unless told not to. */
    static List<MessageView> receiveN(SimpleConsumer c, int n, Duration invisible, Duration max, boolean ack) throws Exception {
        List<MessageView> got = new ArrayList<>();
        long end = System.currentTimeMillis() + max.toMillis();
        while (got.size() < n && System.currentTimeMillis() < end) {
            for (MessageView m : c.receive(16, invisible)) {
                got.add(m);
                if (ack) {
                    c.ack(m);
                }
            }
        }
        return got;
    }

    // ---- scenarios ----

    static void normal() throws Exception {
        String topic = "JNormal";
        try (Producer p = producer(topic); SimpleConsumer c = simple("GNormal", topic, all())) {
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                Message m = P.newMessageBuilder().setTopic(topic).setTag("TagA").setKeys("k" + i)
                    .addProperty("idx", String.valueOf(i)).setBody(("body-" + i).getBytes(StandardCharsets.UTF_8)).build();
                SendReceipt r = p.send(m);
                ids.add(r.getMessageId().toString());
            }
            List<MessageView> got = receiveN(c, 5, Duration.ofSeconds(30), Duration.ofSeconds(30), true);
            check(got.size() == 5, "received " + got.size() + " of 5");
            for (MessageView m : got) {
                check(ids.contains(m.getMessageId().toString()), "unknown message id " + m.getMessageId());
                String idx = m.getProperties().get("idx");
                check(idx != null && body(m).equals("body-" + idx), "body/property mismatch: " + body(m) + " idx=" + idx);
                check(m.getTag().orElse("").equals("TagA"), "tag " + m.getTag());
                check(m.getKeys().contains("k" + idx), "keys " + m.getKeys());
                check(m.getDeliveryAttempt() == 1, "attempt " + m.getDeliveryAttempt());
            }
            check(c.receive(16, Duration.ofSeconds(30)).isEmpty(), "acked messages came back");
        }
    }

    static void changeInvisible() throws Exception {
        String topic = "JChange";
        try (Producer p = producer(topic); SimpleConsumer c = simple("GChange", topic, all())) {
            String id = p.send(msg(topic, "T", "retry-me")).getMessageId().toString();
            List<MessageView> first = receiveN(c, 1, Duration.ofSeconds(30), Duration.ofSeconds(15), false);
            check(first.size() == 1, "first delivery missing");
            c.changeInvisibleDuration(first.get(0), Duration.ofSeconds(1));
            List<MessageView> again = receiveN(c, 1, Duration.ofSeconds(30), Duration.ofSeconds(15), false);
            check(again.size() == 1, "no redelivery after changeInvisibleDuration");
            MessageView m = again.get(0);
            check(m.getMessageId().toString().equals(id), "redelivered a different message");
            check(m.getDeliveryAttempt() == 2, "attempt " + m.getDeliveryAttempt());
            c.ack(m);
        }
    }

    static void invisibleTimeout() throws Exception {
        String topic = "JTimeout";
        try (Producer p = producer(topic); SimpleConsumer c = simple("GTimeout", topic, all())) {
            p.send(msg(topic, "T", "x"));
            List<MessageView> first = receiveN(c, 1, Duration.ofSeconds(10), Duration.ofSeconds(15), false);
            check(first.size() == 1, "first delivery missing");
            long t0 = System.currentTimeMillis();
            List<MessageView> again = receiveN(c, 1, Duration.ofSeconds(30), Duration.ofSeconds(25), true);
            check(again.size() == 1, "not redelivered after the invisible time");
            check(again.get(0).getDeliveryAttempt() == 2, "attempt " + again.get(0).getDeliveryAttempt());
            check(System.currentTimeMillis() - t0 >= 8_000, "redelivered before the invisible time ended");
        }
    }

    static void fifo() throws Exception {
        String topic = "JFifo";
        // Group GFifo is provisioned as FIFO by the run script (groups.json in the data directory).
        try (Producer p = producer(topic); SimpleConsumer c = simple("GFifo", topic, all())) {
            for (int i = 0; i < 5; i++) {
                for (String g : List.of("A", "B")) {
                    Message m = P.newMessageBuilder().setTopic(topic).setTag("F").setMessageGroup(g)
                        .setBody((g + "-" + i).getBytes(StandardCharsets.UTF_8)).build();
                    p.send(m);
                }
            }
            Map<String, List<String>> seen = new HashMap<>();
            long end = System.currentTimeMillis() + 40_000;
            int total = 0;
            while (total < 10 && System.currentTimeMillis() < end) {
                List<MessageView> batch = c.receive(16, Duration.ofSeconds(30));
                Set<String> groupsInBatch = new HashSet<>();
                for (MessageView m : batch) {
                    String g = m.getMessageGroup().orElse("?");
                    check(groupsInBatch.add(g), "two messages of group " + g + " in flight at once");
                    seen.computeIfAbsent(g, k -> new ArrayList<>()).add(body(m));
                    total++;
                }
                for (MessageView m : batch) {
                    c.ack(m);
                }
            }
            for (String g : List.of("A", "B")) {
                List<String> want = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    want.add(g + "-" + i);
                }
                check(want.equals(seen.get(g)), "group " + g + " order " + seen.get(g));
            }
        }
    }

    static void delay() throws Exception {
        String topic = "JDelay";
        try (Producer p = producer(topic); SimpleConsumer c = simple("GDelay", topic, all())) {
            long due = System.currentTimeMillis() + 3_000;
            Message m = P.newMessageBuilder().setTopic(topic).setTag("D").setDeliveryTimestamp(due)
                .setBody("later".getBytes(StandardCharsets.UTF_8)).build();
            p.send(m);
            List<MessageView> got = receiveN(c, 1, Duration.ofSeconds(30), Duration.ofSeconds(20), true);
            long at = System.currentTimeMillis();
            check(got.size() == 1, "delayed message never arrived");
            check(at >= due - 200, "arrived " + (due - at) + " ms early");
            check(body(got.get(0)).equals("later"), "body");
        }
    }

    static void transaction() throws Exception {
        String topic = "JTx";
        Producer p = P.newProducerBuilder().setClientConfiguration(cfg).setTopics(topic)
            .setTransactionChecker(v -> TransactionResolution.ROLLBACK).build();
        try (p; SimpleConsumer c = simple("GTx", topic, all())) {
            Transaction t1 = p.beginTransaction();
            p.send(msg(topic, "T", "commit-me"), t1);
            Transaction t2 = p.beginTransaction();
            p.send(msg(topic, "T", "roll-me-back"), t2);
            check(c.receive(16, Duration.ofSeconds(30)).isEmpty(), "half message visible before commit");
            t1.commit();
            t2.rollback();
            List<MessageView> got = receiveN(c, 1, Duration.ofSeconds(30), Duration.ofSeconds(15), true);
            check(got.size() == 1 && body(got.get(0)).equals("commit-me"), "committed message missing");
            check(c.receive(16, Duration.ofSeconds(30)).isEmpty(), "rolled-back message delivered");
        }
    }

    static void transactionCheck() throws Exception {
        String topic = "JTxCheck";
        AtomicInteger checks = new AtomicInteger();
        Producer p = P.newProducerBuilder().setClientConfiguration(cfg).setTopics(topic)
            .setTransactionChecker(v -> {
                checks.incrementAndGet();
                return TransactionResolution.COMMIT;
            }).build();
        try (p; SimpleConsumer c = simple("GTxCheck", topic, all())) {
            Transaction t = p.beginTransaction();
            p.send(msg(topic, "T", "orphan"), t);
            // Never resolved by the client: mqgate asks the producer through its Telemetry stream.
            List<MessageView> got = receiveN(c, 1, Duration.ofSeconds(30), Duration.ofSeconds(40), true);
            check(got.size() == 1 && body(got.get(0)).equals("orphan"), "orphaned transaction not committed by the checker");
            check(checks.get() >= 1, "checker never called");
        }
    }

    static PushConsumer push(String group, String topic, FilterExpression f, List<MessageView> sink,
                             java.util.function.Function<MessageView, ConsumeResult> result) throws Exception {
        return P.newPushConsumerBuilder().setClientConfiguration(cfg).setConsumerGroup(group)
            .setSubscriptionExpressions(Map.of(topic, f))
            .setMessageListener(m -> {
                sink.add(m);
                return result.apply(m);
            }).build();
    }

    static void pushTag() throws Exception {
        String topic = "JPushTag";
        List<MessageView> got = new CopyOnWriteArrayList<>();
        try (Producer p = producer(topic);
             PushConsumer c = push("GPushTag", topic, new FilterExpression("TagA", FilterExpressionType.TAG), got, m -> ConsumeResult.SUCCESS)) {
            for (int i = 0; i < 3; i++) {
                p.send(msg(topic, "TagA", "a" + i));
                p.send(msg(topic, "TagB", "b" + i));
            }
            waitFor(() -> got.size() >= 3, Duration.ofSeconds(30), "3 TagA messages");
            Thread.sleep(2_000);
            check(got.size() == 3, "received " + got.size() + " messages, want 3");
            for (MessageView m : got) {
                check(m.getTag().orElse("").equals("TagA"), "unfiltered tag " + m.getTag());
            }
        }
    }

    static void pushSql() throws Exception {
        String topic = "JPushSql";
        List<MessageView> got = new CopyOnWriteArrayList<>();
        try (Producer p = producer(topic);
             PushConsumer c = push("GPushSql", topic, new FilterExpression("a > 3 AND region = 'eu'", FilterExpressionType.SQL92), got, m -> ConsumeResult.SUCCESS)) {
            for (int i = 1; i <= 6; i++) {
                Message m = P.newMessageBuilder().setTopic(topic).setTag("S").addProperty("a", String.valueOf(i))
                    .addProperty("region", i == 6 ? "us" : "eu").setBody(("s" + i).getBytes(StandardCharsets.UTF_8)).build();
                p.send(m);
            }
            waitFor(() -> got.size() >= 2, Duration.ofSeconds(30), "2 matching messages");
            Thread.sleep(2_000);
            Set<String> bodies = new HashSet<>();
            got.forEach(m -> bodies.add(body(m)));
            check(bodies.equals(Set.of("s4", "s5")) && got.size() == 2, "received " + bodies);
        }
    }

    static void pushRetry() throws Exception {
        String topic = "JPushRetry";
        List<MessageView> got = new CopyOnWriteArrayList<>();
        Map<String, Integer> attempts = new ConcurrentHashMap<>();
        try (Producer p = producer(topic);
             PushConsumer c = push("GPushRetry", topic, all(), got, m -> {
                 attempts.merge(m.getMessageId().toString(), 1, Integer::sum);
                 return m.getDeliveryAttempt() == 1 ? ConsumeResult.FAILURE : ConsumeResult.SUCCESS;
             })) {
            p.send(msg(topic, "R", "fail-once"));
            waitFor(() -> got.size() >= 2, Duration.ofSeconds(30), "a redelivery after FAILURE");
            Thread.sleep(2_000);
            check(got.size() == 2, "deliveries " + got.size());
            check(got.get(1).getDeliveryAttempt() == 2, "second attempt number " + got.get(1).getDeliveryAttempt());
        }
    }

    static String remotingAddress() {
        String ns = System.getProperty("mqgate.remoting", "");
        check(!ns.isEmpty(), "-Dmqgate.remoting is not set");
        return ns;
    }

    static void remotingToGrpc() throws Exception {
        String topic = "JCrossIn";
        org.apache.rocketmq.client.producer.DefaultMQProducer p =
            new org.apache.rocketmq.client.producer.DefaultMQProducer("PCrossIn");
        p.setNamesrvAddr(remotingAddress());
        p.setInstanceName("p-cross-in");
        p.start();
        try (SimpleConsumer c = simple("GCrossIn", topic, all())) {
            org.apache.rocketmq.common.message.Message m = new org.apache.rocketmq.common.message.Message(
                topic, "TagX", "key1 key2", "from-remoting".getBytes(StandardCharsets.UTF_8));
            m.putUserProperty("region", "eu");
            org.apache.rocketmq.client.producer.SendResult r = p.send(m);
            check(r.getSendStatus() == org.apache.rocketmq.client.producer.SendStatus.SEND_OK, "remoting send " + r);
            List<MessageView> got = receiveN(c, 1, Duration.ofSeconds(30), Duration.ofSeconds(15), true);
            check(got.size() == 1, "the gRPC consumer got nothing");
            MessageView v = got.get(0);
            check(body(v).equals("from-remoting"), "body " + body(v));
            check(v.getTag().orElse("").equals("TagX"), "tag " + v.getTag());
            check(v.getKeys().containsAll(List.of("key1", "key2")), "keys " + v.getKeys());
            check("eu".equals(v.getProperties().get("region")), "properties " + v.getProperties());
            check(v.getMessageId().toString().equals(r.getMsgId()), "id " + v.getMessageId() + " vs " + r.getMsgId());
            check(v.getBornTimestamp() > 0, "born timestamp");
        } finally {
            p.shutdown();
        }
    }

    static void grpcToRemoting() throws Exception {
        String topic = "JCrossOut";
        List<org.apache.rocketmq.common.message.MessageExt> got = new CopyOnWriteArrayList<>();
        org.apache.rocketmq.client.consumer.DefaultMQPushConsumer c =
            new org.apache.rocketmq.client.consumer.DefaultMQPushConsumer("GCrossOut");
        try (Producer p = producer(topic)) {
            c.setNamesrvAddr(remotingAddress());
            c.setInstanceName("c-cross-out");
            c.setConsumeFromWhere(org.apache.rocketmq.common.consumer.ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            c.subscribe(topic, "*");
            c.registerMessageListener((org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently) (msgs, ctx) -> {
                got.addAll(msgs);
                return org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            c.start();
            Message m = P.newMessageBuilder().setTopic(topic).setTag("TagY").setKeys("k1", "k2")
                .setMessageGroup("order-1").addProperty("region", "us")
                .setBody("from-grpc".getBytes(StandardCharsets.UTF_8)).build();
            String id = p.send(m).getMessageId().toString();
            waitFor(() -> !got.isEmpty(), Duration.ofSeconds(40), "the remoting consumer to receive");
            org.apache.rocketmq.common.message.MessageExt v = got.get(0);
            check(new String(v.getBody(), StandardCharsets.UTF_8).equals("from-grpc"), "body");
            check("TagY".equals(v.getTags()), "tags " + v.getTags());
            check("k1 k2".equals(v.getKeys()), "keys " + v.getKeys());
            check("us".equals(v.getUserProperty("region")), "property region " + v.getProperties());
            check("order-1".equals(v.getUserProperty("__SHARDINGKEY")), "message group " + v.getProperties());
            check(id.equals(org.apache.rocketmq.common.message.MessageClientIDSetter.getUniqID(v)), "id " + id);
        } finally {
            c.shutdown();
        }
    }

    static void restart() throws Exception {
        String topic = "JRestart";
        try (Producer p = producer(topic); SimpleConsumer c = simple("GRestart", topic, all())) {
            p.send(msg(topic, "T", "survive"));
            List<MessageView> got = receiveN(c, 1, Duration.ofSeconds(12), Duration.ofSeconds(15), false);
            check(got.size() == 1, "no delivery before the restart");
            long receivedAt = System.currentTimeMillis();
            Files.writeString(work.resolve("restart.request"), "now");
            waitFor(() -> Files.exists(work.resolve("restart.done")), Duration.ofSeconds(60), "the server restart");
            Exception last = null;
            for (int i = 0; i < 10; i++) {
                try {
                    c.ack(got.get(0));
                    last = null;
                    break;
                } catch (Exception e) {
                    last = e;
                    Thread.sleep(1_000);
                }
            }
            if (last != null) {
                throw last;
            }
            // Past the original invisible time: an acked message must not come back.
            long wait = receivedAt + 13_000 - System.currentTimeMillis();
            if (wait > 0) {
                Thread.sleep(wait);
            }
            check(c.receive(16, Duration.ofSeconds(30)).isEmpty(), "message redelivered although acked after the restart");
        }
    }
}
