package mqgate;

import jakarta.jms.*;
import org.apache.qpid.jms.JmsConnectionFactory;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;

import java.nio.charset.StandardCharsets;
import java.util.*;
import jakarta.jms.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Real JMS scenarios (Qpid JMS over AMQP 1.0) against mqgate. Usage: Main host:port [scenario ...].
 * The cross-protocol scenarios also use the RocketMQ Java client against -Dmqgate.namesrv=host:port (mqgate's
 * remoting listener). Prints PASS/FAIL per scenario and "N passed, M failed" last; exits 1 on any failure.
 */
public class Main {
    static String url;
    static final String RUN = "r" + Long.toHexString(System.nanoTime() & 0xffffffL);
    static final long WAIT = 5000;

    interface Scenario { void run() throws Exception; }

    public static void main(String[] args) throws Exception {
        url = "amqp://" + args[0] + "?amqp.idleTimeout=30000";
        Set<String> only = new HashSet<>(Arrays.asList(args).subList(1, args.length));
        LinkedHashMap<String, Scenario> all = new LinkedHashMap<>();
        all.put("queue_auto_ack", Main::queueAutoAck);
        all.put("queue_waits_for_first_receiver", Main::queueWaits);
        all.put("queue_client_ack_recover_redelivers", Main::clientAckRecover);
        all.put("body_types_round_trip", Main::bodyTypes);
        all.put("topic_pub_sub", Main::topicPubSub);
        all.put("durable_subscription_across_reconnect", Main::durable);
        all.put("shared_subscription", Main::shared);
        all.put("selector_match_and_non_match", Main::selector);
        all.put("invalid_selector_error", Main::invalidSelector);
        all.put("temporary_queue_request_reply", Main::requestReply);
        all.put("transacted_send_commit_rollback", Main::transactedSend);
        all.put("transacted_receive_rollback_redelivers", Main::transactedReceive);
        all.put("queue_browser_does_not_consume", Main::browser);
        all.put("rocketmq_producer_to_jms_selector", Main::rocketmqToJms);
        all.put("jms_producer_to_rocketmq_sql92", Main::jmsToRocketmq);
        // Run only when named: the suite restarts mqgate between these two.
        all.put("restart_phase1_subscribe_and_publish", Main::restartPhase1);
        all.put("restart_phase2_durable_subscription_survived", Main::restartPhase2);
        int passed = 0, failed = 0;
        for (Map.Entry<String, Scenario> e : all.entrySet()) {
            boolean named = only.contains(e.getKey());
            if (!only.isEmpty() && !named) continue;
            if (only.isEmpty() && e.getKey().startsWith("restart_")) continue;
            long t0 = System.currentTimeMillis();
            try {
                e.getValue().run();
                passed++;
                System.out.println("PASS " + e.getKey() + " (" + (System.currentTimeMillis() - t0) + " ms)");
            } catch (Throwable t) {
                failed++;
                System.out.println("FAIL " + e.getKey() + ": " + t);
                t.printStackTrace(System.out);
            }
        }
        System.out.println(passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }

    static Connection connect(String clientId) throws JMSException {
        JmsConnectionFactory f = new JmsConnectionFactory("guest", "guest", url);
        Connection c = f.createConnection();
        if (clientId != null) c.setClientID(clientId);
        c.start();
        return c;
    }

    static void check(boolean ok, Supplier<String> what) {
        if (!ok) throw new AssertionError(what.get());
    }

    static String text(Message m) throws JMSException {
        check(m instanceof TextMessage, () -> "expected a TextMessage, got " + m);
        return ((TextMessage) m).getText();
    }

    static void queueAutoAck() throws Exception {
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(RUN + "-auto");
            MessageConsumer consumer = s.createConsumer(q);
            MessageProducer p = s.createProducer(q);
            for (int i = 0; i < 3; i++) {
                TextMessage m = s.createTextMessage("hello " + i);
                m.setIntProperty("n", i);
                m.setBooleanProperty("flag", i % 2 == 0);
                m.setStringProperty("color", "red");
                m.setDoubleProperty("ratio", 2.5);
                m.setJMSType("greeting");
                m.setJMSCorrelationID("corr-" + i);
                p.send(m, DeliveryMode.PERSISTENT, 7, 0);
            }
            for (int i = 0; i < 3; i++) {
                Message m = consumer.receive(WAIT);
                check(m != null, () -> "message missing");
                final int k = i;
                check(text(m).equals("hello " + i), () -> "wrong order or body at " + k);
                check(m.getIntProperty("n") == i, () -> "int property lost its type or value");
                check(m.getObjectProperty("n") instanceof Integer, () -> "n is not an Integer");
                check(m.getBooleanProperty("flag") == (i % 2 == 0), () -> "boolean property");
                check(m.getObjectProperty("ratio") instanceof Double, () -> "ratio is not a Double");
                check("greeting".equals(m.getJMSType()), () -> "JMSType");
                check(("corr-" + k).equals(m.getJMSCorrelationID()), () -> "JMSCorrelationID");
                check(m.getJMSPriority() == 7, () -> "JMSPriority");
                check(m.getJMSDeliveryMode() == DeliveryMode.PERSISTENT, () -> "JMSDeliveryMode");
                check(m.getJMSMessageID() != null && m.getJMSMessageID().startsWith("ID:"), () -> "JMSMessageID");
                check(!m.getJMSRedelivered(), () -> "first delivery marked redelivered");
            }
            check(consumer.receive(500) == null, () -> "queue not empty after auto-ack");
        }
    }

