// Command smtpsink is the SMTP sink of the air-gapped stand-in images (docker/standin.sh): it
// accepts every message on :1025 without TLS or authentication, keeps it in memory, and lists
// the messages on :8025 at GET /api/v1/messages in the shape of mailpit's API (the official
// image docker/docker-compose.yml uses), so that docker/smoke.sh reads either the same way.
// DELETE /api/v1/messages forgets them; GET /readyz answers 200.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"mime"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"sync"
	"time"
)

type address struct {
	Name    string `json:"Name"`
	Address string `json:"Address"`
}

type message struct {
	ID      string    `json:"ID"`
	From    address   `json:"From"`
	To      []address `json:"To"`
	Subject string    `json:"Subject"`
	Created time.Time `json:"Created"`
	Size    int       `json:"Size"`
}

type store struct {
	mu   sync.Mutex
	msgs []message
	next int
}

func (s *store) add(m message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	m.ID = fmt.Sprint(s.next)
	s.msgs = append(s.msgs, m)
}

func (s *store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.Method {
	case http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"total": len(s.msgs), "messages_count": len(s.msgs), "messages": append([]message{}, s.msgs...),
		})
	case http.MethodDelete:
		s.msgs = nil
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func main() {
	s := &store{}
	mux := http.NewServeMux()
	mux.Handle("/api/v1/messages", s)
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	go func() { log.Fatal(http.ListenAndServe(":8025", mux)) }() //nolint:gosec // a test sink
	ln, err := new(net.ListenConfig).Listen(context.Background(), "tcp", ":1025")
	if err != nil {
		log.Fatal(err)
	}
	log.Print("smtpsink: SMTP on :1025, API on :8025")
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go session(c, s)
	}
}

// session speaks the part of SMTP a client without TLS or AUTH uses.
func session(c net.Conn, s *store) {
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(c)
	reply := func(line string) { _, _ = fmt.Fprintf(c, "%s\r\n", line) }
	reply("220 smtpsink ready")
	var to []address
	var from address
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			reply("250-smtpsink")
			reply("250 8BITMIME")
		case "HELO":
			reply("250 smtpsink")
		case "MAIL":
			from, to = address{Address: angle(line)}, nil
			reply("250 OK")
		case "RCPT":
			to = append(to, address{Address: angle(line)})
			reply("250 OK")
		case "DATA":
			reply("354 end with <CR><LF>.<CR><LF>")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if strings.TrimRight(l, "\r\n") == "." {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			m := message{From: from, To: to, Created: time.Now().UTC(), Size: b.Len()}
			if parsed, err := mail.ReadMessage(strings.NewReader(b.String())); err == nil {
				m.Subject = parsed.Header.Get("Subject")
				if dec, err := new(mime.WordDecoder).DecodeHeader(m.Subject); err == nil {
					m.Subject = dec
				}
			}
			s.add(m)
			reply("250 OK queued")
		case "RSET":
			to = nil
			reply("250 OK")
		case "NOOP":
			reply("250 OK")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 command not implemented")
		}
	}
}

// angle returns the address between < and > of a MAIL FROM or RCPT TO line.
func angle(line string) string {
	i, j := strings.Index(line, "<"), strings.Index(line, ">")
	if i < 0 || j < i {
		return ""
	}
	return line[i+1 : j]
}
