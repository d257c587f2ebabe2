package mqgate;

import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.jms.BytesMessage;
import javax.jms.Connection;
import javax.jms.Message;
import javax.jms.MessageConsumer;
import javax.jms.MessageProducer;
import javax.jms.Queue;
import javax.jms.Session;
import javax.jms.TextMessage;

import com.rabbitmq.jms.admin.RMQConnectionFactory;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.MessageSelector;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * The Java halves of the amqp-bridge interop suite. Each mode prints "OK ..." or "FAIL ..." and exits 0 / 1.
 *   jms-send     AMQP_URI QUEUE COUNT                  TextMessages with typed properties + one BytesMessage
 *   jms-receive  AMQP_URI QUEUE COUNT TIMEOUT_S         a JMS consumer on a RabbitMQ JMS queue (outbound check)
 *   rmq-produce  NAMESRV TOPIC COUNT                    RocketMQ producer (outbound source)
 *   rmq-consume  NAMESRV TOPIC GROUP SQL EXPECT TIMEOUT_S CHECK   RocketMQ push consumer with a SQL92 filter;
 *                CHECK = red (every message has color=red) | jms (text + JMS properties)
 */
public class Main {
    public static void main(String[] a) throws Exception {
        boolean ok;
        switch (a[0]) {
            case "jms-send": ok = jmsSend(a[1], a[2], Integer.parseInt(a[3])); break;
            case "jms-receive": ok = jmsReceive(a[1], a[2], Integer.parseInt(a[3]), Integer.parseInt(a[4])); break;
            case "rmq-produce": ok = rmqProduce(a[1], a[2], Integer.parseInt(a[3])); break;
            case "rmq-consume": ok = rmqConsume(a[1], a[2], a[3], a[4], Integer.parseInt(a[5]), Integer.parseInt(a[6]), a[7]); break;
            default: System.out.println("FAIL unknown mode " + a[0]); ok = false;
        }
        System.out.flush();
        System.exit(ok ? 0 : 1);
    }

    static Connection jms(String uri) throws Exception {
        RMQConnectionFactory f = new RMQConnectionFactory();
        f.setUri(uri);
        Connection c = f.createConnection();
        c.start();
        return c;
    }

    static boolean jmsSend(String uri, String queue, int count) throws Exception {
        Connection c = jms(uri);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        Queue q = s.createQueue(queue);
        MessageProducer p = s.createProducer(q);
        for (int i = 0; i < count; i++) {
            TextMessage m = s.createTextMessage("jms-text-" + i + " ✓");
            m.setJMSType("greeting");
            m.setStringProperty("color", i % 2 == 0 ? "red" : "blue");
            m.setIntProperty("seq", i);
            m.setDoubleProperty("weight", i + 0.5);
            m.setBooleanProperty("flag", true);
            m.setLongProperty("big", 1L << 40);
            m.setJMSCorrelationID("corr-" + i);
            p.send(m);
        }
        BytesMessage b = s.createBytesMessage();
        b.writeBytes(new byte[] {0, 1, 2, (byte) 0xFF});
        b.setStringProperty("kind", "bytes");
        b.setJMSType("binary");
        p.send(b);
        System.out.println("OK jms-send " + count + " text + 1 bytes to " + queue);
        c.close();
        return true;
    }

    static boolean jmsReceive(String uri, String queue, int count, int timeoutS) throws Exception {
        Connection c = jms(uri);
        Session s = c.createSession(false, Session.AUTO_ACKNOWLEDGE);
        MessageConsumer mc = s.createConsumer(s.createQueue(queue));
        System.out.println("READY jms-receive " + queue);
        System.out.flush();
        Set<String> texts = ConcurrentHashMap.newKeySet();
        int bad = 0;
        String sample = null;
        long deadline = System.currentTimeMillis() + timeoutS * 1000L;
        while (texts.size() < count && System.currentTimeMillis() < deadline) {
            Message m = mc.receive(1000);
            if (m == null) continue;
            if (!(m instanceof TextMessage)) { bad++; sample = "not a TextMessage: " + m.getClass(); continue; }
            String t = ((TextMessage) m).getText();
            String color = m.getStringProperty("color");
            Object seq = m.getObjectProperty("seq");
            if (t == null || !t.startsWith("out-text-") || color == null || seq == null || !t.endsWith("-" + seq)
                || m.getJMSMessageID() == null) {
                bad++;
                sample = "text=" + t + " color=" + color + " seq=" + seq + " (" + (seq == null ? "null" : seq.getClass().getSimpleName()) + ") id=" + m.getJMSMessageID();
                continue;
            }
            if (sample == null) sample = "text=" + t + " color=" + color + " seq=" + seq + " id=" + m.getJMSMessageID() + " type=" + m.getJMSType();
            texts.add(t);
        }
        c.close();
        boolean ok = texts.size() == count && bad == 0;
        System.out.println((ok ? "OK" : "FAIL") + " jms-receive distinct=" + texts.size() + "/" + count + " bad=" + bad + " sample: " + sample);
        return ok;
    }

