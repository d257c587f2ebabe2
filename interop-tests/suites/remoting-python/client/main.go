// The Go half of the remoting-python suite's cross-language steps, on the real rocketmq-client-go/v2 (pinned in
// go.mod): -produce sends messages tagged FromGo for the Python push consumer, -consume checks the messages the
// Python producer sent (tagged FromPython). Both directions carry body, tag, keys and a user property, plus one
// 20 KB body that each client compresses on send (sysFlag bit 0) and the other must inflate. Prints
// "PASS name" / "FAIL name: why"; exits non-zero on failure.
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

// Must match scenarios.py.
const (
	count   = 5
	bigSize = 20000
)

var (
	ns           = flag.String("ns", "127.0.0.1:9876", "name server address")
	produceTopic = flag.String("produce", "", "send FromGo messages to this topic")
	consumeTopic = flag.String("consume", "", "consume and check the FromPython messages of this topic")
)

func bigBody(prefix string) string {
	return prefix + "-big-" + strings.Repeat("z", bigSize-len(prefix)-5)
}

func produce(topic string) error {
	p, err := rocketmq.NewProducer(
		producer.WithNameServer([]string{*ns}),
		producer.WithGroupName("go_to_py_pg"),
		producer.WithRetry(2),
		producer.WithSendMsgTimeout(10*time.Second),
	)
	if err != nil {
		return err
	}
	if err := p.Start(); err != nil {
		return err
	}
	defer p.Shutdown()
	bodies := []string{bigBody("go")}
	for i := 0; i < count; i++ {
		bodies = append(bodies, fmt.Sprintf("go-%d", i))
	}
	for i, body := range bodies {
		m := primitive.NewMessage(topic, []byte(body))
		m.WithTag("FromGo")
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

// checkFromPython says what is wrong with one message the Python producer sent, or nil.
func checkFromPython(m *primitive.MessageExt) error {
	body := string(m.Body)
	switch {
	case strings.HasPrefix(body, "py-big-"):
		if len(body) != bigSize || body != bigBody("py") {
			return fmt.Errorf("big body not intact: %d bytes", len(body))
		}
		if m.GetKeys() != "pykey_big" {
			return fmt.Errorf("big body keys %q", m.GetKeys())
		}
	case strings.HasPrefix(body, "py-"):
		if m.GetKeys() != "pykey"+strings.TrimPrefix(body, "py-") {
			return fmt.Errorf("message %q keys %q", body, m.GetKeys())
		}
	default:
		return fmt.Errorf("unexpected body %q", body)
	}
	if m.GetTags() != "FromPython" || m.GetProperty("lang") != "python" || m.GetProperty("origin") != "cpython ctypes" {
		return fmt.Errorf("message %q lost tag/properties: tag=%q lang=%q origin=%q",
			body[:min(len(body), 16)], m.GetTags(), m.GetProperty("lang"), m.GetProperty("origin"))
	}
	return nil
}

func consume(topic string) error {
	var mu sync.Mutex
	got := map[string]*primitive.MessageExt{}
	c, err := rocketmq.NewPushConsumer(
		consumer.WithNameServer([]string{*ns}),
		consumer.WithGroupName("py_to_go_cg"),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		return err
	}
	err = c.Subscribe(topic, consumer.MessageSelector{Type: consumer.TAG, Expression: "FromPython"},
		func(ctx context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range msgs {
				got[string(m.Body)] = m
			}
			return consumer.ConsumeSuccess, nil
		})
	if err != nil {
		return err
	}
	if err := c.Start(); err != nil {
		return err
	}
	defer c.Shutdown()
	deadline := time.Now().Add(40 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n >= count+1 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out with %d of %d messages", n, count+1)
		}
		time.Sleep(100 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, m := range got {
		if err := checkFromPython(m); err != nil {
			return err
		}
	}
	if len(got) != count+1 {
		return fmt.Errorf("expected %d messages, got %d", count+1, len(got))
	}
	return nil
}

func main() {
	flag.Parse()
	rlog.SetLogLevel("error")
	name, err := "", error(nil)
	switch {
	case *produceTopic != "":
		name, err = "go_produce_for_python", produce(*produceTopic)
	case *consumeTopic != "":
		name, err = "go_consume_from_python", consume(*consumeTopic)
	default:
		fmt.Println("usage: client -ns host:port (-produce TOPIC | -consume TOPIC)")
		os.Exit(2)
	}
	if err != nil {
		fmt.Printf("FAIL %s: %v\n", name, err)
		os.Exit(1)
	}
	fmt.Printf("PASS %s\n", name)
}
