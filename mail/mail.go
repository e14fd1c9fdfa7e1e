// Package mail sends tienda's emails: the Email type, an SMTP mailer (or one that logs when no
// server is configured) and the text and HTML templates. It knows nothing of tasks or orders;
// the tasks package decides what to send and when.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"tienda/config"
)

// Email is one message to send.
type Email struct {
	To      []string
	Subject string
	Text    string
	HTML    string
	// ID is the Message-ID, the same for every attempt at the same message, so that a
	// receiving system can drop a duplicate of a message resent after a crash.
	ID string
}

// Mailer sends emails.
type Mailer interface {
	Send(ctx context.Context, e Email) error
}

// NewMailer returns an SMTP mailer, or one that writes emails to the log when no SMTP server is
// configured.
func NewMailer(cfg config.Mail, log *slog.Logger) Mailer {
	if cfg.SMTPHost == "" {
		return logMailer{log: log}
	}
	return smtpMailer{cfg: cfg}
}

type logMailer struct{ log *slog.Logger }

func (m logMailer) Send(ctx context.Context, e Email) error {
	m.log.InfoContext(ctx, "email (no SMTP server configured)", "to", e.To, "subject", e.Subject, "message_id", e.ID, "text", e.Text)
	return nil
}

type smtpMailer struct{ cfg config.Mail }

// ErrOutcomeUnknown means the whole message was handed to the SMTP server but its final reply
// never came (a timeout or a lost connection): the server may well have accepted it, so the
// message must not simply be sent again.
var ErrOutcomeUnknown = errors.New("smtp: the message was handed over but its outcome is unknown")

// dataTimeout is how long the DATA phase may take.
func dataTimeout(cfg config.Mail) time.Duration {
	if cfg.DataTimeout > 0 {
		return cfg.DataTimeout
	}
	return cfg.Timeout
}

// SendLease is how long one delivery may take at most (the session before DATA, then DATA), so
// how long a task holds the right to send a message before another run may take it over.
func SendLease(cfg config.Mail) time.Duration { return cfg.Timeout + dataTimeout(cfg) + time.Second }

// Send delivers e in one SMTP session: connecting and every command before DATA within
// cfg.Timeout (and ctx), then the DATA phase within its own, longer cfg.DataTimeout, so that a
// server slow to confirm a message is not cut off and sent the message again. A failure after the
// whole message was handed over is ErrOutcomeUnknown.
func (m smtpMailer) Send(ctx context.Context, e Email) error {
	from, err := mail.ParseAddress(m.cfg.From)
	if err != nil {
		return fmt.Errorf("mail.from: %w", err)
	}
	msg, err := compose(from, e)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	addr := net.JoinHostPort(m.cfg.SMTPHost, strconv.Itoa(m.cfg.SMTPPort))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp dial %s: %w", addr, err)
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Now()) })
	defer stop()

	c, err := smtp.NewClient(conn, m.cfg.SMTPHost)
	if err != nil {
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if m.cfg.StartTLS {
		if err := c.StartTLS(&tls.Config{ServerName: m.cfg.SMTPHost, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp starttls: %w", err)
		}
	}
	if m.cfg.SMTPUser != "" {
		if err := c.Auth(smtp.PlainAuth("", m.cfg.SMTPUser, m.cfg.SMTPPassword, m.cfg.SMTPHost)); err != nil {
			return fmt.Errorf("smtp auth: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	for _, to := range e.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("smtp RCPT TO: %w", err)
		}
	}
	// The DATA phase has its own deadline, and the request's context no longer cuts it: past
	// the final dot, a cut leaves the message's fate unknown.
	stop()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("smtp before DATA: %w", err)
	}
	_ = conn.SetDeadline(time.Now().Add(dataTimeout(m.cfg)))
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		var reply *textproto.Error
		if errors.As(err, &reply) {
			return fmt.Errorf("smtp end of data: %w", err) // the server refused it: no message
		}
		return fmt.Errorf("%w: %w", ErrOutcomeUnknown, err)
	}
	// The server accepted the message: a failed QUIT must not make the caller send it again.
	_ = c.Quit()
	return nil
}

// compose builds a multipart/alternative message with a plain-text and an HTML part.
func compose(from *mail.Address, e Email) ([]byte, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, part := range []struct{ ctype, content string }{
		{"text/plain; charset=utf-8", e.Text},
		{"text/html; charset=utf-8", e.HTML},
	} {
		w, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {part.ctype},
			"Content-Transfer-Encoding": {"quoted-printable"},
		})
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(part.content)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	var msg bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&msg, "%s: %s\r\n", k, v) }
	header("From", from.String())
	header("To", strings.Join(e.To, ", "))
	header("Subject", mime.QEncoding.Encode("utf-8", e.Subject))
	header("Date", time.Now().UTC().Format(time.RFC1123Z))
	header("Message-ID", e.ID)
	header("MIME-Version", "1.0")
	header("Content-Type", "multipart/alternative; boundary="+mw.Boundary())
	msg.WriteString("\r\n")
	msg.Write(body.Bytes())
	return msg.Bytes(), nil
}

// MessageID is a Message-ID derived from a stable key, or random when key is empty.
func MessageID(key string) string {
	if key == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		key = hex.EncodeToString(b)
	}
	return "<" + strings.NewReplacer(":", ".", " ", "-").Replace(key) + "@tienda>"
}