    static boolean rmqProduce(String ns, String topic, int count) throws Exception {
        DefaultMQProducer p = new DefaultMQProducer("bridge_out_producer");
        p.setNamesrvAddr(ns);
        p.setInstanceName("p-bridge");
        p.start();
        int sent = 0;
        for (int i = 0; i < count; i++) {
            org.apache.rocketmq.common.message.Message m = new org.apache.rocketmq.common.message.Message(
                topic, "TagOut", "k" + i, ("out-text-" + i).getBytes(StandardCharsets.UTF_8));
            m.putUserProperty("color", i % 2 == 0 ? "red" : "blue");
            m.putUserProperty("seq", Integer.toString(i));
            SendResult r = p.send(m);
            if (r.getSendStatus() == SendStatus.SEND_OK) sent++;
        }
        p.shutdown();
        System.out.println((sent == count ? "OK" : "FAIL") + " rmq-produce " + sent + "/" + count);
        return sent == count;
    }

    static boolean rmqConsume(String ns, String topic, String group, String sql, int expect, int timeoutS, String check)
            throws Exception {
        DefaultMQPushConsumer c = new DefaultMQPushConsumer(group);
        c.setNamesrvAddr(ns);
        c.setInstanceName("c-" + group);
        c.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        c.setConsumeMessageBatchMaxSize(32);
        c.setPullBatchSize(256);
        if (sql.equals("*")) c.subscribe(topic, "*"); else c.subscribe(topic, MessageSelector.bySql(sql));
        Set<String> ids = ConcurrentHashMap.newKeySet();
        AtomicInteger total = new AtomicInteger();
        AtomicInteger bad = new AtomicInteger();
        Map<String, String> sample = new ConcurrentHashMap<>();
        c.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            for (MessageExt m : msgs) {
                total.incrementAndGet();
                String body = new String(m.getBody(), StandardCharsets.UTF_8);
                String why = null;
                if (check.equals("red")) {
                    if (!"red".equals(m.getUserProperty("color"))) why = "color=" + m.getUserProperty("color");
                } else if (check.equals("jms")) {
                    if ("bytes".equals(m.getUserProperty("kind"))) {
                        byte[] b = m.getBody();
                        if (b.length != 4 || b[3] != (byte) 0xFF) why = "bytes body " + b.length;
                    } else if (!body.startsWith("jms-text-") || !body.endsWith(" ✓")) why = "body=" + body;
                    else if (m.getUserProperty("color") == null || m.getUserProperty("seq") == null
                        || !"greeting".equals(m.getTags()) || m.getUserProperty("weight") == null
                        || !"true".equals(m.getUserProperty("flag")) || !Long.toString(1L << 40).equals(m.getUserProperty("big"))
                        || !("corr-" + m.getUserProperty("seq")).equals(m.getUserProperty("JMSCorrelationID")))
                        why = "properties=" + m.getProperties();
                    if (sample.isEmpty()) sample.put("s", "id=" + m.getMsgId() + " tags=" + m.getTags() + " body=" + body + " props=" + m.getProperties());
                }
                if (why != null) { bad.incrementAndGet(); sample.put("bad", why); }
                String key = m.getKeys() != null ? m.getKeys() : m.getMsgId();
                ids.add(key);
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        c.start();
        long deadline = System.currentTimeMillis() + timeoutS * 1000L;
        while (ids.size() < expect && System.currentTimeMillis() < deadline) Thread.sleep(200);
        Thread.sleep(500);
        c.shutdown();
        boolean ok = ids.size() == expect && bad.get() == 0;
        System.out.println((ok ? "OK" : "FAIL") + " rmq-consume distinct=" + ids.size() + "/" + expect + " total=" + total.get()
            + " bad=" + bad.get() + " " + sample);
        return ok;
    }
}
