// Drives the real Go rocketmq-client-go/v2 against mqgate: sync send with tags, keys and user properties,
// a push consumer with a tag subscription, and (with -produce-only / -consume-only) the halves of a
// cross-language exchange with the Java client. Prints "PASS name" / "FAIL name: why" and finally
// "N passed, M failed"; exits non-zero on any failure.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

var (
	ns          = flag.String("ns", "127.0.0.1:9876", "name server address")
	produceOnly = flag.String("produce-only", "", "send 5 messages to this topic and exit")
	consumeOnly = flag.String("consume-only", "", "consume 5 messages tagged FromJava from this topic and check them")
	passed      = 0
	failed      = 0
)

func report(name string, err error) {
	if err != nil {
		failed++
		fmt.Printf("FAIL %s: %v\n", name, err)
	} else {
		passed++
		fmt.Printf("PASS %s\n", name)
	}
}

func newProducer(group string) (rocketmq.Producer, error) {
	p, err := rocketmq.NewProducer(
		producer.WithNameServer([]string{*ns}),
		producer.WithGroupName(group),
		producer.WithRetry(2),
		producer.WithSendMsgTimeout(10*time.Second),
	)
	if err != nil {
		return nil, err
	}
	return p, p.Start()
}

func sendTagged(p rocketmq.Producer, topic, tag string, n int, prefix string) error {
	for i := 0; i < n; i++ {
		m := primitive.NewMessage(topic, []byte(fmt.Sprintf("%s-%d", prefix, i)))
		m.WithTag(tag)
		m.WithKeys([]string{fmt.Sprintf("gokey%d", i)})
		m.WithProperty("lang", "go")
		r, err := p.SendSync(context.Background(), m)
		if err != nil {
			return err
		}
		if r.Status != primitive.SendOK {
			return fmt.Errorf("send status %v", r.Status)
		}
	}
	return nil
}

type got struct {
	sync.Mutex
	msgs map[string]*primitive.MessageExt
}

func consume(group, topic, selector string, want func(map[string]*primitive.MessageExt) bool, timeout time.Duration) (map[string]*primitive.MessageExt, error) {
	g := &got{msgs: map[string]*primitive.MessageExt{}}
	c, err := rocketmq.NewPushConsumer(
		consumer.WithNameServer([]string{*ns}),
		consumer.WithGroupName(group),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		return nil, err
	}
	err = c.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: selector},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			g.Lock()
			for _, m := range msgs {
				g.msgs[string(m.Body)] = m
			}
			g.Unlock()
			return consumer.ConsumeSuccess, nil
		})
	if err != nil {
		return nil, err
	}
	if err := c.Start(); err != nil {
		return nil, err
	}
	defer c.Shutdown()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		g.Lock()
		ok := want(g.msgs)
		g.Unlock()
		if ok {
			time.Sleep(500 * time.Millisecond)
			g.Lock()
			defer g.Unlock()
			return g.msgs, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	g.Lock()
	defer g.Unlock()
	return g.msgs, fmt.Errorf("timed out with %d messages", len(g.msgs))
}

func produceAndConsume(run string) error {
	topic := "GoTopic_" + run
	p, err := newProducer("go_pg_" + run)
	if err != nil {
		return err
	}
	defer p.Shutdown()
	if err := sendTagged(p, topic, "TagA", 5, "a"); err != nil {
		return err
	}
	if err := sendTagged(p, topic, "TagB", 5, "b"); err != nil {
		return err
	}
	msgs, err := consume("go_cg_"+run, topic, "TagA", func(m map[string]*primitive.MessageExt) bool { return len(m) >= 5 }, 40*time.Second)
	if err != nil {
		return err
	}
	for body, m := range msgs {
		if !strings.HasPrefix(body, "a-") {
			return fmt.Errorf("tag filter let %q through", body)
		}
		if m.GetTags() != "TagA" || m.GetProperty("lang") != "go" || !strings.HasPrefix(m.GetKeys(), "gokey") {
			return fmt.Errorf("message %q lost tag/keys/properties: %q %q %q", body, m.GetTags(), m.GetKeys(), m.GetProperty("lang"))
		}
	}
	if len(msgs) != 5 {
		return fmt.Errorf("expected 5 TagA messages, got %d", len(msgs))
	}
	return nil
}

func main() {
	flag.Parse()
	rlog.SetLogLevel("error")
	run := fmt.Sprintf("%d", time.Now().UnixNano()%1000000000)
	switch {
	case *produceOnly != "":
		p, err := newProducer("go_xpg_" + run)
		if err == nil {
			err = sendTagged(p, *produceOnly, "FromGo", 5, "go")
			p.Shutdown()
		}
		report("go_produce_for_java", err)
	case *consumeOnly != "":
		msgs, err := consume("go_xcg_"+run, *consumeOnly, "FromJava", func(m map[string]*primitive.MessageExt) bool { return len(m) >= 5 }, 40*time.Second)
		if err == nil {
			for body, m := range msgs {
				if !strings.HasPrefix(body, "java-") || m.GetTags() != "FromJava" || m.GetProperty("lang") != "java" || !strings.HasPrefix(m.GetKeys(), "javakey") {
					err = fmt.Errorf("message from Java not intact: %q tags=%q keys=%q lang=%q", body, m.GetTags(), m.GetKeys(), m.GetProperty("lang"))
					break
				}
			}
		}
		report("go_consume_from_java", err)
	default:
		report("go_produce_and_push_consume_with_tag", produceAndConsume(run))
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
