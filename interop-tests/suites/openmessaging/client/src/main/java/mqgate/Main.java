package mqgate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.openmessaging.BytesMessage;
import io.openmessaging.KeyValue;
import io.openmessaging.Message;
import io.openmessaging.MessagingAccessPoint;
import io.openmessaging.OMS;
import io.openmessaging.OMSBuiltinKeys;
import io.openmessaging.consumer.PullConsumer;
import io.openmessaging.consumer.PushConsumer;
import io.openmessaging.producer.Producer;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * Drives the OpenMessaging API (io.openmessaging:openmessaging-api) with RocketMQ's OMS driver
 * (org.apache.rocketmq:rocketmq-openmessaging, URL oms:rocketmq://host:port/default:default) against mqgate's
 * remoting port, and crosses over to mqgate's HTTP binding and to the plain RocketMQ remoting client.
 * Each scenario prints "PASS name" or "FAIL name: why"; the last line is "N passed, M failed".
 * Usage: Main <remoting host:port> <http base URL> [scenario ...]
 */
public class Main {
    static String ns;
    static String http;
    static MessagingAccessPoint access;
    static final String RUN = Long.toString(System.currentTimeMillis() % 1_000_000_000L);
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    static final List<String> failures = new CopyOnWriteArrayList<>();
    static int passed = 0;

    public static void main(String[] args) throws Exception {
        ns = args[0];
        http = args[1];
        access = OMS.getMessagingAccessPoint("oms:rocketmq://" + ns + "/default:default");
        List<String> wanted = new ArrayList<>();
        for (int i = 2; i < args.length; i++) wanted.add(args[i]);
        String[] all = {"oms_send_push", "oms_pull", "oms_headers_sql_over_http", "http_to_oms_pull",
            "http_to_remoting_push", "remoting_to_http"};
        for (String s : all) {
            if (!wanted.isEmpty() && !wanted.contains(s)) continue;
            long t0 = System.currentTimeMillis();
            try {
                run(s);
                passed++;
                System.out.println("PASS java " + s + " (" + (System.currentTimeMillis() - t0) + " ms)");
            } catch (Throwable e) {
                failures.add(s);
                System.out.println("FAIL java " + s + ": " + e);
            }
            System.out.flush();
        }
        System.out.println(passed + " passed, " + failures.size() + " failed");
        System.out.flush();
        System.exit(failures.isEmpty() ? 0 : 1);
    }

    static void run(String s) throws Exception {
        switch (s) {
            case "oms_send_push": omsSendPush(); break;
            case "oms_pull": omsPull(); break;
            case "oms_headers_sql_over_http": omsHeadersSqlOverHttp(); break;
            case "http_to_oms_pull": httpToOmsPull(); break;
            case "http_to_remoting_push": httpToRemotingPush(); break;
            case "remoting_to_http": remotingToHttp(); break;
            default: throw new IllegalArgumentException("unknown scenario " + s);
        }
    }

    // ---- OMS API scenarios -------------------------------------------------------------------------------

    static Producer startProducer() {
        Producer p = access.createProducer();
        p.startup();
        return p;
    }

    static List<String> sendOms(Producer p, String topic, int n, String prefix) {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            BytesMessage m = p.createBytesMessage(topic, (prefix + i).getBytes(StandardCharsets.UTF_8));
            m.putUserHeaders("color", "red");
            m.putUserHeaders("idx", i);
            m.putSysHeaders(Message.BuiltinKeys.PRIORITY, i);
            m.putSysHeaders(Message.BuiltinKeys.TRACE_ID, "trace-" + i);
            ids.add(p.send(m).messageId());
        }
        return ids;
    }

    static void checkOmsMessage(Message m, String topic, String prefix) {
        String body = new String(m.getBody(byte[].class), StandardCharsets.UTF_8);
        check(body.startsWith(prefix), "body " + body);
        String idx = body.substring(prefix.length());
        check(topic.equals(m.sysHeaders().getString(Message.BuiltinKeys.DESTINATION)),
            "DESTINATION " + m.sysHeaders().getString(Message.BuiltinKeys.DESTINATION));
        check("red".equals(m.userHeaders().getString("color")), "user header color " + m.userHeaders().getString("color"));
        check(idx.equals(m.userHeaders().getString("idx")), "user header idx " + m.userHeaders().getString("idx"));
        check(idx.equals(m.sysHeaders().getString(Message.BuiltinKeys.PRIORITY)), "PRIORITY " + m.sysHeaders().getString(Message.BuiltinKeys.PRIORITY));
        check(("trace-" + idx).equals(m.sysHeaders().getString(Message.BuiltinKeys.TRACE_ID)), "TRACE_ID");
        check(m.sysHeaders().getString(Message.BuiltinKeys.MESSAGE_ID) != null, "MESSAGE_ID missing");
    }

    static void omsSendPush() throws Exception {
        String topic = "OmsPush" + RUN;
        Producer p = startProducer();
        List<String> ids = sendOms(p, topic, 3, "push-");
        check(ids.size() == 3 && ids.stream().allMatch(x -> x != null && !x.isEmpty()), "send ids " + ids);
        // sendAsync and sendOneway too.
        String asyncId = p.sendAsync(p.createBytesMessage(topic, "async".getBytes(StandardCharsets.UTF_8)))
            .get(10_000).messageId();
        check(asyncId != null && !asyncId.isEmpty(), "async send id");
        p.sendOneway(p.createBytesMessage(topic, "oneway".getBytes(StandardCharsets.UTF_8)));
        p.shutdown();
        Map<String, Message> got = new ConcurrentHashMap<>();
        Map<String, Boolean> others = new ConcurrentHashMap<>();
        KeyValue attrs = OMS.newKeyValue().put(OMSBuiltinKeys.CONSUMER_ID, "OmsPushGroup" + RUN);
        PushConsumer c = access.createPushConsumer(attrs);
        c.attachQueue(topic, (message, context) -> {
            String body = new String(message.getBody(byte[].class), StandardCharsets.UTF_8);
            if (body.startsWith("push-")) got.put(message.sysHeaders().getString(Message.BuiltinKeys.MESSAGE_ID), message);
            else others.put(body, true);
            context.ack();
        });
        c.startup();
        try {
            waitFor(() -> got.size() >= 3 && others.size() >= 2, 40_000,
                "push consumer got " + got.size() + " of 3 and " + others.keySet() + " of [async, oneway]");
            for (String id : ids) {
                Message m = got.get(id);
                check(m != null, "message " + id + " not received; got " + got.keySet());
                checkOmsMessage(m, topic, "push-");
            }
        } finally {
            c.shutdown();
        }
    }

    static void omsPull() throws Exception {
        String topic = "OmsPull" + RUN;
        Producer p = startProducer();
        List<String> ids = sendOms(p, topic, 3, "pull-");
        p.shutdown();
        KeyValue attrs = OMS.newKeyValue().put(OMSBuiltinKeys.CONSUMER_ID, "OmsPullGroup" + RUN);
        PullConsumer c = access.createPullConsumer(attrs);
        c.attachQueue(topic);
        c.startup();
        try {
            List<String> got = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 40_000;
            while (got.size() < 3 && System.currentTimeMillis() < deadline) {
                Message m = c.receive(OMS.newKeyValue().put(Message.BuiltinKeys.TIMEOUT, 1000));
                if (m == null) continue;
                checkOmsMessage(m, topic, "pull-");
                got.add(m.sysHeaders().getString(Message.BuiltinKeys.MESSAGE_ID));
                c.ack(ackKey(m));
            }
            check(got.containsAll(ids), "pulled " + got + ", sent " + ids);
        } finally {
            c.shutdown();
        }
    }

    /** OMS system headers travel as properties: an HTTP consumer filters on PRIORITY with SQL92. */
    static void omsHeadersSqlOverHttp() throws Exception {
        String topic = "OmsSql" + RUN;
        Producer p = startProducer();
        List<String> ids = sendOms(p, topic, 5, "sql-");
        p.shutdown();
        String group = "OmsSqlHttp" + RUN;
        List<JsonNode> got = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 20_000;
        while (got.size() < 2 && System.currentTimeMillis() < deadline) {
            HttpResponse<String> r = get("/oms/v1/topics/" + topic + "/messages?group=" + group
                + "&max=16&wait=2000&filter=" + enc("PRIORITY > 3 AND color = 'red'"));
            if (r.statusCode() == 204) continue;
            check(r.statusCode() == 200, "consume status " + r.statusCode() + " " + r.body());
            for (JsonNode m : JSON.readTree(r.body()).get("messages")) got.add(m);
        }
        check(got.size() == 2, "filtered " + got.size() + " messages, want 2: " + got);
        List<String> handles = new ArrayList<>();
        for (JsonNode m : got) {
            int prio = Integer.parseInt(m.get("properties").get("PRIORITY").asText());
            check(prio > 3, "PRIORITY " + prio);
            check(ids.get(prio - 1).equals(m.get("messageId").asText()), "message id " + m.get("messageId"));
            String body = new String(Base64.getDecoder().decode(m.get("body").asText()), StandardCharsets.UTF_8);
            check(body.equals("sql-" + prio), "body " + body);
            handles.add(m.get("receiptHandle").asText());
        }
        ObjectNode ack = JSON.createObjectNode().put("group", group);
        ArrayNode hs = ack.putArray("receiptHandles");
        handles.forEach(hs::add);
        HttpResponse<String> r = post("/oms/v1/topics/" + topic + "/ack", "application/json", ack.toString(), Map.of());
        check(r.statusCode() == 200, "ack status " + r.statusCode() + " " + r.body());
    }

    static void httpToOmsPull() throws Exception {
        String topic = "HttpOms" + RUN;
        HttpResponse<String> r = post("/oms/v1/topics/" + topic + "/messages", "text/plain", "from-http",
            Map.of("x-oms-p-color", "blue", "x-oms-h-priority", "7", "x-oms-h-tag", "TagO"));
        check(r.statusCode() == 201, "produce status " + r.statusCode() + " " + r.body());
        String id = JSON.readTree(r.body()).get("messageId").asText();
        check(id.equals(r.headers().firstValue("x-oms-h-messageid").orElse("")), "messageId header");
        KeyValue attrs = OMS.newKeyValue().put(OMSBuiltinKeys.CONSUMER_ID, "HttpOmsGroup" + RUN);
        PullConsumer c = access.createPullConsumer(attrs);
        c.attachQueue(topic);
        c.startup();
        try {
            Message m = null;
            long deadline = System.currentTimeMillis() + 40_000;
            while (m == null && System.currentTimeMillis() < deadline) {
                m = c.receive(OMS.newKeyValue().put(Message.BuiltinKeys.TIMEOUT, 1000));
            }
            check(m != null, "OMS pull consumer received nothing");
            check("from-http".equals(new String(m.getBody(byte[].class), StandardCharsets.UTF_8)), "body");
            check(id.equals(m.sysHeaders().getString(Message.BuiltinKeys.MESSAGE_ID)), "MESSAGE_ID "
                + m.sysHeaders().getString(Message.BuiltinKeys.MESSAGE_ID) + " want " + id);
            check("blue".equals(m.userHeaders().getString("color")), "user header color " + m.userHeaders().getString("color"));
            check("7".equals(m.sysHeaders().getString(Message.BuiltinKeys.PRIORITY)), "PRIORITY " + m.sysHeaders().getString(Message.BuiltinKeys.PRIORITY));
            c.ack(ackKey(m));
        } finally {
            c.shutdown();
        }
    }

    // ---- plain RocketMQ remoting client <-> HTTP ----------------------------------------------------------

    static void httpToRemotingPush() throws Exception {
        String topic = "HttpRmq" + RUN;
        HttpResponse<String> r = post("/oms/v1/topics/" + topic + "/messages", "application/octet-stream", "to-remoting",
            Map.of("x-oms-h-tag", "TagH", "x-oms-h-keys", "k1, k2", "x-oms-p-color", "green", "x-oms-p-size", "42"));
        check(r.statusCode() == 201, "produce status " + r.statusCode() + " " + r.body());
        String id = JSON.readTree(r.body()).get("messageId").asText();
        List<MessageExt> got = new CopyOnWriteArrayList<>();
        DefaultMQPushConsumer c = new DefaultMQPushConsumer("HttpRmqGroup" + RUN);
        c.setNamesrvAddr(ns);
        c.setInstanceName("http-rmq-" + RUN);
        c.subscribe(topic, "TagH");
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            got.addAll(msgs);
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        try {
            waitFor(() -> !got.isEmpty(), 40_000, "remoting push consumer received nothing");
            MessageExt m = got.get(0);
            check(id.equals(m.getMsgId()), "msgId " + m.getMsgId() + " want " + id);
            check("TagH".equals(m.getTags()), "tag " + m.getTags());
            check("k1 k2".equals(m.getKeys()), "keys " + m.getKeys());
            check("green".equals(m.getUserProperty("color")), "color " + m.getUserProperty("color"));
            check("42".equals(m.getUserProperty("size")), "size " + m.getUserProperty("size"));
            check("to-remoting".equals(new String(m.getBody(), StandardCharsets.UTF_8)), "body");
        } finally {
            c.shutdown();
        }
    }

    static void remotingToHttp() throws Exception {
        String topic = "RmqHttp" + RUN;
        DefaultMQProducer p = new DefaultMQProducer("RmqHttpProducer" + RUN);
        p.setNamesrvAddr(ns);
        p.setInstanceName("rmq-http-" + RUN);
        p.start();
        org.apache.rocketmq.common.message.Message msg = new org.apache.rocketmq.common.message.Message(
            topic, "TagR", "key-r", "from-remoting".getBytes(StandardCharsets.UTF_8));
        msg.putUserProperty("color", "purple");
        msg.putUserProperty("n", "3");
        SendResult sr = p.send(msg);
        p.shutdown();
        String group = "RmqHttpGroup" + RUN;
        HttpResponse<String> r = get("/oms/v1/topics/" + topic + "/messages?group=" + group + "&wait=5000");
        check(r.statusCode() == 200, "consume status " + r.statusCode() + " " + r.body());
        JsonNode m = JSON.readTree(r.body()).get("messages").get(0);
        check(sr.getMsgId().equals(m.get("messageId").asText()), "messageId " + m.get("messageId") + " want " + sr.getMsgId());
        check("TagR".equals(m.get("tag").asText()), "tag " + m.get("tag"));
        check("key-r".equals(m.get("keys").get(0).asText()), "keys " + m.get("keys"));
        check("purple".equals(m.get("properties").get("color").asText()), "color " + m.get("properties"));
        check("3".equals(m.get("properties").get("n").asText()), "n " + m.get("properties"));
        String body = new String(Base64.getDecoder().decode(m.get("body").asText()), StandardCharsets.UTF_8);
        check("from-remoting".equals(body), "body " + body);
        ObjectNode ack = JSON.createObjectNode().put("group", group);
        ack.putArray("receiptHandles").add(m.get("receiptHandle").asText());
        r = post("/oms/v1/topics/" + topic + "/ack", "application/json", ack.toString(), Map.of());
        check(r.statusCode() == 200, "ack status " + r.statusCode() + " " + r.body());
        r = get("/oms/v1/topics/" + topic + "/messages?group=" + group + "&wait=500");
        check(r.statusCode() == 204, "after ack: status " + r.statusCode() + " " + r.body());
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    static HttpResponse<String> get(String path) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create(http + path)).timeout(Duration.ofSeconds(30)).GET().build();
        return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String contentType, String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http + path)).timeout(Duration.ofSeconds(30))
            .header("content-type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** RocketMQ's OMS driver acks pulled messages by MESSAGE_ID (its examples do so); RECEIPT_HANDLE stays unset. */
    static String ackKey(Message m) {
        String h = m.sysHeaders().getString(Message.BuiltinKeys.RECEIPT_HANDLE);
        return h != null ? h : m.sysHeaders().getString(Message.BuiltinKeys.MESSAGE_ID);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError(what);
    }

    static void waitFor(BooleanSupplier cond, long ms, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + ms;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out: " + what);
            Thread.sleep(100);
        }
    }
}
