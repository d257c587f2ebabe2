// Scenarios run by the official RocketMQ 5.x Go gRPC client (github.com/apache/rocketmq-clients/golang/v5, pinned
// in go.mod) against mqgate's gRPC front-end. This client always dials TLS, so the run script starts mqgate in
// permissive TLS mode: the scenarios also cover gRPC behind mqgate's rustls listener (ALPN h2). Prints
// "PASS name" / "FAIL name: reason" and "N passed, M failed" last; exits non-zero on any failure.
// Usage: client host:port [scenario ...]
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	rmq "github.com/apache/rocketmq-clients/golang/v5"
	"github.com/apache/rocketmq-clients/golang/v5/credentials"
)

var endpoint string

func config(group string) *rmq.Config {
	return &rmq.Config{Endpoint: endpoint, ConsumerGroup: group, Credentials: &credentials.SessionCredentials{}}
}

func check(ok bool, format string, args ...any) {
	if !ok {
		panic(fmt.Errorf(format, args...))
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func producer(topic string) rmq.Producer {
	p, err := rmq.NewProducer(config(""), rmq.WithTopics(topic))
	must(err)
	must(p.Start())
	return p
}

func consumer(group, topic string) rmq.SimpleConsumer {
	c, err := rmq.NewSimpleConsumer(config(group), rmq.WithAwaitDuration(3*time.Second),
		rmq.WithSubscriptionExpressions(map[string]*rmq.FilterExpression{topic: rmq.SUB_ALL}))
	must(err)
	must(c.Start())
	return c
}

// receiveN receives until n messages arrived or max passed; acks each when ack is set.
func receiveN(c rmq.SimpleConsumer, n int, invisible, max time.Duration, ack bool) []*rmq.MessageView {
	var got []*rmq.MessageView
	end := time.Now().Add(max)
	for len(got) < n && time.Now().Before(end) {
		mvs, err := c.Receive(context.Background(), 16, invisible)
		if err != nil {
			var e *rmq.ErrRpcStatus
			if errors.As(err, &e) && e.GetCode() == 40401 { // MESSAGE_NOT_FOUND: an empty poll
				continue
			}
			must(err)
		}
		for _, mv := range mvs {
			got = append(got, mv)
			if ack {
				must(c.Ack(context.Background(), mv))
			}
		}
	}
	return got
}

func normal() {
	topic := "GoNormal"
	p := producer(topic)
	defer p.GracefulStop()
	c := consumer("GoGNormal", topic)
	defer c.GracefulStop()
	ids := map[string]bool{}
	for i := 0; i < 5; i++ {
		m := &rmq.Message{Topic: topic, Body: []byte(fmt.Sprintf("body-%d", i))}
		m.SetTag("TagA")
		m.SetKeys(fmt.Sprintf("k%d", i))
		m.AddProperty("idx", fmt.Sprint(i))
		r, err := p.Send(context.Background(), m)
		must(err)
		ids[r[0].MessageID] = true
	}
	got := receiveN(c, 5, 30*time.Second, 20*time.Second, true)
	check(len(got) == 5, "received %d of 5", len(got))
	for _, mv := range got {
		idx := mv.GetProperties()["idx"]
		check(ids[mv.GetMessageId()], "unknown message id %s", mv.GetMessageId())
		check(string(mv.GetBody()) == "body-"+idx, "body %q idx %q", mv.GetBody(), idx)
		check(mv.GetTag() != nil && *mv.GetTag() == "TagA", "tag")
		check(len(mv.GetKeys()) == 1 && mv.GetKeys()[0] == "k"+idx, "keys %v", mv.GetKeys())
	}
}

func changeInvisible() {
	topic := "GoChange"
	p := producer(topic)
	defer p.GracefulStop()
	c := consumer("GoGChange", topic)
	defer c.GracefulStop()
	r, err := p.Send(context.Background(), &rmq.Message{Topic: topic, Body: []byte("retry-me")})
	must(err)
	first := receiveN(c, 1, 30*time.Second, 15*time.Second, false)
	check(len(first) == 1, "first delivery missing")
	must(c.ChangeInvisibleDuration(first[0], time.Second))
	again := receiveN(c, 1, 30*time.Second, 15*time.Second, false)
	check(len(again) == 1, "no redelivery after ChangeInvisibleDuration")
	check(again[0].GetMessageId() == r[0].MessageID, "a different message came back")
	check(again[0].GetDeliveryAttempt() == 2, "attempt %d", again[0].GetDeliveryAttempt())
	must(c.Ack(context.Background(), again[0]))
}

func fifo() {
	topic := "GoFifo"
	p := producer(topic)
	defer p.GracefulStop()
	c := consumer("GoGFifo", topic)
	defer c.GracefulStop()
	for i := 0; i < 3; i++ {
		m := &rmq.Message{Topic: topic, Body: []byte(fmt.Sprintf("A-%d", i))}
		m.SetMessageGroup("A")
		_, err := p.Send(context.Background(), m)
		must(err)
	}
	got := receiveN(c, 3, 30*time.Second, 20*time.Second, true)
	check(len(got) == 3, "received %d of 3", len(got))
	for _, mv := range got {
		check(mv.GetMessageGroup() != nil && *mv.GetMessageGroup() == "A", "message group lost")
	}
}

func main() {
	endpoint = os.Args[1]
	only := map[string]bool{}
	for _, a := range os.Args[2:] {
		only[a] = true
	}
	scenarios := []struct {
		name string
		run  func()
	}{
		{"producer-normal-simple-consumer-ack", normal},
		{"simple-change-invisible-redelivery", changeInvisible},
		{"producer-message-group", fifo},
	}
	passed, failed := 0, 0
	for _, s := range scenarios {
		if len(only) > 0 && !only[s.name] {
			continue
		}
		t0 := time.Now()
		func() {
			defer func() {
				if r := recover(); r != nil {
					failed++
					fmt.Printf("FAIL %s: %v\n", s.name, r)
				}
			}()
			s.run()
			passed++
			fmt.Printf("PASS %s (%d ms)\n", s.name, time.Since(t0).Milliseconds())
		}()
	}
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