    static void queueWaits() throws Exception {
        String name = RUN + "-waits";
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createQueue(name)).send(s.createTextMessage("early"));
        }
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Message m = s.createConsumer(s.createQueue(name)).receive(WAIT);
            check(m != null && text(m).equals("early"), () -> "message sent before the receiver was lost");
        }
    }

    static void clientAckRecover() throws Exception {
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Queue q = s.createQueue(RUN + "-cack");
            MessageProducer p = s.createProducer(q);
            p.send(s.createTextMessage("a"));
            p.send(s.createTextMessage("b"));
            MessageConsumer consumer = s.createConsumer(q);
            Message a = consumer.receive(WAIT);
            check(a != null && text(a).equals("a"), () -> "first message");
            check(a.getIntProperty("JMSXDeliveryCount") == 1, () -> "JMSXDeliveryCount of a first delivery");
            s.recover();
            Message again = consumer.receive(WAIT);
            check(again != null && text(again).equals("a"), () -> "recover did not redeliver a, got " + again);
            check(again.getJMSRedelivered(), () -> "redelivered message not marked JMSRedelivered");
            check(again.getIntProperty("JMSXDeliveryCount") == 2, () -> {
                try { return "JMSXDeliveryCount after recover: " + again.getIntProperty("JMSXDeliveryCount"); }
                catch (JMSException e) { return e.toString(); }
            });
            Message b = consumer.receive(WAIT);
            check(b != null && text(b).equals("b"), () -> "second message");
            b.acknowledge();
            consumer.close();
            MessageConsumer after = s.createConsumer(q);
            check(after.receive(1000) == null, () -> "acknowledged messages came back");
        }
    }

    static void bodyTypes() throws Exception {
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(RUN + "-bodies");
            MessageProducer p = s.createProducer(q);
            BytesMessage bytes = s.createBytesMessage();
            bytes.writeBytes(new byte[]{1, 2, 3, 0, (byte) 255});
            p.send(bytes);
            MapMessage map = s.createMapMessage();
            map.setInt("k", 42);
            map.setString("s", "v");
            p.send(map);
            StreamMessage stream = s.createStreamMessage();
            stream.writeString("x");
            stream.writeLong(7L);
            p.send(stream);
            p.send(s.createObjectMessage(new ArrayList<>(List.of("o1", "o2"))));
            p.send(s.createMessage());
            MessageConsumer consumer = s.createConsumer(q);
            BytesMessage rb = (BytesMessage) consumer.receive(WAIT);
            byte[] got = new byte[(int) rb.getBodyLength()];
            rb.readBytes(got);
            check(Arrays.equals(got, new byte[]{1, 2, 3, 0, (byte) 255}), () -> "bytes body");
            MapMessage rm = (MapMessage) consumer.receive(WAIT);
            check(rm.getInt("k") == 42 && "v".equals(rm.getString("s")), () -> "map body");
            StreamMessage rs = (StreamMessage) consumer.receive(WAIT);
            check("x".equals(rs.readString()) && rs.readLong() == 7L, () -> "stream body");
            ObjectMessage ro = (ObjectMessage) consumer.receive(WAIT);
            check(List.of("o1", "o2").equals(ro.getObject()), () -> "object body");
            Message plain = consumer.receive(WAIT);
            check(plain != null, () -> "body-less message");
        }
    }

    static void topicPubSub() throws Exception {
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Topic t = s.createTopic(RUN + "-news");
            MessageConsumer one = s.createConsumer(t);
            MessageConsumer two = s.createConsumer(t);
            MessageProducer p = s.createProducer(t);
            for (int i = 0; i < 3; i++) p.send(s.createTextMessage("n" + i));
            for (MessageConsumer mc : List.of(one, two)) {
                for (int i = 0; i < 3; i++) {
                    Message m = mc.receive(WAIT);
                    final int k = i;
                    check(m != null && text(m).equals("n" + i), () -> "subscriber missed n" + k);
                }
                check(mc.receive(300) == null, () -> "extra message on a subscriber");
            }
        }
    }

    static void durable() throws Exception {
        String client = RUN + "-client";
        String topic = RUN + "-durable";
        try (Connection c = connect(client)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createDurableSubscriber(s.createTopic(topic), "sub1").close();
        }
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageProducer p = s.createProducer(s.createTopic(topic));
            p.send(s.createTextMessage("while-away-1"));
            p.send(s.createTextMessage("while-away-2"));
        }
        try (Connection c = connect(client)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TopicSubscriber sub = s.createDurableSubscriber(s.createTopic(topic), "sub1");
            for (int i = 1; i <= 2; i++) {
                Message m = sub.receive(WAIT);
                final int k = i;
                check(m != null && text(m).equals("while-away-" + i), () -> "durable subscription lost message " + k);
            }
            sub.close();
            s.unsubscribe("sub1");
        }
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createProducer(s.createTopic(topic)).send(s.createTextMessage("after-unsubscribe"));
        }
        try (Connection c = connect(client)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TopicSubscriber sub = s.createDurableSubscriber(s.createTopic(topic), "sub1");
            check(sub.receive(800) == null, () -> "unsubscribe did not delete the subscription");
            sub.close();
            s.unsubscribe("sub1");
            boolean threw = false;
            try { s.unsubscribe("sub1"); } catch (InvalidDestinationException e) { threw = true; }
            check(threw, () -> "unsubscribing a missing subscription did not fail");
        }
    }

    static final String RESTART_CLIENT = "restart-client";
    static final String RESTART_TOPIC = "restart-topic";

    static void restartPhase1() throws Exception {
        try (Connection c = connect(RESTART_CLIENT)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            s.createDurableSubscriber(s.createTopic(RESTART_TOPIC), "kept", "kind = 'keep'", false).close();
            MessageProducer p = s.createProducer(s.createTopic(RESTART_TOPIC));
            for (String kind : List.of("keep", "drop", "keep")) {
                TextMessage m = s.createTextMessage(kind);
                m.setStringProperty("kind", kind);
                p.send(m);
            }
        }
    }

    static void restartPhase2() throws Exception {
        try (Connection c = connect(RESTART_CLIENT)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TopicSubscriber sub = s.createDurableSubscriber(s.createTopic(RESTART_TOPIC), "kept", "kind = 'keep'", false);
            List<String> got = new ArrayList<>();
            for (Message m; (m = sub.receive(got.size() < 2 ? WAIT : 500)) != null; ) got.add(text(m));
            check(got.equals(List.of("keep", "keep")), () -> "after a restart the durable subscription delivered " + got);
            sub.close();
            s.unsubscribe("kept");
        }
    }

    static void shared() throws Exception {
        String topic = RUN + "-shared";
        try (Connection c1 = connect(null); Connection c2 = connect(null)) {
            Session s1 = c1.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Session s2 = c2.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer a = s1.createSharedConsumer(s1.createTopic(topic), "workers");
            MessageConsumer b = s2.createSharedConsumer(s2.createTopic(topic), "workers");
            MessageProducer p = s1.createProducer(s1.createTopic(topic));
            for (int i = 0; i < 10; i++) p.send(s1.createTextMessage("w" + i));
            Set<String> seen = new HashSet<>();
            int total = 0;
            long end = System.currentTimeMillis() + WAIT;
            while (total < 10 && System.currentTimeMillis() < end) {
                for (MessageConsumer mc : List.of(a, b)) {
                    Message m = mc.receive(100);
                    if (m != null) { total++; seen.add(text(m)); }
                }
            }
            final int got = total;
            check(got == 10 && seen.size() == 10, () -> "shared subscription delivered " + got + " messages, " + seen.size() + " distinct");
            check(a.receive(300) == null && b.receive(300) == null, () -> "a message was delivered twice");
        }
    }

    static void selector() throws Exception {
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(RUN + "-sel");
            MessageProducer p = s.createProducer(q);
            String[] colors = {"red", "blue", "red", "green", "red"};
            for (int i = 0; i < colors.length; i++) {
                TextMessage m = s.createTextMessage("m" + i);
                m.setStringProperty("color", colors[i]);
                m.setIntProperty("n", i);
                p.send(m);
            }
            MessageConsumer reds = s.createConsumer(q, "color = 'red' AND n > 0");
            List<String> got = new ArrayList<>();
            for (Message m; (m = reds.receive(1000)) != null; ) got.add(text(m));
            check(got.equals(List.of("m2", "m4")), () -> "selector matched " + got);
            reds.close();
            MessageConsumer none = s.createConsumer(q, "color = 'purple'");
            check(none.receive(500) == null, () -> "non-matching selector received a message");
            none.close();
            MessageConsumer rest = s.createConsumer(q);
            List<String> left = new ArrayList<>();
            for (Message m; (m = rest.receive(1000)) != null; ) left.add(text(m));
            check(left.equals(List.of("m0", "m1", "m3")), () -> "messages the selector skipped should stay in order, got " + left);
            rest.close();
            MessageConsumer typed = s.createConsumer(q, "JMSPriority = 4 AND n = 5");
            TextMessage m = s.createTextMessage("typed");
            m.setIntProperty("n", 5);
            p.send(m);
            Message tm = typed.receive(WAIT);
            check(tm != null && text(tm).equals("typed"), () -> "header/typed selector did not match");
        }
    }

    static void invalidSelector() throws Exception {
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            boolean threw = false;
            try {
                s.createConsumer(s.createQueue(RUN + "-badsel"), "color = ");
            } catch (InvalidSelectorException e) {
                threw = true;
            }
            check(threw, () -> "an invalid selector did not throw InvalidSelectorException");
        }
    }

    static void requestReply() throws Exception {
        String service = RUN + "-rpc";
        try (Connection server = connect(null); Connection client = connect(null)) {
            Session ss = server.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer requests = ss.createConsumer(ss.createQueue(service));
            MessageProducer replies = ss.createProducer(null);
            requests.setMessageListener(req -> {
                try {
                    TextMessage r = ss.createTextMessage("re: " + ((TextMessage) req).getText());
                    r.setJMSCorrelationID(req.getJMSCorrelationID());
                    replies.send(req.getJMSReplyTo(), r);
                } catch (JMSException e) {
                    e.printStackTrace();
                }
            });
            Session cs = client.createSession(false, Session.AUTO_ACKNOWLEDGE);
            TemporaryQueue tmp = cs.createTemporaryQueue();
            MessageConsumer answers = cs.createConsumer(tmp);
            TextMessage req = cs.createTextMessage("ping");
            req.setJMSReplyTo(tmp);
            req.setJMSCorrelationID("rpc-1");
            cs.createProducer(cs.createQueue(service)).send(req);
            Message reply = answers.receive(WAIT);
            check(reply != null, () -> "no reply on the temporary queue");
            check(text(reply).equals("re: ping") && "rpc-1".equals(reply.getJMSCorrelationID()), () -> "wrong reply");
            answers.close();
            tmp.delete();
        }
    }

    static void transactedSend() throws Exception {
        try (Connection c = connect(null)) {
            Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
            Queue q = tx.createQueue(RUN + "-txs");
            MessageProducer p = tx.createProducer(q);
            p.send(tx.createTextMessage("rolled-back"));
            tx.rollback();
            p.send(tx.createTextMessage("committed-1"));
            p.send(tx.createTextMessage("committed-2"));
            Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            MessageConsumer consumer = plain.createConsumer(q);
            check(consumer.receive(500) == null, () -> "an uncommitted send was visible");
            tx.commit();
            Message a = consumer.receive(WAIT), b = consumer.receive(WAIT);
            check(a != null && b != null && text(a).equals("committed-1") && text(b).equals("committed-2"), () -> "committed sends missing");
            check(consumer.receive(500) == null, () -> "a rolled-back send arrived");
        }
    }

    static void transactedReceive() throws Exception {
        try (Connection c = connect(null)) {
            Session plain = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = plain.createQueue(RUN + "-txr");
            plain.createProducer(q).send(plain.createTextMessage("once"));
            Session tx = c.createSession(true, Session.SESSION_TRANSACTED);
            MessageConsumer consumer = tx.createConsumer(q);
            Message first = consumer.receive(WAIT);
            check(first != null && text(first).equals("once"), () -> "transacted receive");
            tx.rollback();
            Message again = consumer.receive(WAIT);
            check(again != null && text(again).equals("once"), () -> "rollback did not redeliver");
            check(again.getJMSRedelivered(), () -> "redelivery after rollback not marked JMSRedelivered");
            tx.commit();
            consumer.close();
            MessageConsumer after = plain.createConsumer(q);
            check(after.receive(800) == null, () -> "committed receive came back");
        }
    }

    static void browser() throws Exception {
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(RUN + "-browse");
            MessageProducer p = s.createProducer(q);
            for (int i = 0; i < 3; i++) p.send(s.createTextMessage("b" + i));
            QueueBrowser browser = s.createBrowser(q);
            List<String> seen = new ArrayList<>();
            Enumeration<?> e = browser.getEnumeration();
            while (e.hasMoreElements()) seen.add(text((Message) e.nextElement()));
            browser.close();
            check(seen.equals(List.of("b0", "b1", "b2")), () -> "browser saw " + seen);
            MessageConsumer consumer = s.createConsumer(q);
            for (int i = 0; i < 3; i++) {
                final int k = i;
                Message m = consumer.receive(WAIT);
                check(m != null && text(m).equals("b" + i), () -> "browsing consumed b" + k);
            }
        }
    }

    static String namesrv() {
        String ns = System.getProperty("mqgate.namesrv");
        check(ns != null && !ns.isEmpty(), () -> "-Dmqgate.namesrv=host:port (mqgate's remoting listener) is not set");
        return ns;
    }

    /**
     * A RocketMQ producer's messages reach a JMS queue consumer whose selector reads a user property: a RocketMQ
     * body arrives as a BytesMessage, the tag as JMSType, user properties as String properties; the messages the
     * selector skipped stay on the queue for a consumer without one.
     */
    static void rocketmqToJms() throws Exception {
        String topic = RUN + "-from-rocketmq";
        String[] colors = {"red", "blue", "red", "green", "red", "blue"};
        DefaultMQProducer producer = new DefaultMQProducer("pg-" + RUN);
        producer.setNamesrvAddr(namesrv());
        producer.setInstanceName("jms-x-" + RUN);
        producer.setSendMsgTimeout(10_000);
        producer.start();
        try {
            for (int i = 0; i < colors.length; i++) {
                org.apache.rocketmq.common.message.Message m = new org.apache.rocketmq.common.message.Message(
                    topic, i % 2 == 0 ? "TagEven" : "TagOdd", "key-" + i, ("rmq-" + i).getBytes(StandardCharsets.UTF_8));
                m.putUserProperty("color", colors[i]);
                m.putUserProperty("n", Integer.toString(i));
                final int k = i;
                SendStatus status = producer.send(m).getSendStatus();
                check(status == SendStatus.SEND_OK, () -> "RocketMQ send " + k + ": " + status);
            }
        } finally {
            producer.shutdown();
        }
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(topic);
            MessageConsumer reds = s.createConsumer(q, "color = 'red'");
            Map<String, Message> got = new TreeMap<>();
            int received = 0;
            for (Message m; (m = reds.receive(got.size() < 3 ? WAIT : 1000)) != null; received++) {
                final Message msg = m;
                check(m instanceof BytesMessage, () -> "a RocketMQ body should arrive as a BytesMessage, got " + msg);
                BytesMessage b = (BytesMessage) m;
                byte[] body = new byte[(int) b.getBodyLength()];
                b.readBytes(body);
                got.put(new String(body, StandardCharsets.UTF_8), m);
            }
            final int count = received;
            check(got.keySet().equals(Set.of("rmq-0", "rmq-2", "rmq-4")) && count == 3,
                () -> "selector color = 'red' received " + count + " messages: " + got.keySet());
            for (Map.Entry<String, Message> e : got.entrySet()) {
                Message m = e.getValue();
                int i = Integer.parseInt(e.getKey().substring(4));
                check("red".equals(m.getStringProperty("color")), () -> "color property " + e.getKey());
                check(Integer.toString(i).equals(m.getObjectProperty("n")), () -> {
                    try { return "n should be the String \"" + i + "\", got " + m.getObjectProperty("n"); }
                    catch (JMSException x) { return x.toString(); }
                });
                check("TagEven".equals(m.getJMSType()), () -> {
                    try { return "the RocketMQ tag should be the JMSType, got " + m.getJMSType(); }
                    catch (JMSException x) { return x.toString(); }
                });
                check(m.getJMSMessageID() != null, () -> "JMSMessageID missing");
                check(m.getJMSDeliveryMode() == DeliveryMode.PERSISTENT, () -> "a RocketMQ message should be persistent");
                check(!m.propertyExists("KEYS") && !m.propertyExists("TAGS") && !m.propertyExists("UNIQ_KEY"),
                    () -> "RocketMQ system properties leaked into the JMS properties");
            }
            reds.close();
            MessageConsumer rest = s.createConsumer(q);
            Set<String> left = new TreeSet<>();
            for (Message m; (m = rest.receive(left.size() < 3 ? WAIT : 500)) != null; ) {
                BytesMessage b = (BytesMessage) m;
                byte[] body = new byte[(int) b.getBodyLength()];
                b.readBytes(body);
                left.add(new String(body, StandardCharsets.UTF_8));
            }
            check(left.equals(Set.of("rmq-1", "rmq-3", "rmq-5")), () -> "the skipped messages should stay queued, got " + left);
        }
    }

    /**
     * A JMS producer's messages reach a RocketMQ push consumer with a SQL92 subscription over the typed JMS
     * properties: exactly the matching ones arrive, JMSType as the tag, properties as strings, the text as the body.
     */
    static void jmsToRocketmq() throws Exception {
        String topic = RUN + "-to-rocketmq";
        String[] colors = {"red", "red", "blue", "red", "red", "green", "red", "blue"};
        Map<String, MessageExt> got = new ConcurrentHashMap<>();
        try (Connection c = connect(null)) {
            Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
            // Attaching the producer creates the topic, so the push consumer finds its route at start.
            MessageProducer p = s.createProducer(s.createQueue(topic));
            DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("cg-" + RUN);
            consumer.setNamesrvAddr(namesrv());
            consumer.setInstanceName("jms-x-" + RUN);
            consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            consumer.subscribe(topic, MessageSelector.bySql("n > 2 AND color = 'red'"));
            consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
                for (MessageExt m : msgs) got.put(new String(m.getBody(), StandardCharsets.UTF_8), m);
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            consumer.start();
            try {
                for (int i = 0; i < colors.length; i++) {
                    TextMessage m = s.createTextMessage("jms-" + i);
                    m.setStringProperty("color", colors[i]);
                    m.setIntProperty("n", i);
                    m.setDoubleProperty("ratio", 2.5);
                    m.setBooleanProperty("flag", i % 2 == 0);
                    m.setJMSType("JmsOrder");
                    p.send(m);
                }
                Set<String> expected = Set.of("jms-3", "jms-4", "jms-6");
                long deadline = System.currentTimeMillis() + 30_000;
                while (!got.keySet().containsAll(expected) && System.currentTimeMillis() < deadline) Thread.sleep(50);
                // Anything unexpected would arrive right behind the expected ones.
                Thread.sleep(1000);
                check(got.keySet().equals(expected), () -> "SQL92 n > 2 AND color = 'red' received " + got.keySet());
                for (MessageExt m : got.values()) {
                    int i = Integer.parseInt(new String(m.getBody(), StandardCharsets.UTF_8).substring(4));
                    check("JmsOrder".equals(m.getTags()), () -> "JMSType should be the tag, got " + m.getTags());
                    check(Integer.toString(i).equals(m.getUserProperty("n")), () -> "n = " + m.getUserProperty("n"));
                    check("red".equals(m.getUserProperty("color")), () -> "color = " + m.getUserProperty("color"));
                    check("2.5".equals(m.getUserProperty("ratio")), () -> "ratio = " + m.getUserProperty("ratio"));
                    check(Boolean.toString(i % 2 == 0).equals(m.getUserProperty("flag")), () -> "flag = " + m.getUserProperty("flag"));
                    check(m.getMsgId() != null && m.getReconsumeTimes() == 0, () -> "msg id / reconsume times");
                }
            } finally {
                consumer.shutdown();
            }
        }
    }
}
