package mqgate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.FilterExpressionType;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.netty.TlsSystemConfig;

/**
 * The Java RocketMQ clients over TLS against mqgate: the classic remoting client (rocketmq-client, TLS through
 * setUseTLS and the tls.* system properties, trusting the suite's CA) and the 5.x gRPC client
 * (rocketmq-client-java, enableSsl). Two servers: A serves every listener in permissive mode (TLS flags on the
 * command line); B's TLS comes from its config file: an enforcing remoting listener whose certificate files the
 * run script replaces during the rotation scenario, and an enforcing TLS 1.3-only gRPC listener. A round trip
 * through an enforcing listener is the proof that a client really spoke TLS.
 * Each scenario prints "PASS name" or "FAIL name: why"; the last line is "N passed, M failed".
 * Usage: Main <work dir> [scenario ...]; endpoints in -Dmqgate.a.remoting, -Dmqgate.a.grpc, -Dmqgate.b.remoting,
 * -Dmqgate.b.grpc, and -Dmqgate.untrusted.ca (a CA that did not sign the servers' certificates).
 */
public final class Main {
    static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L);
    static final ClientServiceProvider GRPC = ClientServiceProvider.loadService();
    static Path work;
    static int passed;
    static int failed;

    interface Scenario {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        work = Path.of(args[0]);
        Set<String> only = new HashSet<>(Arrays.asList(args).subList(1, args.length));
        String aRemoting = System.getProperty("mqgate.a.remoting");
        String bRemoting = System.getProperty("mqgate.b.remoting");
        String aGrpc = System.getProperty("mqgate.a.grpc");
        String bGrpc = System.getProperty("mqgate.b.grpc");
        Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("remoting-tls-send-consume", () -> remotingRoundTrip(aRemoting, "A", true));
        all.put("remoting-plaintext-same-permissive-port", () -> remotingRoundTrip(aRemoting, "Plain", false));
        all.put("remoting-tls-through-enforcing-port", () -> remotingRoundTrip(bRemoting, "B", true));
        all.put("remoting-plaintext-refused-by-enforcing-port", () -> remotingRefused(bRemoting, false, null));
        all.put("remoting-tls-untrusted-ca-refused",
            () -> remotingRefused(aRemoting, true, System.getProperty("mqgate.untrusted.ca")));
        all.put("grpc-java-tls-send-receive", () -> grpcRoundTrip(aGrpc, "A"));
        all.put("grpc-java-tls13-enforcing-port", () -> grpcRoundTrip(bGrpc, "B"));
        all.put("remoting-tls-cert-rotation-keeps-connections", () -> rotation(bRemoting));
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

    static void waitFor(BooleanSupplier cond, long ms, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    static String body(MessageExt m) {
        return new String(m.getBody(), StandardCharsets.UTF_8);
    }

    /** A remoting producer; its own client instance, so its TLS choice is its own. */
    static DefaultMQProducer producer(String ns, String group, boolean tls) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer(group);
        p.setNamesrvAddr(ns);
        p.setInstanceName("p-" + group);
        p.setUseTLS(tls);
        p.setSendMsgTimeout(5_000);
        p.start();
        return p;
    }

    /** A started push consumer of `topic` from its first offset, collecting bodies into `got`. */
    static DefaultMQPushConsumer consumer(String ns, String group, String topic, boolean tls, Set<String> got)
        throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ns);
        c.setInstanceName("c-" + group);
        c.setUseTLS(tls);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.subscribe(topic, "*");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                got.add(body(m));
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        return c;
    }

    // ---- remoting scenarios ----

    /** Ten sync sends and a push consumer that receives exactly them, both over TLS or both plaintext. */
    static void remotingRoundTrip(String ns, String tag, boolean tls) throws Exception {
        String topic = "TlsTopic" + tag + "_" + RUN;
        Set<String> got = ConcurrentHashMap.newKeySet();
        DefaultMQPushConsumer c = consumer(ns, "cg_tls" + tag + "_" + RUN, topic, tls, got);
        DefaultMQProducer p = producer(ns, "pg_tls" + tag + "_" + RUN, tls);
        try {
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 10; i++) {
                String b = tag + "-" + i;
                SendResult r = p.send(new Message(topic, "T", b.getBytes(StandardCharsets.UTF_8)));
                check(r.getSendStatus() == SendStatus.SEND_OK, "send status " + r.getSendStatus());
                sent.add(b);
            }
            waitFor(() -> got.containsAll(sent), 30_000, "the consumer to receive " + sent.size() + " messages (got "
                + got.size() + ")");
            Thread.sleep(300);
            check(got.equals(sent), "received " + got + ", sent " + sent);
        } finally {
            p.shutdown();
            c.shutdown();
        }
    }

    /**
     * A send that must fail: plaintext to an enforcing port (closed by the server), or TLS trusting a CA that did
     * not sign the server's certificate (the client refuses the handshake).
     */
    static void remotingRefused(String ns, boolean tls, String trustCa) throws Exception {
        String saved = TlsSystemConfig.tlsClientTrustCertPath;
        String group = "pg_refused" + (tls ? "Tls" : "Plain") + "_" + RUN;
        DefaultMQProducer p;
        if (trustCa != null) {
            check(Files.exists(Path.of(trustCa)), "untrusted CA file " + trustCa);
            TlsSystemConfig.tlsClientTrustCertPath = trustCa;
        }
        try {
            // The client builds its SSL context from TlsSystemConfig when it starts.
            p = producer(ns, group, tls);
        } finally {
            TlsSystemConfig.tlsClientTrustCertPath = saved;
        }
        try {
            p.setSendMsgTimeout(3_000);
            p.setRetryTimesWhenSendFailed(0);
            SendResult r = p.send(new Message("TlsRefused_" + RUN, "T", "x".getBytes(StandardCharsets.UTF_8)));
            throw new AssertionError("the send went through: " + r);
        } catch (AssertionError e) {
            throw e;
        } catch (Exception expected) {
            // The client does not keep the handshake failure as a cause; remoting-tls-send-consume runs the same
            // code trusting the right CA, so the trust store is what differs.
            System.out.println("  refused as expected: " + String.valueOf(expected.getMessage()).split("\n")[0]);
        } finally {
            p.shutdown();
        }
    }

    /**
     * A TLS producer and push consumer connected to B's enforcing remoting port keep working while the run script
     * replaces the certificate files with ones from another CA: sends continue on the established connections with
     * no error, and every message arrives. The client trusts only the first CA, so a reconnection would fail:
     * zero errors also means the connections made before the rotation stayed up.
     */
    static void rotation(String ns) throws Exception {
        String topic = "TlsRotate_" + RUN;
        Set<String> got = ConcurrentHashMap.newKeySet();
        DefaultMQPushConsumer c = consumer(ns, "cg_rot_" + RUN, topic, true, got);
        DefaultMQProducer p = producer(ns, "pg_rot_" + RUN, true);
        List<String> sent = new CopyOnWriteArrayList<>();
        List<String> errors = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> died = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; !stop.get(); i++) {
                    String b = "rot-" + i;
                    try {
                        SendResult r = p.send(new Message(topic, "T", b.getBytes(StandardCharsets.UTF_8)));
                        if (r.getSendStatus() == SendStatus.SEND_OK) {
                            sent.add(b);
                        } else {
                            errors.add(b + ": " + r.getSendStatus());
                        }
                    } catch (Exception e) {
                        errors.add(b + ": " + e);
                    }
                    Thread.sleep(25);
                }
            } catch (Throwable t) {
                died.set(t);
            }
        }, "rotation-sender");
        sender.start();
        Path request = work.resolve("rotate.request");
        Path done = work.resolve("rotate.done");
        try {
            waitFor(() -> sent.size() >= 20 || !errors.isEmpty(), 30_000, "20 sends before the rotation");
            check(errors.isEmpty(), "send errors before the rotation: " + errors);
            waitFor(() -> got.size() >= 10, 30_000, "the consumer to receive before the rotation");
            Files.writeString(request, "rotate");
            waitFor(() -> Files.exists(done), 90_000, "the run script to rotate the certificate");
            String outcome = Files.readString(done).trim();
            check(outcome.equals("ok"), "rotation on the server side: " + outcome);
            int atRotation = sent.size();
            waitFor(() -> sent.size() >= atRotation + 40 || !errors.isEmpty(), 30_000, "40 sends after the rotation");
        } finally {
            stop.set(true);
            sender.join(15_000);
        }
        try {
            check(died.get() == null, "sender thread died: " + died.get());
            check(errors.isEmpty(), "send errors across the rotation: " + errors);
            waitFor(() -> got.containsAll(sent), 30_000, "every message sent across the rotation ("
                + got.size() + "/" + sent.size() + ")");
            System.out.println("  " + sent.size() + " messages sent and received across the certificate rotation");
        } finally {
            p.shutdown();
            c.shutdown();
        }
    }

    // ---- gRPC scenarios ----

    /** Five sends and a SimpleConsumer that receives and acks exactly them, over TLS (enableSsl). */
    static void grpcRoundTrip(String endpoint, String tag) throws Exception {
        ClientConfiguration cfg = ClientConfiguration.newBuilder()
            .setEndpoints(endpoint)
            .enableSsl(true)
            .setRequestTimeout(Duration.ofSeconds(5))
            .build();
        String topic = "JTlsGrpc" + tag + "_" + RUN;
        FilterExpression all = new FilterExpression("*", FilterExpressionType.TAG);
        try (Producer p = GRPC.newProducerBuilder().setClientConfiguration(cfg).setTopics(topic).build();
             SimpleConsumer c = GRPC.newSimpleConsumerBuilder().setClientConfiguration(cfg)
                 .setConsumerGroup("JTlsG" + tag + "_" + RUN).setAwaitDuration(Duration.ofSeconds(3))
                 .setSubscriptionExpressions(Map.of(topic, all)).build()) {
            Set<String> sent = new HashSet<>();
            for (int i = 0; i < 5; i++) {
                String b = "grpc-" + tag + "-" + i;
                p.send(GRPC.newMessageBuilder().setTopic(topic).setTag("T")
                    .setBody(b.getBytes(StandardCharsets.UTF_8)).build());
                sent.add(b);
            }
            Set<String> got = new HashSet<>();
            long end = System.currentTimeMillis() + 30_000;
            while (got.size() < sent.size() && System.currentTimeMillis() < end) {
                for (MessageView m : c.receive(16, Duration.ofSeconds(30))) {
                    got.add(StandardCharsets.UTF_8.decode(m.getBody().duplicate()).toString());
                    c.ack(m);
                }
            }
            check(got.equals(sent), "received " + got + ", sent " + sent);
            List<MessageView> again = new ArrayList<>(c.receive(16, Duration.ofSeconds(30)));
            check(again.isEmpty(), "acked messages came back: " + again.size());
        }
    }
}
